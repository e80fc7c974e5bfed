//! `/api/v1/articles/{id}/files`: link objects of the seller's special
//! folder to an article, order, rename and unlink them, and check that they
//! still exist.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::domain::parse_display_name;
use super::models::{self, ArticleFile};
use crate::AppState;
use crate::auth::{Caller, Writer};
use crate::db::{new_id, now};
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::storage::models::{StorageConnection, find_connection};
use crate::storage::{ObjectKey, Storage, StorageError};
use crate::validation::{AllFields, ForField};

/// Most files re-checked by one connection test.
const RECHECK_LIMIT: i64 = 2_000;

/// Registers the file routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_article_files)
        .service(link_article_file)
        .service(update_article_file)
        .service(delete_article_file)
        .service(download_article_file);
}

/// A linked file.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ArticleFileView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The storage connection it lives in.
    #[schema(format = Uuid)]
    pub connection_id: String,
    /// Key relative to the connection's special folder.
    pub object_key: String,
    /// The name the customer's file is saved under (full UTF-8).
    pub display_name: String,
    /// Bytes (when last checked).
    pub size: i64,
    /// MIME type.
    pub content_type: Option<String>,
    /// Order within the article, from 0.
    pub position: i32,
    /// The object was gone when last checked.
    pub missing: bool,
    /// Last existence check.
    pub checked_at: DateTime<Utc>,
}

/// The view of a file row.
pub fn file_view(file: ArticleFile) -> ArticleFileView {
    let ArticleFile {
        id,
        connection_id,
        object_key,
        display_name,
        size,
        content_type,
        position,
        missing,
        checked_at,
        tenant_id: _,
        article_id: _,
        etag: _,
        created_at: _,
    } = file;
    ArticleFileView {
        id,
        connection_id,
        object_key,
        display_name,
        size,
        content_type,
        position,
        missing,
        checked_at: checked_at.and_utc(),
    }
}

/// The article's files.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ArticleFileList {
    /// In order.
    pub items: Vec<ArticleFileView>,
}

/// Link an object to the article.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkFileRequest {
    /// The storage connection.
    pub connection_id: Uuid,
    /// Key relative to the connection's special folder (as browsing shows it).
    #[schema(example = "ebooks/Übung für Anfänger – Teil 1.pdf")]
    pub object_key: String,
    /// The name the customer's file is saved under; default: the key's last part.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// Rename or move a file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFileRequest {
    /// New display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// New position (0 or less = first, past the end = last); the other files shift.
    #[serde(default)]
    pub position: Option<i32>,
}

async fn article_exists(
    state: &AppState,
    tenant_id: &str,
    article_id: &str,
) -> Result<(), ApiError> {
    let (tenant_id, article_id) = (tenant_id.to_owned(), article_id.to_owned());
    state
        .db
        .read(move |conn| models::find_article(conn, &tenant_id, &article_id).map(|_| ()))
        .await
}

