//! The sellers' storage: their own S3-compatible buckets, or a folder under
//! the data dir (the embedded default). Sellers never upload to us; they
//! link objects from their "special folder" (the connection's root prefix).
//!
//! [`Storage`] is the one type the rest of the product talks to: browse,
//! inspect (`head`), check, and `presign_get`, the short-lived download URL
//! every customer download uses.

pub mod endpoint;
pub mod keys;
pub mod local;
pub mod models;
pub mod presence;
pub mod routes;
pub mod s3;

use std::time::{Duration, SystemTime};

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use chrono::{DateTime, Utc};

pub use keys::{ObjectKey, Prefix};

/// A file in the special folder.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectInfo {
    /// Key relative to the root prefix.
    pub key: String,
    /// Bytes.
    pub size: i64,
    /// Last modification, when known.
    pub last_modified: Option<DateTime<Utc>>,
}

/// What `head` learns about an object.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectMeta {
    /// Bytes.
    pub size: i64,
    /// MIME type, when the storage knows it.
    pub content_type: Option<String>,
    /// Entity tag, when the storage has one.
    pub etag: Option<String>,
}

/// One page of a folder listing.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Sub-folders, relative to the root prefix, ending in `/`.
    pub folders: Vec<String>,
    /// Files directly in the folder.
    pub files: Vec<ObjectInfo>,
    /// Pass back to get the next page.
    pub next_cursor: Option<String>,
}

/// Why a storage operation failed, in words a seller can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// The access key is unknown or the secret does not match.
    #[error("the access key or secret is wrong")]
    BadCredentials,
    /// The bucket does not exist.
    #[error("the bucket does not exist")]
    NoSuchBucket,
    /// The credentials work but may not do this.
    #[error("the credentials have no permission for this bucket or folder")]
    AccessDenied,
    /// The object does not exist.
    #[error("the file does not exist in the folder")]
    NotFound,
    /// The endpoint could not be reached.
    #[error("the storage endpoint cannot be reached: {0}")]
    Unreachable(String),
    /// Anything else the storage answered.
    #[error("the storage answered with an error: {0}")]
    Other(String),
}

impl StorageError {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            StorageError::BadCredentials => "bad_credentials",
            StorageError::NoSuchBucket => "no_such_bucket",
            StorageError::AccessDenied => "access_denied",
            StorageError::NotFound => "not_found",
            StorageError::Unreachable(_) => "unreachable",
            StorageError::Other(_) => "storage_error",
        }
    }
}

impl From<StorageError> for crate::error::ApiError {
    /// The seller's storage failed: 422 with what went wrong, in plain words.
    fn from(err: StorageError) -> Self {
        crate::error::ApiError::Unprocessable {
            code: "storage_unavailable",
            detail: format!("The storage could not be used: {err}."),
        }
    }
}

/// A ready-to-use connection to one seller's storage.
pub enum Storage {
    /// An S3-compatible bucket.
    S3(s3::S3Storage),
    /// A folder under the data dir.
    Local(local::LocalStorage),
}

/// How long a presigned URL lives, bounded so a setting cannot make links permanent.
pub fn bounded_ttl(secs: u64) -> Duration {
    Duration::from_secs(secs.clamp(1, 7 * 24 * 3600))
}

impl Storage {
    /// One page of the folder `prefix` (relative to the root prefix).
    pub async fn list(
        &self,
        prefix: &Prefix,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listing, StorageError> {
        match self {
            Storage::S3(s) => s.list(prefix, cursor, limit).await,
            Storage::Local(l) => l.list(prefix, cursor, limit).await,
        }
    }

    /// Size, type and etag of one object.
    pub async fn head(&self, key: &ObjectKey) -> Result<ObjectMeta, StorageError> {
        match self {
            Storage::S3(s) => s.head(key).await,
            Storage::Local(l) => l.head(key).await,
        }
    }

    /// Whether the credentials work and the special folder can be listed.
    pub async fn check(&self) -> Result<(), StorageError> {
        self.list(&Prefix::root(), None, 1).await.map(|_| ())
    }

    /// A URL that downloads `key` as `download_name` until `ttl` from now.
    pub async fn presign_get(
        &self,
        key: &ObjectKey,
        download_name: &str,
        content_type: Option<&str>,
        ttl: Duration,
    ) -> Result<String, StorageError> {
        self.presign_get_from(key, download_name, content_type, SystemTime::now(), ttl)
            .await
    }

    /// As [`Storage::presign_get`], valid from `start` (tests use a past start
    /// to get an already expired URL).
    pub async fn presign_get_from(
        &self,
        key: &ObjectKey,
        download_name: &str,
        content_type: Option<&str>,
        start: SystemTime,
        ttl: Duration,
    ) -> Result<String, StorageError> {
        match self {
            Storage::S3(s) => {
                s.presign_get(key, download_name, content_type, start, ttl)
                    .await
            }
            Storage::Local(l) => Ok(l.presign_get(key, download_name, content_type, start, ttl)),
        }
    }
}

/// `attachment` with an RFC 6266 / RFC 5987 UTF-8 file name and an ASCII
/// fallback for old clients.
pub fn content_disposition(download_name: &str) -> ContentDisposition {
    let fallback: String = download_name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    let mut parameters = vec![DispositionParam::Filename(fallback)];
    if !download_name.is_ascii() || download_name.contains(['"', '\\']) {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: download_name.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_carries_utf8_and_an_ascii_fallback() {
        let header = content_disposition("Übung für Anfänger – Teil 1.pdf").to_string();
        assert!(header.starts_with("attachment; "));
        assert!(
            header.contains("filename=\"_bung f_r Anf_nger _ Teil 1.pdf\""),
            "{header}"
        );
        assert!(
            header.contains(
                "filename*=UTF-8''%C3%9Cbung%20f%C3%BCr%20Anf%C3%A4nger%20%E2%80%93%20Teil%201.pdf"
            ),
            "{header}"
        );
        assert_eq!(
            content_disposition("plain.pdf").to_string(),
            "attachment; filename=\"plain.pdf\""
        );
    }
}
