//! `/api/v1/orders`: create or import (idempotent), list, show, edit,
//! change status, and the portal link.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::domain::{OrderStatus, parse_language};
use super::history::{HistoryKind, NewEvent, record};
use super::import::{ImportContext, import_batch};
use super::models::{self, CustomerInput, ItemInput, Order, OrderFilter, OrderInput, OrderItem};
use crate::AppState;
use crate::articles::domain::{format_minor, parse_currency, parse_price, parse_vat_rate};
use crate::auth::domain::Email;
use crate::auth::{Caller, Writer};
use crate::db::schema::{idempotency_keys, orders};
use crate::db::{DbConnection, now, transaction_retrying_races};
use crate::error::{ApiError, FieldError, Problem};
use crate::json::JsonBody;
use crate::pagination::PageRequest;
use crate::portal::settings;
use crate::validation::{AllFields, FieldResult, ForField, Text};

/// Registers the routes of this module (history and downloads included).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_orders)
        .service(create_order)
        .service(import_orders)
        .service(get_order)
        .service(update_order)
        .service(change_order_status)
        .service(get_portal_link)
        .service(regenerate_portal_link);
    super::history::configure(cfg);
    crate::downloads::routes::configure(cfg);
}

/// A billing address; every field optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingAddress {
    /// Company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Name on the invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Street and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// ISO 3166 country code, e.g. `DE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// VAT ID of a business customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
}

/// The customer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerBody {
    /// Name (1–200 characters).
    pub name: String,
    /// Email.
    pub email: String,
    /// `de` or `en` (default `de`); the portal and messages use it.
    #[serde(default)]
    pub language: Option<String>,
}

/// An order line: an article of the shop (by id or SKU), or a free line
/// with title, unit price and VAT rate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// The article's id.
    #[serde(default)]
    pub article_id: Option<Uuid>,
    /// The article's SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Title; default the article's.
    #[serde(default)]
    pub title: Option<String>,
    /// Units (1–1000).
    pub quantity: i32,
    /// Gross unit price as a decimal string; default the article's.
    #[serde(default)]
    #[schema(example = "19.99")]
    pub unit_price: Option<String>,
    /// VAT rate in percent; default the article's.
    #[serde(default)]
    pub vat_rate: Option<String>,
}

/// A new order, or an import from a channel.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrderRequest {
    /// Sales channel, e.g. `shopify`, `ebay`; default `manual`.
    #[serde(default)]
    pub channel: Option<String>,
    /// The order's id in the channel. With it, importing the same order
    /// again updates it instead of creating a second one.
    #[serde(default)]
    pub external_ref: Option<String>,
    /// The customer.
    pub customer: CustomerBody,
    /// The billing address.
    #[serde(default)]
    pub billing_address: Option<BillingAddress>,
    /// ISO 4217; default `EUR`.
    #[serde(default)]
    pub currency: Option<String>,
    /// 1–100 lines.
    pub items: Vec<ItemBody>,
    /// `open` (default), `paid`, `shipped` or `completed`. A paid one unlocks downloads at once.
    #[serde(default)]
    pub status: Option<OrderStatus>,
    /// When it was paid; default now.
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
}

/// Changes to customer data.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrderRequest {
    /// The customer (all three fields replace the old ones).
    #[serde(default)]
    pub customer: Option<CustomerBody>,
    /// The billing address (replaces the old one).
    #[serde(default)]
    pub billing_address: Option<BillingAddress>,
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// The new status.
    pub status: OrderStatus,
    /// For `paid`: when it was paid; default now.
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
}

/// An order line as shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderItemView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The article, when it is one of the shop's.
    pub article_id: Option<String>,
    /// SKU.
    pub sku: String,
    /// Title.
    pub title: String,
    /// Units.
    pub quantity: i32,
    /// Gross unit price.
    pub unit_price: String,
    /// VAT rate in percent.
    pub vat_rate: String,
}

/// Order totals.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TotalsView {
    /// Without VAT.
    pub net: String,
    /// VAT.
    pub vat: String,
    /// What the customer pays.
    pub gross: String,
}

/// The customer as shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerView {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// `de` or `en`.
    pub language: String,
}

