//! The tenant-isolation matrix, generated from the API document: every
//! seller route with an id in its path is called as another shop (with a
//! user token and with an API key) using shop A's real ids, and with random
//! ids. Every answer must be the same 404, none may carry anything of A's,
//! and nothing of A's may change. A route added without an entry in
//! [`body_for`] fails this test, so new routes join the matrix.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Tokens};
use crate::on_both_databases;
use crate::orders::shop_with_ebook;

/// Shop A's resources, by the path segment that names their kind.
pub struct Fixture {
    ids: BTreeMap<&'static str, String>,
    file_id: String,
    message_id: String,
    /// Values that no answer may ever contain.
    pub secrets: Vec<String>,
}

async fn json_of(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Shop A with one of everything that has an id.
pub async fn shop_a(app: &TestApp) -> (Tokens, Fixture) {
    let (a, article_id) = shop_with_ebook(app, "a@example.com").await;
    let token = Some(a.access.as_str());
    app.put(
        "/api/v1/invoice-settings",
        &json!({"company_name": "A GmbH", "address": "Weg 1\n12345 Stadt", "vat_id": null, "tax_number": null,
                "contact": "", "bank_details": "", "footer": "", "number_prefix": "A-", "number_with_year": false,
                "number_digits": 4, "issue_mode": "on_paid"}),
        token,
    )
    .await;
    let order = json_of(
        app.post(
            "/api/v1/orders",
            &json!({"customer": {"name": "Kundin A", "email": "kundin@example.com"},
                    "items": [{"sku": "EBOOK", "quantity": 1}], "status": "paid"}),
            token,
        )
        .await,
    )
    .await;
    let order_id = order["id"].as_str().unwrap().to_owned();
    let connections = json_of(app.get("/api/v1/storage-connections", token).await).await;
    let files = json_of(
        app.get(&format!("/api/v1/articles/{article_id}/files"), token)
            .await,
    )
    .await;
    // Let the worker deliver the "downloads ready" mail, so A's view is at rest.
    let mut messages = Value::Null;
    for _ in 0..100 {
        messages = json_of(
            app.get(&format!("/api/v1/orders/{order_id}/messages"), token)
                .await,
        )
        .await;
        if messages["items"][0]["status"] != "pending" {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(messages["items"][0]["status"], "sent");
    let invoices = json_of(app.get("/api/v1/invoices", token).await).await;
    let templates = json_of(app.get("/api/v1/templates", token).await).await;
    let rules = json_of(app.get("/api/v1/rules", token).await).await;
    let (key_id, key_secret) = app.create_api_key(&a.access, "read_write").await;
    let storage_secret = "s3cr3t-Value-that-must-never-be-shown";
    json_of(
        app.post(
            "/api/v1/storage-connections",
            &json!({"kind": "s3", "name": "Bucket", "endpoint": "http://127.0.0.1:9", "bucket": "books",
                    "access_key_id": "AKIAEXAMPLE", "secret_access_key": storage_secret}),
            token,
        )
        .await,
    )
    .await;
    let channel = json_of(
        app.post(
            "/api/v1/sales-channels",
            &json!({"name": "Shopify", "webhook_url": "http://127.0.0.1:9/hook"}),
            token,
        )
        .await,
    )
    .await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let ids = BTreeMap::from([
        ("api-keys", key_id),
        ("articles", article_id),
        ("invoices", id(&invoices["items"][0])),
        ("orders", order_id),
        ("rules", id(&rules["items"][0])),
        ("sales-channels", id(&channel)),
        ("storage-connections", id(&connections["items"][0])),
        ("templates", id(&templates["items"][0])),
    ]);
    let fixture = Fixture {
        ids,
        file_id: id(&files["items"][0]),
        message_id: id(&messages["items"][0]),
        secrets: vec![
            "correct horse battery".into(),
            a.refresh.clone(),
            key_secret,
            storage_secret.into(),
            channel["signing_secret"].as_str().unwrap().to_owned(),
        ],
    };
    (a, fixture)
}

/// A valid body for each writing route, so the answer is about the id and
/// not about the body.
pub fn body_for(method: &Method, template: &str) -> Option<Value> {
    let body = match (method.as_str(), template) {
        ("GET" | "DELETE", _) => return None,
        ("PATCH", "/api/v1/articles/{id}") => json!({"title": "B was here"}),
        ("POST", "/api/v1/articles/{id}/files") => {
            json!({"connection_id": uuid::Uuid::now_v7(), "object_key": "x.pdf"})
        }
        ("PATCH", "/api/v1/articles/{id}/files/{file_id}") => json!({"display_name": "B"}),
        ("PATCH", "/api/v1/orders/{id}") => {
            json!({"customer": {"name": "B", "email": "b@example.com"}})
        }
        ("PATCH", "/api/v1/orders/{id}/downloads") => json!({"max_downloads": 999}),
        ("POST", "/api/v1/orders/{id}/history") => json!({"text": "B was here"}),
        ("POST", "/api/v1/orders/{id}/status") => json!({"status": "refunded"}),
        (
            "POST",
            "/api/v1/orders/{id}/invoice"
            | "/api/v1/orders/{id}/portal-link/regenerate"
            | "/api/v1/orders/{id}/messages/{message_id}/resend"
            | "/api/v1/storage-connections/{id}/test"
            | "/api/v1/templates/{id}/preview",
        ) => json!({}),
        ("PUT", "/api/v1/rules/{id}") => {
            json!({"name": "B", "trigger": "order_paid", "template_name": "downloads_ready"})
        }
        ("PUT", "/api/v1/templates/{id}") => {
            json!({"name": "b", "language": "de", "subject": "B", "body_text": "B"})
        }
        ("PATCH", "/api/v1/storage-connections/{id}") => json!({"name": "B"}),
        _ => panic!("add a valid body for {method} {template} to the isolation matrix"),
    };
    Some(body)
}

/// Every seller route with an id in its path, from the API document.
pub fn routes() -> Vec<(Method, String)> {
    let doc = delivery::openapi::document();
    let mut routes = Vec::new();
    for (path, item) in &doc.paths.paths {
        if !path.starts_with("/api/v1/") || !path.contains('{') {
            continue;
        }
        let methods = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ];
        for (method, present) in methods {
            if present {
                routes.push((method, path.clone()));
            }
        }
    }
    routes
}

/// The path with A's ids, or with random ones.
pub fn concrete(template: &str, fixture: &Fixture, random: bool) -> String {
    let kind = template
        .trim_start_matches("/api/v1/")
        .split('/')
        .next()
        .unwrap();
    let pick = |real: &str| {
        if random {
            uuid::Uuid::now_v7().to_string()
        } else {
            real.to_owned()
        }
    };
    template
        .replace("{id}", &pick(&fixture.ids[kind]))
        .replace("{file_id}", &pick(&fixture.file_id))
        .replace("{message_id}", &pick(&fixture.message_id))
}

async fn call(
    app: &TestApp,
    method: &Method,
    path: &str,
    body: Option<&Value>,
    token: &str,
) -> (StatusCode, String) {
    let mut req = app.request(method.clone(), path, Some(token));
    if let Some(body) = body {
        req = req.json(body);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// What A sees on every readable route (bytes for PDFs, status for redirects).
async fn snapshot(app: &TestApp, token: &str, fixture: &Fixture) -> BTreeMap<String, String> {
    let mut seen = BTreeMap::new();
    for (method, template) in routes() {
        if method != Method::GET {
            continue;
        }
        let path = concrete(&template, fixture, false);
        let (status, body) = call(app, &method, &path, None, token).await;
        let body = if status == StatusCode::FOUND {
            String::new()
        } else {
            body
        };
        seen.insert(path, format!("{status} {body}"));
    }
    seen
}

async fn another_shop_gets_the_same_404_on_every_route_with_an_id(app: TestApp) {
    let (a, fixture) = shop_a(&app).await;
    let before = snapshot(&app, &a.access, &fixture).await;
    assert!(
        before.len() >= 15,
        "the matrix covers the readable routes: {}",
        before.len()
    );

    let b = app.signup("Shop B", "b@example.com").await;
    let (_, b_key) = app.create_api_key(&b.access, "read_write").await;
    let a_ids: Vec<&String> = fixture
        .ids
        .values()
        .chain([&fixture.file_id, &fixture.message_id])
        .collect();
    let mut calls = 0;
    for (method, template) in routes() {
        let body = body_for(&method, &template);
        for (token, random) in [
            (b.access.as_str(), false),
            (b_key.as_str(), false),
            (b.access.as_str(), true),
            (a.access.as_str(), true),
        ] {
            let path = concrete(&template, &fixture, random);
            let (status, text) = call(&app, &method, &path, body.as_ref(), token).await;
            calls += 1;
            if token == b_key && template.starts_with("/api/v1/api-keys/") {
                // Keys never manage keys, whoever's they are.
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {template}: {text}");
                continue;
            }
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{method} {template} (random ids: {random}): {text}"
            );
            let problem: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(problem["code"], "not_found", "{method} {template}");
            for id in a_ids
                .iter()
                .map(|s| s.as_str())
                .chain(fixture.secrets.iter().map(|s| s.as_str()))
            {
                assert!(
                    !text.contains(id),
                    "{method} {template} leaks an id or secret of A"
                );
            }
        }
    }
    assert!(calls >= 120, "{calls} calls");

    // A's own answers carry none of its secrets either.
    for (path, seen) in &before {
        for secret in &fixture.secrets {
            assert!(!seen.contains(secret.as_str()), "{path} shows a secret");
        }
    }
    let after = snapshot(&app, &a.access, &fixture).await;
    for (path, seen) in &before {
        assert_eq!(
            &after[path], seen,
            "{path} changed after another shop's calls"
        );
    }
}

on_both_databases!(another_shop_gets_the_same_404_on_every_route_with_an_id);
