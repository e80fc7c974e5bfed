//! `GET /api/v1/overview`: what the seller's home screen shows at a glance —
//! today's paid orders and downloads, messages that failed, files that
//! went missing from the storage.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::db::schema::{article_files, articles, history_events, orders, outbox_messages};
use crate::error::{ApiError, Problem};

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_overview);
}

/// A message that failed for good.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FailedMessage {
    /// The message.
    pub id: Uuid,
    /// Its order, if any.
    pub order_id: Option<Uuid>,
    /// To whom.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Why it failed.
    pub last_error: Option<String>,
    /// Written.
    pub created_at: DateTime<Utc>,
}

/// A linked file that is no longer in the storage.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MissingFile {
    /// The article.
    pub article_id: Uuid,
    /// The article's title.
    pub article_title: String,
    /// The file link.
    pub file_id: Uuid,
    /// The file's display name.
    pub display_name: String,
}

/// The home screen's figures. "Today" is the UTC day.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Overview {
    /// Orders paid today.
    pub paid_orders_today: i64,
    /// Counted customer downloads today.
    pub downloads_today: i64,
    /// Messages that failed for good (all time).
    pub failed_messages: i64,
    /// The latest of them (up to 5).
    pub latest_failed_messages: Vec<FailedMessage>,
    /// Linked files found missing (up to 20).
    pub missing_files: Vec<MissingFile>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox_messages)]
struct FailedRow {
    id: String,
    order_id: Option<String>,
    recipient: String,
    subject: String,
    last_error: Option<String>,
    created_at: chrono::NaiveDateTime,
}

fn uuid(id: &str) -> Uuid {
    Uuid::parse_str(id).unwrap_or_default()
}

/// The shop's figures for the home screen.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures", body = Overview),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/overview")]
pub async fn get_overview(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Overview>, ApiError> {
    let today = state
        .clock
        .now()
        .date()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let tenant_id = caller.tenant_id.clone();
    let overview = state
        .db
        .read(move |conn| {
            let paid_orders_today = orders::table
                .filter(orders::tenant_id.eq(&tenant_id))
                .filter(orders::paid_at.ge(today))
                .count()
                .get_result(conn)?;
            let downloads_today = history_events::table
                .filter(history_events::tenant_id.eq(&tenant_id))
                .filter(history_events::kind.eq("download"))
                .filter(history_events::created_at.ge(today))
                .count()
                .get_result(conn)?;
            let failed = outbox_messages::table
                .filter(outbox_messages::tenant_id.eq(&tenant_id))
                .filter(outbox_messages::status.eq("failed"));
            let failed_messages = failed.count().get_result(conn)?;
            let latest: Vec<FailedRow> = failed
                .order(outbox_messages::id.desc())
                .limit(5)
                .select(FailedRow::as_select())
                .load(conn)?;
            let missing: Vec<(String, String, String, String)> = article_files::table
                .inner_join(articles::table)
                .filter(article_files::tenant_id.eq(&tenant_id))
                .filter(article_files::missing.eq(true))
                .order(article_files::id.asc())
                .limit(20)
                .select((
                    articles::id,
                    articles::title,
                    article_files::id,
                    article_files::display_name,
                ))
                .load(conn)?;
            Ok(Overview {
                paid_orders_today,
                downloads_today,
                failed_messages,
                latest_failed_messages: latest
                    .into_iter()
                    .map(|m| FailedMessage {
                        id: uuid(&m.id),
                        order_id: m.order_id.as_deref().map(uuid),
                        recipient: m.recipient,
                        subject: m.subject,
                        last_error: m.last_error,
                        created_at: m.created_at.and_utc(),
                    })
                    .collect(),
                missing_files: missing
                    .into_iter()
                    .map(|f| MissingFile {
                        article_id: uuid(&f.0),
                        article_title: f.1,
                        file_id: uuid(&f.2),
                        display_name: f.3,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(web::Json(overview))
}
