//! `GET/PUT /api/v1/portal-settings`: how the shop's customer portal looks
//! and what it allows.

use actix_web::{get, put, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;
use crate::articles::domain::{parse_download_limit, parse_validity_days};
use crate::auth::domain::Email;
use crate::auth::{Caller, Writer};
use crate::db::schema::portal_settings;
use crate::db::{DbConnection, now, save_settings_row};
use crate::error::{ApiError, FieldError, Problem};
use crate::json::JsonBody;
use crate::validation::{AllFields, FieldResult, ForField, Text};

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_portal_settings)
        .service(put_portal_settings);
}

/// A shop's portal settings.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = portal_settings, treat_none_as_null = true)]
pub struct PortalSettings {
    /// The shop.
    pub tenant_id: String,
    /// Customers can open their portal.
    pub enabled: bool,
    /// Page title; empty = the shop's name.
    pub title: String,
    /// https URL of the logo.
    pub logo_url: Option<String>,
    /// `#rrggbb`.
    pub accent_color: String,
    /// Shown above the files.
    pub welcome_text: String,
    /// Footer / imprint.
    pub footer_text: String,
    /// Allowed downloads per file and unit; `None` = unlimited.
    pub default_download_limit: Option<i32>,
    /// Days after payment; `None` = no end date.
    pub validity_days: Option<i32>,
    /// The invoice can be downloaded in the portal.
    pub invoice_download: bool,
    /// Customers can write to the seller.
    pub contact_form: bool,
    /// Shown to customers for questions.
    pub support_email: Option<String>,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

impl PortalSettings {
    /// What a shop has before it changes anything: 5 downloads per file for
    /// 30 days, contact form on, invoice download off.
    pub fn defaults(tenant_id: &str) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            enabled: true,
            title: String::new(),
            logo_url: None,
            accent_color: "#2f6f4f".into(),
            welcome_text: String::new(),
            footer_text: String::new(),
            default_download_limit: Some(5),
            validity_days: Some(30),
            invoice_download: false,
            contact_form: true,
            support_email: None,
            updated_at: now(),
        }
    }
}

/// The shop's settings, or the defaults.
pub fn load(conn: &mut DbConnection, tenant_id: &str) -> Result<PortalSettings, ApiError> {
    Ok(portal_settings::table
        .find(tenant_id)
        .select(PortalSettings::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_else(|| PortalSettings::defaults(tenant_id)))
}

/// Stores the settings (update, or insert the first time).
pub fn save(conn: &mut DbConnection, settings: &PortalSettings) -> Result<(), ApiError> {
    save_settings_row(
        conn,
        |conn| {
            diesel::update(portal_settings::table.find(&settings.tenant_id))
                .set(settings)
                .execute(conn)
        },
        |conn| {
            diesel::insert_into(portal_settings::table)
                .values(settings)
                .execute(conn)
        },
    )
}

/// Portal settings as sent and shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalSettingsBody {
    /// Customers can open their portal.
    pub enabled: bool,
    /// Page title (up to 100 characters); empty = the shop's name.
    pub title: String,
    /// https URL of the logo, or null.
    pub logo_url: Option<String>,
    /// Accent colour as `#rrggbb`.
    #[schema(example = "#2f6f4f")]
    pub accent_color: String,
    /// Shown above the files (up to 2000 characters).
    pub welcome_text: String,
    /// Footer / imprint (up to 2000 characters).
    pub footer_text: String,
    /// Allowed downloads per file and purchased unit (1–10000); null = unlimited.
    pub default_download_limit: Option<i32>,
    /// Days the downloads stay available after payment (1–36500); null = no end date.
    pub validity_days: Option<i32>,
    /// The invoice can be downloaded in the portal.
    pub invoice_download: bool,
    /// Customers can write to the seller.
    pub contact_form: bool,
    /// Shown to customers for questions, or null.
    pub support_email: Option<String>,
}

