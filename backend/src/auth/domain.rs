//! Account fields, parsed at the edge.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validation::Text;

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Longest address SMTP can carry.
    pub const MAX_LEN: usize = 254;

    /// Parses and lower-cases an address, so sign-in is case-insensitive.
    pub fn parse(raw: &str) -> Result<Email, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        if trimmed.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        let parsed: email_address::EmailAddress = trimmed
            .parse()
            .map_err(|_| "is not a valid email address".to_string())?;
        // A bare "user@localhost" is valid by the RFC but never deliverable here.
        if !parsed.domain().contains('.') {
            return Err("is not a valid email address".into());
        }
        Ok(Email(trimmed.to_lowercase()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the length rules. Deliberately no composition rules
/// (NIST SP 800-63B): length is what makes a password strong.
pub struct Password(String);

impl Password {
    /// Fewest characters accepted.
    pub const MIN_CHARS: usize = 10;
    /// Most characters accepted (hashing cost stays bounded).
    pub const MAX_CHARS: usize = 256;

    /// Checks the length; the password is kept exactly as typed.
    pub fn parse(raw: String) -> Result<Password, String> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if chars > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        Ok(Password(raw))
    }

    /// The password.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// A shop's display name.
pub fn parse_shop_name(raw: &str) -> Result<Text, String> {
    Text::parse(raw, 1, 100)
}

/// What a user may do in their shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including API keys and shop settings.
    Owner,
    /// Day-to-day work: articles, orders, downloads.
    Staff,
}

impl Role {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Staff => "staff",
        }
    }

    /// Reads the stored form; anything unknown is the least privilege.
    pub fn from_db(value: &str) -> Role {
        match value {
            "owner" => Role::Owner,
            _ => Role::Staff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        assert!(Email::parse("not-an-email").is_err());
        assert!(Email::parse("a@localhost").is_err());
        assert!(Email::parse("").is_err());
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn passwords_are_length_checked_and_never_printed() {
        assert!(Password::parse("short".into()).is_err());
        assert!(Password::parse("x".repeat(257)).is_err());
        let p = Password::parse("correct horse battery".into()).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
