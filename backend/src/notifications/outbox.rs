//! The outbox: messages waiting to be delivered, delivered, or failed for
//! good. `GET /api/v1/orders/{id}/messages` lists an order's messages; a
//! seller can resend any of them.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::templates::Rendered;
use crate::AppState;
use crate::auth::{Caller, Writer};
use crate::db::schema::{history_events, outbox_messages};
use crate::db::{DbConnection, new_id, now};
use crate::error::{ApiError, Problem};
use crate::orders::history::{HistoryEvent, HistoryKind, NewEvent, event_row, record};
use crate::orders::models::find_order;

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_order_messages).service(resend_message);
}

/// A message in the outbox.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
// None is NULL (not DEFAULT), so that many rows go in one INSERT.
#[diesel(table_name = outbox_messages, treat_none_as_default_value = false)]
pub struct OutboxMessage {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// The order it is about.
    pub order_id: Option<String>,
    /// The rule that sent it.
    pub rule_id: Option<String>,
    /// `email`.
    pub kind: String,
    /// Email address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: Option<String>,
    /// Stable Message-ID: a resend after a crash is recognisable.
    pub message_id: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: NaiveDateTime,
    /// Claimed by a worker until then.
    pub locked_until: Option<NaiveDateTime>,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// Delivered.
    pub sent_at: Option<NaiveDateTime>,
    /// Queued.
    pub created_at: NaiveDateTime,
}

/// A message to queue.
pub struct NewMessage<'a> {
    /// The shop.
    pub tenant_id: &'a str,
    /// The order.
    pub order_id: Option<&'a str>,
    /// The rule.
    pub rule_id: Option<&'a str>,
    /// `email`.
    pub kind: &'a str,
    /// Email address.
    pub recipient: &'a str,
    /// The text.
    pub rendered: Rendered,
    /// Who caused it, for the history.
    pub actor: &'a str,
}

/// Writes a message to the outbox (and, for an order, its history). Call
/// inside the transaction of the change that caused it.
pub fn enqueue(
    conn: &mut DbConnection,
    message: NewMessage<'_>,
) -> Result<OutboxMessage, ApiError> {
    let (row, event) = message_rows(message, now());
    diesel::insert_into(outbox_messages::table)
        .values(&row)
        .execute(conn)?;
    if let Some(event) = event {
        diesel::insert_into(history_events::table)
            .values(event)
            .execute(conn)?;
    }
    Ok(row)
}

/// The rows `enqueue` writes: the message, and for an order its
/// "message queued" history row (for a caller that writes many at once).
pub fn message_rows(
    message: NewMessage<'_>,
    at: NaiveDateTime,
) -> (OutboxMessage, Option<HistoryEvent>) {
    let id = new_id();
    let row = OutboxMessage {
        message_id: format!("<{id}@delivery>"),
        id,
        tenant_id: message.tenant_id.to_owned(),
        order_id: message.order_id.map(str::to_owned),
        rule_id: message.rule_id.map(str::to_owned),
        kind: message.kind.to_owned(),
        recipient: message.recipient.to_owned(),
        subject: message.rendered.subject,
        body_text: message.rendered.body_text,
        body_html: message.rendered.body_html,
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: at,
        locked_until: None,
        last_error: None,
        sent_at: None,
        created_at: at,
    };
    let event = message.order_id.map(|order_id| {
        event_row(NewEvent {
            tenant_id: message.tenant_id,
            order_id,
            kind: HistoryKind::MessageQueued,
            actor: message.actor,
            grant_id: None,
            details: json!({
                "message_id": row.message_id, "to": row.recipient,
                "subject": row.subject, "text": row.body_text,
            }),
            ip: None,
            user_agent: None,
            at,
        })
    });
    (row, event)
}

/// Marks a claimed message delivered at `at`.
pub fn mark_sent(
    conn: &mut DbConnection,
    message: &OutboxMessage,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        diesel::update(outbox_messages::table.find(&message.id))
            .set((
                outbox_messages::status.eq("sent"),
                outbox_messages::sent_at.eq(at),
                outbox_messages::locked_until.eq(None::<NaiveDateTime>),
                outbox_messages::attempts.eq(outbox_messages::attempts + 1),
            ))
            .execute(conn)?;
        if let Some(order_id) = &message.order_id {
            record(
                conn,
                NewEvent {
                    tenant_id: &message.tenant_id,
                    order_id,
                    kind: HistoryKind::MessageSent,
                    actor: "system",
                    grant_id: None,
                    details: json!({ "message_id": message.message_id, "to": message.recipient }),
                    ip: None,
                    user_agent: None,
                    at,
                },
            )?;
        }
        Ok(())
    })
}

