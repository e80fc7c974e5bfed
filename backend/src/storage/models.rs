//! Rows and queries for storage connections, and turning a row into a
//! usable [`Storage`]. Every query takes the caller's tenant.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use aws_sdk_s3::config::SharedHttpClient;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::endpoint::{EndpointPolicy, check_endpoint, parse_endpoint};
use super::local::{LocalStorage, relative_root, storage_base};
use super::presence::PresenceCache;
use super::s3::{S3Config, S3Storage};
use super::{Storage, StorageError, bounded_ttl};
use crate::config::{ServerKeys, Settings};
use crate::crypto::{SecretBox, Signer};
use crate::db::schema::{article_files, storage_connections};
use crate::db::{DbConnection, new_id, now};
use crate::error::ApiError;

/// A shop may hold at most this many connections.
pub const MAX_CONNECTIONS_PER_SHOP: i64 = 100;

/// The kinds of storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StorageKind {
    /// Any S3-compatible service.
    S3,
    /// A folder under the server's data dir.
    Local,
}

impl StorageKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageKind::S3 => "s3",
            StorageKind::Local => "local",
        }
    }

    /// Reads the stored form.
    pub fn from_db(value: &str) -> StorageKind {
        if value == "s3" {
            StorageKind::S3
        } else {
            StorageKind::Local
        }
    }
}

/// A stored connection.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = storage_connections)]
pub struct StorageConnection {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// What the seller called it.
    pub name: String,
    /// `s3` or `local`.
    pub kind: String,
    /// S3: base URL.
    pub endpoint: Option<String>,
    /// S3: region.
    pub region: Option<String>,
    /// S3: bucket.
    pub bucket: Option<String>,
    /// The special folder: "" or ending in `/`.
    pub root_prefix: String,
    /// S3: path-style addressing.
    pub path_style: bool,
    /// S3: sealed credentials.
    pub credentials_sealed: Option<String>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// Last tested.
    pub last_checked_at: Option<NaiveDateTime>,
    /// What the last test found wrong, if anything.
    pub last_check_error: Option<String>,
}

/// S3 credentials as sealed at rest.
#[derive(Serialize, Deserialize)]
pub struct S3Credentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
}

/// What storage needs from the server: keys, the outbound policy, the
/// shared HTTP client and where local folders live.
pub struct StorageServices {
    /// Seals credentials.
    pub secret_box: SecretBox,
    /// Signs local download links.
    pub local_signer: Signer,
    /// Which endpoints the server may reach.
    pub policy: EndpointPolicy,
    /// Shared by all bucket clients.
    pub http: SharedHttpClient,
    /// `DATA_DIR/storage`.
    pub local_base: PathBuf,
    /// Base URL for local download links.
    pub public_base: String,
    /// How long a download URL lives.
    pub presign_ttl: Duration,
    /// Files downloads recently found in their bucket.
    pub presence: PresenceCache,
    /// Bucket clients by connection id, with the `updated_at` of the row
    /// they were built from: building one (credentials decrypted, the SDK
    /// configured) costs more than the rest of a download, so a download
    /// reuses it until the seller changes the connection.
    s3_clients: std::sync::Mutex<HashMap<String, (NaiveDateTime, S3Storage)>>,
}

/// Clients kept at most; past this the cache starts over (a bound, not a policy).
const MAX_CACHED_CLIENTS: usize = 1024;

impl StorageServices {
    /// Built from the settings and the server's keys.
    pub fn new(settings: &Settings, keys: &ServerKeys) -> Self {
        use secrecy::ExposeSecret;
        Self {
            secret_box: SecretBox::new(&keys.encryption),
            local_signer: Signer::new(keys.signing.expose_secret().as_bytes(), "local-file-links"),
            policy: EndpointPolicy {
                allow_http: settings.storage_allow_http,
                allow_private: settings.storage_allow_private_endpoints,
            },
            http: super::s3::http_client(),
            local_base: storage_base(&settings.data_dir),
            public_base: settings.public_base().to_owned(),
            presign_ttl: bounded_ttl(settings.presign_ttl_secs),
            presence: PresenceCache::new(settings.storage_presence_cache_secs),
            s3_clients: std::sync::Mutex::default(),
        }
    }

