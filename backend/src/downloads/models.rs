//! Rows and queries for download grants.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use crate::articles::models::{Article, ArticleFile};
use crate::db::schema::{article_files, articles, download_grants, order_items};
use crate::db::{DbConnection, new_id};
use crate::error::ApiError;
use crate::orders::history::{HistoryKind, NewEvent, record};
use crate::portal::settings::PortalSettings;

/// A customer's right to download one file of one order item.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = download_grants)]
pub struct DownloadGrant {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// The order.
    pub order_id: String,
    /// The order item.
    pub order_item_id: String,
    /// The article file it was made from.
    pub article_file_id: String,
    /// Snapshot: the storage connection.
    pub connection_id: String,
    /// Snapshot: the object key.
    pub object_key: String,
    /// Snapshot: the name the file is saved under.
    pub display_name: String,
    /// Snapshot: bytes.
    pub size: i64,
    /// Snapshot: MIME type.
    pub content_type: Option<String>,
    /// Order in the portal.
    pub position: i32,
    /// Allowed downloads; `None` = unlimited.
    pub max_downloads: Option<i32>,
    /// Downloads counted so far.
    pub used_downloads: i32,
    /// End date; `None` = none.
    pub expires_at: Option<NaiveDateTime>,
    /// Created.
    pub created_at: NaiveDateTime,
}

impl DownloadGrant {
    /// Downloads left; `None` = unlimited.
    pub fn left(&self) -> Option<i32> {
        self.max_downloads
            .map(|max| (max - self.used_downloads).max(0))
    }

    /// Whether the end date has passed at `now`.
    pub fn expired_at(&self, now: NaiveDateTime) -> bool {
        self.expires_at.is_some_and(|end| end <= now)
    }
}

/// The order's grants in portal order.
pub fn grants_of_order(
    conn: &mut DbConnection,
    tenant_id: &str,
    order_id: &str,
) -> Result<Vec<DownloadGrant>, ApiError> {
    Ok(download_grants::table
        .filter(download_grants::tenant_id.eq(tenant_id))
        .filter(download_grants::order_id.eq(order_id))
        .order((download_grants::position.asc(), download_grants::id.asc()))
        .select(DownloadGrant::as_select())
        .load(conn)?)
}

/// One grant of one order.
pub fn find_grant(
    conn: &mut DbConnection,
    tenant_id: &str,
    order_id: &str,
    grant_id: &str,
) -> Result<DownloadGrant, ApiError> {
    Ok(download_grants::table
        .filter(download_grants::tenant_id.eq(tenant_id))
        .filter(download_grants::order_id.eq(order_id))
        .filter(download_grants::id.eq(grant_id))
        .select(DownloadGrant::as_select())
        .first(conn)?)
}

