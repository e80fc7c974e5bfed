//! `/api/v1/storage-connections`: connect, test and browse the sellers'
//! storage. Credentials are write-only: no response ever carries them.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::Storage;
use super::endpoint::{check_endpoint, parse_endpoint};
use super::keys::{Prefix, parse_root_prefix};
use super::models::{self, S3Credentials, StorageConnection, StorageKind};
use crate::AppState;
use crate::articles;
use crate::auth::{Caller, Writer};
use crate::db::now;
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::validation::{AllFields, FieldResult, ForField, Text};

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_storage_connections)
        .service(create_storage_connection)
        .service(get_storage_connection)
        .service(update_storage_connection)
        .service(delete_storage_connection)
        .service(test_storage_connection)
        .service(list_storage_objects);
}

/// A new connection: an S3-compatible bucket or a local folder.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CreateStorageConnection {
    /// Any S3-compatible service (AWS, MinIO, R2, B2, Wasabi, Hetzner, ...).
    S3 {
        /// What to call it (1–100 characters).
        name: String,
        /// The service's base URL, e.g. `https://s3.eu-central-1.amazonaws.com`.
        endpoint: String,
        /// Region; `us-east-1` when empty.
        #[serde(default)]
        region: Option<String>,
        /// Bucket name.
        bucket: String,
        /// The special folder inside the bucket, e.g. `downloads/`; empty = the whole bucket.
        #[serde(default)]
        root_prefix: Option<String>,
        /// Path-style addressing (needed by MinIO and most self-hosted services).
        #[serde(default)]
        path_style: Option<bool>,
        /// Access key id.
        access_key_id: String,
        /// Secret access key; stored encrypted, never shown again.
        secret_access_key: String,
    },
    /// A folder under the server's data dir.
    Local {
        /// What to call it (1–100 characters).
        name: String,
        /// Sub-folder of the shop's local folder; empty = the shop's folder itself.
        #[serde(default)]
        root_prefix: Option<String>,
    },
}

/// Changes to a connection; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStorageConnection {
    /// New name.
    pub name: Option<String>,
    /// S3: new endpoint.
    pub endpoint: Option<String>,
    /// S3: new region.
    pub region: Option<String>,
    /// S3: new bucket.
    pub bucket: Option<String>,
    /// New special folder.
    pub root_prefix: Option<String>,
    /// S3: path-style addressing.
    pub path_style: Option<bool>,
    /// S3: replace the credentials (send both fields).
    pub access_key_id: Option<String>,
    /// S3: replace the credentials (send both fields).
    pub secret_access_key: Option<String>,
}

/// A connection as shown (never with credentials).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StorageConnectionView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Name.
    pub name: String,
    /// `s3` or `local`.
    pub kind: StorageKind,
    /// S3: base URL.
    pub endpoint: Option<String>,
    /// S3: region.
    pub region: Option<String>,
    /// S3: bucket.
    pub bucket: Option<String>,
    /// The special folder ("" or ending in `/`).
    pub root_prefix: String,
    /// S3: path-style addressing.
    pub path_style: bool,
    /// S3: whether credentials are stored (they are never shown).
    pub credentials_set: bool,
    /// Local: the folder on the server where the seller puts files.
    pub local_path: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Last tested.
    pub last_checked_at: Option<DateTime<Utc>>,
    /// What the last test found wrong, if anything.
    pub last_check_error: Option<String>,
}

fn view(state: &AppState, row: StorageConnection) -> StorageConnectionView {
    let kind = StorageKind::from_db(&row.kind);
    let local_path = (kind == StorageKind::Local).then(|| {
        state
            .storage
            .local(&row.tenant_id, &row.root_prefix)
            .root()
            .display()
            .to_string()
    });
    let StorageConnection {
        id,
        name,
        endpoint,
        region,
        bucket,
        root_prefix,
        path_style,
        credentials_sealed,
        created_at,
        updated_at,
        last_checked_at,
        last_check_error,
        tenant_id: _,
        kind: _,
    } = row;
    StorageConnectionView {
        id,
        name,
        kind,
        endpoint,
        region,
        bucket,
        root_prefix,
        path_style,
        credentials_set: credentials_sealed.is_some(),
        local_path,
        created_at: created_at.and_utc(),
        updated_at: updated_at.and_utc(),
        last_checked_at: last_checked_at.map(|t| t.and_utc()),
        last_check_error,
    }
}

/// The shop's connections.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StorageConnectionList {
    /// Oldest first (at most 100 exist).
    pub items: Vec<StorageConnectionView>,
}