    /// The bucket client of an S3 connection, built once per version of its row.
    fn s3_client(&self, conn: &StorageConnection) -> Result<S3Storage, ApiError> {
        let mut cache = self.s3_clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((version, client)) = cache.get(&conn.id)
            && *version == conn.updated_at
        {
            return Ok(client.clone());
        }
        let creds = self.unseal(conn)?;
        let client = S3Storage::new(
            S3Config {
                endpoint: conn.endpoint.clone().unwrap_or_default(),
                region: conn.region.clone().unwrap_or_else(|| "us-east-1".into()),
                bucket: conn.bucket.clone().unwrap_or_default(),
                root_prefix: conn.root_prefix.clone(),
                path_style: conn.path_style,
                access_key_id: creds.access_key_id,
                secret_access_key: creds.secret_access_key,
            },
            self.http.clone(),
        );
        if cache.len() >= MAX_CACHED_CLIENTS {
            cache.clear();
        }
        cache.insert(conn.id.clone(), (conn.updated_at, client.clone()));
        Ok(client)
    }

    /// The context a connection's credentials are sealed to.
    fn context(tenant_id: &str, connection_id: &str) -> String {
        format!("storage_connection:{tenant_id}:{connection_id}")
    }

    /// Seals credentials for one connection row.
    pub fn seal(
        &self,
        tenant_id: &str,
        connection_id: &str,
        creds: &S3Credentials,
    ) -> Result<String, ApiError> {
        let json = serde_json::to_vec(creds).map_err(ApiError::internal)?;
        self.secret_box
            .seal(&json, &Self::context(tenant_id, connection_id))
            .map_err(ApiError::internal)
    }

    fn unseal(&self, conn: &StorageConnection) -> Result<S3Credentials, ApiError> {
        let sealed = conn.credentials_sealed.as_deref().ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("S3 connection without credentials"))
        })?;
        let json = self
            .secret_box
            .open(sealed, &Self::context(&conn.tenant_id, &conn.id))
            .map_err(ApiError::internal)?;
        serde_json::from_slice(&json).map_err(ApiError::internal)
    }

    /// The local folder of a shop's local connection.
    pub fn local(&self, tenant_id: &str, root_prefix: &str) -> LocalStorage {
        LocalStorage::new(
            self.local_base.clone(),
            relative_root(tenant_id, root_prefix),
            self.local_signer.clone(),
            self.public_base.clone(),
        )
    }

    /// A storage client for a connection. `network` says whether the server
    /// itself will talk to it (list, head, test) — then the endpoint is
    /// checked again, since DNS may have changed since it was saved.
    /// Presigning sends nothing, so it skips the lookup.
    pub async fn open(
        &self,
        conn: &StorageConnection,
        network: bool,
    ) -> Result<Result<Storage, StorageError>, ApiError> {
        match StorageKind::from_db(&conn.kind) {
            StorageKind::Local => Ok(Ok(Storage::Local(
                self.local(&conn.tenant_id, &conn.root_prefix),
            ))),
            StorageKind::S3 => {
                let endpoint = conn.endpoint.clone().unwrap_or_default();
                if network {
                    let checked = match parse_endpoint(&endpoint, self.policy) {
                        Ok(url) => check_endpoint(&url, self.policy).await,
                        Err(e) => Err(e),
                    };
                    if let Err(reason) = checked {
                        return Ok(Err(StorageError::Unreachable(format!(
                            "the endpoint {reason}"
                        ))));
                    }
                }
                Ok(Ok(Storage::S3(self.s3_client(conn)?)))
            }
        }
    }
}

