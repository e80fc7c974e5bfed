//! Rows and queries for download grants.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use serde_json::json;

use crate::articles::models::{Article, ArticleFile};
use crate::db::schema::{article_files, articles, download_grants, history_events, order_items};
use crate::db::{DbConnection, new_id};
use crate::error::ApiError;
use crate::orders::history::{HistoryKind, NewEvent, event_row, record};
use crate::orders::models::IN_LIST_MAX;
use crate::portal::settings::PortalSettings;

/// A customer's right to download one file of one order item.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
// None is NULL (not DEFAULT), so that many rows go in one INSERT.
#[diesel(table_name = download_grants, treat_none_as_default_value = false)]
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
    let items: Vec<GrantItem> = order_items::table
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
    let article_ids = items.iter().filter_map(|(_, a, _)| a.as_deref());
    let catalog = FileCatalog::load(conn, tenant_id, article_ids)?;
    let grants = plan_grants(
        &catalog,
        GrantOrder {
            tenant_id,
            order_id,
            paid_at,
            items: &items,
            existing: &existing,
        },
        settings,
    );
    crate::insert_rows!(conn, download_grants::table, grants)?;
    if let Some(event) = grants_created(tenant_id, order_id, paid_at, actor, &grants) {
        record(conn, event)?;
    }
    Ok(grants.len())
}

/// An order line as grants see it: its id, its article and its quantity.
pub type GrantItem = (String, Option<String>, i32);

/// The order whose grants are planned.
pub struct GrantOrder<'a> {
    /// The shop.
    pub tenant_id: &'a str,
    /// The order.
    pub order_id: &'a str,
    /// When it was paid (validity counts from here).
    pub paid_at: NaiveDateTime,
    /// Its lines, in order.
    pub items: &'a [GrantItem],
    /// The (item, file) pairs that have a grant already.
    pub existing: &'a [(String, String)],
}

/// The shop's articles and their files that a set of orders names: loaded
/// once for a whole import instead of once per item.
#[derive(Debug, Default)]
pub struct FileCatalog {
    articles: HashMap<String, Article>,
    files: HashMap<String, Vec<ArticleFile>>,
}

impl FileCatalog {
    /// Loads the named articles and their files, in the files' order.
    pub fn load<'a>(
        conn: &mut DbConnection,
        tenant_id: &str,
        article_ids: impl Iterator<Item = &'a str>,
    ) -> Result<Self, DieselError> {
        let ids: Vec<&str> = article_ids.collect::<BTreeSet<_>>().into_iter().collect();
        let mut articles = Vec::new();
        for chunk in ids.chunks(IN_LIST_MAX) {
            articles.extend(
                articles::table
                    .filter(articles::tenant_id.eq(tenant_id))
                    .filter(articles::id.eq_any(chunk))
                    .select(Article::as_select())
                    .load::<Article>(conn)?,
            );
        }
        Self::with_articles(conn, tenant_id, articles)
    }

    /// Loads the files of articles already at hand (an import has them).
    pub fn with_articles(
        conn: &mut DbConnection,
        tenant_id: &str,
        articles: impl IntoIterator<Item = Article>,
    ) -> Result<Self, DieselError> {
        let mut catalog = FileCatalog {
            articles: articles.into_iter().map(|a| (a.id.clone(), a)).collect(),
            files: HashMap::new(),
        };
        let ids: Vec<&str> = catalog.articles.keys().map(String::as_str).collect();
        for chunk in ids.chunks(IN_LIST_MAX) {
            let files: Vec<ArticleFile> = article_files::table
                .filter(article_files::tenant_id.eq(tenant_id))
                .filter(article_files::article_id.eq_any(chunk))
                .order((article_files::position.asc(), article_files::id.asc()))
                .select(ArticleFile::as_select())
                .load(conn)?;
            for file in files {
                catalog
                    .files
                    .entry(file.article_id.clone())
                    .or_default()
                    .push(file);
            }
        }
        Ok(catalog)
    }
}