/// Records a failed attempt: retried later with exponential backoff, or
/// failed for good after `max_attempts`.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    message: &OutboxMessage,
    error: &str,
    base_delay: Duration,
    max_attempts: i32,
) -> Result<(), ApiError> {
    let at = now();
    let attempts = message.attempts + 1;
    let give_up = attempts >= max_attempts;
    let delay = base_delay * 2_i32.saturating_pow(u32::try_from(attempts - 1).unwrap_or(0).min(12));
    let error: String = error.chars().take(1000).collect();
    conn.transaction(|conn| {
        diesel::update(outbox_messages::table.find(&message.id))
            .set((
                outbox_messages::status.eq(if give_up { "failed" } else { "pending" }),
                outbox_messages::attempts.eq(attempts),
                outbox_messages::next_attempt_at.eq(at + delay.min(Duration::hours(6))),
                outbox_messages::locked_until.eq(None::<NaiveDateTime>),
                outbox_messages::last_error.eq(&error),
            ))
            .execute(conn)?;
        if let (true, Some(order_id)) = (give_up, &message.order_id) {
            record(
                conn,
                NewEvent {
                    tenant_id: &message.tenant_id,
                    order_id,
                    kind: HistoryKind::MessageFailed,
                    actor: "system",
                    grant_id: None,
                    details: json!({ "message_id": message.message_id, "error": error, "attempts": attempts }),
                    ip: None,
                    user_agent: None,
                    at,
                },
            )?;
        }
        Ok(())
    })
}

/// A message as the seller sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// `email`.
    pub kind: String,
    /// To.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts.
    pub attempts: i32,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// The Message-ID header.
    pub message_id: String,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// Delivered.
    pub sent_at: Option<DateTime<Utc>>,
}

fn view(m: OutboxMessage) -> MessageView {
    MessageView {
        id: m.id,
        kind: m.kind,
        recipient: m.recipient,
        subject: m.subject,
        body_text: m.body_text,
        status: m.status,
        attempts: m.attempts,
        last_error: m.last_error,
        message_id: m.message_id,
        created_at: m.created_at.and_utc(),
        sent_at: m.sent_at.map(|t| t.and_utc()),
    }
}

/// An order's messages.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageList {
    /// Newest first.
    pub items: Vec<MessageView>,
}

fn messages_of(
    conn: &mut DbConnection,
    tenant_id: &str,
    order_id: &str,
) -> Result<Vec<OutboxMessage>, ApiError> {
    Ok(outbox_messages::table
        .filter(outbox_messages::tenant_id.eq(tenant_id))
        .filter(outbox_messages::order_id.eq(order_id))
        .order(outbox_messages::id.desc())
        .select(OutboxMessage::as_select())
        .load(conn)?)
}

/// Every message about an order: queued, sent and failed, with its text.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Order id")),
    responses((status = 200, description = "The messages", body = MessageList),
              (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json")))]
#[get("/orders/{id}/messages")]
pub async fn list_order_messages(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<MessageList>, ApiError> {
    let (tenant_id, order_id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let rows = state
        .db
        .read(move |conn| {
            find_order(conn, &tenant_id, &order_id)?;
            messages_of(conn, &tenant_id, &order_id)
        })
        .await?;
    Ok(web::Json(MessageList {
        items: rows.into_iter().map(view).collect(),
    }))
}

/// Send a message again, as a new message with its own Message-ID.
#[utoipa::path(tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id"), ("message_id" = Uuid, Path, description = "Message id")),
    responses((status = 201, description = "Queued", body = MessageView),
              (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such order or message in this shop", body = Problem, content_type = "application/problem+json")))]
#[post("/orders/{id}/messages/{message_id}/resend")]
pub async fn resend_message(
    state: web::Data<AppState>,
    caller: Writer,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (order_id, message_id) = path.into_inner();
    let (tenant_id, order_id, message_id, actor) = (
        caller.tenant_id.clone(),
        order_id.to_string(),
        message_id.to_string(),
        caller.actor.clone(),
    );
    let row = state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                let old = messages_of(conn, &tenant_id, &order_id)?
                    .into_iter()
                    .find(|m| m.id == message_id)
                    .ok_or(ApiError::NotFound)?;
                enqueue(
                    conn,
                    NewMessage {
                        tenant_id: &tenant_id,
                        order_id: Some(&order_id),
                        rule_id: old.rule_id.as_deref(),
                        kind: &old.kind,
                        recipient: &old.recipient,
                        rendered: Rendered {
                            subject: old.subject.clone(),
                            body_text: old.body_text.clone(),
                            body_html: old.body_html.clone(),
                        },
                        actor: &actor,
                    },
                )
            })
        })
        .await?;
    state.outbox_wakeup.notify_one();
    Ok(HttpResponse::Created().json(view(row)))
}