/// Inserts a connection, keeping the per-shop cap.
pub fn insert_connection(conn: &mut DbConnection, row: &StorageConnection) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        let count: i64 = storage_connections::table
            .filter(storage_connections::tenant_id.eq(&row.tenant_id))
            .count()
            .get_result(conn)?;
        if count >= MAX_CONNECTIONS_PER_SHOP {
            return Err(ApiError::Conflict {
                code: "too_many_connections",
                detail: format!(
                    "A shop can hold at most {MAX_CONNECTIONS_PER_SHOP} storage connections."
                ),
            });
        }
        diesel::insert_into(storage_connections::table)
            .values(row)
            .execute(conn)?;
        Ok(())
    })
}

/// A new local connection row (the embedded default every shop starts with).
pub fn new_local_connection(tenant_id: &str, name: &str, root_prefix: &str) -> StorageConnection {
    let at = now();
    StorageConnection {
        id: new_id(),
        tenant_id: tenant_id.to_owned(),
        name: name.to_owned(),
        kind: StorageKind::Local.as_str().to_owned(),
        endpoint: None,
        region: None,
        bucket: None,
        root_prefix: root_prefix.to_owned(),
        path_style: false,
        credentials_sealed: None,
        created_at: at,
        updated_at: at,
        last_checked_at: None,
        last_check_error: None,
    }
}

/// The shop's connections, oldest first.
pub fn list_connections(
    conn: &mut DbConnection,
    tenant_id: &str,
) -> Result<Vec<StorageConnection>, ApiError> {
    Ok(storage_connections::table
        .filter(storage_connections::tenant_id.eq(tenant_id))
        .order(storage_connections::id.asc())
        .select(StorageConnection::as_select())
        .load(conn)?)
}

/// One of the shop's connections; foreign or unknown is 404.
pub fn find_connection(
    conn: &mut DbConnection,
    tenant_id: &str,
    id: &str,
) -> Result<StorageConnection, ApiError> {
    Ok(storage_connections::table
        .filter(storage_connections::tenant_id.eq(tenant_id))
        .filter(storage_connections::id.eq(id))
        .select(StorageConnection::as_select())
        .first(conn)?)
}

/// Writes back a changed connection (tenant-checked).
pub fn save_connection(conn: &mut DbConnection, row: &StorageConnection) -> Result<(), ApiError> {
    let changed = diesel::update(storage_connections::table)
        .filter(storage_connections::tenant_id.eq(&row.tenant_id))
        .filter(storage_connections::id.eq(&row.id))
        .set((
            storage_connections::name.eq(&row.name),
            storage_connections::endpoint.eq(&row.endpoint),
            storage_connections::region.eq(&row.region),
            storage_connections::bucket.eq(&row.bucket),
            storage_connections::root_prefix.eq(&row.root_prefix),
            storage_connections::path_style.eq(row.path_style),
            storage_connections::credentials_sealed.eq(&row.credentials_sealed),
            storage_connections::updated_at.eq(row.updated_at),
            storage_connections::last_checked_at.eq(row.last_checked_at),
            storage_connections::last_check_error.eq(&row.last_check_error),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// Deletes a connection unless files are linked to it.
pub fn delete_connection(
    conn: &mut DbConnection,
    tenant_id: &str,
    id: &str,
) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        find_connection(conn, tenant_id, id)?;
        let linked: i64 = article_files::table
            .filter(article_files::tenant_id.eq(tenant_id))
            .filter(article_files::connection_id.eq(id))
            .count()
            .get_result(conn)?;
        if linked > 0 {
            return Err(ApiError::Conflict {
                code: "connection_in_use",
                detail: format!("{linked} linked file(s) use this connection; unlink them first."),
            });
        }
        diesel::delete(storage_connections::table)
            .filter(storage_connections::tenant_id.eq(tenant_id))
            .filter(storage_connections::id.eq(id))
            .execute(conn)?;
        Ok(())
    })
}