/// An order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Readable number, per shop.
    pub number: i64,
    /// Sales channel.
    pub channel: String,
    /// The channel's order id.
    pub external_ref: Option<String>,
    /// The customer.
    pub customer: CustomerView,
    /// The billing address.
    pub billing_address: BillingAddress,
    /// ISO 4217.
    pub currency: String,
    /// Lines.
    pub items: Vec<OrderItemView>,
    /// Totals.
    pub totals: TotalsView,
    /// Status.
    pub status: OrderStatus,
    /// When it was paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// The customer's portal link.
    pub portal_url: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn order_view(public_base: &str, order: Order, items: Vec<OrderItem>) -> OrderView {
    OrderView {
        portal_url: portal_url(public_base, &order.portal_code),
        customer: CustomerView {
            name: order.customer_name,
            email: order.customer_email,
            language: order.customer_language,
        },
        billing_address: serde_json::from_str(&order.billing_address).unwrap_or_default(),
        items: items
            .into_iter()
            .map(|i| OrderItemView {
                id: i.id,
                article_id: i.article_id,
                sku: i.sku,
                title: i.title,
                quantity: i.quantity,
                unit_price: format_minor(i.unit_price_minor),
                vat_rate: format_minor(i64::from(i.vat_rate_bp)),
            })
            .collect(),
        totals: TotalsView {
            net: format_minor(order.total_net_minor),
            vat: format_minor(order.total_vat_minor),
            gross: format_minor(order.total_gross_minor),
        },
        status: OrderStatus::from_db(&order.status),
        paid_at: order.paid_at.map(|t| t.and_utc()),
        created_at: order.created_at.and_utc(),
        updated_at: order.updated_at.and_utc(),
        id: order.id,
        number: order.number,
        channel: order.channel,
        external_ref: order.external_ref,
        currency: order.currency,
    }
}

/// `PUBLIC_URL/portal/{code}`.
pub fn portal_url(public_base: &str, code: &str) -> String {
    format!("{public_base}/portal/{code}")
}

fn short_text(raw: &str, field: &str, max: usize) -> FieldResult<String> {
    Text::parse(raw, 1, max)
        .map(Text::into_inner)
        .for_field(field)
}

fn optional_text(raw: Option<&str>, field: &str, max: usize) -> FieldResult<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => short_text(s, field, max).map(Some),
    }
}

fn parse_address(address: Option<&BillingAddress>) -> Result<String, ApiError> {
    let Some(a) = address else {
        return Ok("{}".into());
    };
    let (company, name, street, postal_code, city, country, vat_id) = (
        optional_text(a.company.as_deref(), "billing_address.company", 200),
        optional_text(a.name.as_deref(), "billing_address.name", 200),
        optional_text(a.street.as_deref(), "billing_address.street", 200),
        optional_text(a.postal_code.as_deref(), "billing_address.postal_code", 20),
        optional_text(a.city.as_deref(), "billing_address.city", 100),
        match a
            .country
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            None => Ok(None),
            Some(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
                Ok(Some(c.to_ascii_uppercase()))
            }
            Some(_) => Err(FieldError::new(
                "billing_address.country",
                "must be a two-letter ISO 3166 code like DE",
            )),
        },
        optional_text(a.vat_id.as_deref(), "billing_address.vat_id", 30),
    )
        .all()?;
    let clean = BillingAddress {
        company,
        name,
        street,
        postal_code,
        city,
        country,
        vat_id,
    };
    serde_json::to_string(&clean).map_err(ApiError::internal)
}

fn parse_customer(
    c: &CustomerBody,
    address: Option<&BillingAddress>,
) -> Result<CustomerInput, ApiError> {
    let (name, email, language) = (
        short_text(&c.name, "customer.name", 200),
        Email::parse(&c.email)
            .map(|e| e.as_str().to_owned())
            .for_field("customer.email"),
        parse_language(c.language.as_deref().unwrap_or("de")).for_field("customer.language"),
    )
        .all()?;
    Ok(CustomerInput {
        name,
        email,
        language,
        billing_address: parse_address(address)?,
    })
}

