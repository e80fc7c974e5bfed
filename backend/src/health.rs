//! `GET /api/health`: liveness plus a database round trip.

use actix_web::{HttpResponse, get, web};
use diesel::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::db::Backend;

/// Health report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` or `degraded`.
    #[schema(example = "ok")]
    pub status: String,
    /// `ok`, or what failed.
    #[schema(example = "ok")]
    pub database: String,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub backend: String,
    /// The server's version.
    pub version: String,
}

/// Liveness and database check.
#[utoipa::path(
    tag = "ops",
    responses(
        (status = 200, description = "Serving, database reachable", body = Health),
        (status = 503, description = "The database is not reachable", body = Health),
    ),
)]
#[get("/api/health")]
pub async fn get_health(state: web::Data<AppState>) -> HttpResponse {
    let database = state
        .db
        .read(|conn| Ok(diesel::sql_query("SELECT 1").execute(conn)?))
        .await;
    let backend = match state.db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let (mut response, status, database) = match database {
        Ok(_) => (HttpResponse::Ok(), "ok", "ok".to_owned()),
        Err(_) => (
            HttpResponse::ServiceUnavailable(),
            "degraded",
            "unreachable".to_owned(),
        ),
    };
    response.json(Health {
        status: status.into(),
        database,
        backend: backend.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}
