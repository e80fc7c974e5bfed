//! `/api/v1/api-keys`: list, create (secret shown once), revoke. Only the
//! shop's owner creates and revokes keys; keys cannot manage keys.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::Scope;
use super::models::{self, ApiKey};
use crate::AppState;
use crate::auth::{Caller, Writer};
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::validation::{AllFields, ForField, Text};

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_api_keys)
        .service(create_api_key)
        .service(delete_api_key);
}

/// A new API key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// What the key is for (1–100 characters), e.g. the shop system's name.
    #[schema(example = "Shopware import")]
    pub name: String,
    /// `read` or `read_write`.
    pub scope: Scope,
}

/// An API key as listed (never with its secret).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What the seller called it.
    pub name: String,
    /// The first characters of the secret, to recognise it.
    #[schema(example = "dlv_AbC12x")]
    pub prefix: String,
    /// What it may do.
    pub scope: Scope,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used (updated at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(key: ApiKey) -> Self {
        let ApiKey {
            id,
            name,
            prefix,
            scope,
            created_at,
            last_used_at,
            tenant_id: _,
            secret_hash: _,
            created_by: _,
            revoked_at: _,
        } = key;
        Self {
            id,
            name,
            prefix,
            scope: Scope::from_db(&scope),
            created_at: created_at.and_utc(),
            last_used_at: last_used_at.map(|t| t.and_utc()),
        }
    }
}

/// A created key with its secret, shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiKey {
    /// The key.
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// Send as `Authorization: Bearer <secret>`. Not retrievable later.
    #[schema(example = "dlv_AbC12x...")]
    pub secret: String,
}

/// The shop's live API keys.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyList {
    /// Newest first (at most 50 exist).
    pub items: Vec<ApiKeyView>,
}

/// List the shop's API keys.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The live keys, newest first", body = ApiKeyList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<ApiKeyList>, ApiError> {
    let keys = state
        .db
        .read(move |conn| models::list_api_keys(conn, &caller.tenant_id))
        .await?;
    Ok(web::Json(ApiKeyList {
        items: keys.into_iter().map(ApiKeyView::from).collect(),
    }))
}

/// Create an API key. The answer holds the secret; it is never shown again.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "Created; `secret` is shown only now", body = CreatedApiKey),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner, or called with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The shop has the most keys allowed (`too_many_api_keys`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    caller: Writer,
    body: JsonBody<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let owner_id = caller.require_owner()?.to_owned();
    let body = body.into_inner();
    let (name,) = (Text::parse(&body.name, 1, 100).for_field("name"),).all()?;
    let tenant_id = caller.tenant_id.clone();
    let (key, secret) = state
        .db
        .write(move |conn| {
            models::create_api_key(conn, &tenant_id, &owner_id, name.as_str(), body.scope)
        })
        .await?;
    tracing::info!(tenant.id = %key.tenant_id, api_key.id = %key.id, "API key created");
    Ok(HttpResponse::Created().json(CreatedApiKey {
        key: key.into(),
        secret,
    }))
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner, or called with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/api-keys/{id}")]
pub async fn delete_api_key(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_owner()?;
    let (tenant_id, key_id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    state
        .db
        .write(move |conn| models::revoke_api_key(conn, &tenant_id, &key_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
