//! The public portal API under `/api/portal/{code}`: no login, the order's
//! portal code is the key. Every answer carries `Referrer-Policy:
//! no-referrer`, `X-Robots-Tag: noindex` and `Cache-Control: no-store`
//! (set on the scope in [`crate::routes`]).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::i18n::Refusal;
use super::settings::PortalSettings;
use crate::AppState;
use crate::articles::models::mark_checked;
use crate::auth::domain::Email;
use crate::db::DbConnection;
use crate::db::schema::{
    download_grants, invoice_settings, invoices, order_items, orders, portal_settings,
    storage_connections, tenants,
};
use crate::downloads::models::{Client, DownloadGrant, NotCounted, count_download};
use crate::error::{ApiError, Problem};
use crate::invoices::domain::{InvoiceKind, IssueMode};
use crate::json::JsonBody;
use crate::middleware::client_ip;
use crate::notifications::outbox::{NewMessage, enqueue};
use crate::notifications::templates::Rendered;
use crate::orders::domain::OrderStatus;
use crate::orders::history::{HistoryKind, NewEvent, record};
use crate::orders::models::{Order, OrderItem};
use crate::storage::models::StorageConnection;
use crate::storage::{ObjectKey, Storage, StorageError};
use diesel::prelude::*;

/// Registers the routes of this module (mounted under `/api/portal`).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_portal)
        .service(download_file)
        .service(send_message)
        .service(super::invoice::download_invoice);
}

/// Throttles what an unknown code or a chatty customer can cost.
pub struct PortalLimiter {
    misses_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    messages_per_order: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Default for PortalLimiter {
    fn default() -> Self {
        let burst = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let misses = Quota::with_period(Duration::from_secs(3))
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(burst(20));
        let messages = Quota::with_period(Duration::from_secs(300))
            .unwrap_or_else(|| Quota::per_hour(NonZeroU32::MIN))
            .allow_burst(burst(5));
        Self {
            misses_per_ip: RateLimiter::keyed(misses),
            messages_per_order: RateLimiter::keyed(messages),
            clock: DefaultClock::default(),
        }
    }
}

impl PortalLimiter {
    /// An unknown code: 404, or 429 once this address has guessed too often.
    fn miss(&self, ip: IpAddr) -> ApiError {
        if self.misses_per_ip.len() > 10_000 {
            self.misses_per_ip.retain_recent();
        }
        match self.misses_per_ip.check_key(&ip) {
            Ok(()) => ApiError::NotFound,
            Err(wait) => ApiError::RateLimited(wait.wait_time_from(self.clock.now())),
        }
    }

    fn message(&self, code: &str) -> Result<(), ApiError> {
        if self.messages_per_order.len() > 10_000 {
            self.messages_per_order.retain_recent();
        }
        self.messages_per_order
            .check_key(&code.to_owned())
            .map_err(|wait| ApiError::RateLimited(wait.wait_time_from(self.clock.now())))
    }
}

pub(super) fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(512).collect())
}

/// A refusal in the order's language.
pub(super) fn refusal(r: Refusal, language: &str) -> ApiError {
    ApiError::Refused {
        status: StatusCode::from_u16(r.status()).unwrap_or(StatusCode::FORBIDDEN),
        code: r.code(),
        detail: r.message(language).to_owned(),
    }
}

