//! Typed settings, loaded once at start and handed down through [`crate::AppState`].
//!
//! Sources, later ones win: built-in defaults, an optional TOML file named by
//! `DELIVERY_CONFIG`, then environment variables (`DATABASE_URL` and every
//! `DELIVERY_*`). An unknown `DELIVERY_*` variable or file key is an error that
//! names it, so a typo never silently falls back to a default.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// How hard SQLite syncs to disk on commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// WAL + NORMAL: a killed process loses nothing; a power cut may lose the
    /// last commits. Thousands of writes per second.
    Normal,
    /// An fsync per commit: survives power loss, a few hundred writes per second.
    Full,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the start (port 465).
    Tls,
    /// No encryption (only for a relay on the same host).
    None,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Everything the server can be configured with. Field names are the
/// lower-case environment variable names without the `DELIVERY_` prefix.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://PATH` or `postgres://...`; default: `delivery.db` in the data dir.
    pub database_url: Option<String>,
    /// Where the SQLite file, the generated secrets and local storage live.
    pub data_dir: PathBuf,
    /// Base URL customers reach the server under (portal links start with it).
    pub public_url: String,
    /// Address `delivery serve` listens on unless `--bind` says otherwise.
    pub bind: String,
    /// Key for signing access tokens (at least 32 bytes). Generated into the data dir when absent.
    #[serde(serialize_with = "serialize_redacted")]
    pub signing_secret: Option<SecretString>,
    /// Key for encrypting stored credentials (base64url of 32 bytes). Generated when absent.
    #[serde(serialize_with = "serialize_redacted")]
    pub encryption_key: Option<SecretString>,
    /// Lifetime of an access token, in seconds.
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token (and so of an idle session), in days.
    pub refresh_token_ttl_days: u64,
    /// SQLite durability, see [`SqliteSynchronous`].
    pub sqlite_synchronous: SqliteSynchronous,
    /// Connections in the PostgreSQL pool, or in SQLite's read pool.
    pub db_pool_size: u32,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Login attempts allowed per account in a burst; one more per minute after that.
    pub login_burst_per_account: u32,
    /// Login attempts allowed per client IP in a burst; one more every 6 seconds after that.
    pub login_burst_per_ip: u32,
    /// Trust the first `X-Forwarded-For` address as the client IP (only behind a proxy you run).
    pub trust_forwarded_for: bool,
    /// Lifetime of a presigned download URL, in seconds (5–3600).
    pub presign_ttl_secs: u64,
    /// How long a download trusts that a file it found in the bucket is still
    /// there, in seconds (0–300; 0 = ask the bucket on every download).
    pub storage_presence_cache_secs: u64,
    /// Allow plain `http://` storage endpoints (e.g. MinIO on the same host).
    pub storage_allow_http: bool,
    /// Allow storage endpoints on loopback, private, link-local and CGNAT addresses.
    pub storage_allow_private_endpoints: bool,
    /// SMTP server; unset = mails are written as `.eml` files to `DATA_DIR/mail`.
    pub mail_smtp_host: Option<String>,
    /// SMTP port.
    pub mail_smtp_port: u16,
    /// `starttls`, `tls` or `none`.
    pub mail_smtp_security: SmtpSecurity,
    /// SMTP user name.
    pub mail_smtp_username: Option<String>,
    /// SMTP password.
    #[serde(serialize_with = "serialize_redacted")]
    pub mail_smtp_password: Option<SecretString>,
    /// Sender of every mail, e.g. `Downloads <downloads@example.com>`.
    pub mail_from: String,
    /// How often the outbox worker looks for due messages, in milliseconds.
    pub outbox_poll_ms: u64,
    /// First retry delay after a failed delivery (doubles each time), in milliseconds.
    pub outbox_retry_base_ms: u64,
    /// Delivery attempts before a message is marked failed.
    pub outbox_max_attempts: u32,
    /// How long a server holds the messages it claimed, in seconds: a server
    /// that dies mid-send leaves them to another (or its restart) after this.
    pub outbox_claim_secs: u64,
    /// `delivery demo` (run by `make run`) may create the demo shop on an
    /// empty database. Off, or with an `https` public URL (a real
    /// deployment), it never does.
    pub demo: bool,
    /// The platform operator's support contact, shown in every portal.
    pub operator_support_email: Option<String>,
    /// Folder of the built single-page app served at `/`.
    pub static_dir: PathBuf,
    /// `pretty` or `json`.
    pub log_format: LogFormat,
}

