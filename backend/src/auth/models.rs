//! Rows and queries for shops, users and sessions.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::domain::{Email, Role};
use super::tokens::{new_refresh_token, secret_hash};
use crate::db::schema::{order_counters, refresh_tokens, sessions, tenants, users};
use crate::db::{DbConnection, new_id, now};
use crate::error::ApiError;

/// A seller's shop.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tenants)]
pub struct Tenant {
    /// Id (UUID text).
    pub id: String,
    /// Display name.
    pub name: String,
    /// When it was created (UTC).
    pub created_at: NaiveDateTime,
}

/// A person who signs in to a shop.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    /// Id (UUID text).
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// Lower-cased email, unique across the server.
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// `owner` or `staff`.
    pub role: String,
    /// When it was created (UTC).
    pub created_at: NaiveDateTime,
}

/// Creates a shop with its owner. A taken email answers 409 `email_taken`.
pub fn create_shop_with_owner(
    conn: &mut DbConnection,
    shop_name: &str,
    email: &Email,
    password_hash: String,
) -> Result<(Tenant, User), ApiError> {
    let created_at = now();
    let tenant = Tenant {
        id: new_id(),
        name: shop_name.to_owned(),
        created_at,
    };
    let user = User {
        id: new_id(),
        tenant_id: tenant.id.clone(),
        email: email.as_str().to_owned(),
        password_hash,
        role: Role::Owner.as_str().to_owned(),
        created_at,
    };
    conn.transaction(|conn| {
        diesel::insert_into(tenants::table)
            .values(&tenant)
            .execute(conn)?;
        diesel::insert_into(users::table)
            .values(&user)
            .execute(conn)
            .map_err(|err| match err {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    ApiError::Conflict {
                        code: "email_taken",
                        detail: "An account with this email already exists.".into(),
                    }
                }
                other => other.into(),
            })?;
        // The shop's order numbers start at 1; concurrent order creations
        // lock this row to take distinct numbers.
        diesel::insert_into(order_counters::table)
            .values((
                order_counters::tenant_id.eq(&tenant.id),
                order_counters::next_number.eq(1_i64),
            ))
            .execute(conn)?;
        crate::notifications::defaults::install(conn, &tenant.id)
    })?;
    Ok((tenant, user))
}

/// The user with this email, if any.
pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// A shop by id.
pub fn find_tenant(conn: &mut DbConnection, tenant_id: &str) -> Result<Tenant, ApiError> {
    Ok(tenants::table
        .find(tenant_id)
        .select(Tenant::as_select())
        .first(conn)?)
}

/// A user of the given shop.
pub fn find_user(
    conn: &mut DbConnection,
    tenant_id: &str,
    user_id: &str,
) -> Result<User, ApiError> {
    Ok(users::table
        .filter(users::tenant_id.eq(tenant_id))
        .filter(users::id.eq(user_id))
        .select(User::as_select())
        .first(conn)?)
}

/// A freshly opened session: its id and the refresh token to hand out.
pub struct NewSession {
    /// Session id (goes into access tokens).
    pub session_id: String,
    /// The refresh token; only its hash is stored.
    pub refresh_token: String,
}

/// Opens a session for a user with its first refresh token.
pub fn open_session(
    conn: &mut DbConnection,
    user: &User,
    ttl_days: u64,
) -> Result<NewSession, ApiError> {
    let created_at = now();
    let session_id = new_id();
    let refresh_token = new_refresh_token();
    let expires_at = created_at + Duration::days(i64::try_from(ttl_days).unwrap_or(30));
    conn.transaction(|conn| {
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&session_id),
                sessions::tenant_id.eq(&user.tenant_id),
                sessions::user_id.eq(&user.id),
                sessions::created_at.eq(created_at),
                sessions::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        insert_refresh_token(conn, &session_id, &refresh_token, created_at)
    })?;
    Ok(NewSession {
        session_id,
        refresh_token,
    })
}

