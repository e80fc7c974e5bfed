//! The customer portal: the shop's portal settings (seller side) and the
//! public portal API, where the order's portal code is the only key.

pub mod i18n;
pub mod invoice;
pub mod routes;
pub mod settings;