fn parse_items(items: &[ItemBody]) -> Result<Vec<ItemInput>, ApiError> {
    if items.is_empty() || items.len() > 100 {
        return Err(ApiError::field("items", "must hold 1–100 lines"));
    }
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = |name: &str| format!("items[{i}].{name}");
        let result = (
            if (1..=1000).contains(&item.quantity) {
                Ok(item.quantity)
            } else {
                Err(FieldError::new(
                    field("quantity"),
                    "must be between 1 and 1000",
                ))
            },
            item.unit_price
                .as_deref()
                .map(parse_price)
                .transpose()
                .for_field(&field("unit_price")),
            item.vat_rate
                .as_deref()
                .map(parse_vat_rate)
                .transpose()
                .for_field(&field("vat_rate")),
            optional_text(item.title.as_deref(), &field("title"), 200),
            optional_text(item.sku.as_deref(), &field("sku"), 64),
        )
            .all();
        match result {
            Ok((quantity, unit_price_minor, vat_rate_bp, title, sku)) => parsed.push(ItemInput {
                article_id: item.article_id.map(|id| id.to_string()),
                sku,
                title,
                quantity,
                unit_price_minor,
                vat_rate_bp,
            }),
            Err(ApiError::Validation(mut e)) => errors.append(&mut e),
            Err(other) => return Err(other),
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn parse_order(body: &CreateOrderRequest) -> Result<OrderInput, ApiError> {
    let status = body.status.unwrap_or(OrderStatus::Open);
    if status.is_locked() {
        return Err(ApiError::field(
            "status",
            "a new order can be open, paid, shipped or completed",
        ));
    }
    let (channel, external_ref, currency) = (
        short_text(body.channel.as_deref().unwrap_or("manual"), "channel", 50),
        optional_text(body.external_ref.as_deref(), "external_ref", 200),
        parse_currency(body.currency.as_deref().unwrap_or("EUR")).for_field("currency"),
    )
        .all()?;
    Ok(OrderInput {
        channel: channel.to_lowercase(),
        external_ref,
        customer: parse_customer(&body.customer, body.billing_address.as_ref())?,
        currency,
        items: parse_items(&body.items)?,
        status,
        paid_at: body.paid_at.map(|t| t.naive_utc()),
    })
}

/// Longest accepted `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY: usize = 200;

/// What an `Idempotency-Key` replays.
struct StoredAnswer {
    status: u16,
    body: String,
}

fn stored_answer(
    conn: &mut DbConnection,
    tenant_id: &str,
    key: &str,
    hash: &str,
) -> Result<Option<StoredAnswer>, ApiError> {
    let row: Option<(String, i32, String)> = idempotency_keys::table
        .filter(idempotency_keys::tenant_id.eq(tenant_id))
        .filter(idempotency_keys::key.eq(key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::body,
        ))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(None),
        Some((stored_hash, status, body)) if stored_hash == hash => Ok(Some(StoredAnswer {
            status: u16::try_from(status).unwrap_or(200),
            body,
        })),
        Some(_) => Err(ApiError::Unprocessable {
            code: "idempotency_key_reused",
            detail: "This Idempotency-Key was used with a different request body.".into(),
        }),
    }
}

/// Create an order, or import one: with `channel` and `external_ref`, the
/// same order imported again updates the existing one (200) instead of
/// creating a second (201). An `Idempotency-Key` header replays the first
/// answer for the same body and refuses a different body.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    request_body = CreateOrderRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same body (up to 200 characters)")),
    responses(
        (status = 201, description = "Created", body = OrderView),
        (status = 200, description = "Already imported: updated (or an idempotent replay)", body = OrderView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused with another body (`idempotency_key_reused`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/orders")]
pub async fn create_order(
    state: web::Data<AppState>,
    caller: Writer,
    req: HttpRequest,
    body: JsonBody<CreateOrderRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v.to_str().unwrap_or("").trim().to_owned();
            if k.is_empty() || k.len() > MAX_IDEMPOTENCY_KEY {
                return Err(ApiError::field(
                    "Idempotency-Key",
                    "must be 1–200 visible characters",
                ));
            }
            Some(k)
        }
    };
    let hash = format!(
        "{:x}",
        Sha256::digest(serde_json::to_vec(&body).map_err(ApiError::internal)?)
    );
    let input = parse_order(&body)?;
    let (tenant_id, actor) = (caller.tenant_id.clone(), caller.actor.clone());
    let public_base = state.settings.public_base().to_owned();
    let clock_now = state.clock.now();
    let (status, json_body) = state
        .db
        .write(move |conn| {
            transaction_retrying_races(conn, |conn| {
                if let Some(key) = &key
                    && let Some(answer) = stored_answer(conn, &tenant_id, key, &hash)?
                {
                    return Ok((answer.status, answer.body));
                }
                let portal = settings::load(conn, &tenant_id)?;
                let (order, created) = models::upsert_order(
                    conn,
                    &tenant_id,
                    &input,
                    &actor,
                    &portal,
                    clock_now,
                    &public_base,
                )?;
                let items = models::items_of(conn, &tenant_id, &order.id)?;
                let view = order_view(&public_base, order, items);
                let status: u16 = if created { 201 } else { 200 };
                let text = serde_json::to_string(&view).map_err(ApiError::internal)?;
                if let Some(key) = &key {
                    diesel::insert_into(idempotency_keys::table)
                        .values((
                            idempotency_keys::tenant_id.eq(&tenant_id),
                            idempotency_keys::key.eq(key),
                            idempotency_keys::request_hash.eq(&hash),
                            idempotency_keys::status.eq(i32::from(status)),
                            idempotency_keys::body.eq(&text),
                            idempotency_keys::created_at.eq(now()),
                        ))
                        .execute(conn)?;
                }
                Ok((status, text))
            })
        })
        .await?;
    Ok(
        HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
            .content_type("application/json")
            .body(json_body),
    )
}

/// Most orders in one import batch.
const MAX_IMPORT_BATCH: usize = 500;

/// A batch of orders from a sales channel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportOrdersRequest {
    /// 1–500 orders, each with `channel` and `external_ref` (unique within
    /// the batch). The request body limit applies to the whole batch.
    pub orders: Vec<CreateOrderRequest>,
}

/// What an import did, in the order of the request.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportResult {
    /// Orders that were new.
    pub created: u32,
    /// Orders that were known and updated.
    pub updated: u32,
    /// One entry per order of the request.
    pub orders: Vec<ImportedOrder>,
}

