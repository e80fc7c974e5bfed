//! S3-compatible buckets through aws-sdk-s3 (path-style or virtual-hosted).

use std::time::{Duration, SystemTime};

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, SharedHttpClient};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use chrono::DateTime;

use super::{
    Listing, ObjectInfo, ObjectKey, ObjectMeta, Prefix, StorageError, content_disposition,
};

/// The HTTP client every bucket connection shares (rustls with ring).
pub fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Where and how to reach one bucket.
#[derive(Clone)]
pub struct S3Config {
    /// Base URL of the service.
    pub endpoint: String,
    /// Region name (`us-east-1` when the service ignores regions).
    pub region: String,
    /// Bucket.
    pub bucket: String,
    /// The special folder, "" or ending in `/`.
    pub root_prefix: String,
    /// Path-style addressing (MinIO and most self-hosted services need it).
    pub path_style: bool,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("root_prefix", &self.root_prefix)
            .finish_non_exhaustive()
    }
}

/// A client for one bucket and special folder; clones share the SDK client.
#[derive(Clone)]
pub struct S3Storage {
    client: aws_sdk_s3::Client,
    bucket: String,
    root_prefix: String,
}

impl S3Storage {
    /// A client; nothing is sent until an operation runs.
    pub fn new(config: S3Config, http: SharedHttpClient) -> Self {
        let timeouts = aws_sdk_s3::config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_timeout(Duration::from_secs(20))
            .build();
        let sdk_config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.region))
            .endpoint_url(config.endpoint.trim_end_matches('/'))
            .force_path_style(config.path_style)
            .credentials_provider(Credentials::new(
                config.access_key_id,
                config.secret_access_key,
                None,
                None,
                "delivery",
            ))
            .http_client(http)
            .timeout_config(timeouts)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(2))
            .build();
        Self {
            client: aws_sdk_s3::Client::from_conf(sdk_config),
            bucket: config.bucket,
            root_prefix: config.root_prefix,
        }
    }

    fn full_key(&self, key: &ObjectKey) -> String {
        format!("{}{}", self.root_prefix, key.as_str())
    }

    /// One page of a folder.
    pub async fn list(
        &self,
        prefix: &Prefix,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Listing, StorageError> {
        let full_prefix = format!("{}{}", self.root_prefix, prefix.as_str());
        let out = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&full_prefix)
            .delimiter("/")
            .max_keys(i32::try_from(limit).unwrap_or(1000))
            .set_continuation_token(cursor.map(str::to_owned))
            .send()
            .await
            .map_err(classify)?;
        let strip = |k: &str| k.strip_prefix(&self.root_prefix).unwrap_or(k).to_owned();
        Ok(Listing {
            folders: out
                .common_prefixes()
                .iter()
                .filter_map(|p| p.prefix())
                .map(strip)
                .collect(),
            files: out
                .contents()
                .iter()
                .filter_map(|o| {
                    let key = o.key()?;
                    // S3 may list a "folder marker" object equal to the prefix itself.
                    (key != full_prefix).then(|| ObjectInfo {
                        key: strip(key),
                        size: o.size().unwrap_or(0),
                        last_modified: o
                            .last_modified()
                            .and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos())),
                    })
                })
                .collect(),
            next_cursor: out.next_continuation_token().map(str::to_owned),
        })
    }

    /// Size, type and etag of one object.
    pub async fn head(&self, key: &ObjectKey) -> Result<ObjectMeta, StorageError> {
        let out = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(self.full_key(key))
            .send()
            .await
            .map_err(classify)?;
        Ok(ObjectMeta {
            size: out.content_length().unwrap_or(0),
            content_type: out.content_type().map(str::to_owned),
            etag: out.e_tag().map(|e| e.trim_matches('"').to_owned()),
        })
    }

    /// A presigned GET that downloads under `download_name`.
    pub async fn presign_get(
        &self,
        key: &ObjectKey,
        download_name: &str,
        content_type: Option<&str>,
        start: SystemTime,
        ttl: Duration,
    ) -> Result<String, StorageError> {
        let presigning = PresigningConfig::builder()
            .start_time(start)
            .expires_in(ttl)
            .build()
            .map_err(|e| StorageError::Other(e.to_string()))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.full_key(key))
            .response_content_disposition(content_disposition(download_name).to_string())
            .set_response_content_type(content_type.map(str::to_owned))
            .presigned(presigning)
            .await
            .map_err(|e| StorageError::Other(e.to_string()))?;
        Ok(request.uri().to_owned())
    }
}

/// Maps an SDK failure to what a seller can act on.
fn classify<E: ProvideErrorMetadata>(err: SdkError<E, HttpResponse>) -> StorageError {
    let status = match &err {
        SdkError::ServiceError(ctx) => Some(ctx.raw().status().as_u16()),
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            return StorageError::Unreachable(dispatch_reason(&err));
        }
        _ => None,
    };
    match (err.code(), status) {
        (
            Some(
                "InvalidAccessKeyId"
                | "SignatureDoesNotMatch"
                | "InvalidToken"
                | "AuthorizationHeaderMalformed",
            ),
            _,
        ) => StorageError::BadCredentials,
        (Some("NoSuchBucket"), _) => StorageError::NoSuchBucket,
        (Some("NoSuchKey" | "NotFound"), _) | (None, Some(404)) => StorageError::NotFound,
        (Some("AccessDenied" | "AllAccessDisabled"), _) => StorageError::AccessDenied,
        // HEAD answers carry no body, hence no code: a 403 is the best we know.
        (None, Some(403)) => StorageError::AccessDenied,
        (Some(code), _) => StorageError::Other(code.to_owned()),
        (None, Some(status)) => StorageError::Other(format!("HTTP {status}")),
        (None, None) => StorageError::Other("unexpected answer".into()),
    }
}

fn dispatch_reason<E, R>(err: &SdkError<E, R>) -> String {
    match err {
        SdkError::TimeoutError(_) => "it did not answer in time".into(),
        SdkError::DispatchFailure(failure) if failure.is_io() => "the connection failed".into(),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            "it did not answer in time".into()
        }
        _ => "the request could not be sent".into(),
    }
}
