//! `/api/v1/auth/*` and `/api/v1/me`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::domain::{Email, Password, Role, parse_shop_name};
use super::extract::{Caller, Principal};
use super::models::{self, Rotation};
use super::password;
use crate::AppState;
use crate::api_keys::Scope;
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::middleware::client_ip;
use crate::validation::{AllFields, ForField};

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(signup)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(me);
}

/// A new shop with its owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// The shop's display name (1–100 characters).
    #[schema(example = "Waldner Hörbuchverlag")]
    pub shop_name: String,
    /// The owner's email; signs in with it.
    #[schema(example = "owner@example.com")]
    pub email: String,
    /// At least 10 characters.
    #[schema(example = "correct horse battery staple")]
    pub password: String,
}

/// Email and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The user's email.
    #[schema(example = "owner@example.com")]
    pub email: String,
    /// The user's password.
    #[schema(example = "correct horse battery staple")]
    pub password: String,
}

/// A refresh token to exchange.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh; it works once.
    pub refresh_token: String,
}

/// A signed-in session's tokens.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// Short-lived bearer token for `Authorization: Bearer ...`.
    pub access_token: String,
    /// Exchange it at `/api/v1/auth/refresh` for new tokens; single use.
    pub refresh_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
}

/// The caller: their shop, and the user or API key they act as.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MeResponse {
    /// The shop every request is scoped to.
    pub shop: ShopView,
    /// The signed-in user; absent for API keys.
    pub user: Option<UserView>,
    /// The API key in use; absent for users.
    pub api_key: Option<ApiKeyIdentity>,
}

/// A shop.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShopView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Display name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A user.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Email (lower-cased).
    pub email: String,
    /// Owner or staff.
    pub role: Role,
}

/// The API key a request was made with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyIdentity {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What it may do.
    pub scope: Scope,
}

async fn issue_tokens(
    state: &AppState,
    user_id: &str,
    tenant_id: &str,
    session_id: &str,
    refresh_token: String,
) -> Result<TokenResponse, ApiError> {
    let access_token = state
        .access_tokens
        .issue(user_id, tenant_id, session_id)
        .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: state.access_tokens.ttl_secs(),
    })
}

/// Create a shop and its owner, and sign the owner in.
#[utoipa::path(
    tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Shop created; the owner is signed in", body = TokenResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is taken (`email_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ups from this address", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<SignupRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (shop_name, email, password) = (
        parse_shop_name(&body.shop_name).for_field("shop_name"),
        Email::parse(&body.email).for_field("email"),
        Password::parse(body.password).for_field("password"),
    )
        .all()?;
    state
        .login_limiter
        .check(client_ip(&req, &state.settings), None)?;
    let hash = web::block(move || password::hash(password.expose()))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let ttl_days = state.settings.refresh_token_ttl_days;
    let (user, session) = state
        .db
        .write(move |conn| {
            let (_, user) = models::create_shop_with_owner(conn, shop_name.as_str(), &email, hash)?;
            crate::storage::routes::create_default_local_connection(conn, &user.tenant_id)?;
            let session = models::open_session(conn, &user, ttl_days)?;
            Ok((user, session))
        })
        .await?;
    // The shop's local folder exists from the start, so files can be dropped in.
    if let Err(e) = state.storage.local(&user.tenant_id, "").ensure_root().await {
        tracing::warn!(tenant.id = %user.tenant_id, error = %e, "could not create the local storage folder");
    }
    tracing::info!(tenant.id = %user.tenant_id, user.id = %user.id, "shop created");
    let tokens = issue_tokens(
        &state,
        &user.id,
        &user.tenant_id,
        &session.session_id,
        session.refresh_token,
    )
    .await?;
    Ok(HttpResponse::Created().json(tokens))
}

