//! Hostile input on every writing route of the API document: invalid
//! UTF-8, NUL bytes, overlong and odd Unicode strings in every string field
//! of a valid body. Each answer is a 4xx problem or a success — never a 5xx.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::isolation::{body_for, concrete, routes, shop_a};
use crate::on_both_databases;

/// Strings that have broken parsers, databases, file names and templates.
const HOSTILE: &[&str] = &[
    "nul\u{0}byte",
    "\u{202e}fdp.exe",           // right-to-left override
    "zero\u{200b}width\u{feff}", // invisible characters
    "../../etc/passwd",
    "{{ 7 * 7 }}{% for x in y %}", // template syntax
    "'; DROP TABLE orders; --",
    "😀👩‍👩‍👧‍👦 Ünïcödé 王",
    "\u{fffd}\u{10ffff}",
];

/// Replaces every string in `value` with `with`.
fn poison(value: &Value, with: &str) -> Value {
    match value {
        Value::String(_) => Value::String(with.to_owned()),
        Value::Array(items) => Value::Array(items.iter().map(|v| poison(v, with)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), poison(v, with)))
                .collect(),
        ),
        other => other.clone(),
    }
}

async fn send(
    app: &TestApp,
    method: &Method,
    path: &str,
    token: &str,
    body: Vec<u8>,
) -> (StatusCode, String, String) {
    let res = app
        .request(method.clone(), path, Some(token))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, kind, res.text().await.unwrap_or_default())
}

/// The writing routes without an id, with a valid body each.
fn collection_routes() -> Vec<(Method, String, Value)> {
    vec![
        (
            Method::POST,
            "/api/v1/auth/signup".into(),
            json!({"shop_name": "S", "email": "s@example.com", "password": "correct horse battery"}),
        ),
        (
            Method::POST,
            "/api/v1/auth/login".into(),
            json!({"email": "a@example.com", "password": "wrong password"}),
        ),
        (
            Method::POST,
            "/api/v1/articles".into(),
            json!({"sku": "X1", "title": "T", "price": "1.00"}),
        ),
        (
            Method::POST,
            "/api/v1/orders".into(),
            json!({"customer": {"name": "N", "email": "n@example.com"}, "items": [{"sku": "EBOOK", "quantity": 1}]}),
        ),
        (
            Method::POST,
            "/api/v1/orders/import".into(),
            json!({"orders": [{"channel": "shop", "external_ref": "1", "customer": {"name": "N", "email": "n@example.com"}, "items": [{"sku": "EBOOK", "quantity": 1}]}]}),
        ),
        (
            Method::POST,
            "/api/v1/storage-connections".into(),
            json!({"kind": "local", "name": "L", "root_prefix": "sub/"}),
        ),
        (
            Method::POST,
            "/api/v1/templates".into(),
            json!({"name": "t", "language": "de", "subject": "S", "body_text": "B"}),
        ),
        (
            Method::POST,
            "/api/v1/rules".into(),
            json!({"name": "r", "trigger": "order_paid", "template_name": "downloads_ready"}),
        ),
        (
            Method::POST,
            "/api/v1/api-keys".into(),
            json!({"name": "k", "scope": "read"}),
        ),
        (
            Method::POST,
            "/api/v1/sales-channels".into(),
            json!({"name": "c", "webhook_url": "http://127.0.0.1:9/x"}),
        ),
        (
            Method::PUT,
            "/api/v1/portal-settings".into(),
            json!({"enabled": true, "title": "", "logo_url": null, "accent_color": "#123456",
            "welcome_text": "W", "footer_text": "F", "default_download_limit": 5, "validity_days": 30, "invoice_download": true,
            "contact_form": true, "support_email": null}),
        ),
        (
            Method::PUT,
            "/api/v1/invoice-settings".into(),
            json!({"company_name": "A", "address": "B", "vat_id": null, "tax_number": null,
            "contact": "", "bank_details": "", "footer": "", "number_prefix": "A-", "number_with_year": false, "number_digits": 4,
            "issue_mode": "manual"}),
        ),
    ]
}

async fn hostile_bodies_never_cause_a_server_error(app: TestApp) {
    let (a, fixture) = shop_a(&app).await;
    let mut cases = 0;
    let with_ids = routes().into_iter().filter_map(|(method, template)| {
        let valid = body_for(&method, &template)?;
        let path = concrete(&template, &fixture, false);
        Some((method, template, path, valid))
    });
    let without = collection_routes()
        .into_iter()
        .map(|(method, path, valid)| (method, path.clone(), path, valid));
    for (method, template, path, valid) in with_ids.chain(without).collect::<Vec<_>>() {
        let mut bodies: Vec<Vec<u8>> = vec![
            b"{\"name\": \"\xff\xfe broken \xc3\x28\"}".to_vec(),
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        ];
        for hostile in HOSTILE {
            bodies.push(serde_json::to_vec(&poison(&valid, hostile)).unwrap());
        }
        bodies.push(serde_json::to_vec(&poison(&valid, &"x".repeat(100_000))).unwrap());
        for body in bodies {
            let (status, kind, text) = send(&app, &method, &path, &a.access, body).await;
            cases += 1;
            assert!(
                status.as_u16() < 500,
                "{method} {template} answered {status}: {text}"
            );
            if status.is_client_error() {
                assert_eq!(
                    kind, "application/problem+json",
                    "{method} {template}: {text}"
                );
            }
        }
    }
    assert!(cases >= 150, "{cases} cases");
    // The server is still healthy and A's data still reads.
    let res = app.get("/api/health", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.get("/api/v1/orders", Some(&a.access)).await;
    assert_eq!(res.status(), StatusCode::OK);
}

on_both_databases!(hostile_bodies_never_cause_a_server_error);