/// The article's files, in order.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id")),
    responses(
        (status = 200, description = "The files", body = ArticleFileList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/articles/{id}/files")]
pub async fn list_article_files(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ArticleFileList>, ApiError> {
    let (tenant_id, article_id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let files = state
        .db
        .read(move |conn| {
            models::find_article(conn, &tenant_id, &article_id)?;
            models::list_files(conn, &tenant_id, &article_id)
        })
        .await?;
    Ok(web::Json(ArticleFileList {
        items: files.into_iter().map(file_view).collect(),
    }))
}

/// Link an object from a storage connection to the article. The object must
/// exist; its size, type and etag are recorded.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id")),
    request_body = LinkFileRequest,
    responses(
        (status = 201, description = "Linked", body = ArticleFileView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or storage connection in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many files", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no such object in the folder", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/articles/{id}/files")]
pub async fn link_article_file(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
    body: JsonBody<LinkFileRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let tenant_id = caller.tenant_id.clone();
    let article_id = id.into_inner().to_string();
    let (key,) = (ObjectKey::parse(&body.object_key).for_field("object_key"),).all()?;
    let display_name = match body.display_name.as_deref() {
        Some(name) => parse_display_name(name),
        None => parse_display_name(key.base_name()),
    }
    .map_err(|m| ApiError::field("display_name", m))?;
    article_exists(&state, &tenant_id, &article_id).await?;
    let connection_id = body.connection_id.to_string();
    let lookup = (tenant_id.clone(), connection_id.clone());
    let connection: StorageConnection = state
        .db
        .read(move |conn| find_connection(conn, &lookup.0, &lookup.1))
        .await?;
    let storage = state
        .storage
        .open(&connection, true)
        .await?
        .map_err(ApiError::from)?;
    let meta = match storage.head(&key).await {
        Ok(meta) => meta,
        Err(StorageError::NotFound) => {
            return Err(ApiError::field(
                "object_key",
                "no such file in the connection's special folder",
            ));
        }
        Err(e) => return Err(ApiError::from(e)),
    };
    let at = now();
    let file = ArticleFile {
        id: new_id(),
        tenant_id,
        article_id,
        connection_id,
        object_key: key.as_str().to_owned(),
        display_name,
        size: meta.size,
        content_type: meta.content_type,
        etag: meta.etag,
        position: 0,
        missing: false,
        checked_at: at,
        created_at: at,
    };
    let file = state
        .db
        .write(move |conn| models::insert_file(conn, file))
        .await?;
    Ok(HttpResponse::Created().json(file_view(file)))
}

/// Rename a file or move it to another position.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), ("file_id" = Uuid, Path, description = "File id")),
    request_body = UpdateFileRequest,
    responses(
        (status = 200, description = "Changed", body = ArticleFileView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or file in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/articles/{id}/files/{file_id}")]
pub async fn update_article_file(
    state: web::Data<AppState>,
    caller: Writer,
    path: web::Path<(Uuid, Uuid)>,
    body: JsonBody<UpdateFileRequest>,
) -> Result<web::Json<ArticleFileView>, ApiError> {
    let body = body.into_inner();
    let (name,) = (body
        .display_name
        .as_deref()
        .map(parse_display_name)
        .transpose()
        .for_field("display_name"),)
        .all()?;
    let (article_id, file_id) = path.into_inner();
    let (tenant_id, article_id, file_id) = (
        caller.tenant_id.clone(),
        article_id.to_string(),
        file_id.to_string(),
    );
    let position = body.position.map(|p| usize::try_from(p).unwrap_or(0));
    let file = state
        .db
        .write(move |conn| {
            models::update_file(
                conn,
                &tenant_id,
                &article_id,
                &file_id,
                name.as_deref(),
                position,
            )
        })
        .await?;
    Ok(web::Json(file_view(file)))
}

/// Unlink a file (the object stays in the storage).
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), ("file_id" = Uuid, Path, description = "File id")),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or file in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/articles/{id}/files/{file_id}")]
pub async fn delete_article_file(
    state: web::Data<AppState>,
    caller: Writer,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (article_id, file_id) = path.into_inner();
    let (tenant_id, article_id, file_id) = (
        caller.tenant_id.clone(),
        article_id.to_string(),
        file_id.to_string(),
    );
    state
        .db
        .write(move |conn| models::delete_file(conn, &tenant_id, &article_id, &file_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Download a linked file as the seller (a preview; not counted): checks
/// that the object still exists, then answers `302` to a short-lived URL
/// that saves it under its display name.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), ("file_id" = Uuid, Path, description = "File id")),
    responses(
        (status = 302, description = "Redirect to a short-lived download URL (`Location`)"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or file in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The object has vanished from the storage (`file_missing`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The storage could not be used", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/articles/{id}/files/{file_id}/download")]
pub async fn download_article_file(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (article_id, file_id) = path.into_inner();
    let (tenant_id, article_id, file_id) = (
        caller.tenant_id.clone(),
        article_id.to_string(),
        file_id.to_string(),
    );
    let (file, connection) = state
        .db
        .read(move |conn| {
            let file = models::find_file(conn, &tenant_id, &article_id, &file_id)?;
            let connection = find_connection(conn, &tenant_id, &file.connection_id)?;
            Ok((file, connection))
        })
        .await?;
    let url = presign_checked(&state, &connection, &file).await?;
    Ok(HttpResponse::Found()
        .insert_header(("Location", url))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .finish())
}

/// Checks the object still exists (marking the file missing if not) and
/// presigns a download under the file's display name.
pub async fn presign_checked(
    state: &AppState,
    connection: &StorageConnection,
    file: &ArticleFile,
) -> Result<String, ApiError> {
    let key = ObjectKey::parse(&file.object_key)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored key invalid: {e}")))?;
    let storage = state
        .storage
        .open(connection, true)
        .await?
        .map_err(ApiError::from)?;
    match storage.head(&key).await {
        Ok(_) if file.missing => {
            let id = file.id.clone();
            state
                .db
                .write(move |conn| models::mark_checked(conn, &id, false, None, None, now()))
                .await?;
        }
        Ok(_) => {}
        Err(StorageError::NotFound) => {
            state.storage.presence.forget(&connection.id, key.as_str());
            let id = file.id.clone();
            state
                .db
                .write(move |conn| models::mark_checked(conn, &id, true, None, None, now()))
                .await?;
            return Err(ApiError::Conflict {
                code: "file_missing",
                detail: "The file is no longer in the storage folder.".into(),
            });
        }
        Err(e) => return Err(ApiError::from(e)),
    }
    storage
        .presign_get(
            &key,
            &file.display_name,
            file.content_type.as_deref(),
            state.storage.presign_ttl,
        )
        .await
        .map_err(ApiError::from)
}

/// Re-checks every file linked through a working connection, marking vanished
/// ones missing (and found ones present again). Returns (checked, missing).
pub async fn recheck_connection_files(
    state: &AppState,
    connection: &StorageConnection,
    storage: &Storage,
) -> Result<(u32, u32), ApiError> {
    let (tenant_id, connection_id) = (connection.tenant_id.clone(), connection.id.clone());
    let files = state
        .db
        .read(move |conn| {
            models::files_of_connection(conn, &tenant_id, &connection_id, RECHECK_LIMIT)
        })
        .await?;
    let results: Vec<(String, Result<crate::storage::ObjectMeta, StorageError>)> =
        futures_util::stream::iter(
            files
                .into_iter()
                .filter_map(|f| ObjectKey::parse(&f.object_key).ok().map(|key| (f.id, key))),
        )
        .map(|(id, key)| async move {
            let found = storage.head(&key).await;
            if matches!(found, Err(StorageError::NotFound)) {
                // Downloads must not keep trusting an earlier look.
                state.storage.presence.forget(&connection.id, key.as_str());
            }
            (id, found)
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let checked = u32::try_from(results.len()).unwrap_or(u32::MAX);
    let missing = u32::try_from(
        results
            .iter()
            .filter(|(_, r)| matches!(r, Err(StorageError::NotFound)))
            .count(),
    )
    .unwrap_or(u32::MAX);
    let at = now();
    state
        .db
        .write(move |conn| {
            for (id, result) in results {
                match result {
                    Ok(meta) => {
                        models::mark_checked(conn, &id, false, Some(meta.size), meta.etag, at)?
                    }
                    Err(StorageError::NotFound) => {
                        models::mark_checked(conn, &id, true, None, None, at)?
                    }
                    // Other errors say nothing about the object: leave the flag alone.
                    Err(_) => {}
                }
            }
            Ok(())
        })
        .await?;
    Ok((checked, missing))
}
