//! Download grants: one per (order item, linked file), created when an
//! order becomes paid. Each counted download is one conditional update
//! plus a history row in one transaction, so exactly the allowed number of
//! downloads succeed however many requests race, on one node or many.

pub mod models;
pub mod routes;
