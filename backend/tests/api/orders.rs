//! Orders, unlock on payment, counted downloads, the portal API and the
//! order history — the heart of the product, over HTTP on both databases.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use delivery::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, TestApp, Tokens, assert_problem, problem_fields, spawn_full, spawn_sibling,
};
use crate::on_both_databases;
use crate::s3_server::{self, ACCESS_KEY, SECRET_KEY};

const UMLAUT_NAME: &str = "Übung für Anfänger – Teil 1.pdf";

/// A shop with an article "EBOOK" whose one file is in the shop's local folder.
pub async fn shop_with_ebook(app: &TestApp, email: &str) -> (Tokens, String) {
    let owner = app.signup("Hörbuch Verlag", email).await;
    let (connection_id, folder) = app.local_connection(&owner.access).await;
    std::fs::write(folder.join(UMLAUT_NAME), b"%PDF-1.7 the book").unwrap();
    let article: Value = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "EBOOK", "title": "Übungsbuch", "price": "19.99"}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let article_id = article["id"].as_str().unwrap().to_owned();
    link_file(app, &owner.access, &article_id, &connection_id, UMLAUT_NAME).await;
    (owner, article_id)
}

/// Links the object `key` of a connection to an article.
async fn link_file(app: &TestApp, token: &str, article_id: &str, connection_id: &str, key: &str) {
    let res = app
        .post(
            &format!("/api/v1/articles/{article_id}/files"),
            &json!({"connection_id": connection_id, "object_key": key}),
            Some(token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

pub async fn create_order(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/api/v1/orders", &body, Some(token)).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
    res.json().await.unwrap()
}

fn order_body(status: &str) -> Value {
    json!({
        "channel": "shopify", "external_ref": "1001",
        "customer": {"name": "Jörg Müller", "email": "joerg@example.com", "language": "de"},
        "billing_address": {"street": "Hauptstraße 1", "postal_code": "10115", "city": "Berlin", "country": "de"},
        "items": [{"sku": "EBOOK", "quantity": 1}],
        "status": status,
    })
}

pub fn code_of(order: &Value) -> String {
    order["portal_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

async fn portal(app: &TestApp, code: &str) -> Value {
    app.get_json(&format!("/api/portal/{code}"), None).await
}

fn first_file(portal: &Value) -> &Value {
    &portal["order"]["items"][0]["files"][0]
}

async fn download(app: &TestApp, code: &str, grant: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/portal/{code}/downloads/{grant}")))
        .header("User-Agent", "DeliveryTest/1.0")
        .send()
        .await
        .unwrap()
}

pub async fn history(app: &TestApp, token: &str, order_id: &str) -> Vec<Value> {
    let page = app
        .get_json(
            &format!("/api/v1/orders/{order_id}/history?limit=200"),
            Some(token),
        )
        .await;
    page["items"].as_array().unwrap().clone()
}

fn count_kind(entries: &[Value], kind: &str) -> usize {
    entries.iter().filter(|e| e["kind"] == kind).count()
}

/// A shop "Hörbuch Verlag" whose article "EBOOK" (`limit` downloads) links
/// `files/UMLAUT_NAME` in the bucket "shop" of a real S3 server. Returns the
/// owner's tokens, the article's id and the bucket key.
async fn shop_with_bucket_ebook(
    app: &TestApp,
    s3: &s3_server::S3Server,
    limit: i32,
) -> (Tokens, String, String) {
    let key = format!("files/{UMLAUT_NAME}");
    s3.create_bucket("shop").await;
    s3.put("shop", &key, b"%PDF-1.7 from the bucket").await;
    let owner = app.signup("Hörbuch Verlag", "owner@example.com").await;
    let connection: Value = app
        .post(
            "/api/v1/storage-connections",
            &json!({"kind": "s3", "name": "Bucket", "endpoint": s3.endpoint, "bucket": "shop", "root_prefix": "files/",
                    "path_style": true, "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let article: Value = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "EBOOK", "title": "Übungsbuch", "price": "19.99", "download_limit": limit}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let article_id = article["id"].as_str().unwrap().to_owned();
    let res = app
        .post(
            &format!("/api/v1/articles/{article_id}/files"),
            &json!({"connection_id": connection["id"], "object_key": UMLAUT_NAME}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    (owner, article_id, key)
}

async fn the_whole_path_with_a_real_s3_server(app: TestApp) {
    let s3 = s3_server::start().await;
    let (owner, _, _) = shop_with_bucket_ebook(&app, &s3, 3).await;
    let (_, integration) = app.create_api_key(&owner.access, "read_write").await;

    // Imported, not paid: the portal shows the order but refuses downloads.
    let order = create_order(&app, &integration, order_body("open")).await;
    assert_eq!(order["number"], 1);
    assert_eq!(
        order["totals"],
        json!({"net": "16.80", "vat": "3.19", "gross": "19.99"})
    );
    let code = code_of(&order);
    assert!(code.len() >= 22, "at least 128 bits");
    let view = portal(&app, &code).await;
    assert_eq!(view["order_state"], "order_not_paid");
    assert_eq!(view["shop"]["name"], "Hörbuch Verlag");
    assert!(
        view["order_message"]
            .as_str()
            .unwrap()
            .contains("nicht bezahlt"),
        "German for a German order"
    );
    assert_eq!(
        view["order"]["items"][0]["files"].as_array().unwrap().len(),
        0,
        "no grants before payment"
    );

    // Paid: one grant, three downloads.
    let order_id = order["id"].as_str().unwrap();
    let paid = app
        .post(
            &format!("/api/v1/orders/{order_id}/status"),
            &json!({"status": "paid"}),
            Some(&integration),
        )
        .await;
    assert_eq!(paid.status(), StatusCode::OK);
    let view = portal(&app, &code).await;
    let file = first_file(&view);
    assert_eq!(file["name"], UMLAUT_NAME);
    assert_eq!(file["downloads_left"], 3);
    assert_eq!(file["available"], true);
    assert!(file["expires_at"].is_string(), "30 days by default");

    let res = download(&app, &code, file["grant_id"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&s3.endpoint));
    let fetched = reqwest::get(&location).await.unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    let disposition = fetched.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(
            "filename*=UTF-8''%C3%9Cbung%20f%C3%BCr%20Anf%C3%A4nger%20%E2%80%93%20Teil%201.pdf"
        ),
        "{disposition}"
    );
    assert_eq!(
        fetched.bytes().await.unwrap().as_ref(),
        b"%PDF-1.7 from the bucket"
    );
    // Resuming the same URL with a Range request does not count again.
    let part = reqwest::Client::new()
        .get(&location)
        .header("Range", "bytes=0-3")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(first_file(&portal(&app, &code).await)["downloads_left"], 2);

    let entries = history(&app, &owner.access, order_id).await;
    let downloads: Vec<&Value> = entries.iter().filter(|e| e["kind"] == "download").collect();
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0]["ip"], "127.0.0.1");
    assert_eq!(downloads[0]["user_agent"], "DeliveryTest/1.0");
    assert_eq!(downloads[0]["details"]["file"], UMLAUT_NAME);
    assert_eq!(downloads[0]["details"]["used_downloads"], 1);
    assert_eq!(downloads[0]["details"]["max_downloads"], 3);
    assert_eq!(count_kind(&entries, "order_imported"), 1);
    assert_eq!(count_kind(&entries, "status_changed"), 1);
    assert_eq!(count_kind(&entries, "grants_created"), 1);
    assert!(
        entries
            .iter()
            .any(|e| e["kind"] == "status_changed" && e["actor"] == "api_key:integration")
    );

    // A client-controlled user agent is kept, but bounded.
    let res = app
        .client
        .get(app.url(&format!(
            "/api/portal/{code}/downloads/{}",
            file["grant_id"].as_str().unwrap()
        )))
        .header("User-Agent", "x".repeat(2_000))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let entries = history(&app, &owner.access, order_id).await;
    let second = entries
        .iter()
        .find(|e| e["kind"] == "download" && e["details"]["used_downloads"] == 2)
        .expect("the second download's row");
    assert_eq!(second["user_agent"].as_str().unwrap().len(), 512);
    assert_eq!(second["ip"], "127.0.0.1");
}

async fn exactly_the_allowed_downloads_succeed_under_concurrency(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let order = create_order(&app, &owner.access, order_body("paid")).await;
    let code = code_of(&order);
    let view = portal(&app, &code).await;
    let grant = first_file(&view)["grant_id"].as_str().unwrap().to_owned();
    assert_eq!(first_file(&view)["downloads_left"], 5, "the shop default");

    let requests = (0..200).map(|_| download(&app, &code, &grant));
    let responses = futures_util::future::join_all(requests).await;
    let ok = responses
        .iter()
        .filter(|r| r.status() == StatusCode::FOUND)
        .count();
    let refused = responses
        .iter()
        .filter(|r| r.status() == StatusCode::FORBIDDEN)
        .count();
    assert_eq!((ok, refused), (5, 195));
    let entries = history(&app, &owner.access, order["id"].as_str().unwrap()).await;
    assert_eq!(
        count_kind(&entries, "download"),
        5,
        "one history row per counted download"
    );
    let grants = app
        .get_json(
            &format!("/api/v1/orders/{}/downloads", order["id"].as_str().unwrap()),
            Some(&owner.access),
        )
        .await;
    assert_eq!(grants["items"][0]["used_downloads"], 5);
    let refusal = download(&app, &code, &grant).await;
    let body = assert_problem(refusal, 403, "download_limit_reached").await;
    assert!(
        body["detail"].as_str().unwrap().contains("Verkäufer"),
        "German: {body}"
    );
}

#[actix_web::test]
async fn two_servers_on_one_postgres_count_exactly() {
    let app = crate::helpers::spawn(Backend::Postgres).await;
    let sibling = spawn_sibling(&app).await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let order = create_order(&app, &owner.access, order_body("paid")).await;
    let code = code_of(&order);
    let grant = first_file(&portal(&app, &code).await)["grant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let requests = (0..100).map(|i| {
        let target = if i % 2 == 0 { &app } else { &sibling };
        download(target, &code, &grant)
    });
    let responses = futures_util::future::join_all(requests).await;
    let ok = responses
        .iter()
        .filter(|r| r.status() == StatusCode::FOUND)
        .count();
    assert_eq!(ok, 5, "exactly the allowed count across both servers");
    let entries = history(&sibling, &owner.access, order["id"].as_str().unwrap()).await;
    assert_eq!(count_kind(&entries, "download"), 5);
}

async fn expiry_is_exact_at_the_boundary(backend: Backend) {
    let start = NaiveDate::from_ymd_opt(2026, 11, 1)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let app = spawn_full(backend, |_| {}, Clock::manual(start)).await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let res = app.put("/api/v1/portal-settings", &json!({"enabled": true, "title": "", "logo_url": null, "accent_color": "#123456", "welcome_text": "Willkommen",
                "footer_text": "Impressum", "default_download_limit": 10, "validity_days": 2, "invoice_download": false,
                "contact_form": true, "support_email": "help@example.com"}), Some(&owner.access))
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = order_body("paid");
    body["customer"]["language"] = json!("en");
    let order = create_order(&app, &owner.access, body).await;
    let code = code_of(&order);
    let view = portal(&app, &code).await;
    assert_eq!(first_file(&view)["expires_at"], "2026-11-03T12:00:00Z");
    assert_eq!(view["shop"]["support_email"], "help@example.com");
    let grant = first_file(&view)["grant_id"].as_str().unwrap().to_owned();

    app.clock.advance(Duration::days(2) - Duration::seconds(1));
    assert_eq!(
        download(&app, &code, &grant).await.status(),
        StatusCode::FOUND,
        "one second before the end"
    );
    app.clock.advance(Duration::seconds(1));
    let body = assert_problem(download(&app, &code, &grant).await, 403, "download_expired").await;
    assert_eq!(
        body["detail"],
        "The download period for this file has ended."
    );
    let view = portal(&app, &code).await;
    assert_eq!(first_file(&view)["reason"], "download_expired");
    assert_eq!(first_file(&view)["available"], false);

    // The seller moves the end date: downloads work again, and it is in the history.
    let res = app
        .patch(
            &format!("/api/v1/orders/{}/downloads", order["id"].as_str().unwrap()),
            &json!({"expires_at": null}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        download(&app, &code, &grant).await.status(),
        StatusCode::FOUND
    );
}

#[actix_web::test]
async fn expiry_boundary_sqlite() {
    expiry_is_exact_at_the_boundary(Backend::Sqlite).await;
}

#[actix_web::test]
async fn expiry_boundary_postgres() {
    expiry_is_exact_at_the_boundary(Backend::Postgres).await;
}

/// A download asks the bucket whether the file is there before counting, and
/// trusts a "yes" for `storage_presence_cache_secs` (30 s by default).
async fn a_vanished_file_costs_no_download(backend: Backend) {
    let start = NaiveDate::from_ymd_opt(2026, 11, 1)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let app = spawn_full(backend, |_| {}, Clock::manual(start)).await;
    let s3 = s3_server::start().await;
    let (owner, article_id, key) = shop_with_bucket_ebook(&app, &s3, 5).await;
    let order = create_order(&app, &owner.access, order_body("paid")).await;
    let code = code_of(&order);
    let grant = first_file(&portal(&app, &code).await)["grant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let left = |view: Value| first_file(&view)["downloads_left"].clone();
    let missing_in_article = || async {
        let article = app
            .get_json(
                &format!("/api/v1/articles/{article_id}"),
                Some(&owner.access),
            )
            .await;
        article["files"][0]["missing"].clone()
    };

    assert_eq!(
        download(&app, &code, &grant).await.status(),
        StatusCode::FOUND
    );
    s3.delete("shop", &key).await;
    // Inside the window the earlier look is trusted (the documented trade-off).
    app.clock.advance(Duration::seconds(29));
    assert_eq!(
        download(&app, &code, &grant).await.status(),
        StatusCode::FOUND
    );
    assert_eq!(left(portal(&app, &code).await), 3);

    // Past it the bucket is asked: the file is gone, nothing is counted.
    app.clock.advance(Duration::seconds(2));
    for _ in 0..2 {
        assert_problem(download(&app, &code, &grant).await, 503, "file_missing").await;
    }
    assert_eq!(left(portal(&app, &code).await), 3);
    assert_eq!(missing_in_article().await, true);

    // Back in the bucket, it downloads again.
    s3.put("shop", &key, b"%PDF-1.7 from the bucket").await;
    let res = download(&app, &code, &grant).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let fetched = reqwest::get(res.headers()["location"].to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(left(portal(&app, &code).await), 2);

    // The seller's connection test forgets earlier looks at once.
    s3.delete("shop", &key).await;
    let connection_id = {
        let list = app
            .get_json("/api/v1/storage-connections", Some(&owner.access))
            .await;
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "s3")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let test: Value = app
        .post(
            &format!("/api/v1/storage-connections/{connection_id}/test"),
            &json!({}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(test["files_missing"], 1);
    assert_problem(download(&app, &code, &grant).await, 503, "file_missing").await;
    assert_eq!(left(portal(&app, &code).await), 2);
    let entries = history(&app, &owner.access, order["id"].as_str().unwrap()).await;
    assert_eq!(count_kind(&entries, "download"), 3, "only the counted ones");
}

#[actix_web::test]
async fn vanished_file_sqlite() {
    a_vanished_file_costs_no_download(Backend::Sqlite).await;
}

#[actix_web::test]
async fn vanished_file_postgres() {
    a_vanished_file_costs_no_download(Backend::Postgres).await;
}

async fn refund_locks_and_regenerate_kills_the_old_code(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let order = create_order(&app, &owner.access, order_body("paid")).await;
    let order_id = order["id"].as_str().unwrap();
    let code = code_of(&order);
    let grant = first_file(&portal(&app, &code).await)["grant_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let link: Value = app
        .post(
            &format!("/api/v1/orders/{order_id}/portal-link/regenerate"),
            &json!({}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let new_code = link["code"].as_str().unwrap().to_owned();
    assert_ne!(new_code, code);
    assert_problem(
        app.get(&format!("/api/portal/{code}"), None).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(download(&app, &code, &grant).await, 404, "not_found").await;
    assert_eq!(
        download(&app, &new_code, &grant).await.status(),
        StatusCode::FOUND
    );
    let shown = app
        .get_json(
            &format!("/api/v1/orders/{order_id}/portal-link"),
            Some(&owner.access),
        )
        .await;
    assert_eq!(shown["code"], new_code.as_str());

    let res = app
        .post(
            &format!("/api/v1/orders/{order_id}/status"),
            &json!({"status": "refunded"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_problem(download(&app, &new_code, &grant).await, 403, "order_locked").await;
    let view = portal(&app, &new_code).await;
    assert_eq!(view["order_state"], "order_locked");
    assert_eq!(first_file(&view)["available"], false);
    let res = app
        .post(
            &format!("/api/v1/orders/{order_id}/status"),
            &json!({"status": "paid"}),
            Some(&owner.access),
        )
        .await;
    assert_problem(res, 409, "invalid_transition").await;
    let entries = history(&app, &owner.access, order_id).await;
    assert_eq!(count_kind(&entries, "link_regenerated"), 1);
}

async fn seller_raises_the_limit_and_it_is_in_the_history(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let order = create_order(&app, &owner.access, order_body("paid")).await;
    let order_id = order["id"].as_str().unwrap();
    let code = code_of(&order);
    let grant = first_file(&portal(&app, &code).await)["grant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lowered = app
        .patch(
            &format!("/api/v1/orders/{order_id}/downloads"),
            &json!({"grant_id": grant, "max_downloads": 1}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(lowered.status(), StatusCode::OK);
    assert_eq!(
        download(&app, &code, &grant).await.status(),
        StatusCode::FOUND
    );
    assert_problem(
        download(&app, &code, &grant).await,
        403,
        "download_limit_reached",
    )
    .await;

    let raised: Value = app
        .patch(
            &format!("/api/v1/orders/{order_id}/downloads"),
            &json!({"max_downloads": 3}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(raised["items"][0]["downloads_left"], 2);
    assert_eq!(
        download(&app, &code, &grant).await.status(),
        StatusCode::FOUND
    );
    let entries = history(&app, &owner.access, order_id).await;
    let changes: Vec<&Value> = entries
        .iter()
        .filter(|e| e["kind"] == "limits_changed")
        .collect();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["actor"], "user:owner@example.com");
    assert_eq!(changes[0]["details"]["old"]["max_downloads"], 1);
    assert_eq!(changes[0]["details"]["new"]["max_downloads"], 3);
    let unlimited: Value = app
        .patch(
            &format!("/api/v1/orders/{order_id}/downloads"),
            &json!({"max_downloads": null, "reset_used": true}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(unlimited["items"][0]["max_downloads"].is_null());
    assert_eq!(unlimited["items"][0]["used_downloads"], 0);
    let bad = app
        .patch(
            &format!("/api/v1/orders/{order_id}/downloads"),
            &json!({"max_downloads": -1}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(bad, 422, "validation_failed").await),
        ["max_downloads"]
    );
}

fn batch(refs: &[&str]) -> Value {
    let orders: Vec<Value> = refs
        .iter()
        .map(|r| {
            let mut order = order_body("paid");
            order["external_ref"] = json!(r);
            order
        })
        .collect();
    json!({ "orders": orders })
}

/// Imports `body` and answers the import's summary (it must succeed).
async fn imported(app: &TestApp, token: &str, body: &Value) -> Value {
    let res = app.post("/api/v1/orders/import", body, Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// What an order leaves behind, without what differs between two orders
/// (ids, numbers, codes, times) or depends on when the outbox worker ran
/// (delivery): its history kinds, its grants, its messages, its invoice.
async fn trace_of(app: &TestApp, token: &str, order_id: &str) -> Value {
    let get = |path: String| async move {
        let res = app.get(&path, Some(token)).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.json::<Value>().await.unwrap()
    };
    let history = get(format!("/api/v1/orders/{order_id}/history?limit=200")).await;
    let mut kinds: Vec<String> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .filter(|kind| kind != "message_sent" && kind != "message_failed")
        .collect();
    kinds.sort();
    let grants = get(format!("/api/v1/orders/{order_id}/downloads")).await;
    let grants: Vec<Value> = grants["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            json!([
                g["display_name"],
                g["max_downloads"],
                g["used_downloads"],
                g["expires_at"].is_null()
            ])
        })
        .collect();
    let order = get(format!("/api/v1/orders/{order_id}")).await;
    // The texts, with what differs (the portal code, the order number) masked.
    let code = code_of(&order);
    let masked = |text: &Value| {
        text.as_str()
            .unwrap()
            .replace(&code, "CODE")
            .replace(char::is_numeric, "#")
    };
    let messages = get(format!("/api/v1/orders/{order_id}/messages")).await;
    let messages: Vec<Value> = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            json!([
                m["kind"],
                m["recipient"],
                masked(&m["subject"]),
                masked(&m["body_text"])
            ])
        })
        .collect();
    let invoices = get("/api/v1/invoices?limit=200".to_owned()).await;
    let invoice: Vec<Value> = invoices["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["order_id"] == order["id"])
        .map(|i| json!([i["kind"], i["total_gross"]]))
        .collect();
    json!({ "history": kinds, "grants": grants, "messages": messages, "invoices": invoice })
}

/// An integration that retries a slow request sends it again while the
/// first still runs: the same batch, the same order or the same
/// Idempotency-Key at once are answered as if they had come one after the
/// other, and each order exists once.
async fn the_same_orders_sent_at_once_are_created_once(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let refs: Vec<String> = (0..40).map(|i| format!("race-{i}")).collect();
    let body = batch(&refs.iter().map(String::as_str).collect::<Vec<_>>());
    let answers = futures_util::future::join_all(
        (0..4).map(|_| app.post("/api/v1/orders/import", &body, Some(&owner.access))),
    )
    .await;
    let mut created = 0;
    let mut ids: Option<Vec<Value>> = None;
    for res in answers {
        assert_eq!(res.status(), StatusCode::OK, "every sender is answered");
        let summary: Value = res.json().await.unwrap();
        created += summary["created"].as_u64().unwrap();
        let these: Vec<Value> = summary["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].clone())
            .collect();
        assert_eq!(ids.get_or_insert_with(|| these.clone()), &these);
    }
    assert_eq!(created, 40, "each order created by one of the senders");

    let mut order = order_body("paid");
    order["external_ref"] = json!("race-single");
    let keyed = json!({"customer": {"name": "Ann", "email": "ann@example.com"}, "items": [{"sku": "EBOOK", "quantity": 1}]});
    let (same_ref, same_key) = futures_util::join!(
        futures_util::future::join_all((0..4).map(|_| app.post(
            "/api/v1/orders",
            &order,
            Some(&owner.access)
        ))),
        futures_util::future::join_all((0..4).map(|_| app.post_with_key(
            "/api/v1/orders",
            &keyed,
            Some(&owner.access),
            "checkout-race"
        ))),
    );
    let mut statuses = Vec::new();
    let mut ids = HashSet::new();
    for res in same_ref {
        statuses.push(res.status().as_u16());
        ids.insert(res.json::<Value>().await.unwrap()["id"].clone());
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 200, 200, 201],
        "created once, updated after"
    );
    assert_eq!(ids.len(), 1, "one order for the same external ref");
    let mut ids = HashSet::new();
    for res in same_key {
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "the first answer for all"
        );
        ids.insert(res.json::<Value>().await.unwrap()["id"].clone());
    }
    assert_eq!(ids.len(), 1, "one order for the same Idempotency-Key");

    let list = app
        .get_json("/api/v1/orders?limit=100", Some(&owner.access))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 42);
}

async fn an_imported_order_is_the_same_as_one_created_alone(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let token = owner.access.as_str();
    let settings = json!({
        "company_name": "Hörbuch Verlag GmbH", "address": "Lindenstraße 7\n04109 Leipzig",
        "vat_id": "DE123456789", "tax_number": null, "contact": "", "bank_details": "", "footer": "",
        "number_prefix": "INV-", "number_with_year": false, "number_digits": 4, "issue_mode": "on_paid",
    });
    let res = app
        .put("/api/v1/invoice-settings", &settings, Some(token))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    let mut alone = order_body("paid");
    alone["external_ref"] = json!("ALONE-1");
    let res = app.post("/api/v1/orders", &alone, Some(token)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let alone: Value = res.json().await.unwrap();
    let mut open = order_body("open");
    open["external_ref"] = json!("OPEN-1");
    let mut body = batch(&["BATCH-1", "BATCH-2"]);
    body["orders"].as_array_mut().unwrap().push(open);
    let res = app.post("/api/v1/orders/import", &body, Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let imported: Value = res.json().await.unwrap();
    let numbers: Vec<i64> = imported["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_i64().unwrap())
        .collect();
    let first = alone["number"].as_i64().unwrap();
    assert_eq!(
        numbers,
        [first + 1, first + 2, first + 3],
        "consecutive, in the batch's order"
    );

    let expected = trace_of(&app, token, alone["id"].as_str().unwrap()).await;
    assert_eq!(expected["grants"].as_array().unwrap().len(), 1);
    assert!(
        !expected["messages"].as_array().unwrap().is_empty(),
        "{expected}"
    );
    assert_eq!(expected["invoices"].as_array().unwrap().len(), 1);
    for order in &imported["orders"].as_array().unwrap()[..2] {
        let trace = trace_of(&app, token, order["id"].as_str().unwrap()).await;
        assert_eq!(trace, expected);
    }
    // An open order: no grants, no invoice; the same as one created open.
    let mut open_alone = order_body("open");
    open_alone["external_ref"] = json!("OPEN-ALONE");
    let res = app.post("/api/v1/orders", &open_alone, Some(token)).await;
    let open_alone: Value = res.json().await.unwrap();
    let open_expected = trace_of(&app, token, open_alone["id"].as_str().unwrap()).await;
    let open_trace = trace_of(&app, token, imported["orders"][2]["id"].as_str().unwrap()).await;
    assert_eq!(open_trace, open_expected);
    assert!(open_trace["grants"].as_array().unwrap().is_empty());
}

async fn batch_import_is_atomic_and_repeatable(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let res = app
        .post(
            "/api/v1/orders/import",
            &batch(&["A-1", "A-2", "A-3"]),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let first: Value = res.json().await.unwrap();
    assert_eq!(
        (first["created"].as_u64(), first["updated"].as_u64()),
        (Some(3), Some(0))
    );
    let refs: Vec<&str> = first["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["external_ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        ["A-1", "A-2", "A-3"],
        "answered in the request's order"
    );
    let code = code_of(&first["orders"][1]);
    assert_eq!(
        first_file(&portal(&app, &code).await)["downloads_left"],
        5,
        "paid: unlocked"
    );

    // The same batch again (its answer was lost, say): updated, not doubled.
    let again = imported(&app, &owner.access, &batch(&["A-1", "A-2", "A-3"])).await;
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(again["orders"][2]["id"], first["orders"][2]["id"]);

    // A reference is the channel's own: "A-2" from another channel is a new
    // order, and a batch mixing channels updates each in its own.
    let mut mixed = batch(&["A-2", "A-1"]);
    mixed["orders"][0]["channel"] = json!("ebay");
    let mixed = imported(&app, &owner.access, &mixed).await;
    assert_eq!(
        (mixed["created"].as_u64(), mixed["updated"].as_u64()),
        (Some(1), Some(1))
    );
    assert_ne!(mixed["orders"][0]["id"], first["orders"][1]["id"]);
    assert_eq!(mixed["orders"][1]["id"], first["orders"][0]["id"]);
    let mut ebay_again = batch(&["A-2"]);
    ebay_again["orders"][0]["channel"] = json!("ebay");
    let ebay_again = imported(&app, &owner.access, &ebay_again).await;
    assert_eq!(ebay_again["updated"].as_u64(), Some(1));
    assert_eq!(ebay_again["orders"][0]["id"], mixed["orders"][0]["id"]);

    // One bad order: nothing of the batch is imported, the field is named.
    let mut bad = batch(&["B-1", "B-2"]);
    bad["orders"][1]["customer"]["email"] = json!("not-an-email");
    let refused = |body: Value| {
        let (app, token) = (&app, owner.access.clone());
        async move {
            let res = app.post("/api/v1/orders/import", &body, Some(&token)).await;
            problem_fields(&assert_problem(res, 422, "validation_failed").await)
        }
    };
    assert_eq!(refused(bad).await, ["orders[1].customer.email"]);
    assert_eq!(
        refused(batch(&["C-1", "C-1"])).await,
        ["orders[1].external_ref"]
    );
    let mut no_ref = batch(&["D-1"]);
    no_ref["orders"][0]["external_ref"] = Value::Null;
    assert_eq!(refused(no_ref).await, ["orders[0].external_ref"]);
    assert_eq!(refused(json!({"orders": []})).await, ["orders"]);
    let too_many: Vec<String> = (0..501).map(|n| format!("G-{n}")).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    assert_eq!(refused(batch(&too_many)).await, ["orders"], "at most 500");
    // An unknown article rolls back the orders before it in the batch.
    let mut unknown = batch(&["E-1", "E-2"]);
    unknown["orders"][1]["items"][0]["sku"] = json!("NO-SUCH-SKU");
    let res = app
        .post("/api/v1/orders/import", &unknown, Some(&owner.access))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let list = app
        .get_json("/api/v1/orders?limit=200", Some(&owner.access))
        .await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        4,
        "only the A batches"
    );

    let (_, read_only) = app.create_api_key(&owner.access, "read").await;
    let res = app
        .post("/api/v1/orders/import", &batch(&["F-1"]), Some(&read_only))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn import_is_idempotent(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let first = create_order(&app, &owner.access, order_body("open")).await;
    let mut again = order_body("paid");
    again["customer"]["name"] = json!("Jörg Müller-Lüdenscheidt");
    let res = app
        .post("/api/v1/orders", &again, Some(&owner.access))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the same external order updates"
    );
    let second: Value = res.json().await.unwrap();
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["status"], "paid", "imported again as paid: unlocked");
    assert_eq!(second["customer"]["name"], "Jörg Müller-Lüdenscheidt");
    // Importing a paid order again creates no second grant.
    app.post("/api/v1/orders", &again, Some(&owner.access))
        .await;
    let grants = app
        .get_json(
            &format!("/api/v1/orders/{}/downloads", first["id"].as_str().unwrap()),
            Some(&owner.access),
        )
        .await;
    assert_eq!(grants["items"].as_array().unwrap().len(), 1);
    let list = app.get_json("/api/v1/orders", Some(&owner.access)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let manual = json!({"customer": {"name": "Ann", "email": "ann@example.com"}, "items": [{"sku": "EBOOK", "quantity": 2}]});
    // Copies of references, so the closure can be called again.
    let (app_ref, token) = (&app, owner.access.as_str());
    let send = |body: Value| async move {
        app_ref
            .post_with_key("/api/v1/orders", &body, Some(token), "checkout-42")
            .await
    };
    let r1 = send(manual.clone()).await;
    assert_eq!(r1.status(), StatusCode::CREATED);
    let b1: Value = r1.json().await.unwrap();
    let r2 = send(manual.clone()).await;
    assert_eq!(
        r2.status(),
        StatusCode::CREATED,
        "the first answer is replayed"
    );
    let b2: Value = r2.json().await.unwrap();
    assert_eq!(b1, b2);
    let mut different = manual.clone();
    different["items"][0]["quantity"] = json!(3);
    assert_problem(send(different).await, 422, "idempotency_key_reused").await;
    let list = app.get_json("/api/v1/orders", Some(&owner.access)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(b1["number"], 2);
    assert_eq!(b1["totals"]["gross"], "39.98");
}

async fn tenant_b_cannot_reach_tenant_a_orders(app: TestApp) {
    let (a, _) = shop_with_ebook(&app, "a@example.com").await;
    let b = app.signup("Shop B", "b@example.com").await;
    let order = create_order(&app, &a.access, order_body("paid")).await;
    let id = order["id"].as_str().unwrap();
    let random = uuid::Uuid::now_v7().to_string();
    for target in [id, random.as_str()] {
        for path in ["", "/downloads", "/history", "/portal-link"] {
            let res = app
                .get(&format!("/api/v1/orders/{target}{path}"), Some(&b.access))
                .await;
            assert_problem(res, 404, "not_found").await;
        }
        let res = app
            .post(
                &format!("/api/v1/orders/{target}/status"),
                &json!({"status": "refunded"}),
                Some(&b.access),
            )
            .await;
        assert_problem(res, 404, "not_found").await;
        let res = app
            .patch(
                &format!("/api/v1/orders/{target}/downloads"),
                &json!({"max_downloads": 999}),
                Some(&b.access),
            )
            .await;
        assert_problem(res, 404, "not_found").await;
        let res = app
            .post(
                &format!("/api/v1/orders/{target}/history"),
                &json!({"text": "mine"}),
                Some(&b.access),
            )
            .await;
        assert_problem(res, 404, "not_found").await;
        let res = app
            .post(
                &format!("/api/v1/orders/{target}/portal-link/regenerate"),
                &json!({}),
                Some(&b.access),
            )
            .await;
        assert_problem(res, 404, "not_found").await;
    }
    // Nothing of A's changed: the order is still paid with its limits and code.
    let view = portal(&app, &code_of(&order)).await;
    assert_eq!(first_file(&view)["max_downloads"], 5);
    assert_eq!(view["order"]["status"], "paid");
    let b_list = app.get_json("/api/v1/orders", Some(&b.access)).await;
    assert_eq!(b_list["items"].as_array().unwrap().len(), 0);
    // B cannot order A's article by id either.
    let article_of_a = order["items"][0]["article_id"].as_str().unwrap();
    let res = app
        .post("/api/v1/orders", &json!({"customer": {"name": "x", "email": "x@example.com"}, "items": [{"article_id": article_of_a, "quantity": 1}]}), Some(&b.access))
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 422, "validation_failed").await),
        ["items[0].article_id"]
    );
}

async fn portal_headers_unknown_codes_and_rate_limit(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let order = create_order(&app, &owner.access, order_body("paid")).await;
    let ok = app
        .get(&format!("/api/portal/{}", code_of(&order)), None)
        .await;
    assert_eq!(ok.headers()["referrer-policy"], "no-referrer");
    assert!(
        ok.headers()["x-robots-tag"]
            .to_str()
            .unwrap()
            .contains("noindex")
    );
    assert_eq!(ok.headers()["cache-control"], "no-store");
    let miss_a = app
        .get("/api/portal/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None)
        .await;
    assert_eq!(miss_a.headers()["referrer-policy"], "no-referrer");
    let a = assert_problem(miss_a, 404, "not_found").await;
    let b = assert_problem(app.get("/api/portal/short", None).await, 404, "not_found").await;
    assert_eq!(a, b, "every unknown code answers the same");
    let mut statuses = Vec::new();
    for i in 0..30 {
        statuses.push(
            app.get(&format!("/api/portal/guess{i:0>28}"), None)
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(
        statuses.contains(&429),
        "guessing is throttled: {statuses:?}"
    );
    // Throttling counts misses only: the real code still opens for this address.
    let res = app
        .get(&format!("/api/portal/{}", code_of(&order)), None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn portal_disabled_and_messages(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let order = create_order(&app, &owner.access, order_body("paid")).await;
    let code = code_of(&order);
    let grant = first_file(&portal(&app, &code).await)["grant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A code opens its own order's files only: another order's file of the
    // same shop, and an unknown one, are not there.
    let mut second = order_body("paid");
    second["external_ref"] = json!("1002");
    let other = create_order(&app, &owner.access, second).await;
    let other_grant = first_file(&portal(&app, &code_of(&other)).await)["grant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unknown = uuid::Uuid::now_v7().to_string();
    for foreign in [&other_grant, &unknown] {
        assert_problem(download(&app, &code, foreign).await, 404, "not_found").await;
    }
    let sent = app
        .post(
            &format!("/api/portal/{code}/messages"),
            &json!({"message": "Der Download bricht ab – bitte helfen!"}),
            None,
        )
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let entries = history(&app, &owner.access, order["id"].as_str().unwrap()).await;
    let message = entries
        .iter()
        .find(|e| e["kind"] == "customer_message")
        .expect("message in history");
    assert_eq!(
        message["details"]["message"],
        "Der Download bricht ab – bitte helfen!"
    );
    assert_eq!(message["details"]["email"], "joerg@example.com");
    let empty = app
        .post(
            &format!("/api/portal/{code}/messages"),
            &json!({"message": "  "}),
            None,
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(empty, 422, "validation_failed").await),
        ["message"]
    );
    let long = app
        .post(
            &format!("/api/portal/{code}/messages"),
            &json!({"message": "x".repeat(2001)}),
            None,
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(long, 422, "validation_failed").await),
        ["message"]
    );

    let mut settings = app
        .get_json("/api/v1/portal-settings", Some(&owner.access))
        .await;
    settings.as_object_mut().unwrap().remove("updated_at");
    settings["enabled"] = json!(false);
    settings["contact_form"] = json!(false);
    assert_eq!(
        app.put("/api/v1/portal-settings", &settings, Some(&owner.access))
            .await
            .status(),
        StatusCode::OK
    );
    let res = app.get(&format!("/api/portal/{code}"), None).await;
    let body = assert_problem(res, 503, "portal_disabled").await;
    assert!(body["detail"].as_str().unwrap().contains("nicht verfügbar"));
    // Switched off, the portal answers the same whatever file is named, and counts nothing.
    for named in [&grant, &unknown] {
        assert_problem(download(&app, &code, named).await, 503, "portal_disabled").await;
    }
    settings["enabled"] = json!(true);
    app.put("/api/v1/portal-settings", &settings, Some(&owner.access))
        .await;
    assert_eq!(first_file(&portal(&app, &code).await)["downloads_left"], 5);
    let res = app
        .post(
            &format!("/api/portal/{code}/messages"),
            &json!({"message": "hi"}),
            None,
        )
        .await;
    assert_problem(res, 403, "contact_disabled").await;
    let bad = app
        .put(
            "/api/v1/portal-settings",
            &json!({"enabled": true}),
            Some(&owner.access),
        )
        .await;
    assert_problem(bad, 422, "validation_failed").await;
}

async fn order_validation_names_fields(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let res = app
        .post(
            "/api/v1/orders",
            &json!({"customer": {"name": "", "email": "nope", "language": "fr"},
                    "items": [{"sku": "EBOOK", "quantity": 0}, {"title": "Free line", "quantity": 1}]}),
            Some(&owner.access),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let mut fields = problem_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        ["customer.email", "customer.language", "customer.name"]
    );
    let res = app
        .post("/api/v1/orders", &json!({"customer": {"name": "A", "email": "a@example.com"}, "items": [{"sku": "EBOOK", "quantity": 0}, {"title": "Free", "quantity": 1}]}), Some(&owner.access))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem_fields(&body), ["items[0].quantity"]);
    let res = app
        .post("/api/v1/orders", &json!({"customer": {"name": "A", "email": "a@example.com"}, "items": [{"title": "Free", "quantity": 1}]}), Some(&owner.access))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&body),
        ["items[0]"],
        "a free line needs price and VAT"
    );
    let res = app
        .post("/api/v1/orders", &json!({"customer": {"name": "A", "email": "a@example.com"}, "items": [{"title": "Postage", "quantity": 1, "unit_price": "4.90", "vat_rate": "19"}]}), Some(&owner.access))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "a free line with price and VAT is fine"
    );
}

async fn order_list_filters_and_pages(app: TestApp) {
    // Shops created before and after this one, with orders of their own:
    // pages must neither start in a later shop nor run on into an earlier one.
    let (early, _) = shop_with_ebook(&app, "early@example.com").await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let (late, _) = shop_with_ebook(&app, "late@example.com").await;
    for (i, neighbour) in [&early, &late, &early, &late].into_iter().enumerate() {
        let mut body = order_body("paid");
        body["external_ref"] = json!(format!("neighbour-{i}"));
        create_order(&app, &neighbour.access, body).await;
    }
    for i in 0..5 {
        let status = if i % 2 == 0 { "paid" } else { "open" };
        create_order(
            &app,
            &owner.access,
            json!({"channel": if i < 3 { "ebay" } else { "manual" },
                   "customer": {"name": format!("Kunde {i}"), "email": format!("kunde{i}@example.com")},
                   "items": [{"sku": "EBOOK", "quantity": 1}], "status": status}),
        )
        .await;
    }
    let count = |v: &Value| v["items"].as_array().unwrap().len();
    let paid = app
        .get_json("/api/v1/orders?paid=true", Some(&owner.access))
        .await;
    assert_eq!(count(&paid), 3);
    let open = app
        .get_json("/api/v1/orders?status=open", Some(&owner.access))
        .await;
    assert_eq!(count(&open), 2);
    let ebay = app
        .get_json("/api/v1/orders?channel=ebay", Some(&owner.access))
        .await;
    assert_eq!(count(&ebay), 3);
    let search = app
        .get_json("/api/v1/orders?q=KUNDE3", Some(&owner.access))
        .await;
    assert_eq!(count(&search), 1);
    let by_number = app
        .get_json("/api/v1/orders?q=%232", Some(&owner.access))
        .await;
    assert_eq!(by_number["items"][0]["number"], 2);
    let mut pages: Vec<Value> = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get_json(
                &format!("/api/v1/orders?limit=2&cursor={cursor}"),
                Some(&owner.access),
            )
            .await;
        let next = page["next_cursor"].as_str().map(str::to_owned);
        pages.push(page);
        match next {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(pages.len(), 3, "five orders, two a page");
    let numbers: Vec<i64> = pages
        .iter()
        .flat_map(|p| {
            p["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["number"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(numbers, [5, 4, 3, 2, 1]);
    let future = app
        .get_json(
            "/api/v1/orders?from=2999-01-01T00:00:00Z",
            Some(&owner.access),
        )
        .await;
    assert_eq!(count(&future), 0);
    let bad = app
        .get("/api/v1/orders?status=lost", Some(&owner.access))
        .await;
    assert!(bad.status().is_client_error());
}

async fn notes_and_status_flow(app: TestApp) {
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let order = create_order(&app, &owner.access, order_body("open")).await;
    let id = order["id"].as_str().unwrap();
    let note = app
        .post(
            &format!("/api/v1/orders/{id}/history"),
            &json!({"text": "Kunde hat angerufen"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(note.status(), StatusCode::CREATED);
    for status in ["paid", "shipped", "completed"] {
        let res = app
            .post(
                &format!("/api/v1/orders/{id}/status"),
                &json!({"status": status}),
                Some(&owner.access),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{status}");
    }
    let grants = app
        .get_json(
            &format!("/api/v1/orders/{id}/downloads"),
            Some(&owner.access),
        )
        .await;
    assert_eq!(
        grants["items"].as_array().unwrap().len(),
        1,
        "paid → shipped → completed unlocks once"
    );
    let entries = history(&app, &owner.access, id).await;
    assert_eq!(entries[0]["kind"], "status_changed", "newest first");
    assert_eq!(count_kind(&entries, "note"), 1);
    let changed: Value = app
        .patch(
            &format!("/api/v1/orders/{id}"),
            &json!({"customer": {"name": "J. Müller", "email": "J@Example.com", "language": "en"}}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["customer"]["email"], "j@example.com");
    assert_eq!(changed["customer"]["language"], "en");
}

/// The portal page shows every line in its order, each with its own files
/// in the article's order: a line without files (postage) too, and nothing
/// of the shop's other orders.
async fn portal_page_shows_each_line_with_its_files(app: TestApp) {
    let (owner, ebook) = shop_with_ebook(&app, "owner@example.com").await;
    let (connection_id, folder) = app.local_connection(&owner.access).await;
    let audio: Value = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "AUDIO", "title": "Hörbuch", "price": "9.99"}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let audio = audio["id"].as_str().unwrap();
    for (article, file) in [(ebook.as_str(), "Bonus.mp3"), (audio, "Kapitel 1.mp3")] {
        std::fs::write(folder.join(file), b"ID3 audio").unwrap();
        link_file(&app, &owner.access, article, &connection_id, file).await;
    }
    let order = create_order(
        &app,
        &owner.access,
        json!({"customer": {"name": "Ann", "email": "ann@example.com"}, "status": "paid",
               "items": [{"sku": "EBOOK", "quantity": 1},
                         {"title": "Versand", "quantity": 1, "unit_price": "4.90", "vat_rate": "19"},
                         {"sku": "AUDIO", "quantity": 2}]}),
    )
    .await;
    let other = create_order(
        &app,
        &owner.access,
        json!({"customer": {"name": "Bob", "email": "bob@example.com"}, "status": "paid",
               "items": [{"sku": "AUDIO", "quantity": 1}, {"sku": "EBOOK", "quantity": 1}]}),
    )
    .await;

    let view = portal(&app, &code_of(&order)).await;
    let lines: Vec<(&str, i64, Vec<&str>)> = view["order"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            let files = line["files"].as_array().unwrap();
            let names = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
            (
                line["title"].as_str().unwrap(),
                line["quantity"].as_i64().unwrap(),
                names,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("Übungsbuch", 1, vec![UMLAUT_NAME, "Bonus.mp3"]),
            ("Versand", 1, vec![]),
            ("Hörbuch", 2, vec!["Kapitel 1.mp3"]),
        ]
    );
    assert_eq!(view["shop"]["name"], "Hörbuch Verlag");
    assert_eq!(view["order"]["customer_name"], "Ann");
    assert_eq!(view["invoice_available"], false);

    let other = portal(&app, &code_of(&other)).await;
    let titles: Vec<&str> = other["order"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Hörbuch", "Übungsbuch"]);
    assert_eq!(
        other["order"]["items"][1]["files"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

on_both_databases!(
    the_whole_path_with_a_real_s3_server,
    exactly_the_allowed_downloads_succeed_under_concurrency,
    refund_locks_and_regenerate_kills_the_old_code,
    seller_raises_the_limit_and_it_is_in_the_history,
    import_is_idempotent,
    the_same_orders_sent_at_once_are_created_once,
    batch_import_is_atomic_and_repeatable,
    an_imported_order_is_the_same_as_one_created_alone,
    tenant_b_cannot_reach_tenant_a_orders,
    portal_headers_unknown_codes_and_rate_limit,
    portal_disabled_and_messages,
    order_validation_names_fields,
    order_list_filters_and_pages,
    notes_and_status_flow,
    portal_page_shows_each_line_with_its_files,
);
