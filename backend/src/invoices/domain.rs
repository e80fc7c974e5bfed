//! Invoice rules: when an invoice is issued, how its number looks, and the
//! snapshot it freezes (seller, customer, items, totals per VAT rate).

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::orders::domain::{Line, RateTotal, totals_by_rate};
use crate::orders::routes::BillingAddress;

/// When the shop's invoices are issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IssueMode {
    /// Only when the seller (or an integration) asks.
    Manual,
    /// Automatically, in the same step that marks the order paid.
    OnPaid,
    /// When the customer first opens the invoice in the portal.
    OnPortalOpen,
}

impl IssueMode {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueMode::Manual => "manual",
            IssueMode::OnPaid => "on_paid",
            IssueMode::OnPortalOpen => "on_portal_open",
        }
    }

    /// Reads the stored form (the database constrains it to these values).
    pub fn from_db(value: &str) -> IssueMode {
        match value {
            "on_paid" => IssueMode::OnPaid,
            "on_portal_open" => IssueMode::OnPortalOpen,
            _ => IssueMode::Manual,
        }
    }
}

/// An invoice, or the cancellation invoice that reverses one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// The invoice of an order.
    Invoice,
    /// Reverses the order's invoice (after a refund or cancellation).
    Cancellation,
}

impl InvoiceKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::Cancellation => "cancellation",
        }
    }

    /// Reads the stored form (the database constrains it to these values).
    pub fn from_db(value: &str) -> InvoiceKind {
        match value {
            "cancellation" => InvoiceKind::Cancellation,
            _ => InvoiceKind::Invoice,
        }
    }
}

/// How invoice numbers look: `{prefix}{year}-{sequence}` or
/// `{prefix}{sequence}`, the sequence zero-padded to `digits`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat {
    prefix: String,
    with_year: bool,
    digits: usize,
}

impl NumberFormat {
    /// A format from checked parts.
    pub fn new(prefix: String, with_year: bool, digits: usize) -> NumberFormat {
        NumberFormat {
            prefix,
            with_year,
            digits,
        }
    }

    /// Checks a whole format (see [`parse_prefix`], [`parse_digits`]).
    pub fn parse(prefix: &str, with_year: bool, digits: i32) -> Result<NumberFormat, String> {
        Ok(NumberFormat::new(
            parse_prefix(prefix)?,
            with_year,
            parse_digits(digits)?,
        ))
    }

    /// The series a number issued at `at` belongs to. Each series counts
    /// from 1 without gaps; with the year in the format, every year starts
    /// a new series.
    pub fn series(&self, at: DateTime<Utc>) -> String {
        if self.with_year {
            format!("{}{}-", self.prefix, at.year())
        } else {
            self.prefix.clone()
        }
    }

    /// The printed number: the series and the zero-padded sequence.
    pub fn number(&self, series: &str, sequence: i64) -> String {
        format!("{series}{sequence:0width$}", width = self.digits)
    }
}

/// A number prefix: up to 20 letters, digits and `-_/.#` (it becomes part
/// of file names and references, so nothing else).
pub fn parse_prefix(raw: &str) -> Result<String, String> {
    let prefix = raw.trim();
    if prefix.chars().count() > 20
        || !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/.#".contains(c))
    {
        return Err("must be at most 20 letters, digits or the characters - _ / . #".into());
    }
    Ok(prefix.to_owned())
}

/// The zero-padded width of the sequence: 1–10.
pub fn parse_digits(digits: i32) -> Result<usize, String> {
    usize::try_from(digits)
        .ok()
        .filter(|d| (1..=10).contains(d))
        .ok_or_else(|| "must be between 1 and 10".to_string())
}

/// The seller as printed on the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SellerSnapshot {
    /// Company name.
    pub company_name: String,
    /// Postal address, one line per line.
    pub address: String,
    /// VAT ID.
    pub vat_id: Option<String>,
    /// Tax number.
    pub tax_number: Option<String>,
    /// Email, phone, web.
    pub contact: String,
    /// Bank details.
    pub bank_details: String,
    /// Footer text.
    pub footer: String,
}

/// The customer as billed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerSnapshot {
    /// Name from the order.
    pub name: String,
    /// Email from the order.
    pub email: String,
    /// The billing address at the time of issue.
    pub address: BillingAddress,
}

/// One invoice line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ItemSnapshot {
    /// SKU.
    pub sku: String,
    /// Title.
    pub title: String,
    /// Units; negative on a cancellation.
    pub quantity: i32,
    /// Gross unit price in hundredths.
    pub unit_price_minor: i64,
    /// VAT in basis points.
    pub vat_rate_bp: i32,
    /// Quantity × unit price, in hundredths.
    pub total_minor: i64,
}

