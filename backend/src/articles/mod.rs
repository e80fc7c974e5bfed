//! Articles (the products a seller sells) and the files linked to them from
//! the seller's storage. Orders reference articles; downloads serve their
//! files.

pub mod domain;
pub mod files;
pub mod models;
pub mod routes;
