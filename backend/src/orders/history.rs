//! The order's "History & Messages": every status change, download, limit
//! change, link regeneration, customer message and seller note. Rows are
//! written in the same transaction as the change they describe and never
//! edited.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::models::find_order;
use crate::AppState;
use crate::auth::{Caller, Writer};
use crate::db::schema::history_events;
use crate::db::{DbConnection, new_id};
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::pagination::PageRequest;

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_order_history).service(add_order_note);
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    /// Created by hand.
    OrderCreated,
    /// Imported from a channel.
    OrderImported,
    /// Customer or address changed (or re-imported).
    OrderUpdated,
    /// Status changed.
    StatusChanged,
    /// Downloads unlocked: grants created.
    GrantsCreated,
    /// A file was downloaded (counted).
    Download,
    /// Allowed downloads, end date or used count changed.
    LimitsChanged,
    /// The portal link was replaced.
    LinkRegenerated,
    /// The customer wrote through the portal.
    CustomerMessage,
    /// A seller's note.
    Note,
    /// A notification was written to the outbox (with its text).
    MessageQueued,
    /// A notification was delivered.
    MessageSent,
    /// A notification failed for good (after its retries).
    MessageFailed,
    /// An invoice or cancellation invoice was issued.
    InvoiceIssued,
    /// The customer downloaded the invoice in the portal.
    InvoiceDownloaded,
}

impl HistoryKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryKind::OrderCreated => "order_created",
            HistoryKind::OrderImported => "order_imported",
            HistoryKind::OrderUpdated => "order_updated",
            HistoryKind::StatusChanged => "status_changed",
            HistoryKind::GrantsCreated => "grants_created",
            HistoryKind::Download => "download",
            HistoryKind::LimitsChanged => "limits_changed",
            HistoryKind::LinkRegenerated => "link_regenerated",
            HistoryKind::CustomerMessage => "customer_message",
            HistoryKind::Note => "note",
            HistoryKind::MessageQueued => "message_queued",
            HistoryKind::MessageSent => "message_sent",
            HistoryKind::MessageFailed => "message_failed",
            HistoryKind::InvoiceIssued => "invoice_issued",
            HistoryKind::InvoiceDownloaded => "invoice_downloaded",
        }
    }

    fn from_db(value: &str) -> HistoryKind {
        match value {
            "order_created" => HistoryKind::OrderCreated,
            "order_imported" => HistoryKind::OrderImported,
            "status_changed" => HistoryKind::StatusChanged,
            "grants_created" => HistoryKind::GrantsCreated,
            "download" => HistoryKind::Download,
            "limits_changed" => HistoryKind::LimitsChanged,
            "link_regenerated" => HistoryKind::LinkRegenerated,
            "customer_message" => HistoryKind::CustomerMessage,
            "note" => HistoryKind::Note,
            "message_queued" => HistoryKind::MessageQueued,
            "message_sent" => HistoryKind::MessageSent,
            "message_failed" => HistoryKind::MessageFailed,
            "invoice_issued" => HistoryKind::InvoiceIssued,
            "invoice_downloaded" => HistoryKind::InvoiceDownloaded,
            _ => HistoryKind::OrderUpdated,
        }
    }
}

/// A stored history row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
// None is NULL (not DEFAULT), so that many rows go in one INSERT.
#[diesel(table_name = history_events, treat_none_as_default_value = false)]
pub struct HistoryEvent {
    /// Id (time-ordered).
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// The order.
    pub order_id: String,
    /// What happened.
    pub kind: String,
    /// Who: `user:<email>`, `api_key:<name>`, `customer` or `system`.
    pub actor: String,
    /// The grant, for downloads and limit changes.
    pub grant_id: Option<String>,
    /// Details as JSON.
    pub details: String,
    /// Client IP (downloads, customer messages).
    pub ip: Option<String>,
    /// Client user agent (downloads, customer messages).
    pub user_agent: Option<String>,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A history row to write.
pub struct NewEvent<'a> {
    /// The shop.
    pub tenant_id: &'a str,
    /// The order.
    pub order_id: &'a str,
    /// What happened.
    pub kind: HistoryKind,
    /// Who did it.
    pub actor: &'a str,
    /// The grant concerned.
    pub grant_id: Option<&'a str>,
    /// Details.
    pub details: serde_json::Value,
    /// Client IP.
    pub ip: Option<&'a str>,
    /// Client user agent.
    pub user_agent: Option<&'a str>,
    /// When.
    pub at: NaiveDateTime,
}