/// The grants a paid order gets: one per file of each line's article that
/// has none yet, with the article's limits (or the shop's defaults).
pub fn plan_grants(
    catalog: &FileCatalog,
    order: GrantOrder<'_>,
    settings: &PortalSettings,
) -> Vec<DownloadGrant> {
    let mut position = i32::try_from(order.existing.len()).unwrap_or(i32::MAX);
    let mut grants = Vec::new();
    for (item_id, article_id, quantity) in order.items {
        let Some(article) = article_id.as_ref().and_then(|id| catalog.articles.get(id)) else {
            continue;
        };
        let per_unit = article.download_limit.or(settings.default_download_limit);
        let max_downloads = per_unit.map(|n| n.saturating_mul((*quantity).max(1)));
        let expires_at = article
            .validity_days
            .or(settings.validity_days)
            .map(|days| order.paid_at + Duration::days(i64::from(days)));
        for file in catalog.files.get(&article.id).into_iter().flatten() {
            if order
                .existing
                .iter()
                .any(|(i, f)| i == item_id && *f == file.id)
            {
                continue;
            }
            grants.push(DownloadGrant {
                id: new_id(),
                tenant_id: order.tenant_id.to_owned(),
                order_id: order.order_id.to_owned(),
                order_item_id: item_id.clone(),
                article_file_id: file.id.clone(),
                connection_id: file.connection_id.clone(),
                object_key: file.object_key.clone(),
                display_name: file.display_name.clone(),
                size: file.size,
                content_type: file.content_type.clone(),
                position,
                max_downloads,
                used_downloads: 0,
                expires_at,
                created_at: order.paid_at,
            });
            position += 1;
        }
    }
    grants
}

/// The "grants created" history row for new grants, if there are any.
pub fn grants_created<'a>(
    tenant_id: &'a str,
    order_id: &'a str,
    paid_at: NaiveDateTime,
    actor: &'a str,
    grants: &[DownloadGrant],
) -> Option<NewEvent<'a>> {
    if grants.is_empty() {
        return None;
    }
    let created: Vec<_> = grants
        .iter()
        .map(|grant| {
            json!({
                "grant_id": grant.id, "file": grant.display_name,
                "max_downloads": grant.max_downloads,
                "expires_at": grant.expires_at.map(|t| t.and_utc()),
            })
        })
        .collect();
    Some(NewEvent {
        tenant_id,
        order_id,
        kind: HistoryKind::GrantsCreated,
        actor,
        grant_id: None,
        details: json!({ "grants": created }),
        ip: None,
        user_agent: None,
        at: paid_at,
    })
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
/// passed, and writes its history row, atomically. The conditional update is
/// the whole concurrency story: the database lets exactly as many increments
/// through as the condition allows.
pub fn count_download(
    conn: &mut DbConnection,
    tenant_id: &str,
    order_id: &str,
    grant_id: &str,
    now: NaiveDateTime,
    client: Client<'_>,
) -> Result<Result<DownloadGrant, NotCounted>, ApiError> {
    let event = NewEvent {
        tenant_id,
        order_id,
        kind: HistoryKind::Download,
        actor: "customer",
        grant_id: Some(grant_id),
        details: serde_json::Value::Null,
        ip: client.ip,
        user_agent: client.user_agent,
        at: now,
    };
    let counted = match conn {
        // One statement, one round trip: on PostgreSQL the BEGIN/COMMIT and
        // each statement of a transaction cost a trip to the server.
        DbConnection::Pg(pg) => crate::db::dialect::count_download(pg, event)?,
        DbConnection::Sqlite(sqlite) => sqlite.transaction(|conn| {
            // The same condition as the PostgreSQL statement's.
            let Some(grant) = diesel::update(download_grants::table)
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
                .returning(DownloadGrant::as_returning())
                .get_result::<DownloadGrant>(conn)
                .optional()?
            else {
                return Ok::<_, DieselError>(None);
            };
            diesel::insert_into(history_events::table)
                .values(event_row(NewEvent {
                    details: download_details(&grant),
                    ..event
                }))
                .execute(conn)?;
            Ok(Some(grant))
        })?,
    };
    match counted {
        Some(grant) => Ok(Ok(grant)),
        // Not counted: the grant as it is now says why (or that it is gone).
        None => {
            let grant = find_grant(conn, tenant_id, order_id, grant_id)?;
            Ok(Err(if grant.expired_at(now) {
                NotCounted::Expired
            } else {
                NotCounted::LimitReached
            }))
        }
    }
}

/// What a download's history row tells: the file and the count after it.
fn download_details(grant: &DownloadGrant) -> serde_json::Value {
    json!({
        "file": grant.display_name,
        "used_downloads": grant.used_downloads,
        "max_downloads": grant.max_downloads,
    })
}