/// The result of testing a connection.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConnectionTestResult {
    /// Whether the credentials work and the special folder can be listed.
    pub ok: bool,
    /// When not ok: `bad_credentials`, `no_such_bucket`, `access_denied`, `unreachable`, `storage_error`.
    pub code: Option<String>,
    /// What was found, in plain words.
    pub message: String,
    /// Linked files checked for existence.
    pub files_checked: u32,
    /// Linked files whose object has vanished (now marked missing).
    pub files_missing: u32,
}

/// Browse parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObjectsQuery {
    /// Folder inside the special folder, e.g. `courses/`; empty = the special folder itself.
    pub prefix: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Entries per page (1–1000, default 100).
    pub limit: Option<u32>,
}

/// A file in the special folder.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ObjectEntry {
    /// Key relative to the special folder; use it to link the file.
    pub key: String,
    /// The last part of the key.
    pub name: String,
    /// Bytes.
    pub size: i64,
    /// Last modified.
    pub last_modified: Option<DateTime<Utc>>,
}

/// One page of a folder.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ObjectListing {
    /// The folder listed.
    pub prefix: String,
    /// Sub-folders (relative keys ending in `/`).
    pub folders: Vec<String>,
    /// Files directly in the folder.
    pub files: Vec<ObjectEntry>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

fn name_field(raw: &str) -> FieldResult<Text> {
    Text::parse(raw, 1, 100).for_field("name")
}

fn plain_field(raw: &str, field: &str, max: usize) -> FieldResult<String> {
    Text::parse(raw, 1, max)
        .map(Text::into_inner)
        .for_field(field)
}

async fn endpoint_field(state: &AppState, raw: &str) -> FieldResult<String> {
    let policy = state.storage.policy;
    let url = parse_endpoint(raw, policy).for_field("endpoint")?;
    check_endpoint(&url, policy).await.for_field("endpoint")?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn bucket_field(raw: &str) -> FieldResult<String> {
    let bucket = raw.trim();
    let valid = (3..=63).contains(&bucket.len())
        && bucket.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' || c == '_'
        });
    if valid {
        Ok(bucket.to_owned())
    } else {
        Err(crate::error::FieldError::new(
            "bucket",
            "must be 3–63 lower-case letters, digits, dots, dashes or underscores",
        ))
    }
}

fn region_field(raw: Option<&str>) -> FieldResult<Option<String>> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => plain_field(r, "region", 64).map(Some),
    }
}

fn root_prefix_field(raw: Option<&str>) -> FieldResult<String> {
    parse_root_prefix(raw.unwrap_or("")).for_field("root_prefix")
}

/// List the shop's storage connections.
#[utoipa::path(
    tag = "storage",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The connections", body = StorageConnectionList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/storage-connections")]
