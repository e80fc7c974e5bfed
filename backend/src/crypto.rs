//! Secrets at rest and signed tokens.
//!
//! [`SecretBox`] seals stored credentials with XChaCha20-Poly1305 under the
//! server's encryption key. Each ciphertext is bound to its context (tenant
//! and row) as associated data, so a sealed value copied into another row or
//! shop fails to open instead of leaking there.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const NONCE_LEN: usize = 24;

/// Authenticated encryption with the server's key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox([redacted])")
    }
}

impl SecretBox {
    /// A box for a 32-byte key.
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// Encrypts `plaintext` bound to `context`; base64url(nonce ‖ ciphertext).
    pub fn seal(&self, plaintext: &[u8], context: &str) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// Decrypts what [`SecretBox::seal`] produced for the same `context`.
    pub fn open(&self, sealed: &str, context: &str) -> anyhow::Result<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed)
            .map_err(|_| anyhow::anyhow!("sealed value is not base64"))?;
        anyhow::ensure!(bytes.len() > NONCE_LEN, "sealed value is too short");
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| anyhow::anyhow!("bad nonce"))?;
        self.cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("sealed value does not open (wrong key or context)"))
    }
}

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 signatures for self-issued tokens (local download URLs).
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

impl Signer {
    /// A signer with its own key, derived from the server key and a purpose
    /// label so one key never serves two uses.
    pub fn new(server_key: &[u8], purpose: &str) -> Self {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(server_key).unwrap_or_else(|_| unreachable_hmac());
        mac.update(purpose.as_bytes());
        Self {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    /// base64url signature of `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable_hmac());
        mac.update(message);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Checks a signature in constant time.
    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable_hmac());
        mac.update(message);
        mac.verify_slice(&signature).is_ok()
    }
}

/// HMAC accepts keys of any length; this cannot happen.
fn unreachable_hmac() -> HmacSha256 {
    unreachable!("HMAC-SHA256 takes keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_context() {
        let b = SecretBox::new(&[7u8; 32]);
        let sealed = b.seal(b"s3cr3t", "storage:tenant-a:conn-1").unwrap();
        assert!(!sealed.contains("s3cr3t"));
        assert_eq!(
            b.open(&sealed, "storage:tenant-a:conn-1").unwrap(),
            b"s3cr3t"
        );
        assert!(
            b.open(&sealed, "storage:tenant-b:conn-1").is_err(),
            "moved to another shop"
        );
        assert!(
            b.open(&sealed, "storage:tenant-a:conn-2").is_err(),
            "moved to another row"
        );
        assert!(
            SecretBox::new(&[8u8; 32])
                .open(&sealed, "storage:tenant-a:conn-1")
                .is_err()
        );
        assert_ne!(
            sealed,
            b.seal(b"s3cr3t", "storage:tenant-a:conn-1").unwrap(),
            "random nonce"
        );
    }

    #[test]
    fn signatures_verify_only_for_their_message_and_purpose() {
        let s = Signer::new(b"server key", "local-files");
        let sig = s.sign(b"message");
        assert!(s.verify(b"message", &sig));
        assert!(!s.verify(b"messagf", &sig));
        assert!(!Signer::new(b"server key", "other").verify(b"message", &sig));
        assert!(!s.verify(b"message", "not base64!"));
    }
}