/// Codes are URL-safe base64; anything else cannot exist.
pub fn plausible_code(code: &str) -> bool {
    (16..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(super) async fn order_for_code(
    state: &AppState,
    req: &HttpRequest,
    code: &str,
) -> Result<(Order, PortalSettings), ApiError> {
    let (order, settings, ()) = order_for_code_found(state, req, code, |conn, code| {
        Ok(order_by_code(conn, code)?.map(|(order, settings)| {
            let on = settings.enabled.then_some(());
            (order, settings, on)
        }))
    })
    .await?;
    Ok((order, settings))
}

/// The order behind a portal code with its shop's settings (or the
/// defaults), in one statement: every portal request starts here. The code
/// is 192 random bits looked up through a unique index: a guess cannot be
/// told from a near miss, so no timing can help guessing.
pub fn order_by_code(
    conn: &mut DbConnection,
    code: &str,
) -> Result<Option<(Order, PortalSettings)>, ApiError> {
    let found = orders::table
        .left_join(portal_settings::table.on(portal_settings::tenant_id.eq(orders::tenant_id)))
        .filter(orders::portal_code.eq(code))
        .select((Order::as_select(), Option::<PortalSettings>::as_select()))
        .first::<(Order, Option<PortalSettings>)>(conn)
        .optional()?;
    Ok(found.map(|(order, settings)| {
        let settings = settings.unwrap_or_else(|| PortalSettings::defaults(&order.tenant_id));
        (order, settings)
    }))
}

/// What `find` reads behind a portal code: the order, its portal settings
/// and, when the portal is on, what else the request needs (`None` when it
/// is off). An implausible or unknown code counts against the caller's
/// address; a switched-off portal is refused.
async fn order_for_code_found<T, F>(
    state: &AppState,
    req: &HttpRequest,
    code: &str,
    find: F,
) -> Result<(Order, PortalSettings, T), ApiError>
where
    F: FnOnce(
            &mut DbConnection,
            &str,
        ) -> Result<Option<(Order, PortalSettings, Option<T>)>, ApiError>
        + Send
        + 'static,
    T: Send + 'static,
{
    let ip = client_ip(req, &state.settings);
    if !plausible_code(code) {
        return Err(state.portal_limiter.miss(ip));
    }
    let code = code.to_owned();
    let found = state.db.read_indexed(move |conn| find(conn, &code)).await?;
    let (order, settings, extra) = found.ok_or_else(|| state.portal_limiter.miss(ip))?;
    match extra {
        Some(extra) => Ok((order, settings, extra)),
        None => Err(refusal(Refusal::PortalDisabled, &order.customer_language)),
    }
}

/// A download's grant with the storage connection its file is served from
/// (none when the connection is gone).
type GrantWithConnection = (DownloadGrant, Option<StorageConnection>);

/// What a download needs behind a portal code, in one statement: the order
/// with its shop's settings (as [`order_by_code`]), and the grant the path
/// names if the order has it, with its storage connection. Every download
/// reads these; on PostgreSQL one statement is one round trip instead of two.
fn order_and_grant_by_code(
    conn: &mut DbConnection,
    code: &str,
    grant_id: &str,
) -> Result<Option<(Order, PortalSettings, Option<GrantWithConnection>)>, ApiError> {
    let found = crate::per_backend!(conn, |c| {
        orders::table
            .left_join(portal_settings::table.on(portal_settings::tenant_id.eq(orders::tenant_id)))
            .left_join(
                download_grants::table.on(download_grants::tenant_id
                    .eq(orders::tenant_id)
                    .and(download_grants::order_id.eq(orders::id))
                    // A join's condition binds owned values only.
                    .and(download_grants::id.eq(grant_id.to_owned()))),
            )
            .left_join(
                storage_connections::table.on(storage_connections::tenant_id
                    .eq(download_grants::tenant_id)
                    .and(storage_connections::id.eq(download_grants::connection_id))),
            )
            .filter(orders::portal_code.eq(code))
            .select((
                Order::as_select(),
                Option::<PortalSettings>::as_select(),
                Option::<DownloadGrant>::as_select(),
                Option::<StorageConnection>::as_select(),
            ))
            .first::<(
                Order,
                Option<PortalSettings>,
                Option<DownloadGrant>,
                Option<StorageConnection>,
            )>(c)
            .optional()
    })?;
    Ok(found.map(|(order, settings, grant, connection)| {
        let settings = settings.unwrap_or_else(|| PortalSettings::defaults(&order.tenant_id));
        (order, settings, grant.map(|grant| (grant, connection)))
    }))
}

/// What the portal page shows beyond the order and its settings.
pub struct PageContent {
    /// The shop's name.
    shop_name: String,
    /// The order's lines, each with its grants, in order.
    items: Vec<(OrderItem, Vec<DownloadGrant>)>,
    /// The invoice is issued.
    invoice_issued: bool,
    /// How the shop issues invoices.
    issue_mode: IssueMode,
}

/// One row of the portal page's statement: the order, its shop's settings
/// and name, one of its lines with one of that line's grants, the issued
/// invoice's id and the shop's invoice issue mode.
type PageRow = (
    Order,
    Option<PortalSettings>,
    String,
    Option<OrderItem>,
    Option<DownloadGrant>,
    Option<String>,
    Option<String>,
);

/// Everything the portal page shows behind a portal code, in one statement
/// (a row per grant, or per line without one): on PostgreSQL one round trip
/// instead of five, on SQLite one read transaction. The invoice is at most
/// one row per order (unique by order and kind), the settings one per shop.
/// Public for the bench, which measures it without HTTP as a ceiling.
pub fn page_by_code(
    conn: &mut DbConnection,
    code: &str,
) -> Result<Option<(Order, PortalSettings, Option<PageContent>)>, ApiError> {
    let rows: Vec<PageRow> = crate::per_backend!(conn, |c| {
        orders::table
            .inner_join(tenants::table.on(tenants::id.eq(orders::tenant_id)))
            .left_join(portal_settings::table.on(portal_settings::tenant_id.eq(orders::tenant_id)))
            .left_join(
                order_items::table.on(order_items::tenant_id
                    .eq(orders::tenant_id)
                    .and(order_items::order_id.eq(orders::id))),
            )
            .left_join(
                download_grants::table.on(download_grants::tenant_id
                    .eq(orders::tenant_id)
                    .and(download_grants::order_id.eq(orders::id))
                    .and(download_grants::order_item_id.eq(order_items::id))),
            )
            .left_join(
                invoices::table.on(invoices::tenant_id
                    .eq(orders::tenant_id)
                    .and(invoices::order_id.eq(orders::id))
                    .and(invoices::kind.eq(InvoiceKind::Invoice.as_str()))),
            )
            .left_join(
                invoice_settings::table.on(invoice_settings::tenant_id.eq(orders::tenant_id)),
            )
            .filter(orders::portal_code.eq(code))
            .order((
                order_items::position.asc(),
                order_items::id.asc(),
                download_grants::position.asc(),
                download_grants::id.asc(),
            ))
            .select((
                Order::as_select(),
                Option::<PortalSettings>::as_select(),
                tenants::name,
                Option::<OrderItem>::as_select(),
                Option::<DownloadGrant>::as_select(),
                invoices::id.nullable(),
                invoice_settings::issue_mode.nullable(),
            ))
            .load(c)
    })?;
    let mut rows = rows.into_iter();
    let Some((order, settings, shop_name, item, grant, invoice, issue_mode)) = rows.next() else {
        return Ok(None);
    };
    let settings = settings.unwrap_or_else(|| PortalSettings::defaults(&order.tenant_id));
    if !settings.enabled {
        return Ok(Some((order, settings, None)));
    }
    let mut items: Vec<(OrderItem, Vec<DownloadGrant>)> = Vec::new();
    let lines =
        std::iter::once((item, grant)).chain(rows.map(|(.., item, grant, _, _)| (item, grant)));
    for (item, grant) in lines {
        let Some(item) = item else { continue };
        match items.last_mut() {
            Some((last, grants)) if last.id == item.id => grants.extend(grant),
            _ => items.push((item, grant.into_iter().collect())),
        }
    }
    let content = PageContent {
        shop_name,
        items,
        invoice_issued: invoice.is_some(),
        issue_mode: issue_mode.map_or(IssueMode::Manual, |m| IssueMode::from_db(&m)),
    };
    Ok(Some((order, settings, Some(content))))
}

/// Why the whole order cannot be downloaded now, if it cannot.
fn order_refusal(status: OrderStatus) -> Option<Refusal> {
    if status.is_locked() {
        Some(Refusal::Locked)
    } else if !status.is_paid() {
        Some(Refusal::NotPaid)
    } else {
        None
    }
}

/// The shop as the customer sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PortalShop {
    /// The shop's name.
    pub name: String,
    /// The page title (the shop's name unless set).
    pub title: String,
    /// Logo URL.
    pub logo_url: Option<String>,
    /// Accent colour.
    pub accent_color: String,
    /// Shown above the files.
    pub welcome_text: String,
    /// Footer / imprint.
    pub footer_text: String,
    /// The seller's support email.
    pub support_email: Option<String>,
    /// The platform operator's support contact, when the server has one.
    pub operator_support_email: Option<String>,
}

/// A file the customer bought.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PortalFile {
    /// Use it in `/api/portal/{code}/downloads/{grant_id}`.
    #[schema(format = Uuid)]
    pub grant_id: String,
    /// The file's name (full UTF-8).
    pub name: String,
    /// Bytes.
    pub size: i64,
    /// Downloads left; null = unlimited.
    pub downloads_left: Option<i32>,
    /// Allowed downloads; null = unlimited.
    pub max_downloads: Option<i32>,
    /// Available until; null = no end.
    pub expires_at: Option<DateTime<Utc>>,
    /// It can be downloaded now.
    pub available: bool,
    /// Why not (`download_limit_reached`, `download_expired`, `order_not_paid`, `order_locked`).
    pub reason: Option<String>,
    /// Why not, in the order's language.
    pub message: Option<String>,
}

