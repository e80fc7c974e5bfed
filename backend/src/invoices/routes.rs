//! Seller routes: issue an order's invoice, fetch its PDF, list invoices.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::domain::InvoiceKind;
use super::models::{self, Invoice, InvoiceFilter, Issued, is_unique_violation};
use super::{pdf, settings};
use crate::AppState;
use crate::articles::domain::format_minor;
use crate::auth::{Caller, Writer};
use crate::error::{ApiError, Problem};
use crate::orders::models::find_order;
use crate::pagination::PageRequest;

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(issue_invoice)
        .service(get_order_invoice_pdf)
        .service(list_invoices)
        .service(get_invoice)
        .service(get_invoice_pdf);
}

/// Net, VAT and gross of one VAT rate.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RateView {
    /// VAT rate in percent.
    #[schema(example = "19")]
    pub vat_rate: String,
    /// Net.
    pub net: String,
    /// VAT.
    pub vat: String,
    /// Gross.
    pub gross: String,
}

/// An issued invoice or cancellation invoice. Amounts are decimal strings;
/// a cancellation's are negative.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvoiceView {
    /// Id.
    pub id: Uuid,
    /// The order.
    pub order_id: Uuid,
    /// The order's number.
    pub order_number: i64,
    /// Invoice or cancellation.
    pub kind: InvoiceKind,
    /// The invoice number.
    #[schema(example = "RE-2026-00001")]
    pub number: String,
    /// For a cancellation: the invoice it reverses.
    pub original_id: Option<Uuid>,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// `de` or `en`: the PDF's language.
    pub language: String,
    /// ISO 4217.
    pub currency: String,
    /// Net total.
    pub total_net: String,
    /// VAT total.
    pub total_vat: String,
    /// Gross total.
    pub total_gross: String,
    /// Totals per VAT rate.
    pub rates: Vec<RateView>,
    /// Where the PDF is (with the same credentials).
    pub pdf_url: String,
}

fn uuid(id: &str) -> Uuid {
    Uuid::parse_str(id).unwrap_or_default()
}

/// The view of a stored invoice.
pub fn view(invoice: &Invoice) -> Result<InvoiceView, ApiError> {
    let snapshot = invoice.snapshot()?;
    Ok(InvoiceView {
        id: uuid(&invoice.id),
        order_id: uuid(&invoice.order_id),
        order_number: snapshot.order_number,
        kind: invoice.kind(),
        number: invoice.number.clone(),
        original_id: invoice.original_id.as_deref().map(uuid),
        issued_at: invoice.issued_at.and_utc(),
        language: invoice.language.clone(),
        currency: invoice.currency.clone(),
        total_net: format_minor(invoice.total_net_minor),
        total_vat: format_minor(invoice.total_vat_minor),
        total_gross: format_minor(invoice.total_gross_minor),
        rates: snapshot
            .rates
            .iter()
            .map(|r| RateView {
                vat_rate: format_minor(i64::from(r.vat_rate_bp)),
                net: format_minor(r.net_minor),
                vat: format_minor(r.vat_minor),
                gross: format_minor(r.gross_minor),
            })
            .collect(),
        pdf_url: format!("/api/v1/invoices/{}/pdf", invoice.id),
    })
}

/// Issues the order's invoice in its own transaction; when another node
/// issued it at the same moment, that one is the answer.
pub async fn issue(
    state: &AppState,
    tenant_id: String,
    order_id: String,
    actor: String,
) -> Result<Issued, ApiError> {
    let at = state.clock.now().and_utc();
    let attempt = {
        let (tenant_id, order_id) = (tenant_id.clone(), order_id.clone());
        state
            .db
            .write(move |conn| {
                conn.transaction(|conn| {
                    let order = find_order(conn, &tenant_id, &order_id)?;
                    let settings = settings::load(conn, &tenant_id)?;
                    models::issue_in(conn, &order, InvoiceKind::Invoice, &settings, at, &actor)
                })
            })
            .await
    };
    match attempt {
        Err(err) if is_unique_violation(&err) => {
            let existing = state
                .db
                .read(move |conn| {
                    models::find_of_order(conn, &tenant_id, &order_id, InvoiceKind::Invoice)
                })
                .await?;
            existing.map(Issued::Existing).ok_or(err)
        }
        other => other,
    }
}

/// The invoice's PDF: the stored one, or rendered from the snapshot and
/// stored now (rendering happens outside the write, which only stores).
pub async fn pdf_of(state: &AppState, invoice: &Invoice) -> Result<Vec<u8>, ApiError> {
    let (tenant_id, id) = (invoice.tenant_id.clone(), invoice.id.clone());
    let stored = {
        let (tenant_id, id) = (tenant_id.clone(), id.clone());
        state
            .db
            .read(move |conn| models::stored_pdf(conn, &tenant_id, &id))
            .await?
    };
    if let Some(pdf) = stored {
        return Ok(pdf);
    }
    let snapshot = invoice.snapshot()?;
    let rendered = web::block(move || pdf::render(&snapshot))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    state
        .db
        .write(move |conn| models::store_pdf(conn, &tenant_id, &id, &rendered))
        .await
}

