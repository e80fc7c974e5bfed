//! Issued invoices: issuing (gapless numbers, frozen snapshot), finding,
//! listing, and the PDF stored once per invoice. Every query takes the
//! caller's tenant.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

use super::domain::{
    CustomerSnapshot, InvoiceKind, IssueMode, OriginalSnapshot, Snapshot, lines_and_totals,
};
use super::settings::{self, InvoiceSettings};
use crate::db::dialect::take_invoice_number;
use crate::db::schema::invoices;
use crate::db::{DbConnection, new_id};
use crate::error::ApiError;
use crate::orders::domain::OrderStatus;
use crate::orders::history::{HistoryKind, NewEvent, record};
use crate::orders::models::{Order, items_of};
use crate::orders::routes::BillingAddress;

/// An issued invoice (without its PDF bytes).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invoices)]
pub struct Invoice {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// The order.
    pub order_id: String,
    /// `invoice` or `cancellation`.
    pub kind: String,
    /// The printed number.
    pub number: String,
    /// The number series it was taken from.
    pub series: String,
    /// Its place in the series, from 1.
    pub sequence: i64,
    /// For a cancellation: the invoice it reverses.
    pub original_id: Option<String>,
    /// `de` or `en`.
    pub language: String,
    /// ISO 4217.
    pub currency: String,
    /// Net total in hundredths.
    pub total_net_minor: i64,
    /// VAT total in hundredths.
    pub total_vat_minor: i64,
    /// Gross total in hundredths.
    pub total_gross_minor: i64,
    /// The frozen [`Snapshot`] as JSON.
    pub snapshot: String,
    /// When it was issued.
    pub issued_at: NaiveDateTime,
}

impl Invoice {
    /// Invoice or cancellation.
    pub fn kind(&self) -> InvoiceKind {
        InvoiceKind::from_db(&self.kind)
    }

    /// The frozen snapshot.
    pub fn snapshot(&self) -> Result<Snapshot, ApiError> {
        serde_json::from_str(&self.snapshot).map_err(ApiError::internal)
    }
}

/// The order's invoice (or cancellation), if it has one.
pub fn find_of_order(
    conn: &mut DbConnection,
    tenant_id: &str,
    order_id: &str,
    kind: InvoiceKind,
) -> Result<Option<Invoice>, ApiError> {
    Ok(invoices::table
        .filter(invoices::tenant_id.eq(tenant_id))
        .filter(invoices::order_id.eq(order_id))
        .filter(invoices::kind.eq(kind.as_str()))
        .select(Invoice::as_select())
        .first(conn)
        .optional()?)
}

/// One of the shop's invoices.
pub fn find(conn: &mut DbConnection, tenant_id: &str, id: &str) -> Result<Invoice, ApiError> {
    Ok(invoices::table
        .filter(invoices::tenant_id.eq(tenant_id))
        .filter(invoices::id.eq(id))
        .select(Invoice::as_select())
        .first(conn)?)
}

/// A fresh invoice, or the one the order already had.
#[derive(Debug)]
pub enum Issued {
    /// Issued now.
    New(Invoice),
    /// Issued before; nothing changed.
    Existing(Invoice),
}

impl Issued {
    /// The invoice either way.
    pub fn invoice(&self) -> &Invoice {
        match self {
            Issued::New(i) | Issued::Existing(i) => i,
        }
    }
}

/// Issues the order's invoice or cancellation inside the caller's
/// transaction: the next number of the series, a frozen snapshot, a history
/// row. Issuing again returns the existing one and takes no number.
pub fn issue_in(
    conn: &mut DbConnection,
    order: &Order,
    kind: InvoiceKind,
    settings: &InvoiceSettings,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<Issued, ApiError> {
    if let Some(existing) = find_of_order(conn, &order.tenant_id, &order.id, kind)? {
        return Ok(Issued::Existing(existing));
    }
    let original = match kind {
        InvoiceKind::Invoice => {
            if order.status().is_locked() {
                return Err(ApiError::Conflict {
                    code: "order_locked",
                    detail: "A cancelled or refunded order gets no new invoice.".into(),
                });
            }
            None
        }
        InvoiceKind::Cancellation => Some(
            find_of_order(conn, &order.tenant_id, &order.id, InvoiceKind::Invoice)?.ok_or(
                ApiError::Conflict {
                    code: "no_invoice",
                    detail: "The order has no invoice to cancel.".into(),
                },
            )?,
        ),
    };
    let seller = settings.seller()?;
    let format = settings.number_format();
    let series = format.series(at);
    let sequence = take_invoice_number(conn, &order.tenant_id, &series)?;
    let number = format.number(&series, sequence);
    let lines = items_of(conn, &order.tenant_id, &order.id)?
        .into_iter()
        .map(|i| {
            (
                i.sku,
                i.title,
                i.quantity,
                i.unit_price_minor,
                i.vat_rate_bp,
            )
        });
    let (items, rates) = lines_and_totals(kind, lines);
    let snapshot = Snapshot {
        kind,
        number: number.clone(),
        issued_at: at,
        language: order.customer_language.clone(),
        currency: order.currency.clone(),
        seller,
        customer: CustomerSnapshot {
            name: order.customer_name.clone(),
            email: order.customer_email.clone(),
            address: serde_json::from_str::<BillingAddress>(&order.billing_address)
                .unwrap_or_default(),
        },
        order_number: order.number,
        order_date: order.created_at.and_utc(),
        paid_at: order.paid_at.map(|t| t.and_utc()),
        original: original.as_ref().map(|o| OriginalSnapshot {
            number: o.number.clone(),
            issued_at: o.issued_at.and_utc(),
        }),
        net_minor: rates.iter().map(|r| r.net_minor).sum(),
        vat_minor: rates.iter().map(|r| r.vat_minor).sum(),
        gross_minor: rates.iter().map(|r| r.gross_minor).sum(),
        items,
        rates,
    };
    let invoice = Invoice {
        id: new_id(),
        tenant_id: order.tenant_id.clone(),
        order_id: order.id.clone(),
        kind: kind.as_str().into(),
        number,
        series,
        sequence,
        original_id: original.map(|o| o.id),
        language: snapshot.language.clone(),
        currency: snapshot.currency.clone(),
        total_net_minor: snapshot.net_minor,
        total_vat_minor: snapshot.vat_minor,
        total_gross_minor: snapshot.gross_minor,
        snapshot: serde_json::to_string(&snapshot).map_err(ApiError::internal)?,
        issued_at: at.naive_utc(),
    };
    diesel::insert_into(invoices::table)
        .values(&invoice)
        .execute(conn)
        .map_err(number_taken)?;
    record(
        conn,
        NewEvent {
            tenant_id: &order.tenant_id,
            order_id: &order.id,
            kind: HistoryKind::InvoiceIssued,
            actor,
            grant_id: None,
            details: json!({ "kind": invoice.kind, "number": invoice.number, "invoice_id": invoice.id }),
            ip: None,
            user_agent: None,
            at: at.naive_utc(),
        },
    )?;
    Ok(Issued::New(invoice))
}

/// Only a format that collides with an older series can hit the number's
/// unique index (a second invoice for one order is caught by the route).
fn number_taken(err: DieselError) -> ApiError {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, ref info)
            if info.message().contains("number") =>
        {
            ApiError::Conflict {
                code: "invoice_number_taken",
                detail: "The next number of this format was used by an earlier series; choose another prefix.".into(),
            }
        }
        other => other.into(),
    }
}