/// Creates the missing grants of a paid order: one per linked file of each
/// item's article, with the article's limits or the shop's defaults (the
/// limit times the quantity). Existing grants are kept, so running it twice
/// creates nothing new. Call inside the transaction that marks the order paid.
pub fn create_grants(
    conn: &mut DbConnection,
    tenant_id: &str,
    order_id: &str,
    paid_at: NaiveDateTime,
    settings: &PortalSettings,
    actor: &str,
) -> Result<usize, ApiError> {
    let items: Vec<(String, Option<String>, i32)> = order_items::table
        .filter(order_items::tenant_id.eq(tenant_id))
        .filter(order_items::order_id.eq(order_id))
        .order(order_items::position.asc())
        .select((
            order_items::id,
            order_items::article_id,
            order_items::quantity,
        ))
        .load(conn)?;
    let existing: Vec<(String, String)> = download_grants::table
        .filter(download_grants::order_id.eq(order_id))
        .select((
            download_grants::order_item_id,
            download_grants::article_file_id,
        ))
        .load(conn)?;
    let mut position = i32::try_from(existing.len()).unwrap_or(i32::MAX);
    let mut created = Vec::new();
    for (item_id, article_id, quantity) in items {
        let Some(article_id) = article_id else {
            continue;
        };
        let article: Option<Article> = articles::table
            .filter(articles::tenant_id.eq(tenant_id))
            .filter(articles::id.eq(&article_id))
            .select(Article::as_select())
            .first(conn)
            .optional()?;
        let Some(article) = article else { continue };
        let files: Vec<ArticleFile> = article_files::table
            .filter(article_files::tenant_id.eq(tenant_id))
            .filter(article_files::article_id.eq(&article_id))
            .order((article_files::position.asc(), article_files::id.asc()))
            .select(ArticleFile::as_select())
            .load(conn)?;
        let per_unit = article.download_limit.or(settings.default_download_limit);
        let max_downloads = per_unit.map(|n| n.saturating_mul(quantity.max(1)));
        let expires_at = article
            .validity_days
            .or(settings.validity_days)
            .map(|days| paid_at + Duration::days(i64::from(days)));
        for file in files {
            if existing.iter().any(|(i, f)| *i == item_id && *f == file.id) {
                continue;
            }
            let grant = DownloadGrant {
                id: new_id(),
                tenant_id: tenant_id.to_owned(),
                order_id: order_id.to_owned(),
                order_item_id: item_id.clone(),
                article_file_id: file.id,
                connection_id: file.connection_id,
                object_key: file.object_key,
                display_name: file.display_name,
                size: file.size,
                content_type: file.content_type,
                position,
                max_downloads,
                used_downloads: 0,
                expires_at,
                created_at: paid_at,
            };
            position += 1;
            diesel::insert_into(download_grants::table)
                .values(&grant)
                .execute(conn)?;
            created.push(json!({
                "grant_id": grant.id, "file": grant.display_name,
                "max_downloads": grant.max_downloads,
                "expires_at": grant.expires_at.map(|t| t.and_utc()),
            }));
        }
    }
    if !created.is_empty() {
        record(
            conn,
            NewEvent {
                tenant_id,
                order_id,
                kind: HistoryKind::GrantsCreated,
                actor,
                grant_id: None,
                details: json!({ "grants": created }),
                ip: None,
                user_agent: None,
                at: paid_at,
            },
        )?;
    }
    Ok(created.len())
}

/// Why a download was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotCounted {
    /// All allowed downloads are used.
    LimitReached,
    /// The end date has passed.
    Expired,
}

/// Where the downloaded request came from, for the history.
pub struct Client<'a> {
    /// IP address.
    pub ip: Option<&'a str>,
    /// User agent.
    pub user_agent: Option<&'a str>,
}

/// Counts one download of a grant if one is left and the end date has not
/// passed, and writes its history row, in one transaction. The conditional
/// update is the whole concurrency story: the database lets exactly as many
/// increments through as the condition allows.
pub fn count_download(
    conn: &mut DbConnection,
    tenant_id: &str,
    order_id: &str,
    grant_id: &str,
    now: NaiveDateTime,
    client: Client<'_>,
) -> Result<Result<DownloadGrant, NotCounted>, ApiError> {
    conn.transaction(|conn| {
        let counted = diesel::update(download_grants::table)
            .filter(download_grants::id.eq(grant_id))
            .filter(download_grants::tenant_id.eq(tenant_id))
            .filter(download_grants::order_id.eq(order_id))
            .filter(
                download_grants::max_downloads
                    .is_null()
                    .or(download_grants::used_downloads
                        .lt(download_grants::max_downloads.assume_not_null())),
            )
            .filter(
                download_grants::expires_at
                    .is_null()
                    .or(download_grants::expires_at.gt(now)),
            )
            .set(download_grants::used_downloads.eq(download_grants::used_downloads + 1))
            .execute(conn)?;
        let grant = find_grant(conn, tenant_id, order_id, grant_id)?;
        if counted == 0 {
            return Ok(Err(if grant.expired_at(now) {
                NotCounted::Expired
            } else {
                NotCounted::LimitReached
            }));
        }
        record(
            conn,
            NewEvent {
                tenant_id,
                order_id,
                kind: HistoryKind::Download,
                actor: "customer",
                grant_id: Some(grant_id),
                details: json!({
                    "file": grant.display_name,
                    "used_downloads": grant.used_downloads,
                    "max_downloads": grant.max_downloads,
                }),
                ip: client.ip,
                user_agent: client.user_agent,
                at: now,
            },
        )?;
        Ok(Ok(grant))
    })
}
