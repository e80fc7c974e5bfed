//! Access tokens (HS256 JWTs, algorithm pinned, audience/issuer/type checked)
//! and opaque refresh tokens (random, stored only as a SHA-256 hash).

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::random_base64;

/// Who issues access tokens.
pub const ISSUER: &str = "delivery";
/// Who accepts them: this API.
pub const AUDIENCE: &str = "delivery-api";
/// The `typ` claim of an access token, so no other token of ours passes as one.
pub const ACCESS_TYPE: &str = "access";

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// The user's shop (tenant) id.
    pub tid: String,
    /// The session id; a revoked session voids its access tokens at once.
    pub sid: String,
    /// Token type, always `access`.
    pub typ: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
}

/// Signing and verification keys for access tokens.
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

impl AccessTokens {
    /// Keys derived from the server's signing secret.
    pub fn new(secret: &SecretString, ttl_secs: u64) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            ttl_secs: i64::try_from(ttl_secs).unwrap_or(900),
        }
    }

    /// Seconds an access token lives.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Signs a new access token for a session.
    pub fn issue(
        &self,
        user_id: &str,
        tenant_id: &str,
        session_id: &str,
    ) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.into(),
            tid: tenant_id.into(),
            sid: session_id.into(),
            typ: ACCESS_TYPE.into(),
            iat: now,
            exp: now + self.ttl_secs,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of a valid, unexpired access token, or `None`.
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        let data =
            jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation).ok()?;
        (data.claims.typ == ACCESS_TYPE).then_some(data.claims)
    }
}

/// A new random refresh token (256 bits).
pub fn new_refresh_token() -> String {
    format!("rt_{}", random_base64(32))
}

/// The stored form of a high-entropy secret (refresh token, API key).
/// A fast hash is enough: the secrets are random, not passwords.
pub fn secret_hash(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> AccessTokens {
        AccessTokens::new(&SecretString::from("k".repeat(48)), 900)
    }

    #[test]
    fn issued_token_verifies() {
        let t = tokens();
        let token = t.issue("u", "t", "s").unwrap();
        let claims = t.verify(&token).unwrap();
        assert_eq!(
            (
                claims.sub.as_str(),
                claims.tid.as_str(),
                claims.sid.as_str()
            ),
            ("u", "t", "s")
        );
    }

    #[test]
    fn other_key_and_garbage_are_refused() {
        let token = tokens().issue("u", "t", "s").unwrap();
        let other = AccessTokens::new(&SecretString::from("x".repeat(48)), 900);
        assert!(other.verify(&token).is_none());
        assert!(tokens().verify("not.a.jwt").is_none());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = new_refresh_token();
        assert_ne!(a, new_refresh_token());
        assert_eq!(secret_hash(&a).len(), 64);
        assert_ne!(secret_hash(&a), a);
    }
}
