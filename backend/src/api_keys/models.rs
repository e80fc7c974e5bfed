//! Rows and queries for API keys. Every query takes the caller's tenant.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::Scope;
use crate::auth::tokens::secret_hash;
use crate::auth::{Caller, Principal};
use crate::config::random_base64;
use crate::db::schema::api_keys;
use crate::db::{DbConnection, new_id, now};
use crate::error::ApiError;

/// Every API key secret starts with this, so a bearer token is told apart
/// from an access token without trying both (and leaked keys are greppable).
pub const API_KEY_PREFIX: &str = "dlv_";

/// A shop may hold at most this many live keys.
pub const MAX_KEYS_PER_SHOP: i64 = 50;

/// How stale `last_used_at` may get before a use writes it again: a busy
/// integration should not turn every read into a write.
const TOUCH_AFTER: Duration = Duration::seconds(60);

/// A stored API key.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    /// Id (UUID text).
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// What the seller called it.
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    /// SHA-256 of the secret.
    pub secret_hash: String,
    /// `read` or `read_write`.
    pub scope: String,
    /// The user who created it.
    pub created_by: Option<String>,
    /// When it was created.
    pub created_at: NaiveDateTime,
    /// When it was last used (to the minute).
    pub last_used_at: Option<NaiveDateTime>,
    /// When it was revoked.
    pub revoked_at: Option<NaiveDateTime>,
}

/// Creates a key; returns the row and the secret (shown once, never stored).
pub fn create_api_key(
    conn: &mut DbConnection,
    tenant_id: &str,
    created_by: &str,
    name: &str,
    scope: Scope,
) -> Result<(ApiKey, String), ApiError> {
    let secret = format!("{API_KEY_PREFIX}{}", random_base64(32));
    let key = ApiKey {
        id: new_id(),
        tenant_id: tenant_id.to_owned(),
        name: name.to_owned(),
        prefix: secret.chars().take(API_KEY_PREFIX.len() + 6).collect(),
        secret_hash: secret_hash(&secret),
        scope: scope.as_str().to_owned(),
        created_by: Some(created_by.to_owned()),
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    };
    conn.transaction(|conn| {
        let live: i64 = api_keys::table
            .filter(api_keys::tenant_id.eq(tenant_id))
            .filter(api_keys::revoked_at.is_null())
            .count()
            .get_result(conn)?;
        if live >= MAX_KEYS_PER_SHOP {
            return Err(ApiError::Conflict {
                code: "too_many_api_keys",
                detail: format!(
                    "A shop can hold at most {MAX_KEYS_PER_SHOP} API keys; revoke one first."
                ),
            });
        }
        diesel::insert_into(api_keys::table)
            .values(&key)
            .execute(conn)?;
        Ok(())
    })?;
    Ok((key, secret))
}

/// The shop's live keys, newest first.
pub fn list_api_keys(conn: &mut DbConnection, tenant_id: &str) -> Result<Vec<ApiKey>, ApiError> {
    Ok(api_keys::table
        .filter(api_keys::tenant_id.eq(tenant_id))
        .filter(api_keys::revoked_at.is_null())
        .order(api_keys::id.desc())
        .select(ApiKey::as_select())
        .load(conn)?)
}

/// Revokes one of the shop's keys; a foreign or unknown id is 404.
pub fn revoke_api_key(
    conn: &mut DbConnection,
    tenant_id: &str,
    key_id: &str,
) -> Result<(), ApiError> {
    let changed = diesel::update(api_keys::table)
        .filter(api_keys::tenant_id.eq(tenant_id))
        .filter(api_keys::id.eq(key_id))
        .filter(api_keys::revoked_at.is_null())
        .set(api_keys::revoked_at.eq(now()))
        .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// The caller a live key stands for, and whether its last use is stale.
pub fn authenticate_api_key(
    conn: &mut DbConnection,
    secret: &str,
) -> Result<Option<(Caller, bool)>, ApiError> {
    let key: Option<ApiKey> = api_keys::table
        .filter(api_keys::secret_hash.eq(secret_hash(secret)))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKey::as_select())
        .first(conn)
        .optional()?;
    Ok(key.map(|key| {
        let stale = key.last_used_at.is_none_or(|at| now() - at > TOUCH_AFTER);
        let caller = Caller {
            tenant_id: key.tenant_id,
            principal: Principal::ApiKey {
                key_id: key.id,
                scope: Scope::from_db(&key.scope),
            },
            actor: format!("api_key:{}", key.name),
        };
        (caller, stale)
    }))
}

/// Records a use of the key.
pub fn touch_api_key(conn: &mut DbConnection, key_id: &str) -> Result<(), ApiError> {
    diesel::update(api_keys::table.find(key_id))
        .set(api_keys::last_used_at.eq(now()))
        .execute(conn)?;
    Ok(())
}