/// The settings with when they last changed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PortalSettingsView {
    /// The settings.
    #[serde(flatten)]
    pub settings: PortalSettingsBody,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn view(s: PortalSettings) -> PortalSettingsView {
    PortalSettingsView {
        settings: PortalSettingsBody {
            enabled: s.enabled,
            title: s.title,
            logo_url: s.logo_url,
            accent_color: s.accent_color,
            welcome_text: s.welcome_text,
            footer_text: s.footer_text,
            default_download_limit: s.default_download_limit,
            validity_days: s.validity_days,
            invoice_download: s.invoice_download,
            contact_form: s.contact_form,
            support_email: s.support_email,
        },
        updated_at: s.updated_at.and_utc(),
    }
}

fn long_text(raw: &str, field: &str) -> FieldResult<String> {
    let text = raw.trim();
    if text.chars().count() > 2000 {
        return Err(FieldError::new(field, "must be at most 2000 characters"));
    }
    if text.contains('\u{0}') {
        return Err(FieldError::new(field, "must not contain NUL characters"));
    }
    Ok(text.to_owned())
}

fn logo_field(raw: Option<&str>) -> FieldResult<Option<String>> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let valid = raw.len() <= 2000
        && url::Url::parse(raw).is_ok_and(|u| u.scheme() == "https" && u.host().is_some());
    if valid {
        Ok(Some(raw.to_owned()))
    } else {
        Err(FieldError::new("logo_url", "must be an https URL"))
    }
}

fn colour_field(raw: &str) -> FieldResult<String> {
    let c = raw.trim();
    if c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()) {
        Ok(c.to_ascii_lowercase())
    } else {
        Err(FieldError::new(
            "accent_color",
            "must be a colour like #2f6f4f",
        ))
    }
}

/// The shop's portal settings.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings (defaults until changed)", body = PortalSettingsView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/portal-settings")]
pub async fn get_portal_settings(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<PortalSettingsView>, ApiError> {
    let settings = state
        .db
        .read(move |conn| load(conn, &caller.tenant_id))
        .await?;
    Ok(web::Json(view(settings)))
}

/// Replace the shop's portal settings.
#[utoipa::path(
    tag = "portal",
    security(("bearer" = [])),
    request_body = PortalSettingsBody,
    responses(
        (status = 200, description = "Saved", body = PortalSettingsView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/portal-settings")]
pub async fn put_portal_settings(
    state: web::Data<AppState>,
    caller: Writer,
    body: JsonBody<PortalSettingsBody>,
) -> Result<web::Json<PortalSettingsView>, ApiError> {
    let b = body.into_inner();
    let (title, logo_url, accent_color, welcome_text, footer_text, limit, validity, support_email) =
        (
            if b.title.trim().is_empty() {
                Ok(String::new())
            } else {
                Text::parse(&b.title, 1, 100)
                    .map(Text::into_inner)
                    .for_field("title")
            },
            logo_field(b.logo_url.as_deref()),
            colour_field(&b.accent_color),
            long_text(&b.welcome_text, "welcome_text"),
            long_text(&b.footer_text, "footer_text"),
            b.default_download_limit
                .map(parse_download_limit)
                .transpose()
                .for_field("default_download_limit"),
            b.validity_days
                .map(parse_validity_days)
                .transpose()
                .for_field("validity_days"),
            b.support_email
                .as_deref()
                .filter(|e| !e.trim().is_empty())
                .map(|e| Email::parse(e).map(|e| e.as_str().to_owned()))
                .transpose()
                .for_field("support_email"),
        )
            .all()?;
    let settings = PortalSettings {
        tenant_id: caller.tenant_id.clone(),
        enabled: b.enabled,
        title,
        logo_url,
        accent_color,
        welcome_text,
        footer_text,
        default_download_limit: limit,
        validity_days: validity,
        invoice_download: b.invoice_download,
        contact_form: b.contact_form,
        support_email,
        updated_at: now(),
    };
    let saved = settings.clone();
    state.db.write(move |conn| save(conn, &saved)).await?;
    Ok(web::Json(view(settings)))
}
