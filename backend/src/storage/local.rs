//! The embedded default: a folder under the data dir per shop
//! (`DATA_DIR/storage/<shop id>/<root prefix>`). Downloads are URLs to the
//! server's own `/api/files/{token}`, where the token is an expiring,
//! HMAC-signed description of the file; the endpoint checks both, refuses
//! anything outside the folder (also through symlinks) and streams the file
//! with Range support.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, get, mime, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::parse_root_prefix;
use super::{
    Listing, ObjectInfo, ObjectKey, ObjectMeta, Prefix, StorageError, content_disposition,
};
use crate::AppState;
use crate::crypto::Signer;
use crate::error::{ApiError, Problem};

/// The folder all local storage lives in.
pub fn storage_base(data_dir: &Path) -> PathBuf {
    data_dir.join("storage")
}

/// A shop's local special folder, relative to [`storage_base`].
pub fn relative_root(tenant_id: &str, root_prefix: &str) -> String {
    format!("{tenant_id}/{root_prefix}")
}

/// One shop's local folder.
pub struct LocalStorage {
    base: PathBuf,
    relative_root: String,
    signer: Signer,
    public_base: String,
}

/// What a local download URL says (signed, so it cannot be altered).
#[derive(Debug, Serialize, Deserialize)]
struct FileToken {
    /// Folder relative to the storage base.
    r: String,
    /// Key relative to that folder.
    k: String,
    /// Download name.
    n: String,
    /// Content type.
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    /// Expiry, Unix seconds.
    e: u64,
}

impl LocalStorage {
    /// A shop's folder; `relative_root` comes from [`relative_root`].
    pub fn new(base: PathBuf, relative_root: String, signer: Signer, public_base: String) -> Self {
        Self {
            base,
            relative_root,
            signer,
            public_base,
        }
    }

    /// The folder on disk (created when missing).
    pub fn root(&self) -> PathBuf {
        self.base.join(&self.relative_root)
    }

    /// Creates the folder.
    pub async fn ensure_root(&self) -> Result<(), StorageError> {
        tokio::fs::create_dir_all(self.root())
            .await
            .map_err(|e| StorageError::Other(format!("cannot create the folder: {e}")))
    }

    /// One page of a folder, sorted by name; the cursor is the last name seen.
    pub async fn list(
        &self,
        prefix: &Prefix,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listing, StorageError> {
        let dir = self.root().join(prefix.as_str());
        let mut reader = match tokio::fs::read_dir(&dir).await {
            Ok(reader) => reader,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Listing::default()),
            Err(e) => return Err(StorageError::Other(format!("cannot read the folder: {e}"))),
        };
        let mut entries = Vec::new();
        while let Some(entry) = reader
            .next_entry()
            .await
            .map_err(|e| StorageError::Other(format!("cannot read the folder: {e}")))?
        {
            let Ok(name) = entry.file_name().into_string() else {
                continue; // not UTF-8: cannot be named in the API
            };
            if cursor.is_some_and(|c| name.as_str() <= c) || ObjectKey::parse(&name).is_err() {
                continue;
            }
            let Ok(meta) = entry.metadata().await else {
                continue;
            };
            entries.push((name, meta));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let more = entries.len() > limit;
        entries.truncate(limit);
        let next_cursor = if more {
            entries.last().map(|(n, _)| n.clone())
        } else {
            None
        };
        let mut listing = Listing {
            next_cursor,
            ..Listing::default()
        };
        for (name, meta) in entries {
            let key = format!("{}{name}", prefix.as_str());
            if meta.is_dir() {
                listing.folders.push(format!("{key}/"));
            } else if meta.is_file() {
                listing.files.push(ObjectInfo {
                    key,
                    size: i64::try_from(meta.len()).unwrap_or(i64::MAX),
                    last_modified: meta.modified().ok().map(DateTime::<Utc>::from),
                });
            }
        }
        Ok(listing)
    }

    /// Size and guessed type of one file.
    pub async fn head(&self, key: &ObjectKey) -> Result<ObjectMeta, StorageError> {
        let path = self.root().join(key.as_str());
        let meta = tokio::fs::metadata(&path)
            .await
            .map_err(|_| StorageError::NotFound)?;
        if !meta.is_file() {
            return Err(StorageError::NotFound);
        }
        Ok(ObjectMeta {
            size: i64::try_from(meta.len()).unwrap_or(i64::MAX),
            content_type: Some(
                mime_guess::from_path(&path)
                    .first_or_octet_stream()
                    .to_string(),
            ),
            etag: None,
        })
    }

    /// A signed, expiring URL to `/api/files/{token}`.
    pub fn presign_get(
        &self,
        key: &ObjectKey,
        download_name: &str,
        content_type: Option<&str>,
        start: SystemTime,
        ttl: Duration,
    ) -> String {
        let expires = (start + ttl)
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let token = FileToken {
            r: self.relative_root.clone(),
            k: key.as_str().to_owned(),
            n: download_name.to_owned(),
            t: content_type.map(str::to_owned),
            e: expires,
        };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).unwrap_or_default());
        let signature = self.signer.sign(payload.as_bytes());
        format!("{}/api/files/{payload}.{signature}", self.public_base)
    }
}

/// Why a file token was refused.
fn refused() -> ApiError {
    ApiError::Forbidden {
        code: "invalid_download_link",
        detail: "This download link is invalid or has expired.",
    }
}