fn insert_refresh_token(
    conn: &mut DbConnection,
    session_id: &str,
    token: &str,
    created_at: NaiveDateTime,
) -> Result<(), DieselError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(secret_hash(token)),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::created_at.eq(created_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The outcome of presenting a refresh token.
pub enum Rotation {
    /// The token was current: here is its successor.
    Rotated {
        /// The session's user.
        user_id: String,
        /// The session's shop.
        tenant_id: String,
        /// The session.
        session_id: String,
        /// The new refresh token.
        refresh_token: String,
    },
    /// Unknown, expired or revoked.
    Invalid,
    /// Already used once: someone holds a copy, so the session was revoked.
    Reused,
}

/// A refresh token's use and its session: (used at, session id, user id,
/// tenant id, session expiry, session revocation).
type RefreshLookup = (
    Option<NaiveDateTime>,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

/// Swaps a current refresh token for a new one (one use only) and slides the
/// session's expiry. Presenting a used token revokes the whole session.
pub fn rotate_refresh_token(
    conn: &mut DbConnection,
    token: &str,
    ttl_days: u64,
) -> Result<Rotation, ApiError> {
    let hash = secret_hash(token);
    let at = now();
    Ok(conn.transaction(|conn| {
        let found: Option<RefreshLookup> = refresh_tokens::table
            .inner_join(sessions::table)
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select((
                refresh_tokens::used_at,
                sessions::id,
                sessions::user_id,
                sessions::tenant_id,
                sessions::expires_at,
                sessions::revoked_at,
            ))
            .first(conn)
            .optional()?;
        let Some((used_at, session_id, user_id, tenant_id, expires_at, revoked_at)) = found else {
            return Ok::<_, DieselError>(Rotation::Invalid);
        };
        if revoked_at.is_some() || expires_at <= at {
            return Ok(Rotation::Invalid);
        }
        // The conditional update is what makes a token single-use even when
        // two refreshes race: only one of them changes the row.
        let claimed = diesel::update(refresh_tokens::table)
            .filter(refresh_tokens::token_hash.eq(&hash))
            .filter(refresh_tokens::used_at.is_null())
            .set(refresh_tokens::used_at.eq(at))
            .execute(conn)?;
        if used_at.is_some() || claimed == 0 {
            revoke_session_row(conn, &session_id, at)?;
            return Ok(Rotation::Reused);
        }
        let refresh_token = new_refresh_token();
        insert_refresh_token(conn, &session_id, &refresh_token, at)?;
        diesel::update(sessions::table.find(&session_id))
            .set(
                sessions::expires_at.eq(at + Duration::days(i64::try_from(ttl_days).unwrap_or(30))),
            )
            .execute(conn)?;
        Ok(Rotation::Rotated {
            user_id,
            tenant_id,
            session_id,
            refresh_token,
        })
    })?)
}

fn revoke_session_row(
    conn: &mut DbConnection,
    session_id: &str,
    at: NaiveDateTime,
) -> Result<usize, DieselError> {
    diesel::update(sessions::table.find(session_id))
        .filter(sessions::revoked_at.is_null())
        .set(sessions::revoked_at.eq(at))
        .execute(conn)
}

/// Ends a session: its access and refresh tokens stop working at once.
pub fn revoke_session(
    conn: &mut DbConnection,
    tenant_id: &str,
    session_id: &str,
) -> Result<(), ApiError> {
    diesel::update(sessions::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::tenant_id.eq(tenant_id))
        .filter(sessions::revoked_at.is_null())
        .set(sessions::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// The role and email of the session's user if the session is live, else `None`.
pub fn live_session_user(
    conn: &mut DbConnection,
    tenant_id: &str,
    user_id: &str,
    session_id: &str,
) -> Result<Option<(Role, String)>, ApiError> {
    let row: Option<(String, String, NaiveDateTime, Option<NaiveDateTime>)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::tenant_id.eq(tenant_id))
        .filter(sessions::user_id.eq(user_id))
        .select((
            users::role,
            users::email,
            sessions::expires_at,
            sessions::revoked_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(role, email, expires_at, revoked_at)| {
        (revoked_at.is_none() && expires_at > now()).then(|| (Role::from_db(&role), email))
    }))
}