/// Whether `err` is a unique violation. When another node issued the same
/// order's invoice at the same moment, the loser's transaction fails on the
/// (order, kind) index; the caller then finds the winner's invoice, and
/// answers it (or the error, when there is none: another index failed).
pub fn is_unique_violation(err: &ApiError) -> bool {
    matches!(err, ApiError::Internal(e) if e.downcast_ref::<DieselError>().is_some_and(|e| matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )))
}

/// Called inside every status change: issues the invoice when the order
/// becomes paid (if the shop says so) and the cancellation when an invoiced
/// order is refunded or cancelled.
pub fn on_status_change(
    conn: &mut DbConnection,
    order: &Order,
    from: OrderStatus,
    to: OrderStatus,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<(), ApiError> {
    if to.is_paid() && !from.is_paid() {
        let settings = settings::load(conn, &order.tenant_id)?;
        if settings.issue_mode() == IssueMode::OnPaid {
            issue_in(conn, order, InvoiceKind::Invoice, &settings, at, actor)?;
        }
    } else if to.is_locked()
        && find_of_order(conn, &order.tenant_id, &order.id, InvoiceKind::Invoice)?.is_some()
    {
        let settings = settings::load(conn, &order.tenant_id)?;
        issue_in(conn, order, InvoiceKind::Cancellation, &settings, at, actor)?;
    }
    Ok(())
}

/// The stored PDF, if it was rendered already.
pub fn stored_pdf(
    conn: &mut DbConnection,
    tenant_id: &str,
    id: &str,
) -> Result<Option<Vec<u8>>, ApiError> {
    Ok(invoices::table
        .filter(invoices::tenant_id.eq(tenant_id))
        .filter(invoices::id.eq(id))
        .select(invoices::pdf)
        .first::<Option<Vec<u8>>>(conn)?)
}

/// Stores a rendered PDF unless one is stored already (the first one
/// stored is served forever), and returns the stored one.
pub fn store_pdf(
    conn: &mut DbConnection,
    tenant_id: &str,
    id: &str,
    pdf: &[u8],
) -> Result<Vec<u8>, ApiError> {
    diesel::update(invoices::table)
        .filter(invoices::tenant_id.eq(tenant_id))
        .filter(invoices::id.eq(id))
        .filter(invoices::pdf.is_null())
        .set(invoices::pdf.eq(pdf))
        .execute(conn)?;
    stored_pdf(conn, tenant_id, id)?.ok_or(ApiError::NotFound)
}

/// Filters for the invoice list.
#[derive(Debug, Default, Clone)]
pub struct InvoiceFilter {
    /// Only invoices or only cancellations.
    pub kind: Option<InvoiceKind>,
    /// Only this order's.
    pub order_id: Option<String>,
    /// The number contains this.
    pub number: Option<String>,
    /// Issued at or after.
    pub from: Option<NaiveDateTime>,
    /// Issued before.
    pub to: Option<NaiveDateTime>,
}

/// One page of the shop's invoices, newest first (keyset on the time-ordered id).
pub fn list(
    conn: &mut DbConnection,
    tenant_id: &str,
    filter: &InvoiceFilter,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<Invoice>, ApiError> {
    let mut query = invoices::table
        .order((invoices::tenant_id.desc(), invoices::id.desc()))
        .limit(limit)
        .select(Invoice::as_select())
        .into_boxed();
    query = crate::keyset_by_tenant!(query, conn, invoices, tenant_id, before);
    if let Some(kind) = filter.kind {
        query = query.filter(invoices::kind.eq(kind.as_str()));
    }
    if let Some(order_id) = &filter.order_id {
        query = query.filter(invoices::order_id.eq(order_id.clone()));
    }
    if let Some(number) = &filter.number {
        query = query.filter(
            crate::db::lower(invoices::number)
                .like(crate::db::contains_pattern(number))
                .escape('\\'),
        );
    }
    if let Some(from) = filter.from {
        query = query.filter(invoices::issued_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(invoices::issued_at.lt(to));
    }
    Ok(query.load(conn)?)
}
