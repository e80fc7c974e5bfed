//! The server's own log never carries a secret: the real binary runs at
//! `debug` level (more than production's `info`) through sign-up, a wrong
//! and a right sign-in, a token refresh, an API key, an S3 connection that
//! is tested and browsed, a webhook channel, an order, the portal and a
//! download; then its whole output is searched for every secret that was
//! set or handed out, and for the stored password hash.

use delivery::config::Settings;
use delivery::db::Db;
use delivery::db::schema::users;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::crash::{get_json, post_json, shop_with_a_file};
use crate::helpers::{Backend, ServerProcess, TestDatabase};
use crate::s3_server::{self, ACCESS_KEY, SECRET_KEY};

/// The password `shop_with_a_file` signs up with.
const PASSWORD: &str = "correct horse battery staple";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_server_log() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create(Backend::Sqlite, data_dir.path());
    let log = data_dir.path().join("server.log");
    let mut server = ServerProcess::new(&database.url, data_dir.path())
        .env("RUST_LOG", "debug")
        .env("DELIVERY_STORAGE_ALLOW_HTTP", "true")
        .env("DELIVERY_STORAGE_ALLOW_PRIVATE_ENDPOINTS", "true")
        .log_to(log.clone());
    let client = server.client();
    server.start();
    server.wait_healthy(&client).await;
    let base = server.base.clone();
    let token = shop_with_a_file(&client, &base).await;
    let mut secrets = vec![
        ("password", PASSWORD.to_owned()),
        ("access token", token.clone()),
        ("S3 secret access key", SECRET_KEY.to_owned()),
    ];

    let wrong = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "crash@example.com", "password": "Tr0ub4dor&3-wrong"}))
        .send()
        .await
        .expect("login");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    secrets.push(("wrong password", "Tr0ub4dor&3-wrong".to_owned()));
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "crash@example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("tokens");
    let refresh = login["refresh_token"].as_str().expect("refresh").to_owned();
    let renewed: Value = client
        .post(format!("{base}/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .expect("refresh")
        .json()
        .await
        .expect("tokens");
    secrets.push(("refresh token", refresh));
    secrets.push((
        "renewed refresh token",
        renewed["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_owned(),
    ));

    let key = post_json(
        &client,
        &format!("{base}/api/v1/api-keys"),
        &token,
        &json!({"name": "integration", "scope": "read_write"}),
    )
    .await;
    let key_secret = key["secret"].as_str().expect("secret").to_owned();
    get_json(&client, &format!("{base}/api/v1/orders"), &key_secret).await;
    secrets.push(("API key secret", key_secret));

    let s3 = s3_server::start().await;
    s3.create_bucket("shop-files").await;
    s3.put("shop-files", "book.pdf", b"%PDF-1.7").await;
    let connection = post_json(
        &client,
        &format!("{base}/api/v1/storage-connections"),
        &token,
        &json!({
            "kind": "s3", "name": "Bucket", "endpoint": s3.endpoint, "bucket": "shop-files",
            "path_style": true, "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
        }),
    )
    .await;
    let id = connection["id"].as_str().expect("id");
    let test = post_json(
        &client,
        &format!("{base}/api/v1/storage-connections/{id}/test"),
        &token,
        &json!({}),
    )
    .await;
    assert_eq!(test["ok"], true, "{test}");
    get_json(
        &client,
        &format!("{base}/api/v1/storage-connections/{id}/objects"),
        &token,
    )
    .await;

    let channel = post_json(
        &client,
        &format!("{base}/api/v1/sales-channels"),
        &token,
        &json!({"name": "Shopify", "webhook_url": "http://127.0.0.1:9/hook"}),
    )
    .await;
    secrets.push((
        "webhook signing secret",
        channel["signing_secret"]
            .as_str()
            .expect("secret")
            .to_owned(),
    ));

    let order = post_json(
        &client,
        &format!("{base}/api/v1/orders"),
        &token,
        &json!({
            "channel": "shopify", "external_ref": "L-1",
            "customer": {"name": "Jörg", "email": "joerg@example.com"},
            "items": [{"sku": "EBOOK", "quantity": 1}], "status": "paid",
        }),
    )
    .await;
    let code = order["portal_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("code");
    let view: Value = client
        .get(format!("{base}/api/portal/{code}"))
        .send()
        .await
        .expect("portal")
        .json()
        .await
        .expect("view");
    let grant = view["order"]["items"][0]["files"][0]["grant_id"]
        .as_str()
        .expect("grant");
    let download = client
        .get(format!("{base}/api/portal/{code}/downloads/{grant}"))
        .send()
        .await
        .expect("download");
    assert_eq!(download.status(), StatusCode::FOUND);
    // Let the outbox worker send the order's mail (and fail the webhook).
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    server.kill();

    let db = Db::connect(&Settings {
        database_url: Some(database.url.clone()),
        data_dir: data_dir.path().to_path_buf(),
        ..Settings::default()
    })
    .expect("connect");
    let hash: String = users::table
        .select(users::password_hash)
        .first(&mut db.write_blocking().expect("connection"))
        .expect("hash");
    secrets.push(("password hash", hash));

    let text = std::fs::read_to_string(&log).expect("server log");
    let lines = text.lines().count();
    assert!(
        lines > 50 && text.contains("/api/v1/storage-connections"),
        "the log holds the run ({lines} lines)"
    );
    for (what, secret) in &secrets {
        assert!(secret.len() >= 8, "{what} is a real value");
        assert!(
            !text.contains(secret.as_str()),
            "the {what} is in the server log"
        );
    }
    eprintln!(
        "{} secrets, none in {lines} log lines ({} bytes)",
        secrets.len(),
        text.len()
    );
}
