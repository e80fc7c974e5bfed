//! Digital product delivery: sellers keep their files in their own bucket,
//! every paid order gets a personal download portal with counted, expiring
//! downloads.
//!
//! Where to look:
//! - [`startup`] builds the HTTP server; [`routes`] is the whole route table.
//! - Each resource owns its routes, queries and types: [`auth`], [`api_keys`],
//!   [`storage`] (connections, browsing, presigning), [`articles`] (and their files),
//!   [`orders`] (with history), [`downloads`] (grants, the counted download), [`portal`].
//! - Shared plumbing: [`config`] (settings), [`db`] (SQLite or PostgreSQL,
//!   chosen by the URL), [`error`] (the one problem+json error type),
//!   [`json`] (the request body extractor), [`validation`] (field errors),
//!   [`openapi`], [`metrics`], [`telemetry`].

pub mod api_keys;
pub mod articles;
pub mod auth;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod downloads;
pub mod error;
pub mod health;
pub mod invoices;
pub mod json;
pub mod metrics;
pub mod middleware;
pub mod notifications;
pub mod openapi;
pub mod orders;
pub mod overview;
pub mod pagination;
pub mod portal;
pub mod routes;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod validation;

pub use startup::{AppState, Application};
