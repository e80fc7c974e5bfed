//! Order rules: the status machine and exact totals.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, not paid: downloads locked.
    Open,
    /// Paid: downloads unlocked.
    Paid,
    /// Paid and shipped (for mixed orders).
    Shipped,
    /// Done.
    Completed,
    /// Cancelled: downloads locked for good.
    Cancelled,
    /// Money returned: downloads locked for good.
    Refunded,
}

impl OrderStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// Reads the stored form (the database constrains it to these values).
    pub fn from_db(value: &str) -> OrderStatus {
        match value {
            "paid" => OrderStatus::Paid,
            "shipped" => OrderStatus::Shipped,
            "completed" => OrderStatus::Completed,
            "cancelled" => OrderStatus::Cancelled,
            "refunded" => OrderStatus::Refunded,
            _ => OrderStatus::Open,
        }
    }

    /// Whether money has arrived (and not gone back): downloads may run.
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed
        )
    }

    /// Cancelled or refunded: downloads are locked for good.
    pub fn is_locked(self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Refunded)
    }

    /// The transitions a seller or integration may make.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (Open, Paid | Cancelled)
                | (Paid, Shipped | Completed | Refunded | Cancelled)
                | (Shipped, Completed | Refunded)
                | (Completed, Refunded)
        )
    }
}

/// A customer's language for the portal and messages.
pub fn parse_language(raw: &str) -> Result<String, String> {
    let primary = raw
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "de" | "en" => Ok(primary),
        _ => Err("must be de or en".into()),
    }
}

/// One line for the totals: quantity, gross unit price (hundredths), VAT (basis points).
#[derive(Debug, Clone, Copy)]
pub struct Line {
    /// Units.
    pub quantity: i32,
    /// Gross price per unit in hundredths.
    pub unit_price_minor: i64,
    /// VAT in hundredths of a percent.
    pub vat_rate_bp: i32,
}

/// Net, VAT and gross of an order, in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Sum without VAT.
    pub net: i64,
    /// VAT, rounded per rate.
    pub vat: i64,
    /// What the customer pays.
    pub gross: i64,
}

/// Net, VAT and gross of one VAT rate, in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateTotal {
    /// VAT in hundredths of a percent.
    pub vat_rate_bp: i32,
    /// Sum without VAT.
    pub net: i64,
    /// VAT of this rate.
    pub vat: i64,
    /// Sum with VAT.
    pub gross: i64,
}

/// Totals per VAT rate from gross prices, in order of first appearance:
/// gross per rate is summed first, then the net inside each rate's sum is
/// rounded half away from zero to the cent and VAT is the rest (rounding
/// per rate, not per line, as invoices show it; negative lines round
/// symmetrically, so a cancellation is the exact negative).
pub fn totals_by_rate(lines: &[Line]) -> Vec<RateTotal> {
    let mut by_rate: Vec<(i32, i64)> = Vec::new();
    for line in lines {
        let gross = line.unit_price_minor * i64::from(line.quantity);
        match by_rate
            .iter_mut()
            .find(|(rate, _)| *rate == line.vat_rate_bp)
        {
            Some((_, sum)) => *sum += gross,
            None => by_rate.push((line.vat_rate_bp, gross)),
        }
    }
    by_rate
        .into_iter()
        .map(|(vat_rate_bp, gross)| {
            let factor = Decimal::ONE + Decimal::new(i64::from(vat_rate_bp), 4);
            let net = (Decimal::from(gross) / factor)
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
            let net = i64::try_from(net).unwrap_or(gross);
            RateTotal {
                vat_rate_bp,
                net,
                vat: gross - net,
                gross,
            }
        })
        .collect()
}

/// The order's totals: the sums of [`totals_by_rate`].
pub fn totals(lines: &[Line]) -> Totals {
    totals_by_rate(lines).iter().fold(
        Totals {
            net: 0,
            vat: 0,
            gross: 0,
        },
        |sum, rate| Totals {
            net: sum.net + rate.net,
            vat: sum.vat + rate.vat,
            gross: sum.gross + rate.gross,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_order_life() {
        use OrderStatus::*;
        assert!(Open.can_become(Paid));
        assert!(Paid.can_become(Refunded));
        assert!(!Open.can_become(Refunded), "nothing to refund");
        assert!(!Cancelled.can_become(Paid), "cancelled is final");
        assert!(!Refunded.can_become(Paid));
        assert!(!Paid.can_become(Open));
        assert!(Shipped.is_paid() && !Refunded.is_paid() && Refunded.is_locked());
    }

    #[test]
    fn totals_round_per_rate() {
        // 3 × 19.99 at 19 %: gross 59.97, net 50.39 (59.97 / 1.19 = 50.394...), VAT 9.58
        // 2 × 7.49 at 7 %:   gross 14.98, net 14.00 (14.98 / 1.07 = 14.0),      VAT 0.98
        let t = totals(&[
            Line {
                quantity: 3,
                unit_price_minor: 1999,
                vat_rate_bp: 1900,
            },
            Line {
                quantity: 2,
                unit_price_minor: 749,
                vat_rate_bp: 700,
            },
        ]);
        assert_eq!(
            t,
            Totals {
                net: 6439,
                vat: 1056,
                gross: 7495
            }
        );
        // 0.05 at 19 %: net 0.042 → 0.04, VAT 0.01
        assert_eq!(
            totals(&[Line {
                quantity: 1,
                unit_price_minor: 5,
                vat_rate_bp: 1900
            }]),
            Totals {
                net: 4,
                vat: 1,
                gross: 5
            }
        );
        assert_eq!(
            totals(&[]),
            Totals {
                net: 0,
                vat: 0,
                gross: 0
            }
        );
    }

    #[test]
    fn languages() {
        assert_eq!(parse_language("de-DE"), Ok("de".into()));
        assert_eq!(parse_language("EN"), Ok("en".into()));
        assert!(parse_language("fr").is_err());
    }
}