/// Net, VAT and gross of one VAT rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RateSnapshot {
    /// VAT in basis points.
    pub vat_rate_bp: i32,
    /// Net in hundredths.
    pub net_minor: i64,
    /// VAT in hundredths.
    pub vat_minor: i64,
    /// Gross in hundredths.
    pub gross_minor: i64,
}

impl From<RateTotal> for RateSnapshot {
    fn from(r: RateTotal) -> Self {
        RateSnapshot {
            vat_rate_bp: r.vat_rate_bp,
            net_minor: r.net,
            vat_minor: r.vat,
            gross_minor: r.gross,
        }
    }
}

/// What the invoice cancels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OriginalSnapshot {
    /// The cancelled invoice's number.
    pub number: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
}

/// Everything printed on an invoice, frozen when it is issued: later
/// changes to the settings, the order or its articles never change it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    /// Invoice or cancellation.
    pub kind: InvoiceKind,
    /// The invoice number.
    pub number: String,
    /// Issue date and time.
    pub issued_at: DateTime<Utc>,
    /// `de` or `en`.
    pub language: String,
    /// ISO 4217.
    pub currency: String,
    /// The seller.
    pub seller: SellerSnapshot,
    /// The customer.
    pub customer: CustomerSnapshot,
    /// The order's number.
    pub order_number: i64,
    /// When the order was placed.
    pub order_date: DateTime<Utc>,
    /// When it was paid (the date of supply for digital goods).
    pub paid_at: Option<DateTime<Utc>>,
    /// For a cancellation: the invoice it reverses.
    pub original: Option<OriginalSnapshot>,
    /// The lines.
    pub items: Vec<ItemSnapshot>,
    /// Totals per VAT rate.
    pub rates: Vec<RateSnapshot>,
    /// Net total in hundredths.
    pub net_minor: i64,
    /// VAT total in hundredths.
    pub vat_minor: i64,
    /// Gross total in hundredths.
    pub gross_minor: i64,
}

/// The lines and totals of an invoice from the order's lines; a
/// cancellation negates the quantities, so its totals are the exact negative.
pub fn lines_and_totals(
    kind: InvoiceKind,
    items: impl IntoIterator<Item = (String, String, i32, i64, i32)>,
) -> (Vec<ItemSnapshot>, Vec<RateSnapshot>) {
    let sign = match kind {
        InvoiceKind::Invoice => 1,
        InvoiceKind::Cancellation => -1,
    };
    let items: Vec<ItemSnapshot> = items
        .into_iter()
        .map(
            |(sku, title, quantity, unit_price_minor, vat_rate_bp)| ItemSnapshot {
                sku,
                title,
                quantity: quantity * sign,
                unit_price_minor,
                vat_rate_bp,
                total_minor: unit_price_minor * i64::from(quantity * sign),
            },
        )
        .collect();
    let lines: Vec<Line> = items
        .iter()
        .map(|i| Line {
            quantity: i.quantity,
            unit_price_minor: i.unit_price_minor,
            vat_rate_bp: i.vat_rate_bp,
        })
        .collect();
    let rates = totals_by_rate(&lines)
        .into_iter()
        .map(RateSnapshot::from)
        .collect();
    (items, rates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn numbers_follow_the_format() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let f = NumberFormat::parse("RE-", true, 5).unwrap();
        assert_eq!(f.series(at), "RE-2026-");
        assert_eq!(f.number(&f.series(at), 42), "RE-2026-00042");
        let plain = NumberFormat::parse("", false, 1).unwrap();
        assert_eq!(plain.number(&plain.series(at), 1234), "1234");
        assert!(NumberFormat::parse("RE 1", false, 4).is_err(), "no spaces");
        assert!(NumberFormat::parse("R", false, 0).is_err());
        assert!(NumberFormat::parse("R", false, 11).is_err());
        assert!(NumberFormat::parse(&"X".repeat(21), false, 4).is_err());
    }

    #[test]
    fn a_cancellation_is_the_exact_negative() {
        let lines = || {
            vec![
                ("A".to_string(), "Buch".to_string(), 3, 1999_i64, 1900),
                ("B".to_string(), "Hörbuch".to_string(), 1, 5_i64, 700),
            ]
        };
        let (items, rates) = lines_and_totals(InvoiceKind::Invoice, lines());
        let (c_items, c_rates) = lines_and_totals(InvoiceKind::Cancellation, lines());
        assert_eq!(items[0].total_minor, 5997);
        assert_eq!(c_items[0].quantity, -3);
        for (r, c) in rates.iter().zip(&c_rates) {
            assert_eq!(
                (c.net_minor, c.vat_minor, c.gross_minor),
                (-r.net_minor, -r.vat_minor, -r.gross_minor)
            );
        }
    }
}
