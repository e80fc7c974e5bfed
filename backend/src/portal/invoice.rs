//! `GET /api/portal/{code}/invoice`: the customer's invoice as PDF, when the
//! seller offers it in the portal; issued on first open when the shop's
//! invoices are issued that way. Every download is a history row.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde_json::json;

use super::i18n::Refusal;
use super::routes::{order_for_code, refusal, user_agent};
use super::settings::PortalSettings;
use crate::AppState;
use crate::db::DbConnection;
use crate::error::{ApiError, Problem};
use crate::invoices::domain::{InvoiceKind, IssueMode};
use crate::invoices::models::{Invoice, find_of_order};
use crate::invoices::routes::{issue, pdf_of, pdf_response};
use crate::invoices::settings;
use crate::middleware::client_ip;
use crate::orders::history::{HistoryKind, NewEvent, record};
use crate::orders::models::Order;

/// What the portal can offer: the issued invoice, one it may issue now, or none.
pub enum Availability {
    /// Issued.
    Issued(Box<Invoice>),
    /// Not issued yet; opening it issues it.
    OnOpen,
    /// Not offered or not issued.
    None,
}

/// Whether the customer can get the invoice (read inside one connection).
pub fn availability(
    conn: &mut DbConnection,
    order: &Order,
    portal: &PortalSettings,
) -> Result<Availability, ApiError> {
    if !portal.invoice_download {
        return Ok(Availability::None);
    }
    if let Some(invoice) = find_of_order(conn, &order.tenant_id, &order.id, InvoiceKind::Invoice)? {
        return Ok(Availability::Issued(Box::new(invoice)));
    }
    let mode = settings::load(conn, &order.tenant_id)?.issue_mode();
    Ok(if offered(portal, false, mode, order.status().is_paid()) {
        Availability::OnOpen
    } else {
        Availability::None
    })
}

/// Whether the portal offers an order's invoice: the seller lets customers
/// download it, and it is issued or opening it issues it.
pub fn offered(portal: &PortalSettings, issued: bool, mode: IssueMode, paid: bool) -> bool {
    portal.invoice_download && (issued || (mode == IssueMode::OnPortalOpen && paid))
}

/// Download the order's invoice (PDF). Refused with
/// `invoice_download_disabled` when the seller does not offer it and
/// `invoice_not_ready` when it has not been issued.
#[utoipa::path(
    tag = "portal",
    params(("code" = String, Path, description = "The order's portal code")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 403, description = "`invoice_download_disabled`, explained in the order's language", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invoice_not_ready`: not issued yet", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many unknown codes from this address", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`portal_disabled`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/{code}/invoice")]
pub async fn download_invoice(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (order, portal) = order_for_code(&state, &req, &code).await?;
    let language = order.customer_language.clone();
    if !portal.invoice_download {
        return Err(refusal(Refusal::InvoiceDisabled, &language));
    }
    let found = {
        let order = order.clone();
        state
            .db
            .read(move |conn| availability(conn, &order, &portal))
            .await?
    };
    let invoice = match found {
        Availability::Issued(invoice) => *invoice,
        Availability::OnOpen => {
            let issued = issue(
                &state,
                order.tenant_id.clone(),
                order.id.clone(),
                "customer".into(),
            )
            .await;
            match issued {
                Ok(issued) => issued.invoice().clone(),
                // The seller's settings are not the customer's business.
                Err(ApiError::Conflict { .. }) => {
                    return Err(refusal(Refusal::InvoiceNotReady, &language));
                }
                Err(other) => return Err(other),
            }
        }
        Availability::None => return Err(refusal(Refusal::InvoiceNotReady, &language)),
    };
    let pdf = pdf_of(&state, &invoice).await?;
    let ip = client_ip(&req, &state.settings).to_string();
    let ua = user_agent(&req);
    let number = invoice.number.clone();
    state
        .db
        .write(move |conn| {
            Ok(record(
                conn,
                NewEvent {
                    tenant_id: &order.tenant_id,
                    order_id: &order.id,
                    kind: HistoryKind::InvoiceDownloaded,
                    actor: "customer",
                    grant_id: None,
                    details: json!({ "number": number }),
                    ip: Some(&ip),
                    user_agent: ua.as_deref(),
                    at: crate::db::now(),
                },
            )?)
        })
        .await?;
    Ok(pdf_response(&invoice, pdf))
}