/// One imported order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportedOrder {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Readable number, per shop.
    pub number: i64,
    /// Sales channel.
    pub channel: String,
    /// The channel's order id.
    pub external_ref: String,
    /// Whether it was new.
    pub created: bool,
    /// The customer's portal link.
    pub portal_url: String,
}

/// Import a batch of orders in one transaction: all of them or none. Each
/// is the same idempotent create-or-update as `POST /orders` with
/// `channel` and `external_ref`, so a batch whose answer was lost can be
/// sent again as it is.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    request_body = ImportOrdersRequest,
    responses(
        (status = 200, description = "Imported", body = ImportResult),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named as `orders[i].field`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/orders/import")]
pub async fn import_orders(
    state: web::Data<AppState>,
    caller: Writer,
    body: JsonBody<ImportOrdersRequest>,
) -> Result<web::Json<ImportResult>, ApiError> {
    let inputs = parse_batch(&body.into_inner().orders)?;
    let (tenant_id, actor) = (caller.tenant_id.clone(), caller.actor.clone());
    let public_base = state.settings.public_base().to_owned();
    let clock_now = state.clock.now();
    let imported = state
        .db
        .write(move |conn| {
            transaction_retrying_races(conn, |conn| {
                let portal = settings::load(conn, &tenant_id)?;
                let ctx = ImportContext {
                    tenant_id: &tenant_id,
                    actor: &actor,
                    portal: &portal,
                    now: clock_now,
                    public_base: &public_base,
                };
                let orders = import_batch(conn, &ctx, &inputs)?;
                Ok::<_, ApiError>(
                    orders
                        .into_iter()
                        .map(|(order, created)| ImportedOrder {
                            portal_url: portal_url(&public_base, &order.portal_code),
                            external_ref: order.external_ref.unwrap_or_default(),
                            id: order.id,
                            number: order.number,
                            channel: order.channel,
                            created,
                        })
                        .collect::<Vec<_>>(),
                )
            })
        })
        .await?;
    let created = imported.iter().filter(|o| o.created).count();
    Ok(web::Json(ImportResult {
        created: u32::try_from(created).unwrap_or(u32::MAX),
        updated: u32::try_from(imported.len() - created).unwrap_or(u32::MAX),
        orders: imported,
    }))
}

/// Parses every order of a batch; field errors are named `orders[i].field`.
fn parse_batch(orders: &[CreateOrderRequest]) -> Result<Vec<OrderInput>, ApiError> {
    if orders.is_empty() || orders.len() > MAX_IMPORT_BATCH {
        return Err(ApiError::field(
            "orders",
            format!("must hold 1–{MAX_IMPORT_BATCH} orders"),
        ));
    }
    let mut errors = Vec::new();
    let mut inputs = Vec::with_capacity(orders.len());
    let mut seen = std::collections::HashSet::new();
    for (i, body) in orders.iter().enumerate() {
        let parsed = parse_order(body).and_then(|input| match &input.external_ref {
            None => Err(ApiError::field(
                "external_ref",
                "is required in an import, so it can be repeated safely",
            )),
            Some(r) if !seen.insert((input.channel.clone(), r.clone())) => Err(ApiError::field(
                "external_ref",
                "appears twice in this batch for the same channel",
            )),
            Some(_) => Ok(input),
        });
        match parsed {
            Ok(input) => inputs.push(input),
            Err(ApiError::Validation(fields)) => {
                errors.extend(fields.into_iter().map(|f| FieldError {
                    field: format!("orders[{i}].{}", f.field),
                    message: f.message,
                }))
            }
            Err(other) => return Err(other),
        }
    }
    if errors.is_empty() {
        Ok(inputs)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// List parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// Only this status.
    pub status: Option<OrderStatus>,
    /// Only paid (true) or unpaid (false) orders.
    pub paid: Option<bool>,
    /// Only this channel.
    pub channel: Option<String>,
    /// Number, customer name or email contains this.
    pub q: Option<String>,
    /// Created at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Created before (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Orders per page (1–200, default 50).
    pub limit: Option<u32>,
}

/// A page of orders.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderList {
    /// Newest first.
    pub items: Vec<OrderSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// An order in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderSummary {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Number.
    pub number: i64,
    /// Channel.
    pub channel: String,
    /// The channel's order id.
    pub external_ref: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// Customer email.
    pub customer_email: String,
    /// Gross total.
    pub total_gross: String,
    /// ISO 4217.
    pub currency: String,
    /// Status.
    pub status: OrderStatus,
    /// When it was paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// List the shop's orders, newest first, with filters.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(OrderListQuery),
    responses(
        (status = 200, description = "One page", body = OrderList),
        (status = 400, description = "Malformed parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameters", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/orders")]
pub async fn list_orders(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OrderListQuery>,
) -> Result<web::Json<OrderList>, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::parse(q.limit, q.cursor)?;
    let search = q.q.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(ApiError::field("q", "must be at most 200 characters"));
    }
    let filter = OrderFilter {
        status: q.status,
        paid: q.paid,
        channel: q
            .channel
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty()),
        search,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let (tenant_id, after, fetch) = (caller.tenant_id.clone(), page.after.clone(), page.fetch());
    let rows = state
        .db
        .read(move |conn| models::list_orders(conn, &tenant_id, &filter, after.as_deref(), fetch))
        .await?;
    let (rows, next_cursor) = page.split(rows, |o| o.id.clone());
    let items: Vec<OrderSummary> = rows
        .into_iter()
        .map(|o| OrderSummary {
            status: o.status(),
            total_gross: format_minor(o.total_gross_minor),
            paid_at: o.paid_at.map(|t| t.and_utc()),
            created_at: o.created_at.and_utc(),
            id: o.id,
            number: o.number,
            channel: o.channel,
            external_ref: o.external_ref,
            customer_name: o.customer_name,
            customer_email: o.customer_email,
            currency: o.currency,
        })
        .collect();
    Ok(web::Json(OrderList { items, next_cursor }))
}

async fn load_view(
    state: &AppState,
    tenant_id: String,
    order_id: String,
) -> Result<OrderView, ApiError> {
    let public_base = state.settings.public_base().to_owned();
    state
        .db
        .read(move |conn| {
            let order = models::find_order(conn, &tenant_id, &order_id)?;
            let items = models::items_of(conn, &tenant_id, &order_id)?;
            Ok(order_view(&public_base, order, items))
        })
        .await
}

/// One order.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, description = "The order", body = OrderView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/orders/{id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<OrderView>, ApiError> {
    Ok(web::Json(
        load_view(
            &state,
            caller.tenant_id.clone(),
            id.into_inner().to_string(),
        )
        .await?,
    ))
}

/// Change the customer or billing address.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = UpdateOrderRequest,
    responses(
        (status = 200, description = "Changed", body = OrderView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/orders/{id}")]
pub async fn update_order(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
    body: JsonBody<UpdateOrderRequest>,
) -> Result<web::Json<OrderView>, ApiError> {
    let body = body.into_inner();
    let customer = body
        .customer
        .as_ref()
        .map(|c| parse_customer(c, None))
        .transpose()?;
    let address = body
        .billing_address
        .as_ref()
        .map(|a| parse_address(Some(a)))
        .transpose()?;
    let (tenant_id, order_id, actor) = (
        caller.tenant_id.clone(),
        id.into_inner().to_string(),
        caller.actor.clone(),
    );
    let (t, o) = (tenant_id.clone(), order_id.clone());
    state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                models::find_order(conn, &tenant_id, &order_id)?;
                let at = now();
                if let Some(c) = &customer {
                    diesel::update(orders::table.find(&order_id))
                        .set((
                            orders::customer_name.eq(&c.name),
                            orders::customer_email.eq(&c.email),
                            orders::customer_language.eq(&c.language),
                            orders::updated_at.eq(at),
                        ))
                        .execute(conn)?;
                }
                if let Some(a) = &address {
                    diesel::update(orders::table.find(&order_id))
                        .set((orders::billing_address.eq(a), orders::updated_at.eq(at)))
                        .execute(conn)?;
                }
                record(
                    conn,
                    NewEvent {
                        tenant_id: &tenant_id,
                        order_id: &order_id,
                        kind: HistoryKind::OrderUpdated,
                        actor: &actor,
                        grant_id: None,
                        details: json!({ "customer": customer.is_some(), "billing_address": address.is_some() }),
                        ip: None,
                        user_agent: None,
                        at,
                    },
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(web::Json(load_view(&state, t, o).await?))
}

/// Change the status. `paid` (from `open`) unlocks the downloads;
/// `cancelled` and `refunded` lock them at once.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = StatusRequest,
    responses(
        (status = 200, description = "Changed", body = OrderView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a valid next status (`invalid_transition`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/orders/{id}/status")]
pub async fn change_order_status(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
    body: JsonBody<StatusRequest>,
) -> Result<web::Json<OrderView>, ApiError> {
    let body = body.into_inner();
    let (tenant_id, order_id, actor) = (
        caller.tenant_id.clone(),
        id.into_inner().to_string(),
        caller.actor.clone(),
    );
    let (t, o) = (tenant_id.clone(), order_id.clone());
    let clock_now = state.clock.now();
    let public_base = state.settings.public_base().to_owned();
    state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                let order = models::find_order(conn, &tenant_id, &order_id)?;
                let portal = settings::load(conn, &tenant_id)?;
                models::change_status_in(
                    conn,
                    &order,
                    body.status,
                    body.paid_at.map(|t| t.naive_utc()),
                    &actor,
                    &portal,
                    clock_now,
                    &public_base,
                )
            })
        })
        .await?;
    Ok(web::Json(load_view(&state, t, o).await?))
}

/// The customer's portal link.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PortalLink {
    /// `PUBLIC_URL/portal/{code}`.
    pub url: String,
    /// The code alone.
    pub code: String,
}

/// The order's portal link.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, description = "The link", body = PortalLink),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/orders/{id}/portal-link")]
pub async fn get_portal_link(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<PortalLink>, ApiError> {
    let (tenant_id, order_id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let order = state
        .db
        .read(move |conn| models::find_order(conn, &tenant_id, &order_id))
        .await?;
    Ok(web::Json(PortalLink {
        url: portal_url(state.settings.public_base(), &order.portal_code),
        code: order.portal_code,
    }))
}

/// Replace the portal link (e.g. when it leaked): the old code stops working at once.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, description = "The new link", body = PortalLink),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/orders/{id}/portal-link/regenerate")]
pub async fn regenerate_portal_link(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
) -> Result<web::Json<PortalLink>, ApiError> {
    let (tenant_id, order_id, actor) = (
        caller.tenant_id.clone(),
        id.into_inner().to_string(),
        caller.actor.clone(),
    );
    let code = models::new_portal_code();
    let saved = code.clone();
    state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                models::find_order(conn, &tenant_id, &order_id)?;
                diesel::update(orders::table.find(&order_id))
                    .set((orders::portal_code.eq(&saved), orders::updated_at.eq(now())))
                    .execute(conn)?;
                record(
                    conn,
                    NewEvent {
                        tenant_id: &tenant_id,
                        order_id: &order_id,
                        kind: HistoryKind::LinkRegenerated,
                        actor: &actor,
                        grant_id: None,
                        details: json!({}),
                        ip: None,
                        user_agent: None,
                        at: now(),
                    },
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(web::Json(PortalLink {
        url: portal_url(state.settings.public_base(), &code),
        code,
    }))
}