/// The PDF as a download named after the invoice number.
pub fn pdf_response(invoice: &Invoice, pdf: Vec<u8>) -> HttpResponse {
    let name: String = invoice
        .number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}.pdf\""),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(pdf)
}

/// Issue the order's invoice: the next number of the shop's series and a
/// frozen snapshot of seller, customer, items and totals. Issuing again
/// returns the same invoice (200 instead of 201).
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 201, description = "Issued now", body = InvoiceView),
        (status = 200, description = "Issued before: the same invoice", body = InvoiceView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invoice_settings_incomplete`, `order_locked` or `invoice_number_taken`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/orders/{id}/invoice")]
pub async fn issue_invoice(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let issued = issue(
        &state,
        caller.tenant_id.clone(),
        id.into_inner().to_string(),
        caller.actor.clone(),
    )
    .await?;
    let status = match issued {
        Issued::New(_) => StatusCode::CREATED,
        Issued::Existing(_) => StatusCode::OK,
    };
    let invoice = issued.invoice();
    // Render and store the PDF now, so the first download is fast.
    pdf_of(&state, invoice).await?;
    Ok(HttpResponse::build(status).json(view(invoice)?))
}

/// The order's invoice as PDF (issued before; this never issues one).
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or no invoice yet", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/orders/{id}/invoice.pdf")]
pub async fn get_order_invoice_pdf(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (tenant_id, order_id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let invoice = state
        .db
        .read(move |conn| {
            models::find_of_order(conn, &tenant_id, &order_id, InvoiceKind::Invoice)?
                .ok_or(ApiError::NotFound)
        })
        .await?;
    let pdf = pdf_of(&state, &invoice).await?;
    Ok(pdf_response(&invoice, pdf))
}

/// Filters and paging for the invoice list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceListQuery {
    /// Only invoices or only cancellations.
    pub kind: Option<InvoiceKind>,
    /// Only this order's.
    pub order_id: Option<Uuid>,
    /// The number contains this.
    pub q: Option<String>,
    /// Issued at or after.
    pub from: Option<DateTime<Utc>>,
    /// Issued before.
    pub to: Option<DateTime<Utc>>,
    /// Page size (1–200, default 50).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One page of invoices.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvoiceList {
    /// Newest first.
    pub items: Vec<InvoiceView>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// The shop's invoices and cancellations, newest first.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    params(InvoiceListQuery),
    responses(
        (status = 200, description = "One page", body = InvoiceList),
        (status = 400, description = "Malformed parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameters", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/invoices")]
pub async fn list_invoices(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<InvoiceListQuery>,
) -> Result<web::Json<InvoiceList>, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::parse(q.limit, q.cursor)?;
    let number = q.q.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if number.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(ApiError::field("q", "must be at most 100 characters"));
    }
    let filter = InvoiceFilter {
        kind: q.kind,
        order_id: q.order_id.map(|id| id.to_string()),
        number,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let (tenant_id, after, fetch) = (caller.tenant_id.clone(), page.after.clone(), page.fetch());
    let rows = state
        .db
        .read(move |conn| models::list(conn, &tenant_id, &filter, after.as_deref(), fetch))
        .await?;
    let (rows, next_cursor) = page.split(rows, |i| i.id.clone());
    let items = rows.iter().map(view).collect::<Result<_, _>>()?;
    Ok(web::Json(InvoiceList { items, next_cursor }))
}

async fn find_invoice(state: &AppState, caller: &Caller, id: Uuid) -> Result<Invoice, ApiError> {
    let (tenant_id, id) = (caller.tenant_id.clone(), id.to_string());
    state
        .db
        .read(move |conn| models::find(conn, &tenant_id, &id))
        .await
}

/// One invoice or cancellation.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "The invoice", body = InvoiceView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/invoices/{id}")]
pub async fn get_invoice(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<InvoiceView>, ApiError> {
    let invoice = find_invoice(&state, &caller, id.into_inner()).await?;
    Ok(web::Json(view(&invoice)?))
}

/// An invoice or cancellation as PDF, unchanged since it was first rendered.
#[utoipa::path(
    tag = "invoices",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/invoices/{id}/pdf")]
pub async fn get_invoice_pdf(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let invoice = find_invoice(&state, &caller, id.into_inner()).await?;
    let pdf = pdf_of(&state, &invoice).await?;
    Ok(pdf_response(&invoice, pdf))
}
