//! The home screen's figures, on both databases.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::on_both_databases;
use crate::orders::shop_with_ebook;

async fn overview(app: &TestApp, token: &str) -> Value {
    app.get_json("/api/v1/overview", Some(token)).await
}

async fn counts_todays_orders_downloads_and_missing_files(app: TestApp) {
    let (owner, article_id) = shop_with_ebook(&app, "home@example.com").await;
    let empty = overview(&app, &owner.access).await;
    assert_eq!(empty["paid_orders_today"], 0);
    assert_eq!(empty["downloads_today"], 0);
    assert_eq!(empty["failed_messages"], 0);
    assert_eq!(empty["missing_files"], json!([]));

    let order: Value = app
        .post(
            "/api/v1/orders",
            &json!({"customer": {"name": "Jörg", "email": "j@example.com"},
                    "items": [{"sku": "EBOOK", "quantity": 1}], "status": "paid"}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    app.post(
        "/api/v1/orders",
        &json!({"customer": {"name": "Offen", "email": "o@example.com"},
                "items": [{"sku": "EBOOK", "quantity": 1}]}),
        Some(&owner.access),
    )
    .await;
    let code = order["portal_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let portal = app.get_json(&format!("/api/portal/{code}"), None).await;
    let grant = portal["order"]["items"][0]["files"][0]["grant_id"]
        .as_str()
        .unwrap();
    let res = app
        .get(&format!("/api/portal/{code}/downloads/{grant}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);

    // The file vanishes from the folder; the connection test finds it.
    let connections = app
        .get_json("/api/v1/storage-connections", Some(&owner.access))
        .await;
    let local = &connections["items"][0];
    let folder = std::path::PathBuf::from(local["local_path"].as_str().unwrap());
    for entry in std::fs::read_dir(&folder).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let id = local["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/storage-connections/{id}/test"),
        &json!({}),
        Some(&owner.access),
    )
    .await;

    let figures = overview(&app, &owner.access).await;
    assert_eq!(figures["paid_orders_today"], 1, "{figures}");
    assert_eq!(figures["downloads_today"], 1);
    assert_eq!(figures["missing_files"][0]["article_id"], article_id);
    assert_eq!(figures["missing_files"][0]["article_title"], "Übungsbuch");

    // Another shop's home is its own.
    let other = app.signup("Anderer", "anderer@example.com").await;
    let theirs = overview(&app, &other.access).await;
    assert_eq!(theirs["paid_orders_today"], 0);
    assert_eq!(theirs["missing_files"], json!([]));
}

on_both_databases!(counts_todays_orders_downloads_and_missing_files);
