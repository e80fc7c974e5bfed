//! `/api/v1/sales-channels`: the shops and marketplaces a seller sells
//! through, each with a webhook URL. A rule with the `sales_channel` action
//! sends its message to the webhook of the order's channel, signed the
//! Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64 HMAC-SHA256>`), under the same outbound
//! rules as storage endpoints and without following redirects.

use std::time::Duration;

use actix_web::{HttpResponse, delete, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::outbox::OutboxMessage;
use crate::AppState;
use crate::auth::{Caller, Writer};
use crate::db::schema::{orders, sales_channels};
use crate::db::{DbConnection, new_id, now};
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::storage::endpoint::{check_endpoint, parse_endpoint};
use crate::validation::{AllFields, ForField, Text};

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_sales_channels)
        .service(create_sales_channel)
        .service(delete_sales_channel);
}

/// A stored sales channel.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sales_channels)]
pub struct SalesChannel {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// The channel name orders carry (`shopify`, `ebay`, ...).
    pub name: String,
    /// Where messages are POSTed.
    pub webhook_url: String,
    /// The signing secret, sealed.
    pub secret_sealed: String,
    /// Created.
    pub created_at: NaiveDateTime,
}

fn context(tenant_id: &str, id: &str) -> String {
    format!("sales_channel:{tenant_id}:{id}")
}

/// The Standard Webhooks signature of a payload.
pub fn sign(secret: &str, id: &str, timestamp: i64, payload: &str) -> Result<String, String> {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .map_err(|_| "the signing secret is not base64".to_string())?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(format!("{id}.{timestamp}.{payload}").as_bytes());
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Delivers a `sales_channel` outbox message to its channel's webhook.
pub async fn deliver(
    state: &AppState,
    http: &reqwest::Client,
    message: &OutboxMessage,
) -> Result<(), String> {
    let (tenant_id, name, order_id) = (
        message.tenant_id.clone(),
        message.recipient.clone(),
        message.order_id.clone(),
    );
    let found = state
        .db
        .read(move |conn| {
            let channel: Option<SalesChannel> = sales_channels::table
                .filter(sales_channels::tenant_id.eq(&tenant_id))
                .filter(sales_channels::name.eq(&name))
                .select(SalesChannel::as_select())
                .first(conn)
                .optional()?;
            let order: Option<(i64, Option<String>)> = match &order_id {
                Some(id) => orders::table
                    .find(id)
                    .select((orders::number, orders::external_ref))
                    .first(conn)
                    .optional()?,
                None => None,
            };
            Ok((channel, order))
        })
        .await
        .map_err(|e| e.to_string())?;
    let (Some(channel), order) = found else {
        return Err(format!(
            "no webhook is configured for the sales channel `{}`",
            message.recipient
        ));
    };
    let policy = state.storage.policy;
    let url = parse_endpoint_url(&channel.webhook_url, policy)?;
    check_endpoint(&url, policy)
        .await
        .map_err(|e| format!("the webhook URL {e}"))?;
    let secret = state
        .storage
        .secret_box
        .open(
            &channel.secret_sealed,
            &context(&channel.tenant_id, &channel.id),
        )
        .map_err(|e| e.to_string())?;
    let secret = String::from_utf8(secret).map_err(|e| e.to_string())?;
    let payload = json!({
        "type": "order.message",
        "timestamp": Utc::now(),
        "data": {
            "channel": channel.name,
            "order_number": order.as_ref().map(|o| o.0),
            "external_ref": order.and_then(|o| o.1),
            "subject": message.subject,
            "text": message.body_text,
        },
    })
    .to_string();
    let id = format!("msg_{}", message.id);
    let timestamp = Utc::now().timestamp();
    let signature = sign(&secret, &id, timestamp, &payload)?;
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(payload)
        .send()
        .await
        .map_err(|e| format!("the webhook could not be reached: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!(
            "the webhook answered HTTP {}",
            response.status().as_u16()
        ))
    }
}

/// A webhook URL: like a storage endpoint, but a path is allowed.
fn parse_endpoint_url(
    raw: &str,
    policy: crate::storage::endpoint::EndpointPolicy,
) -> Result<url::Url, String> {
    let url = url::Url::parse(raw).map_err(|_| "the webhook URL is not valid".to_string())?;
    let origin = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    let origin = match url.port() {
        Some(port) => format!("{origin}:{port}"),
        None => origin,
    };
    parse_endpoint(&origin, policy).map_err(|e| format!("the webhook URL {e}"))?;
    Ok(url)
}

