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
        }
    }

    /// The HTTP status of the refusal.
    pub fn status(self) -> u16 {
        match self {
            Refusal::LimitReached | Refusal::Expired | Refusal::NotPaid | Refusal::Locked => 403,
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
        ] {
            assert_ne!(r.message("de"), r.message("en"), "{r:?}");
            assert!(!r.code().is_empty());
        }
    }
}
