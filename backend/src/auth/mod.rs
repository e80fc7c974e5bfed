//! Shops, their users, and how callers prove who they are: argon2id
//! passwords, short-lived access tokens (JWT) with rotating refresh tokens
//! bound to a revocable session, and API keys (see [`crate::api_keys`]).
//! Handlers declare what they need by taking [`Caller`] or [`Writer`].

pub mod domain;
pub mod extract;
pub mod models;
pub mod password;
pub mod rate_limit;
pub mod routes;
pub mod tokens;

pub use extract::{Caller, Principal, Writer};
