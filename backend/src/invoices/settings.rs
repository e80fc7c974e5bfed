//! `GET/PUT /api/v1/invoice-settings`: what the shop's invoices say about
//! the seller, how their numbers look and when they are issued.

use actix_web::{get, put, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::domain::{IssueMode, NumberFormat, SellerSnapshot, parse_digits, parse_prefix};
use crate::AppState;
use crate::auth::{Caller, Writer};
use crate::db::schema::invoice_settings;
use crate::db::{DbConnection, now, save_settings_row};
use crate::error::{ApiError, FieldError, Problem};
use crate::json::JsonBody;
use crate::validation::{AllFields, FieldResult, ForField, MultilineText, Text};

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_invoice_settings)
        .service(put_invoice_settings);
}

/// A shop's invoice settings.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = invoice_settings, treat_none_as_null = true)]
pub struct InvoiceSettings {
    /// The shop.
    pub tenant_id: String,
    /// The seller's legal name.
    pub company_name: String,
    /// Postal address, one line per line.
    pub address: String,
    /// VAT ID (USt-IdNr.).
    pub vat_id: Option<String>,
    /// Tax number (Steuernummer).
    pub tax_number: Option<String>,
    /// Email, phone, web.
    pub contact: String,
    /// Bank details.
    pub bank_details: String,
    /// Footer text.
    pub footer: String,
    /// Number prefix.
    pub number_prefix: String,
    /// The year is part of the number (and each year counts from 1).
    pub number_with_year: bool,
    /// Zero-padded digits of the sequence.
    pub number_digits: i32,
    /// When invoices are issued (see [`IssueMode`]).
    pub issue_mode: String,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

impl InvoiceSettings {
    /// What a shop has before it changes anything: numbers like
    /// `RE-2026-00001`, issued by hand, no seller details yet.
    pub fn defaults(tenant_id: &str) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            company_name: String::new(),
            address: String::new(),
            vat_id: None,
            tax_number: None,
            contact: String::new(),
            bank_details: String::new(),
            footer: String::new(),
            number_prefix: "RE-".into(),
            number_with_year: true,
            number_digits: 5,
            issue_mode: IssueMode::Manual.as_str().into(),
            updated_at: now(),
        }
    }

    /// When invoices are issued.
    pub fn issue_mode(&self) -> IssueMode {
        IssueMode::from_db(&self.issue_mode)
    }

    /// The number format (stored settings were checked when saved).
    pub fn number_format(&self) -> NumberFormat {
        NumberFormat::parse(
            &self.number_prefix,
            self.number_with_year,
            self.number_digits,
        )
        .unwrap_or_else(|_| NumberFormat::parse("RE-", true, 5).expect("the default format"))
    }

    /// The seller as an invoice prints it, or a 409 naming what is missing:
    /// an invoice without the seller's name and address is not an invoice.
    pub fn seller(&self) -> Result<SellerSnapshot, ApiError> {
        let missing: Vec<&str> = [
            ("company_name", self.company_name.is_empty()),
            ("address", self.address.is_empty()),
        ]
        .into_iter()
        .filter(|(_, empty)| *empty)
        .map(|(field, _)| field)
        .collect();
        if !missing.is_empty() {
            return Err(ApiError::Conflict {
                code: "invoice_settings_incomplete",
                detail: format!(
                    "Fill in the invoice settings first (missing: {}).",
                    missing.join(", ")
                ),
            });
        }
        Ok(SellerSnapshot {
            company_name: self.company_name.clone(),
            address: self.address.clone(),
            vat_id: self.vat_id.clone(),
            tax_number: self.tax_number.clone(),
            contact: self.contact.clone(),
            bank_details: self.bank_details.clone(),
            footer: self.footer.clone(),
        })
    }
}

/// The shop's settings, or the defaults.
pub fn load(conn: &mut DbConnection, tenant_id: &str) -> Result<InvoiceSettings, ApiError> {
    Ok(invoice_settings::table
        .find(tenant_id)
        .select(InvoiceSettings::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_else(|| InvoiceSettings::defaults(tenant_id)))
}

/// Stores the settings (update, or insert the first time).
pub fn save(conn: &mut DbConnection, settings: &InvoiceSettings) -> Result<(), ApiError> {
    save_settings_row(
        conn,
        |conn| {
            diesel::update(invoice_settings::table.find(&settings.tenant_id))
                .set(settings)
                .execute(conn)
        },
        |conn| {
            diesel::insert_into(invoice_settings::table)
                .values(settings)
                .execute(conn)
        },
    )
}

/// Invoice settings as sent and shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceSettingsBody {
    /// The seller's legal name (up to 200 characters); required to issue.
    pub company_name: String,
    /// Postal address, up to 6 lines; required to issue.
    #[schema(example = "Hauptstraße 1\n10115 Berlin\nDeutschland")]
    pub address: String,
    /// VAT ID, e.g. `DE123456789`, or null.
    pub vat_id: Option<String>,
    /// Tax number, or null.
    pub tax_number: Option<String>,
    /// Email, phone, web (up to 4 lines).
    pub contact: String,
    /// Bank details (up to 4 lines).
    pub bank_details: String,
    /// Footer (up to 1000 characters).
    pub footer: String,
    /// Number prefix: up to 20 letters, digits or `- _ / . #`.
    #[schema(example = "RE-")]
    pub number_prefix: String,
    /// Put the year into the number; each year then counts from 1.
    pub number_with_year: bool,
    /// Zero-padded digits of the sequence (1–10).
    #[schema(example = 5)]
    pub number_digits: i32,
    /// When invoices are issued.
    pub issue_mode: IssueMode,
}