/// The HTTP client for webhooks: short timeouts, no redirects.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .build()?)
}

/// A new sales channel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSalesChannel {
    /// The channel name orders carry, e.g. `shopify`.
    pub name: String,
    /// Where messages are POSTed (https).
    pub webhook_url: String,
}

/// A sales channel as shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SalesChannelView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Channel name.
    pub name: String,
    /// Webhook URL.
    pub webhook_url: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Only when created: the signing secret (`whsec_...`) to verify webhooks with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

/// The shop's sales channels.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SalesChannelList {
    /// By name.
    pub items: Vec<SalesChannelView>,
}

fn view(row: SalesChannel, secret: Option<String>) -> SalesChannelView {
    SalesChannelView {
        id: row.id,
        name: row.name,
        webhook_url: row.webhook_url,
        created_at: row.created_at.and_utc(),
        signing_secret: secret,
    }
}

fn find(conn: &mut DbConnection, tenant_id: &str, id: &str) -> Result<SalesChannel, ApiError> {
    Ok(sales_channels::table
        .filter(sales_channels::tenant_id.eq(tenant_id))
        .filter(sales_channels::id.eq(id))
        .select(SalesChannel::as_select())
        .first(conn)?)
}

/// The shop's sales channels.
#[utoipa::path(tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "The channels", body = SalesChannelList),
              (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")))]
#[get("/sales-channels")]
pub async fn list_sales_channels(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<SalesChannelList>, ApiError> {
    let rows: Vec<SalesChannel> = state
        .db
        .read(move |conn| {
            Ok(sales_channels::table
                .filter(sales_channels::tenant_id.eq(&caller.tenant_id))
                .order(sales_channels::name.asc())
                .select(SalesChannel::as_select())
                .load(conn)?)
        })
        .await?;
    Ok(web::Json(SalesChannelList {
        items: rows.into_iter().map(|r| view(r, None)).collect(),
    }))
}

/// Add a sales channel; the answer carries its signing secret, shown once.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), request_body = CreateSalesChannel,
    responses((status = 201, description = "Created, with the signing secret", body = SalesChannelView),
              (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The shop has this channel", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid fields, e.g. a webhook URL that is not allowed", body = Problem, content_type = "application/problem+json")))]
#[post("/sales-channels")]
pub async fn create_sales_channel(
    state: web::Data<AppState>,
    caller: Writer,
    body: JsonBody<CreateSalesChannel>,
) -> Result<HttpResponse, ApiError> {
    let policy = state.storage.policy;
    let url = parse_endpoint_url(body.webhook_url.trim(), policy);
    let url = match url {
        Ok(u) => check_endpoint(&u, policy)
            .await
            .map(|()| u)
            .map_err(|e| format!("the webhook URL {e}")),
        Err(e) => Err(e),
    };
    let (name, url) = (
        Text::parse(&body.name, 1, 50)
            .map(|t| t.into_inner().to_lowercase())
            .for_field("name"),
        url.for_field("webhook_url"),
    )
        .all()?;
    let mut raw = [0u8; 24];
    rand::rng().fill_bytes(&mut raw);
    let secret = format!("whsec_{}", STANDARD.encode(raw));
    let id = new_id();
    let row = SalesChannel {
        secret_sealed: state
            .storage
            .secret_box
            .seal(secret.as_bytes(), &context(&caller.tenant_id, &id))
            .map_err(ApiError::internal)?,
        id,
        tenant_id: caller.tenant_id.clone(),
        name,
        webhook_url: url.to_string(),
        created_at: now(),
    };
    let saved = row.clone();
    state
        .db
        .write(move |conn| {
            diesel::insert_into(sales_channels::table)
                .values(&saved)
                .execute(conn)
                .map_err(|e| match e {
                    DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                        ApiError::Conflict {
                            code: "channel_exists",
                            detail: "The shop already has a channel with this name.".into(),
                        }
                    }
                    other => other.into(),
                })?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Created().json(view(row, Some(secret))))
}

/// Remove a sales channel.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Channel id")),
    responses((status = 204, description = "Removed"),
              (status = 404, description = "No such channel in this shop", body = Problem, content_type = "application/problem+json")))]
#[delete("/sales-channels/{id}")]
pub async fn delete_sales_channel(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (tenant_id, id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    state
        .db
        .write(move |conn| {
            find(conn, &tenant_id, &id)?;
            diesel::delete(sales_channels::table.find(&id)).execute(conn)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The example from the Standard Webhooks specification.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