pub async fn list_storage_connections(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<StorageConnectionList>, ApiError> {
    let rows = state
        .db
        .read(move |conn| models::list_connections(conn, &caller.tenant_id))
        .await?;
    Ok(web::Json(StorageConnectionList {
        items: rows.into_iter().map(|r| view(&state, r)).collect(),
    }))
}

/// Connect an S3-compatible bucket or a local folder.
#[utoipa::path(
    tag = "storage",
    security(("bearer" = [])),
    request_body = CreateStorageConnection,
    responses(
        (status = 201, description = "Created", body = StorageConnectionView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many connections", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, e.g. an endpoint that is not allowed", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/storage-connections")]
pub async fn create_storage_connection(
    state: web::Data<AppState>,
    caller: Writer,
    body: JsonBody<CreateStorageConnection>,
) -> Result<HttpResponse, ApiError> {
    let tenant_id = caller.tenant_id.clone();
    let row = match body.into_inner() {
        CreateStorageConnection::Local { name, root_prefix } => {
            let (name, root_prefix) =
                (name_field(&name), root_prefix_field(root_prefix.as_deref())).all()?;
            let row = models::new_local_connection(&tenant_id, name.as_str(), &root_prefix);
            let local = state.storage.local(&tenant_id, &root_prefix);
            local.ensure_root().await.map_err(ApiError::from)?;
            row
        }
        CreateStorageConnection::S3 {
            name,
            endpoint,
            region,
            bucket,
            root_prefix,
            path_style,
            access_key_id,
            secret_access_key,
        } => {
            let (name, endpoint, region, bucket, root_prefix, access_key_id, secret_access_key) = (
                name_field(&name),
                endpoint_field(&state, &endpoint).await,
                region_field(region.as_deref()),
                bucket_field(&bucket),
                root_prefix_field(root_prefix.as_deref()),
                plain_field(&access_key_id, "access_key_id", 256),
                plain_field(&secret_access_key, "secret_access_key", 256),
            )
                .all()?;
            let mut row = models::new_local_connection(&tenant_id, name.as_str(), &root_prefix);
            row.kind = StorageKind::S3.as_str().into();
            row.endpoint = Some(endpoint);
            row.region = region;
            row.bucket = Some(bucket);
            row.path_style = path_style.unwrap_or(false);
            row.credentials_sealed = Some(state.storage.seal(
                &tenant_id,
                &row.id,
                &S3Credentials {
                    access_key_id,
                    secret_access_key,
                },
            )?);
            row
        }
    };
    let saved = row.clone();
    state
        .db
        .write(move |conn| models::insert_connection(conn, &saved))
        .await?;
    tracing::info!(tenant.id = %row.tenant_id, connection.id = %row.id, "storage connection created");
    Ok(HttpResponse::Created().json(view(&state, row)))
}

async fn load(state: &AppState, tenant_id: &str, id: Uuid) -> Result<StorageConnection, ApiError> {
    let (tenant_id, id) = (tenant_id.to_owned(), id.to_string());
    state
        .db
        .read(move |conn| models::find_connection(conn, &tenant_id, &id))
        .await
}

/// One storage connection.
#[utoipa::path(
    tag = "storage",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The connection", body = StorageConnectionView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/storage-connections/{id}")]
pub async fn get_storage_connection(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<StorageConnectionView>, ApiError> {
    let row = load(&state, &caller.tenant_id, id.into_inner()).await?;
    Ok(web::Json(view(&state, row)))
}

/// Change a connection; send both credential fields to replace the credentials.
#[utoipa::path(
    tag = "storage",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id")),
    request_body = UpdateStorageConnection,
    responses(
        (status = 200, description = "Changed", body = StorageConnectionView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/storage-connections/{id}")]
pub async fn update_storage_connection(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
    body: JsonBody<UpdateStorageConnection>,
) -> Result<web::Json<StorageConnectionView>, ApiError> {
    let mut row = load(&state, &caller.tenant_id, id.into_inner()).await?;
    let change = body.into_inner();
    let kind = StorageKind::from_db(&row.kind);
    if kind == StorageKind::Local {
        let s3_only = [
            ("endpoint", change.endpoint.is_some()),
            ("region", change.region.is_some()),
            ("bucket", change.bucket.is_some()),
            ("path_style", change.path_style.is_some()),
            ("access_key_id", change.access_key_id.is_some()),
            ("secret_access_key", change.secret_access_key.is_some()),
        ];
        let errors: Vec<_> = s3_only
            .iter()
            .filter(|(_, present)| *present)
            .map(|(field, _)| {
                crate::error::FieldError::new(*field, "is not used by local connections")
            })
            .collect();
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
    }
    let creds = match (
        change.access_key_id.as_deref(),
        change.secret_access_key.as_deref(),
    ) {
        (None, None) => Ok(None),
        (Some(a), Some(s)) => (
            plain_field(a, "access_key_id", 256),
            plain_field(s, "secret_access_key", 256),
        )
            .all()
            .map(|(a, s)| Some((a, s))),
        (Some(_), None) => Err(ApiError::field(
            "secret_access_key",
            "must be sent together with access_key_id",
        )),
        (None, Some(_)) => Err(ApiError::field(
            "access_key_id",
            "must be sent together with secret_access_key",
        )),
    }?;
    let endpoint = match change.endpoint.as_deref() {
        Some(raw) => Some(endpoint_field(&state, raw).await),
        None => None,
    };
    let (name, endpoint, region, bucket, root_prefix) = (
        change.name.as_deref().map(name_field).transpose(),
        endpoint.transpose(),
        change
            .region
            .as_deref()
            .map(|r| region_field(Some(r)))
            .transpose(),
        change.bucket.as_deref().map(bucket_field).transpose(),
        change
            .root_prefix
            .as_deref()
            .map(|p| root_prefix_field(Some(p)))
            .transpose(),
    )
        .all()?;
    if let Some(name) = name {
        row.name = name.into_inner();
    }
    if let Some(endpoint) = endpoint {
        row.endpoint = Some(endpoint);
    }
    if let Some(region) = region {
        row.region = region;
    }
    if let Some(bucket) = bucket {
        row.bucket = Some(bucket);
    }
    if let Some(path_style) = change.path_style {
        row.path_style = path_style;
    }
    if let Some(root_prefix) = root_prefix {
        row.root_prefix = root_prefix;
        if kind == StorageKind::Local {
            let local = state.storage.local(&row.tenant_id, &row.root_prefix);
            local.ensure_root().await.map_err(ApiError::from)?;
        }
    }
    if let Some((access_key_id, secret_access_key)) = creds {
        row.credentials_sealed = Some(state.storage.seal(
            &row.tenant_id,
            &row.id,
            &S3Credentials {
                access_key_id,
                secret_access_key,
            },
        )?);
    }
    row.updated_at = now();
    let saved = row.clone();
    state
        .db
        .write(move |conn| models::save_connection(conn, &saved))
        .await?;
    Ok(web::Json(view(&state, row)))
}

/// Delete a connection (refused while files are linked to it).
#[utoipa::path(
    tag = "storage",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Files are linked to it (`connection_in_use`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/storage-connections/{id}")]
pub async fn delete_storage_connection(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (tenant_id, id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    state
        .db
        .write(move |conn| models::delete_connection(conn, &tenant_id, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Check that the credentials work and the special folder can be listed,
/// and re-check every file linked through this connection.
#[utoipa::path(
    tag = "storage",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id")),
    responses(
        (status = 200, description = "The result, in plain words", body = ConnectionTestResult),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/storage-connections/{id}/test")]
pub async fn test_storage_connection(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
) -> Result<web::Json<ConnectionTestResult>, ApiError> {
    let mut row = load(&state, &caller.tenant_id, id.into_inner()).await?;
    let outcome = match state.storage.open(&row, true).await? {
        Ok(storage) => match storage.check().await {
            Ok(()) => Ok(storage),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let result = match outcome {
        Ok(storage) => {
            let (checked, missing) =
                articles::files::recheck_connection_files(&state, &row, &storage).await?;
            ConnectionTestResult {
                ok: true,
                code: None,
                message: match missing {
                    0 => "The connection works and the special folder can be listed.".into(),
                    n => format!(
                        "The connection works, but {n} linked file(s) are missing from the folder."
                    ),
                },
                files_checked: checked,
                files_missing: missing,
            }
        }
        Err(e) => ConnectionTestResult {
            ok: false,
            code: Some(e.code().into()),
            message: format!("The connection does not work: {e}."),
            files_checked: 0,
            files_missing: 0,
        },
    };
    row.last_checked_at = Some(now());
    row.last_check_error = (!result.ok).then(|| result.message.clone());
    state
        .db
        .write(move |conn| models::save_connection(conn, &row))
        .await?;
    Ok(web::Json(result))
}

/// Browse the special folder: sub-folders and files, one page at a time.
#[utoipa::path(
    tag = "storage",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Connection id"), ObjectsQuery),
    responses(
        (status = 200, description = "One page of the folder", body = ObjectListing),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such connection in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A prefix outside the special folder, or the storage failed", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/storage-connections/{id}/objects")]
pub async fn list_storage_objects(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ObjectsQuery>,
) -> Result<web::Json<ObjectListing>, ApiError> {
    let query = query.into_inner();
    let (prefix,) =
        (Prefix::parse(query.prefix.as_deref().unwrap_or("")).for_field("prefix"),).all()?;
    let limit = match query.limit {
        None => 100,
        Some(n @ 1..=1000) => n as usize,
        Some(_) => return Err(ApiError::field("limit", "must be between 1 and 1000")),
    };
    let cursor = query.cursor.filter(|c| !c.is_empty());
    if cursor.as_ref().is_some_and(|c| c.len() > 2048) {
        return Err(ApiError::field(
            "cursor",
            "is not a cursor from a previous page",
        ));
    }
    let row = load(&state, &caller.tenant_id, id.into_inner()).await?;
    let storage: Storage = state
        .storage
        .open(&row, true)
        .await?
        .map_err(ApiError::from)?;
    let listing = storage
        .list(&prefix, cursor.as_deref(), limit)
        .await
        .map_err(ApiError::from)?;
    Ok(web::Json(ObjectListing {
        prefix: prefix.as_str().to_owned(),
        folders: listing.folders,
        files: listing
            .files
            .into_iter()
            .map(|f| ObjectEntry {
                name: f.key.rsplit('/').next().unwrap_or(&f.key).to_owned(),
                key: f.key,
                size: f.size,
                last_modified: f.last_modified,
            })
            .collect(),
        next_cursor: listing.next_cursor,
    }))
}

/// Creates the shop's default local connection ("Local folder").
pub fn create_default_local_connection(
    conn: &mut crate::db::DbConnection,
    tenant_id: &str,
) -> Result<StorageConnection, ApiError> {
    let row = models::new_local_connection(tenant_id, "Local folder", "");
    models::insert_connection(conn, &row)?;
    Ok(row)
}