/// An order line with its files.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PortalItem {
    /// Title.
    pub title: String,
    /// Units.
    pub quantity: i32,
    /// Its files.
    pub files: Vec<PortalFile>,
}

/// The order as the customer sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PortalOrder {
    /// Number.
    pub number: i64,
    /// Ordered.
    pub created_at: DateTime<Utc>,
    /// Paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// Status.
    pub status: OrderStatus,
    /// `de` or `en`.
    pub language: String,
    /// The customer's name.
    pub customer_name: String,
    /// The customer's email (prefills the contact form).
    pub customer_email: String,
    /// ISO 4217.
    pub currency: String,
    /// Gross total.
    pub total_gross: String,
    /// Lines.
    pub items: Vec<PortalItem>,
}

/// Everything the portal page shows.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PortalView {
    /// The shop's look and contacts.
    pub shop: PortalShop,
    /// The order.
    pub order: PortalOrder,
    /// Why nothing can be downloaded now (`order_not_paid`, `order_locked`), if so.
    pub order_state: Option<String>,
    /// That reason in the order's language.
    pub order_message: Option<String>,
    /// The invoice can be downloaded.
    pub invoice_available: bool,
    /// The customer may write to the seller.
    pub contact_form: bool,
}

fn portal_file(
    grant: &DownloadGrant,
    blocked: Option<Refusal>,
    language: &str,
    now: chrono::NaiveDateTime,
) -> PortalFile {
    let reason = blocked.or_else(|| {
        if grant.expired_at(now) {
            Some(Refusal::Expired)
        } else if grant.left() == Some(0) {
            Some(Refusal::LimitReached)
        } else {
            None
        }
    });
    PortalFile {
        grant_id: grant.id.clone(),
        name: grant.display_name.clone(),
        size: grant.size,
        downloads_left: grant.left(),
        max_downloads: grant.max_downloads,
        expires_at: grant.expires_at.map(|t| t.and_utc()),
        available: reason.is_none(),
        reason: reason.map(|r| r.code().to_owned()),
        message: reason.map(|r| r.message(language).to_owned()),
    }
}