fn serialize_redacted<S: serde::Serializer>(
    value: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value.as_ref().map(|_| "[redacted]").serialize(serializer)
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: None,
            data_dir: PathBuf::from("./data"),
            public_url: "http://127.0.0.1:8080".into(),
            bind: "127.0.0.1:8080".into(),
            signing_secret: None,
            encryption_key: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            sqlite_synchronous: SqliteSynchronous::Normal,
            db_pool_size: 8,
            max_body_bytes: 256 * 1024,
            login_burst_per_account: 5,
            login_burst_per_ip: 30,
            trust_forwarded_for: false,
            presign_ttl_secs: 60,
            storage_presence_cache_secs: 30,
            storage_allow_http: false,
            storage_allow_private_endpoints: false,
            operator_support_email: None,
            mail_smtp_host: None,
            mail_smtp_port: 587,
            mail_smtp_security: SmtpSecurity::Starttls,
            mail_smtp_username: None,
            mail_smtp_password: None,
            mail_from: "Downloads <downloads@delivery.invalid>".into(),
            outbox_poll_ms: 1000,
            outbox_retry_base_ms: 30_000,
            outbox_max_attempts: 8,
            outbox_claim_secs: 120,
            demo: true,
            static_dir: PathBuf::from("frontend/dist"),
            log_format: LogFormat::Pretty,
        }
    }
}

impl Settings {
    /// Loads defaults, then `DELIVERY_CONFIG` (a TOML file) if set, then the environment.
    pub fn load() -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Ok(path) = std::env::var("DELIVERY_CONFIG") {
            if !Path::new(&path).exists() {
                bail!("DELIVERY_CONFIG names a file that does not exist: {path}");
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("DELIVERY_").ignore(&["CONFIG"]));
        let settings: Settings = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid setting: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(60..=24 * 3600).contains(&self.access_token_ttl_secs) {
            bail!("access_token_ttl_secs must be between 60 and 86400");
        }
        if !(5..=3600).contains(&self.presign_ttl_secs) {
            bail!("presign_ttl_secs must be between 5 and 3600");
        }
        if self.storage_presence_cache_secs > 300 {
            bail!("storage_presence_cache_secs must be between 0 and 300");
        }
        if self.db_pool_size == 0 {
            bail!("db_pool_size must be at least 1");
        }
        if self.max_body_bytes < 1024 {
            bail!("max_body_bytes must be at least 1024");
        }
        url_has_http_scheme(&self.public_url)
            .then_some(())
            .context("public_url must start with http:// or https://")?;
        Ok(())
    }

    /// The database URL, defaulting to a SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("delivery.db").display()))
    }

    /// The public base URL without a trailing slash.
    pub fn public_base(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }
}

fn url_has_http_scheme(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// The server's own keys, from settings or from the data dir.
#[derive(Clone)]
pub struct ServerKeys {
    /// HMAC key for access tokens.
    pub signing: SecretString,
    /// 32-byte key for authenticated encryption of stored credentials.
    pub encryption: [u8; 32],
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKeys([redacted])")
    }
}

/// What is kept in `secrets.toml` in the data dir.
#[derive(Serialize, Deserialize)]
struct SecretsFile {
    signing_secret: String,
    encryption_key: String,
}

