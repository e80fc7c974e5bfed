//! Who is calling: [`Caller`] accepts a seller's access token or an API key
//! (`Authorization: Bearer ...`); [`Writer`] additionally refuses read-only
//! keys. Taking one of them as a handler parameter is the whole "requires
//! login" declaration.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::domain::Role;
use super::models::live_session_user;
use crate::AppState;
use crate::api_keys::Scope;
use crate::api_keys::models::{API_KEY_PREFIX, authenticate_api_key, touch_api_key};
use crate::error::ApiError;

/// What authenticated the caller.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A signed-in user.
    User {
        /// The user.
        user_id: String,
        /// Their role, read fresh from the database.
        role: Role,
        /// Their session (logout revokes it).
        session_id: String,
    },
    /// An integration's API key.
    ApiKey {
        /// The key.
        key_id: String,
        /// What it may do.
        scope: Scope,
    },
}

/// An authenticated caller, always bound to one shop.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The shop every query of this request is scoped to.
    pub tenant_id: String,
    /// User or API key.
    pub principal: Principal,
    /// Who it is, for the order history: `user:<email>` or `api_key:<name>`.
    pub actor: String,
}

const FORBIDDEN_OWNER: ApiError = ApiError::Forbidden {
    code: "owner_only",
    detail: "Only the shop's owner may do this.",
};

impl Caller {
    /// The user id, or 403 for API keys.
    pub fn user(&self) -> Result<(&str, Role, &str), ApiError> {
        match &self.principal {
            Principal::User {
                user_id,
                role,
                session_id,
            } => Ok((user_id, *role, session_id)),
            Principal::ApiKey { .. } => Err(ApiError::Forbidden {
                code: "user_only",
                detail: "This needs a signed-in user, not an API key.",
            }),
        }
    }

    /// Succeeds only for the shop's owner.
    pub fn require_owner(&self) -> Result<&str, ApiError> {
        match self.user()? {
            (user_id, Role::Owner, _) => Ok(user_id),
            _ => Err(FORBIDDEN_OWNER),
        }
    }

    /// Whether this caller may change data.
    pub fn can_write(&self) -> bool {
        !matches!(
            self.principal,
            Principal::ApiKey {
                scope: Scope::Read,
                ..
            }
        )
    }
}

/// The bearer token of the request, if any.
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

async fn authenticate(
    state: web::Data<AppState>,
    token: Option<String>,
) -> Result<Caller, ApiError> {
    let token = token.ok_or(ApiError::Unauthorized(
        "Sign in or send an API key as a bearer token.",
    ))?;
    if token.starts_with(API_KEY_PREFIX) {
        let (caller, stale) = state
            .db
            .read(move |conn| authenticate_api_key(conn, &token))
            .await?
            .ok_or(ApiError::Unauthorized("The API key is unknown or revoked."))?;
        if let (true, Principal::ApiKey { key_id, .. }) = (stale, &caller.principal) {
            let key_id = key_id.clone();
            state
                .db
                .write(move |conn| touch_api_key(conn, &key_id))
                .await?;
        }
        return Ok(caller);
    }
    let claims = state
        .access_tokens
        .verify(&token)
        .ok_or(ApiError::Unauthorized(
            "The access token is invalid or expired.",
        ))?;
    let (tenant_id, user_id, session_id) = (claims.tid, claims.sub, claims.sid);
    let lookup = (tenant_id.clone(), user_id.clone(), session_id.clone());
    let (role, email) = state
        .db
        .read(move |conn| live_session_user(conn, &lookup.0, &lookup.1, &lookup.2))
        .await?
        .ok_or(ApiError::Unauthorized(
            "The session has ended. Sign in again.",
        ))?;
    Ok(Caller {
        tenant_id,
        principal: Principal::User {
            user_id,
            role,
            session_id,
        },
        actor: format!("user:{email}"),
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))?;
            authenticate(state, token).await
        })
    }
}

/// A caller allowed to change data (a user, or a read-write API key).
#[derive(Debug, Clone)]
pub struct Writer(pub Caller);

impl std::ops::Deref for Writer {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequest for Writer {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            if caller.can_write() {
                Ok(Writer(caller))
            } else {
                Err(ApiError::Forbidden {
                    code: "insufficient_scope",
                    detail: "This API key may only read.",
                })
            }
        })
    }
}
