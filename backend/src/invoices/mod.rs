//! Invoices: per-shop settings, gapless numbers, frozen snapshots with
//! exact VAT per rate, the PDF stored once, automatic issue on payment,
//! cancellation invoices on refund, and the portal download.

pub mod domain;
pub mod models;
pub mod pdf;
pub mod routes;
pub mod settings;