/// Sign in with email and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password (the same answer for both)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this account or address; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let body = body.into_inner();
    if body.password.chars().count() > Password::MAX_CHARS {
        return Err(ApiError::field(
            "password",
            format!("must be at most {} characters", Password::MAX_CHARS),
        ));
    }
    // An address that cannot exist is treated like an unknown one, after
    // the same work, so the answer reveals nothing.
    let email = Email::parse(&body.email).ok();
    let account_key = email.as_ref().map_or_else(
        || body.email.trim().to_lowercase(),
        |e| e.as_str().to_owned(),
    );
    state
        .login_limiter
        .check(client_ip(&req, &state.settings), Some(&account_key))?;
    let user = match email {
        Some(email) => {
            state
                .db
                .read(move |conn| models::find_user_by_email(conn, email.as_str()))
                .await?
        }
        None => None,
    };
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let password = body.password;
    let valid = web::block(move || password::verify(&password, stored.as_deref()))
        .await
        .map_err(ApiError::internal)?;
    let user = match (valid, user) {
        (true, Some(user)) => user,
        _ => return Err(ApiError::Unauthorized("Wrong email or password.")),
    };
    let ttl_days = state.settings.refresh_token_ttl_days;
    let signed_in = user.clone();
    let session = state
        .db
        .write(move |conn| models::open_session(conn, &signed_in, ttl_days))
        .await?;
    tracing::info!(tenant.id = %user.tenant_id, user.id = %user.id, "signed in");
    let tokens = issue_tokens(
        &state,
        &user.id,
        &user.tenant_id,
        &session.session_id,
        session.refresh_token,
    )
    .await?;
    Ok(web::Json(tokens))
}

/// Exchange a refresh token for new tokens. Each refresh token works once;
/// presenting a used one ends the whole session (it was copied).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, used, expired or revoked refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let token = body.into_inner().refresh_token;
    if token.len() > 200 {
        return Err(ApiError::Unauthorized("The refresh token is invalid."));
    }
    let ttl_days = state.settings.refresh_token_ttl_days;
    let rotation = state
        .db
        .write(move |conn| models::rotate_refresh_token(conn, &token, ttl_days))
        .await?;
    match rotation {
        Rotation::Rotated {
            user_id,
            tenant_id,
            session_id,
            refresh_token,
        } => Ok(web::Json(
            issue_tokens(&state, &user_id, &tenant_id, &session_id, refresh_token).await?,
        )),
        Rotation::Reused => {
            tracing::warn!("a used refresh token was presented again; session revoked");
            Err(ApiError::Unauthorized(
                "The refresh token was already used; the session has been ended.",
            ))
        }
        Rotation::Invalid => Err(ApiError::Unauthorized("The refresh token is invalid.")),
    }
}

/// Sign out: ends the session of the access token, so it and its refresh
/// token stop working at once.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Called with an API key (`user_only`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let (_, _, session_id) = caller.user()?;
    let (tenant_id, session_id) = (caller.tenant_id.clone(), session_id.to_owned());
    state
        .db
        .write(move |conn| models::revoke_session(conn, &tenant_id, &session_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who am I: the caller's shop and user (or API key).
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeResponse),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me")]
pub async fn me(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<MeResponse>, ApiError> {
    let me = state
        .db
        .read(move |conn| {
            let tenant = models::find_tenant(conn, &caller.tenant_id)?;
            let shop = ShopView {
                id: tenant.id,
                name: tenant.name,
                created_at: tenant.created_at.and_utc(),
            };
            Ok(match caller.principal {
                Principal::User { user_id, .. } => {
                    let user = models::find_user(conn, &caller.tenant_id, &user_id)?;
                    MeResponse {
                        shop,
                        user: Some(UserView {
                            id: user.id,
                            email: user.email,
                            role: Role::from_db(&user.role),
                        }),
                        api_key: None,
                    }
                }
                Principal::ApiKey { key_id, scope } => MeResponse {
                    shop,
                    user: None,
                    api_key: Some(ApiKeyIdentity { id: key_id, scope }),
                },
            })
        })
        .await?;
    Ok(web::Json(me))
}