/// Checks a token's signature and expiry and returns the file's path,
/// guaranteed to lie inside its shop's folder.
fn resolve(
    token: &str,
    signer: &Signer,
    base: &Path,
    now: u64,
) -> Result<(PathBuf, FileToken), ApiError> {
    let (payload, signature) = token.split_once('.').ok_or_else(refused)?;
    if !signer.verify(payload.as_bytes(), signature) {
        return Err(refused());
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| refused())?;
    let token: FileToken = serde_json::from_slice(&bytes).map_err(|_| refused())?;
    if token.e <= now {
        return Err(refused());
    }
    // Signed by us, but parsed again: defence in depth if a bug ever signed a bad path.
    let (tenant, root_prefix) = token.r.split_once('/').ok_or_else(refused)?;
    let root_prefix = parse_root_prefix(root_prefix).map_err(|_| refused())?;
    let key = ObjectKey::parse(&token.k).map_err(|_| refused())?;
    if tenant.is_empty() || tenant.contains(['.', '\\']) {
        return Err(refused());
    }
    let root = base.join(tenant).join(&root_prefix);
    let path = root.join(key.as_str());
    let real_root = root.canonicalize().map_err(|_| ApiError::NotFound)?;
    let real_path = path.canonicalize().map_err(|_| ApiError::NotFound)?;
    if !real_path.starts_with(&real_root) {
        return Err(refused());
    }
    Ok((real_path, token))
}

/// Downloads a file of a local folder through a signed, expiring link.
#[utoipa::path(
    tag = "downloads",
    params(("token" = String, Path, description = "The signed token from a download link")),
    responses(
        (status = 200, description = "The file, with its own content type (Range requests answer 206)", content_type = "*/*"),
        (status = 206, description = "Part of the file", content_type = "*/*"),
        (status = 403, description = "Invalid or expired link (`invalid_download_link`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The file is gone", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/api/files/{token}")]
pub async fn download_local_file(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let base = storage_base(&state.settings.data_dir);
    let (path, token) = resolve(&token, &state.storage.local_signer, &base, now)?;
    let file = actix_files::NamedFile::open_async(&path)
        .await
        .map_err(|_| ApiError::NotFound)?
        .set_content_disposition(content_disposition(&token.n))
        .use_etag(true)
        .use_last_modified(true);
    let file = match token
        .t
        .as_deref()
        .and_then(|t| t.parse::<mime::Mime>().ok())
    {
        Some(mime) => file.set_content_type(mime),
        None => file,
    };
    let mut response = file.into_response(&req);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        CacheControl(vec![CacheDirective::Private, CacheDirective::NoStore])
            .to_string()
            .parse()
            .map_err(ApiError::internal)?,
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, LocalStorage, Signer) {
        let dir = tempfile::tempdir().unwrap();
        let base = storage_base(dir.path());
        std::fs::create_dir_all(base.join("shop-a/docs")).unwrap();
        std::fs::write(base.join("shop-a/docs/book.pdf"), b"%PDF").unwrap();
        std::fs::create_dir_all(base.join("shop-b")).unwrap();
        std::fs::write(base.join("shop-b/secret.pdf"), b"theirs").unwrap();
        let signer = Signer::new(b"k", "local-files");
        let storage = LocalStorage::new(
            base,
            relative_root("shop-a", "docs/"),
            signer.clone(),
            "http://x".into(),
        );
        (dir, storage, signer)
    }

    fn token_of(url: &str) -> &str {
        url.rsplit('/').next().unwrap()
    }

    #[test]
    fn signed_tokens_resolve_inside_the_folder_only() {
        let (dir, storage, signer) = setup();
        let base = storage_base(dir.path());
        let key = ObjectKey::parse("book.pdf").unwrap();
        let url = storage.presign_get(
            &key,
            "Büch.pdf",
            None,
            SystemTime::now(),
            Duration::from_secs(60),
        );
        let (path, token) = resolve(token_of(&url), &signer, &base, 0).unwrap();
        assert!(path.ends_with("shop-a/docs/book.pdf"));
        assert_eq!(token.n, "Büch.pdf");

        let expired = storage.presign_get(
            &key,
            "b.pdf",
            None,
            SystemTime::now() - Duration::from_secs(120),
            Duration::from_secs(60),
        );
        assert!(resolve(token_of(&expired), &signer, &base, u64::MAX / 2).is_err());
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(
            resolve(token_of(&expired), &signer, &base, now).is_err(),
            "expired"
        );

        // A token whose payload names another shop's file, signed with another key.
        let forged = LocalStorage::new(
            base.clone(),
            relative_root("shop-b", ""),
            Signer::new(b"other", "local-files"),
            "http://x".into(),
        )
        .presign_get(
            &ObjectKey::parse("secret.pdf").unwrap(),
            "s",
            None,
            SystemTime::now(),
            Duration::from_secs(60),
        );
        assert!(
            resolve(token_of(&forged), &signer, &base, now).is_err(),
            "wrong key"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_folder_are_refused() {
        let (dir, storage, signer) = setup();
        let base = storage_base(dir.path());
        std::os::unix::fs::symlink(
            base.join("shop-b/secret.pdf"),
            base.join("shop-a/docs/link.pdf"),
        )
        .unwrap();
        let url = storage.presign_get(
            &ObjectKey::parse("link.pdf").unwrap(),
            "l",
            None,
            SystemTime::now(),
            Duration::from_secs(60),
        );
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(resolve(token_of(&url), &signer, &base, now).is_err());
    }
}
