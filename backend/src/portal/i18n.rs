//! The customer-facing words, per language. Adding a language is adding a
//! match arm per text (the portal page has its own translation files).

/// A refusal the portal explains to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// All allowed downloads are used.
    LimitReached,
    /// The end date has passed.
    Expired,
    /// The order is not paid yet.
    NotPaid,
    /// The order was cancelled or refunded.
    Locked,
    /// The file is not in the seller's storage right now.
    FileMissing,
    /// The seller switched the portal off.
    PortalDisabled,
    /// The seller does not offer the invoice in the portal.
    InvoiceDisabled,
    /// The invoice has not been issued (and cannot be now).
    InvoiceNotReady,
}

impl Refusal {
    /// Stable machine code.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::LimitReached => "download_limit_reached",
            Refusal::Expired => "download_expired",
            Refusal::NotPaid => "order_not_paid",
            Refusal::Locked => "order_locked",
            Refusal::FileMissing => "file_missing",
            Refusal::PortalDisabled => "portal_disabled",
            Refusal::InvoiceDisabled => "invoice_download_disabled",
            Refusal::InvoiceNotReady => "invoice_not_ready",
        }
    }

    /// The explanation in `language` (`de`, else English).
    pub fn message(self, language: &str) -> &'static str {
        match (language, self) {
            ("de", Refusal::LimitReached) => {
                "Sie haben alle erlaubten Downloads dieser Datei genutzt. Bitte wenden Sie sich an den Verkäufer, wenn Sie weitere benötigen."
            }
            ("de", Refusal::Expired) => "Der Download-Zeitraum für diese Datei ist abgelaufen.",
            ("de", Refusal::NotPaid) => {
                "Die Bestellung ist noch nicht bezahlt. Die Downloads werden freigeschaltet, sobald die Zahlung eingegangen ist."
            }
            ("de", Refusal::Locked) => {
                "Diese Bestellung wurde storniert oder erstattet; die Downloads sind gesperrt."
            }
            ("de", Refusal::FileMissing) => {
                "Diese Datei ist vorübergehend nicht verfügbar. Bitte versuchen Sie es später erneut oder wenden Sie sich an den Verkäufer."
            }
            ("de", Refusal::PortalDisabled) => "Das Download-Portal ist derzeit nicht verfügbar.",
            ("de", Refusal::InvoiceDisabled) => {
                "Die Rechnung kann hier nicht heruntergeladen werden. Bitte wenden Sie sich an den Verkäufer."
            }
            ("de", Refusal::InvoiceNotReady) => {
                "Die Rechnung ist noch nicht erstellt. Sie steht hier bereit, sobald der Verkäufer sie ausgestellt hat."
            }
            (_, Refusal::LimitReached) => {
                "You have used all allowed downloads of this file. Please contact the seller if you need more."
            }
            (_, Refusal::Expired) => "The download period for this file has ended.",
            (_, Refusal::NotPaid) => {
                "The order is not paid yet. The downloads unlock as soon as the payment arrives."
            }
            (_, Refusal::Locked) => {
                "This order was cancelled or refunded; its downloads are locked."
            }
            (_, Refusal::FileMissing) => {
                "This file is temporarily unavailable. Please try again later or contact the seller."
            }
            (_, Refusal::PortalDisabled) => "The download portal is not available at the moment.",
            (_, Refusal::InvoiceDisabled) => {
                "The invoice cannot be downloaded here. Please contact the seller."
            }
            (_, Refusal::InvoiceNotReady) => {
                "The invoice has not been issued yet. It will be here as soon as the seller issues it."
            }
        }
    }

    /// The HTTP status of the refusal.
    pub fn status(self) -> u16 {
        match self {
            Refusal::LimitReached
            | Refusal::Expired
            | Refusal::NotPaid
            | Refusal::Locked
            | Refusal::InvoiceDisabled => 403,
            Refusal::InvoiceNotReady => 409,
            Refusal::FileMissing | Refusal::PortalDisabled => 503,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_both_languages() {
        for r in [
            Refusal::LimitReached,
            Refusal::Expired,
            Refusal::NotPaid,
            Refusal::Locked,
            Refusal::FileMissing,
            Refusal::PortalDisabled,
            Refusal::InvoiceDisabled,
            Refusal::InvoiceNotReady,
        ] {
            assert_ne!(r.message("de"), r.message("en"), "{r:?}");
            assert!(!r.code().is_empty());
        }
    }
}
