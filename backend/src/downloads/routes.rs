//! `GET/PATCH /api/v1/orders/{id}/downloads`: the seller sees every grant
//! and changes allowed downloads, end dates or the used count, for the
//! whole order or one file. Every change lands in the history with who,
//! old and new values.

use actix_web::{get, patch, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::models::{DownloadGrant, grants_of_order};
use crate::AppState;
use crate::auth::{Caller, Writer};
use crate::db::schema::download_grants;
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::orders::history::{HistoryKind, NewEvent, record};
use crate::orders::models::find_order;

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_order_downloads)
        .service(update_order_downloads);
}

/// A download grant as the seller sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GrantView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The order item it belongs to.
    #[schema(format = Uuid)]
    pub order_item_id: String,
    /// The name the file is saved under.
    pub file_name: String,
    /// Bytes.
    pub size: i64,
    /// Downloads counted.
    pub used_downloads: i32,
    /// Allowed downloads; null = unlimited.
    pub max_downloads: Option<i32>,
    /// Downloads left; null = unlimited.
    pub downloads_left: Option<i32>,
    /// End date; null = none.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The view of a grant.
pub fn grant_view(g: DownloadGrant) -> GrantView {
    GrantView {
        downloads_left: g.left(),
        id: g.id,
        order_item_id: g.order_item_id,
        file_name: g.display_name,
        size: g.size,
        used_downloads: g.used_downloads,
        max_downloads: g.max_downloads,
        expires_at: g.expires_at.map(|t| t.and_utc()),
    }
}

/// The order's grants.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GrantList {
    /// In portal order.
    pub items: Vec<GrantView>,
}

/// A change to the order's downloads.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDownloadsRequest {
    /// Change only this grant; absent = every grant of the order.
    #[serde(default)]
    pub grant_id: Option<Uuid>,
    /// New allowed downloads (0–100000); `null` = unlimited; absent = unchanged.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<i32>, nullable)]
    pub max_downloads: Option<Option<i32>>,
    /// New end date; `null` = no end; absent = unchanged.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<DateTime<Utc>>, nullable)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// Set the used count back to 0.
    #[serde(default)]
    pub reset_used: bool,
}

/// Every download grant of an order.
#[utoipa::path(
    tag = "downloads",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, description = "The grants", body = GrantList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/orders/{id}/downloads")]
pub async fn list_order_downloads(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<GrantList>, ApiError> {
    let (tenant_id, order_id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let grants = state
        .db
        .read(move |conn| {
            find_order(conn, &tenant_id, &order_id)?;
            grants_of_order(conn, &tenant_id, &order_id)
        })
        .await?;
    Ok(web::Json(GrantList {
        items: grants.into_iter().map(grant_view).collect(),
    }))
}

fn limits(g: &DownloadGrant) -> serde_json::Value {
    json!({
        "max_downloads": g.max_downloads,
        "used_downloads": g.used_downloads,
        "expires_at": g.expires_at.map(|t| t.and_utc()),
    })
}

/// Change allowed downloads, the end date or the used count of one grant or
/// the whole order.
#[utoipa::path(
    tag = "downloads",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = UpdateDownloadsRequest,
    responses(
        (status = 200, description = "The grants after the change", body = GrantList),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order or grant in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/orders/{id}/downloads")]
pub async fn update_order_downloads(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
    body: JsonBody<UpdateDownloadsRequest>,
) -> Result<web::Json<GrantList>, ApiError> {
    let change = body.into_inner();
    if let Some(Some(max)) = change.max_downloads
        && !(0..=100_000).contains(&max)
    {
        return Err(ApiError::field(
            "max_downloads",
            "must be between 0 and 100000, or null for unlimited",
        ));
    }
    if change.max_downloads.is_none() && change.expires_at.is_none() && !change.reset_used {
        return Err(ApiError::field(
            "body",
            "nothing to change: send max_downloads, expires_at or reset_used",
        ));
    }
    let new_expiry: Option<Option<NaiveDateTime>> =
        change.expires_at.map(|e| e.map(|t| t.naive_utc()));
    let (tenant_id, order_id, actor) = (
        caller.tenant_id.clone(),
        id.into_inner().to_string(),
        caller.actor.clone(),
    );
    let only = change.grant_id.map(|g| g.to_string());
    let grants = state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                find_order(conn, &tenant_id, &order_id)?;
                let all = grants_of_order(conn, &tenant_id, &order_id)?;
                let targets: Vec<&DownloadGrant> = match &only {
                    Some(g) => all.iter().filter(|x| x.id == *g).collect(),
                    None => all.iter().collect(),
                };
                if only.is_some() && targets.is_empty() {
                    return Err(ApiError::NotFound);
                }
                let at = crate::db::now();
                for grant in targets {
                    let max = change.max_downloads.unwrap_or(grant.max_downloads);
                    let expires = new_expiry.unwrap_or(grant.expires_at);
                    let used = if change.reset_used { 0 } else { grant.used_downloads };
                    diesel::update(download_grants::table.find(&grant.id))
                        .set((
                            download_grants::max_downloads.eq(max),
                            download_grants::expires_at.eq(expires),
                            download_grants::used_downloads.eq(used),
                        ))
                        .execute(conn)?;
                    let after = DownloadGrant {
                        max_downloads: max,
                        expires_at: expires,
                        used_downloads: used,
                        ..grant.clone()
                    };
                    record(
                        conn,
                        NewEvent {
                            tenant_id: &tenant_id,
                            order_id: &order_id,
                            kind: HistoryKind::LimitsChanged,
                            actor: &actor,
                            grant_id: Some(&grant.id),
                            details: json!({ "file": grant.display_name, "old": limits(grant), "new": limits(&after) }),
                            ip: None,
                            user_agent: None,
                            at,
                        },
                    )?;
                }
                grants_of_order(conn, &tenant_id, &order_id)
            })
        })
        .await?;
    Ok(web::Json(GrantList {
        items: grants.into_iter().map(grant_view).collect(),
    }))
}