/// The customer's download page: the shop, the order, every file with
/// downloads left and end date, and whether it can be downloaded now.
#[utoipa::path(
    tag = "portal",
    params(("code" = String, Path, description = "The order's portal code")),
    responses(
        (status = 200, description = "The portal", body = PortalView),
        (status = 404, description = "Unknown or replaced code (the same for every unknown code)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown codes from this address", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The seller switched the portal off (`portal_disabled`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/{code}")]
pub async fn get_portal(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<web::Json<PortalView>, ApiError> {
    let (order, portal, page) = order_for_code_found(&state, &req, &code, page_by_code).await?;
    let language = order.customer_language.clone();
    let status = order.status();
    let blocked = order_refusal(status);
    let now = state.clock.now();
    let items = page
        .items
        .into_iter()
        .map(|(item, grants)| PortalItem {
            files: grants
                .iter()
                .map(|g| portal_file(g, blocked, &language, now))
                .collect(),
            title: item.title,
            quantity: item.quantity,
        })
        .collect();
    let invoice_available = super::invoice::offered(
        &portal,
        page.invoice_issued,
        page.issue_mode,
        status.is_paid(),
    );
    Ok(web::Json(PortalView {
        shop: PortalShop {
            title: if portal.title.is_empty() {
                page.shop_name.clone()
            } else {
                portal.title
            },
            name: page.shop_name,
            logo_url: portal.logo_url,
            accent_color: portal.accent_color,
            welcome_text: portal.welcome_text,
            footer_text: portal.footer_text,
            support_email: portal.support_email,
            operator_support_email: state.settings.operator_support_email.clone(),
        },
        order: PortalOrder {
            number: order.number,
            created_at: order.created_at.and_utc(),
            paid_at: order.paid_at.map(|t| t.and_utc()),
            status,
            language: language.clone(),
            customer_name: order.customer_name,
            customer_email: order.customer_email,
            currency: order.currency,
            total_gross: crate::articles::domain::format_minor(order.total_gross_minor),
            items,
        },
        order_state: blocked.map(|r| r.code().to_owned()),
        order_message: blocked.map(|r| r.message(&language).to_owned()),
        invoice_available,
        contact_form: portal.contact_form,
    }))
}

/// Download one file: counts one download (if one is left and the end date
/// has not passed) and answers `302` to a short-lived URL that saves the
/// file under its name (or, with `Accept: application/json`, that URL as
/// JSON). The URL can be resumed with Range requests without counting again.
#[utoipa::path(
    tag = "portal",
    params(
        ("code" = String, Path, description = "The order's portal code"),
        ("grant_id" = Uuid, Path, description = "The file's grant id from the portal"),
    ),
    responses(
        (status = 302, description = "Redirect to the file (`Location`)"),
        (status = 200, description = "With `Accept: application/json`: the URL to open", body = DownloadLink),
        (status = 403, description = "Refused: `download_limit_reached`, `download_expired`, `order_not_paid` or `order_locked`, explained in the order's language", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown code or file", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown codes from this address", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`file_missing` (temporarily unavailable) or `portal_disabled`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/{code}/downloads/{grant_id}")]
pub async fn download_file(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (code, grant_id) = path.into_inner();
    let grant_id = grant_id.to_string();
    let lookup = grant_id.clone();
    let (order, _, found) = order_for_code_found(&state, &req, &code, move |conn, code| {
        let found = order_and_grant_by_code(conn, code, &lookup)?;
        Ok(found.map(|(order, settings, grant)| {
            let grant = settings.enabled.then_some(grant);
            (order, settings, grant)
        }))
    })
    .await?;
    let language = order.customer_language.clone();
    // The order's state is the answer before the file's: an unpaid order has no grants yet.
    if let Some(r) = order_refusal(order.status()) {
        return Err(refusal(r, &language));
    }
    let (grant, connection) = found.ok_or(ApiError::NotFound)?;
    let (tenant_id, order_id) = (order.tenant_id.clone(), order.id.clone());
    let now = state.clock.now();
    // Refuse before touching the storage when nothing is left anyway.
    if grant.expired_at(now) {
        return Err(refusal(Refusal::Expired, &language));
    }
    if grant.left() == Some(0) {
        return Err(refusal(Refusal::LimitReached, &language));
    }
    let missing = || refusal(Refusal::FileMissing, &language);
    let connection = connection.ok_or_else(missing)?;
    let key = ObjectKey::parse(&grant.object_key).map_err(|_| missing())?;
    // A vanished file must not cost the customer a download: ask the bucket,
    // unless it has just answered for this file (see storage::presence).
    let ask = !state
        .storage
        .presence
        .recently_found(&connection, &key, now);
    let storage = state
        .storage
        .open(&connection, ask)
        .await?
        .map_err(|_| missing())?;
    if ask
        && !ensure_present(
            &state,
            &storage,
            &connection,
            &key,
            &grant.article_file_id,
            now,
        )
        .await?
    {
        return Err(missing());
    }
    let ip = client_ip(&req, &state.settings).to_string();
    let ua = user_agent(&req);
    // Downloads queued together share a commit on SQLite (see `Db::write_grouped`).
    let counted = state
        .db
        .write_grouped(move |conn| {
            count_download(
                conn,
                &tenant_id,
                &order_id,
                &grant_id,
                now,
                Client {
                    ip: Some(&ip),
                    user_agent: ua.as_deref(),
                },
            )
        })
        .await?;
    let grant = match counted {
        Ok(grant) => grant,
        Err(NotCounted::Expired) => return Err(refusal(Refusal::Expired, &language)),
        Err(NotCounted::LimitReached) => return Err(refusal(Refusal::LimitReached, &language)),
    };
    let url = storage
        .presign_get(
            &key,
            &grant.display_name,
            grant.content_type.as_deref(),
            state.storage.presign_ttl,
        )
        .await
        .map_err(|_| missing())?;
    // The portal page asks for JSON so it can explain refusals in words
    // instead of navigating to them; anything else gets the redirect.
    let wants_json = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Ok(HttpResponse::Ok().json(DownloadLink {
            url,
            downloads_left: grant.left(),
        }));
    }
    Ok(HttpResponse::Found()
        .insert_header(("Location", url))
        .finish())
}

/// Asks the bucket whether the file behind a download is there, remembering
/// the answer: a missing file is marked so in the seller's article, and an
/// unreachable storage is logged; both mean no download now.
async fn ensure_present(
    state: &AppState,
    storage: &Storage,
    connection: &StorageConnection,
    key: &ObjectKey,
    file_id: &str,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    match storage.head(key).await {
        Ok(_) => {
            state.storage.presence.found(connection, key, now);
            Ok(true)
        }
        Err(StorageError::NotFound) => {
            state.storage.presence.forget(&connection.id, key.as_str());
            let file_id = file_id.to_owned();
            state
                .db
                .write(move |conn| mark_checked(conn, &file_id, true, None, None, crate::db::now()))
                .await?;
            Ok(false)
        }
        Err(e) => {
            tracing::warn!(connection.id = %connection.id, error = %e, "storage unavailable for a download");
            Ok(false)
        }
    }
}

/// A counted download's short-lived URL (for `Accept: application/json`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DownloadLink {
    /// Open it to get the file; it works for a short time and can be resumed.
    pub url: String,
    /// Downloads left after this one; null = unlimited.
    pub downloads_left: Option<i32>,
}

fn owner_email(conn: &mut crate::db::DbConnection, tenant_id: &str) -> Result<String, ApiError> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    Ok(users::table
        .filter(users::tenant_id.eq(tenant_id))
        .filter(users::role.eq("owner"))
        .order(users::created_at.asc())
        .select(users::email)
        .first(conn)?)
}

/// A message to the seller.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalMessageRequest {
    /// Where the seller can answer; default the order's email.
    #[serde(default)]
    pub email: Option<String>,
    /// The message (1–2000 characters).
    pub message: String,
}

/// Confirmation of a sent message.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PortalMessageSent {
    /// Always true.
    pub sent: bool,
}

/// Write to the seller; the message lands in the order's history.
#[utoipa::path(
    tag = "portal",
    params(("code" = String, Path, description = "The order's portal code")),
    request_body = PortalMessageRequest,
    responses(
        (status = 201, description = "Sent", body = PortalMessageSent),
        (status = 403, description = "The seller switched the contact form off (`contact_disabled`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many messages", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The seller switched the portal off (`portal_disabled`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/{code}/messages")]
pub async fn send_message(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
    body: JsonBody<PortalMessageRequest>,
) -> Result<HttpResponse, ApiError> {
    let (order, portal) = order_for_code(&state, &req, &code).await?;
    if !portal.contact_form {
        return Err(ApiError::Forbidden {
            code: "contact_disabled",
            detail: "The seller does not take messages here.",
        });
    }
    let body = body.into_inner();
    let message = body.message.trim().to_owned();
    let chars = message.chars().count();
    if chars == 0 || chars > 2000 || message.contains('\u{0}') {
        return Err(ApiError::field("message", "must be 1–2000 characters"));
    }
    let email = match body
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(e) => Email::parse(e)
            .map_err(|m| ApiError::field("email", m))?
            .as_str()
            .to_owned(),
        None => order.customer_email.clone(),
    };
    state.portal_limiter.message(&code)?;
    let ip = client_ip(&req, &state.settings).to_string();
    let ua = user_agent(&req);
    let seller_inbox = portal.support_email.clone();
    state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                record(
                    conn,
                    NewEvent {
                        tenant_id: &order.tenant_id,
                        order_id: &order.id,
                        kind: HistoryKind::CustomerMessage,
                        actor: "customer",
                        grant_id: None,
                        details: json!({ "email": email, "message": message }),
                        ip: Some(&ip),
                        user_agent: ua.as_deref(),
                        at: crate::db::now(),
                    },
                )?;
                // The seller hears about it by mail, through the same outbox.
                let to = match seller_inbox {
                    Some(to) => to,
                    None => owner_email(conn, &order.tenant_id)?,
                };
                enqueue(
                    conn,
                    NewMessage {
                        tenant_id: &order.tenant_id,
                        order_id: Some(&order.id),
                        rule_id: None,
                        kind: "email",
                        recipient: &to,
                        rendered: Rendered {
                            subject: format!(
                                "Message about order {} from {}",
                                order.number, order.customer_name
                            ),
                            body_text: format!(
                                "{} <{}> wrote about order {}:\n\n{}\n",
                                order.customer_name, email, order.number, message
                            ),
                            body_html: None,
                        },
                        actor: "customer",
                    },
                )?;
                Ok(())
            })
        })
        .await?;
    state.outbox_wakeup.notify_one();
    Ok(HttpResponse::Created().json(PortalMessageSent { sent: true }))
}
