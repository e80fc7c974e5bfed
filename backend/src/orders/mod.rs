//! Orders: created by hand or imported (idempotently) from shops and
//! marketplaces; the status machine; the portal link; the history.

pub mod domain;
pub mod history;
pub mod import;
pub mod models;
pub mod routes;
