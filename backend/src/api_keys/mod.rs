//! API keys for integrations (shops, marketplaces, scripts): the secret is
//! shown once, stored hashed, scoped to read or read-write, and revocable.

pub mod models;
pub mod routes;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Only GET requests.
    Read,
    /// Everything a staff user may do through the API.
    ReadWrite,
}

impl Scope {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::ReadWrite => "read_write",
        }
    }

    /// Reads the stored form; anything unknown is the narrower scope.
    pub fn from_db(value: &str) -> Scope {
        match value {
            "read_write" => Scope::ReadWrite,
            _ => Scope::Read,
        }
    }
}
