//! Black-box API tests: each test starts the real server on a random port
//! with its own fresh database, once on SQLite and once on PostgreSQL.

mod helpers;

mod abuse;
mod api_keys;
mod articles;
mod auth;
mod crash;
mod errors;
mod invoices;
mod isolation;
mod logs;
mod notifications;
mod ops;
mod orders;
mod overview;
mod s3_server;
mod smtp_server;
mod storage;