impl ServerKeys {
    /// Uses the configured keys; any that are missing come from
    /// `DATA_DIR/secrets.toml`, which is created (mode 0600) on first start.
    pub fn load_or_generate(settings: &Settings) -> anyhow::Result<Self> {
        let file = ensure_secrets_file(&settings.data_dir)?;
        let signing = match &settings.signing_secret {
            Some(s) if s.expose_secret().len() < 32 => {
                bail!("signing_secret must be at least 32 characters")
            }
            Some(s) => s.clone(),
            None => SecretString::from(file.signing_secret.clone()),
        };
        let encoded = match &settings.encryption_key {
            Some(k) => k.expose_secret().to_owned(),
            None => file.encryption_key.clone(),
        };
        let raw = URL_SAFE_NO_PAD
            .decode(encoded.trim())
            .context("encryption_key must be base64url (no padding) of 32 bytes")?;
        let encryption: [u8; 32] = raw
            .try_into()
            .map_err(|_| anyhow::anyhow!("encryption_key must be exactly 32 bytes"))?;
        Ok(Self {
            signing,
            encryption,
        })
    }
}

fn ensure_secrets_file(data_dir: &Path) -> anyhow::Result<SecretsFile> {
    let path = data_dir.join("secrets.toml");
    if path.exists() {
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        return toml_from_str(&text).with_context(|| format!("parsing {}", path.display()));
    }
    fs::create_dir_all(data_dir)
        .with_context(|| format!("creating data dir {}", data_dir.display()))?;
    let secrets = SecretsFile {
        signing_secret: random_base64(48),
        encryption_key: random_base64(32),
    };
    let text = format!(
        "# Generated on first start. Keep it secret and back it up: stored\n\
         # credentials cannot be decrypted without encryption_key.\n\
         signing_secret = \"{}\"\nencryption_key = \"{}\"\n",
        secrets.signing_secret, secrets.encryption_key
    );
    write_private(&path, text.as_bytes())?;
    Ok(secrets)
}

fn toml_from_str(text: &str) -> anyhow::Result<SecretsFile> {
    Figment::from(Toml::string(text))
        .extract()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Writes a file only the owner can read, atomically (temp file + rename).
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// `len` random bytes, base64url without padding.
pub fn random_base64(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_generated_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        };
        let first = ServerKeys::load_or_generate(&settings).unwrap();
        let second = ServerKeys::load_or_generate(&settings).unwrap();
        assert_eq!(first.encryption, second.encryption);
        assert_eq!(
            first.signing.expose_secret(),
            second.signing.expose_secret()
        );
        assert!(!format!("{first:?}").contains(first.signing.expose_secret()));
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail's closure returns figment::Error"
    )]
    fn environment_overrides_defaults_and_unknown_settings_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "postgres://db.example/delivery");
            jail.set_env("DELIVERY_PUBLIC_URL", "https://files.example.com/");
            jail.set_env("DELIVERY_SQLITE_SYNCHRONOUS", "full");
            let settings = Settings::load().map_err(|e| e.to_string())?;
            assert_eq!(settings.database_url(), "postgres://db.example/delivery");
            assert_eq!(settings.public_base(), "https://files.example.com");
            assert_eq!(settings.sqlite_synchronous, SqliteSynchronous::Full);

            jail.set_env("DELIVERY_PUBLIK_URL", "typo");
            let err = Settings::load().expect_err("unknown setting").to_string();
            assert!(err.contains("publik_url"), "{err}");
            Ok(())
        });
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail's closure returns figment::Error"
    )]
    fn config_file_is_read_and_checked() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("delivery.toml", "db_pool_size = 3\nbind = \"0.0.0.0:9000\"")?;
            jail.set_env("DELIVERY_CONFIG", "delivery.toml");
            let settings = Settings::load().map_err(|e| e.to_string())?;
            assert_eq!(
                (settings.db_pool_size, settings.bind.as_str()),
                (3, "0.0.0.0:9000")
            );
            jail.create_file("delivery.toml", "db_pool_size = 0")?;
            assert!(Settings::load().is_err(), "a pool of zero is refused");
            Ok(())
        });
    }

    #[test]
    fn short_signing_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            data_dir: dir.path().to_path_buf(),
            signing_secret: Some(SecretString::from("short")),
            ..Settings::default()
        };
        assert!(ServerKeys::load_or_generate(&settings).is_err());
    }
}
