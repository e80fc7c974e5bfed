//! A real S3-compatible server for tests: s3s over a temp folder, verifying
//! SigV4 signatures (presigned URLs included), on a random loopback port.

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use hyper_util::rt::{TokioExecutor, TokioIo};

pub const ACCESS_KEY: &str = "AKIATESTDELIVERY";
pub const SECRET_KEY: &str = "test-secret-key-that-must-never-leak-0123";

/// A running server; stops when dropped.
pub struct S3Server {
    pub endpoint: String,
    pub client: aws_sdk_s3::Client,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn start() -> S3Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let fs = s3s_fs::FileSystem::new(dir.path()).expect("s3s-fs");
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test"))
        .http_client(delivery::storage::s3::http_client())
        .build();
    S3Server {
        endpoint,
        client: aws_sdk_s3::Client::from_conf(config),
        task,
        _dir: dir,
    }
}

impl S3Server {
    pub async fn create_bucket(&self, bucket: &str) {
        self.client
            .create_bucket()
            .bucket(bucket)
            .send()
            .await
            .expect("create bucket");
    }

    pub async fn put(&self, bucket: &str, key: &str, bytes: &[u8]) {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/pdf")
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await
            .expect("put object");
    }

    pub async fn delete(&self, bucket: &str, key: &str) {
        self.client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .expect("delete object");
    }
}