/// The settings, an example number and when they last changed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvoiceSettingsView {
    /// The settings.
    #[serde(flatten)]
    pub settings: InvoiceSettingsBody,
    /// What the first number of this year's series looks like.
    #[schema(example = "RE-2026-00001")]
    pub example_number: String,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The settings as shown; the example number is for `today` (the server's clock).
fn view(s: InvoiceSettings, today: DateTime<Utc>) -> InvoiceSettingsView {
    let format = s.number_format();
    let example_number = format.number(&format.series(today), 1);
    InvoiceSettingsView {
        settings: InvoiceSettingsBody {
            issue_mode: s.issue_mode(),
            company_name: s.company_name,
            address: s.address,
            vat_id: s.vat_id,
            tax_number: s.tax_number,
            contact: s.contact,
            bank_details: s.bank_details,
            footer: s.footer,
            number_prefix: s.number_prefix,
            number_with_year: s.number_with_year,
            number_digits: s.number_digits,
        },
        example_number,
        updated_at: s.updated_at.and_utc(),
    }
}

fn optional_id(raw: Option<&str>, field: &str) -> FieldResult<Option<String>> {
    raw.map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| Text::parse(r, 1, 30).map(Text::into_inner))
        .transpose()
        .for_field(field)
}

fn lines(raw: &str, field: &str, max: usize, max_lines: usize) -> FieldResult<String> {
    MultilineText::parse(raw, max, max_lines)
        .map(MultilineText::into_inner)
        .for_field(field)
}

/// The shop's invoice settings.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings (defaults until changed)", body = InvoiceSettingsView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/invoice-settings")]
pub async fn get_invoice_settings(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<InvoiceSettingsView>, ApiError> {
    let settings = state
        .db
        .read(move |conn| load(conn, &caller.tenant_id))
        .await?;
    Ok(web::Json(view(settings, state.clock.now().and_utc())))
}

/// Replace the shop's invoice settings. Issued invoices keep what they
/// were issued with; a new prefix starts a new number series.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    request_body = InvoiceSettingsBody,
    responses(
        (status = 200, description = "Saved", body = InvoiceSettingsView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/invoice-settings")]
pub async fn put_invoice_settings(
    state: web::Data<AppState>,
    caller: Writer,
    body: JsonBody<InvoiceSettingsBody>,
) -> Result<web::Json<InvoiceSettingsView>, ApiError> {
    let b = body.into_inner();
    let automatic = b.issue_mode != IssueMode::Manual;
    // Automatic issuing must never fail for lack of a name or address.
    let required = |value: &str, field: &str| -> FieldResult<()> {
        if automatic && value.trim().is_empty() {
            Err(FieldError::new(
                field,
                "is required when invoices are issued automatically",
            ))
        } else {
            Ok(())
        }
    };
    let (company_name, address, vat_id, tax_number, contact, bank, footer, prefix, _, (), ()) = (
        if b.company_name.trim().is_empty() {
            Ok(String::new())
        } else {
            Text::parse(&b.company_name, 1, 200)
                .map(Text::into_inner)
                .for_field("company_name")
        },
        lines(&b.address, "address", 500, 6),
        optional_id(b.vat_id.as_deref(), "vat_id"),
        optional_id(b.tax_number.as_deref(), "tax_number"),
        lines(&b.contact, "contact", 500, 4),
        lines(&b.bank_details, "bank_details", 500, 4),
        lines(&b.footer, "footer", 1000, 10),
        parse_prefix(&b.number_prefix).for_field("number_prefix"),
        parse_digits(b.number_digits).for_field("number_digits"),
        required(&b.company_name, "company_name"),
        required(&b.address, "address"),
    )
        .all()?;
    let settings = InvoiceSettings {
        tenant_id: caller.tenant_id.clone(),
        company_name,
        address,
        vat_id,
        tax_number,
        contact,
        bank_details: bank,
        footer,
        number_prefix: prefix,
        number_with_year: b.number_with_year,
        number_digits: b.number_digits,
        issue_mode: b.issue_mode.as_str().into(),
        updated_at: now(),
    };
    let saved = settings.clone();
    state.db.write(move |conn| save(conn, &saved)).await?;
    Ok(web::Json(view(settings, state.clock.now().and_utc())))
}