/// Appends a row (call inside the change's transaction).
pub fn record(conn: &mut DbConnection, event: NewEvent<'_>) -> Result<(), diesel::result::Error> {
    diesel::insert_into(history_events::table)
        .values(event_row(event))
        .execute(conn)
        .map(|_| ())
}

/// The row `record` writes, for a caller that writes many at once.
pub fn event_row(event: NewEvent<'_>) -> HistoryEvent {
    HistoryEvent {
        id: new_id(),
        tenant_id: event.tenant_id.to_owned(),
        order_id: event.order_id.to_owned(),
        kind: event.kind.as_str().to_owned(),
        actor: event.actor.to_owned(),
        grant_id: event.grant_id.map(str::to_owned),
        details: event.details.to_string(),
        ip: event.ip.map(str::to_owned),
        // Bounded: a user agent is client-controlled.
        user_agent: event.user_agent.map(|ua| ua.chars().take(512).collect()),
        created_at: event.at,
    }
}

/// A history entry as shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What happened.
    pub kind: HistoryKind,
    /// Who: `user:<email>`, `api_key:<name>`, `customer` or `system`.
    pub actor: String,
    /// The download grant concerned.
    pub grant_id: Option<String>,
    /// Details (e.g. file name; old and new values; the message text).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Client IP (downloads, customer messages).
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A page of history, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistoryPage {
    /// Newest first.
    pub items: Vec<HistoryEntry>,
    /// Pass as `cursor` for older entries; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Entries per page (1–200, default 50).
    pub limit: Option<u32>,
}

/// A seller's note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// The note (1–5000 characters).
    pub text: String,
}

fn entry(row: HistoryEvent) -> HistoryEntry {
    HistoryEntry {
        kind: HistoryKind::from_db(&row.kind),
        details: serde_json::from_str(&row.details).unwrap_or(serde_json::Value::Null),
        id: row.id,
        actor: row.actor,
        grant_id: row.grant_id,
        ip: row.ip,
        user_agent: row.user_agent,
        created_at: row.created_at.and_utc(),
    }
}

/// One page of an order's history.
pub fn page(
    conn: &mut DbConnection,
    tenant_id: &str,
    order_id: &str,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<HistoryEvent>, ApiError> {
    let mut query = history_events::table
        .filter(history_events::tenant_id.eq(tenant_id))
        .filter(history_events::order_id.eq(order_id))
        .order(history_events::id.desc())
        .limit(limit)
        .select(HistoryEvent::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(history_events::id.lt(before.to_owned()));
    }
    Ok(query.load(conn)?)
}

/// The order's history, newest first.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id"), HistoryQuery),
    responses(
        (status = 200, description = "One page", body = HistoryPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameters", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/orders/{id}/history")]
pub async fn list_order_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<HistoryQuery>,
) -> Result<web::Json<HistoryPage>, ApiError> {
    let query = query.into_inner();
    let request = PageRequest::parse(query.limit, query.cursor)?;
    let (tenant_id, order_id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let (after, fetch) = (request.after.clone(), request.fetch());
    let rows = state
        .db
        .read(move |conn| {
            find_order(conn, &tenant_id, &order_id)?;
            page(conn, &tenant_id, &order_id, after.as_deref(), fetch)
        })
        .await?;
    let (rows, next_cursor) = request.split(rows, |e| e.id.clone());
    let items: Vec<HistoryEntry> = rows.into_iter().map(entry).collect();
    Ok(web::Json(HistoryPage { items, next_cursor }))
}

/// Add a note to the order's history.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = NoteRequest,
    responses(
        (status = 201, description = "Added", body = HistoryEntry),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/orders/{id}/history")]
pub async fn add_order_note(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
    body: JsonBody<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let text = body.into_inner().text.trim().to_owned();
    let chars = text.chars().count();
    if chars == 0 || chars > 5000 || text.contains('\u{0}') {
        return Err(ApiError::field(
            "text",
            "must be 1–5000 characters without NUL",
        ));
    }
    let (tenant_id, order_id, actor) = (
        caller.tenant_id.clone(),
        id.into_inner().to_string(),
        caller.actor.clone(),
    );
    let row = state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                find_order(conn, &tenant_id, &order_id)?;
                record(
                    conn,
                    NewEvent {
                        tenant_id: &tenant_id,
                        order_id: &order_id,
                        kind: HistoryKind::Note,
                        actor: &actor,
                        grant_id: None,
                        details: serde_json::json!({ "text": text }),
                        ip: None,
                        user_agent: None,
                        at: crate::db::now(),
                    },
                )?;
                let mut latest = page(conn, &tenant_id, &order_id, None, 1)?;
                latest.pop().ok_or(ApiError::NotFound)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(entry(row)))
}
