//! Notifications end to end: rules, templates, the outbox and a real SMTP server.

use delivery::clock::Clock;
use delivery::config::SmtpSecurity;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, problem_fields, spawn_full, spawn_sibling};
use crate::orders::{create_order, shop_with_ebook};
use crate::smtp_server::{self, Inbox, free_port};

async fn app_with_smtp(backend: Backend, port: u16) -> TestApp {
    spawn_full(
        backend,
        |s| {
            s.mail_smtp_host = Some("127.0.0.1".into());
            s.mail_smtp_port = port;
            s.mail_smtp_security = SmtpSecurity::None;
            s.outbox_poll_ms = 100;
            s.outbox_retry_base_ms = 300;
        },
        Clock::System,
    )
    .await
}

async fn with_smtp(backend: Backend) -> (TestApp, Inbox) {
    let port = free_port();
    let inbox = smtp_server::start_on(port);
    (app_with_smtp(backend, port).await, inbox)
}

fn paid_order(external_ref: &str, items: Value) -> Value {
    json!({
        "channel": "shopify", "external_ref": external_ref,
        "customer": {"name": "Jörg Müller", "email": "joerg@example.com", "language": "de"},
        "items": items, "status": "paid",
    })
}

async fn messages(app: &TestApp, token: &str, order_id: &str) -> Vec<Value> {
    let list = app
        .get_json(&format!("/api/v1/orders/{order_id}/messages"), Some(token))
        .await;
    list["items"].as_array().unwrap().clone()
}

/// A 422 naming exactly `field`; its message.
async fn refused_field(res: reqwest::Response, field: &str) -> String {
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem_fields(&body), [field], "{body}");
    body["errors"][0]["message"].as_str().unwrap().to_owned()
}

async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
}

async fn paid_order_sends_exactly_one_mail_with_a_working_link(backend: Backend) {
    let (app, inbox) = with_smtp(backend).await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let order: Value = app
        .post(
            "/api/v1/orders",
            &paid_order("A-1", json!([{"sku": "EBOOK", "quantity": 1}])),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let mails = inbox.wait_for(1).await;
    settle().await;
    assert_eq!(inbox.mails().len(), 1, "exactly one mail");
    let mail = &mails[0];
    assert_eq!(mail.to, ["joerg@example.com"]);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Ihre Downloads zu Bestellung 1 sind bereit")
    );
    let portal_url = order["portal_url"].as_str().unwrap();
    assert!(
        mail.unfolded().contains(portal_url),
        "the mail carries the portal link:\n{}",
        mail.data
    );

    let path = portal_url.trim_start_matches(&app.base);
    let followed = app.get(&format!("/api{path}"), None).await;
    assert_eq!(followed.status(), StatusCode::OK, "the link works");

    let order_id = order["id"].as_str().unwrap();
    let sent = messages(&app, &owner.access, order_id).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["status"], "sent");
    assert_eq!(
        mail.header("Message-ID"),
        sent[0]["message_id"].as_str().map(str::to_owned)
    );
    let history = app
        .get_json(
            &format!("/api/v1/orders/{order_id}/history"),
            Some(&owner.access),
        )
        .await;
    let kinds: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"message_queued") && kinds.contains(&"message_sent"),
        "{kinds:?}"
    );
    let queued = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "message_queued")
        .unwrap();
    assert!(
        queued["details"]["text"]
            .as_str()
            .unwrap()
            .contains(portal_url),
        "the history keeps the rendered text"
    );

    // Paid again (re-import, then shipped): the rule fired once and stays quiet.
    app.post(
        "/api/v1/orders",
        &paid_order("A-1", json!([{"sku": "EBOOK", "quantity": 1}])),
        Some(&owner.access),
    )
    .await;
    app.post(
        &format!("/api/v1/orders/{order_id}/status"),
        &json!({"status": "shipped"}),
        Some(&owner.access),
    )
    .await;
    settle().await;
    assert_eq!(inbox.mails().len(), 1, "no second mail for the same order");

    // No downloadable item: no mail.
    let physical: Value = app
        .post(
            "/api/v1/orders",
            &paid_order(
                "B-1",
                json!([{"title": "Poster", "quantity": 1, "unit_price": "9.90", "vat_rate": "19"}]),
            ),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    settle().await;
    assert_eq!(inbox.mails().len(), 1);
    assert!(
        messages(&app, &owner.access, physical["id"].as_str().unwrap())
            .await
            .is_empty()
    );
}

#[actix_web::test]
async fn one_mail_per_paid_order_sqlite() {
    paid_order_sends_exactly_one_mail_with_a_working_link(Backend::Sqlite).await;
}

#[actix_web::test]
async fn one_mail_per_paid_order_postgres() {
    paid_order_sends_exactly_one_mail_with_a_working_link(Backend::Postgres).await;
}

async fn smtp_down_then_back_delivers_once(backend: Backend) {
    let port = free_port();
    let app = app_with_smtp(backend, port).await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let order: Value = app
        .post(
            "/api/v1/orders",
            &paid_order("C-1", json!([{"sku": "EBOOK", "quantity": 1}])),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let order_id = order["id"].as_str().unwrap();
    let mut failed_once = false;
    for _ in 0..100 {
        let m = messages(&app, &owner.access, order_id).await;
        if m[0]["attempts"].as_i64().unwrap() >= 1 {
            assert_eq!(m[0]["status"], "pending", "kept for a retry");
            assert!(m[0]["last_error"].as_str().is_some_and(|e| !e.is_empty()));
            failed_once = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        failed_once,
        "the first attempt failed while the server was down"
    );
    let inbox = smtp_server::start_on(port);
    inbox.wait_for(1).await;
    settle().await;
    assert_eq!(
        inbox.mails().len(),
        1,
        "delivered once it is back, exactly once"
    );
    let m = messages(&app, &owner.access, order_id).await;
    assert_eq!(m[0]["status"], "sent");
}

#[actix_web::test]
async fn smtp_down_then_back_sqlite() {
    smtp_down_then_back_delivers_once(Backend::Sqlite).await;
}

#[actix_web::test]
async fn smtp_down_then_back_postgres() {
    smtp_down_then_back_delivers_once(Backend::Postgres).await;
}

#[actix_web::test]
async fn two_servers_on_one_postgres_send_each_message_once() {
    let (app, inbox) = with_smtp(Backend::Postgres).await;
    let sibling = spawn_sibling(&app).await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    for i in 0..6 {
        let target = if i % 2 == 0 { &app } else { &sibling };
        let res = target
            .post(
                "/api/v1/orders",
                &paid_order(&format!("D-{i}"), json!([{"sku": "EBOOK", "quantity": 1}])),
                Some(&owner.access),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let mails = inbox.wait_for(6).await;
    settle().await;
    settle().await;
    let mails_now = inbox.mails();
    assert_eq!(
        mails_now.len(),
        6,
        "each message once, however many workers"
    );
    let mut ids: Vec<String> = mails
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
}

async fn templates_are_checked_and_previewed(backend: Backend) {
    let (app, _inbox) = with_smtp(backend).await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let bad = app
        .post(
            "/api/v1/templates",
            &json!({"name": "broken", "language": "en", "subject": "Hi", "body_text": "Hello {{ customer_name }}\n{% if %}"}),
            Some(&owner.access),
        )
        .await;
    let message = refused_field(bad, "body_text").await;
    assert!(message.starts_with("line 2, column"), "{message}");
    let unknown = app
        .post(
            "/api/v1/templates",
            &json!({"name": "x", "language": "en", "subject": "{{ secret_key }}", "body_text": "hi"}),
            Some(&owner.access),
        )
        .await;
    let message = refused_field(unknown, "subject").await;
    assert!(message.contains("secret_key"), "{message}");

    let list = app.get_json("/api/v1/templates", Some(&owner.access)).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "German and English defaults"
    );
    let english = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["language"] == "en")
        .unwrap();
    let order: Value = app
        .post(
            "/api/v1/orders",
            &paid_order("E-1", json!([{"sku": "EBOOK", "quantity": 1}])),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let preview: Value = app
        .post(
            &format!(
                "/api/v1/templates/{}/preview",
                english["id"].as_str().unwrap()
            ),
            &json!({"order_id": order["id"]}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        preview["body_text"]
            .as_str()
            .unwrap()
            .contains(order["portal_url"].as_str().unwrap()),
        "{preview}"
    );
    assert!(
        preview["body_html"]
            .as_str()
            .unwrap()
            .contains("Übung für Anfänger")
    );
    // The editor's unsaved draft is rendered, checked like a save, and not stored.
    let preview_url = format!(
        "/api/v1/templates/{}/preview",
        english["id"].as_str().unwrap()
    );
    let draft = json!({"name": "downloads_ready", "language": "en",
        "subject": "Draft for {{ customer_name }}", "body_text": "Draft: {{ order_number }}"});
    let drafted: Value = app
        .post(
            &preview_url,
            &json!({"order_id": order["id"], "draft": draft}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(drafted["subject"], "Draft for Jörg Müller", "{drafted}");
    assert_eq!(
        drafted["body_text"],
        format!("Draft: {}", order["number"]),
        "{drafted}"
    );
    assert!(drafted["body_html"].is_null(), "{drafted}");
    let broken = app
        .post(
            &preview_url,
            &json!({"draft": {"name": "downloads_ready", "language": "en", "subject": "Hi", "body_text": "ok\n{% for %}"}}),
            Some(&owner.access),
        )
        .await;
    let message = refused_field(broken, "body_text").await;
    assert!(message.starts_with("line 2, column"), "{message}");
    // A draft that would loop for ever runs out of fuel: a 422 naming the field, not a hung server.
    let runaway = app
        .post(
            &preview_url,
            &json!({"draft": {"name": "downloads_ready", "language": "en", "subject": "Hi",
                "body_text": "{% for a in items * 1000000 %}{% for b in items * 1000000 %}x{% endfor %}{% endfor %}"}}),
            Some(&owner.access),
        )
        .await;
    let message = refused_field(runaway, "body_text").await;
    assert!(message.contains("out of fuel"), "{message}");
    let stored = app
        .get_json(
            &format!("/api/v1/templates/{}", english["id"].as_str().unwrap()),
            Some(&owner.access),
        )
        .await;
    assert_eq!(
        stored["subject"], english["subject"],
        "a preview stores nothing"
    );

    let rules = app.get_json("/api/v1/rules", Some(&owner.access)).await;
    assert_eq!(rules["items"][0]["trigger"], "order_paid");
    assert_eq!(rules["items"][0]["enabled"], true);
}

#[actix_web::test]
async fn templates_checked_and_previewed_sqlite() {
    templates_are_checked_and_previewed(Backend::Sqlite).await;
}

#[actix_web::test]
async fn templates_checked_and_previewed_postgres() {
    templates_are_checked_and_previewed(Backend::Postgres).await;
}

#[actix_web::test]
async fn customer_messages_are_mailed_to_the_seller() {
    let (app, inbox) = with_smtp(Backend::Sqlite).await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    // A rule off: only the customer's message is mailed.
    let rules = app.get_json("/api/v1/rules", Some(&owner.access)).await;
    let mut rule = rules["items"][0].clone();
    let id = rule["id"].as_str().unwrap().to_owned();
    let obj = rule.as_object_mut().unwrap();
    obj.remove("id");
    obj.remove("updated_at");
    obj.insert("enabled".into(), json!(false));
    let res = app
        .put(&format!("/api/v1/rules/{id}"), &rule, Some(&owner.access))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let order: Value = app
        .post(
            "/api/v1/orders",
            &paid_order("F-1", json!([{"sku": "EBOOK", "quantity": 1}])),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let code = order["portal_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let sent = app
        .post(
            &format!("/api/portal/{code}/messages"),
            &json!({"message": "Wo ist meine Rechnung?"}),
            None,
        )
        .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let mails = inbox.wait_for(1).await;
    settle().await;
    assert_eq!(inbox.mails().len(), 1, "the disabled rule sent nothing");
    assert_eq!(mails[0].to, ["owner@example.com"]);
    assert!(
        mails[0].unfolded().contains("Wo ist meine Rechnung?")
            || mails[0].data.contains("Wo ist meine")
    );
}

/// A webhook receiver: records every request's signature headers and body.
async fn start_receiver() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(String, String, String, String)>>>,
) {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks/delivery", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let store = store.clone();
        App::new().route(
            "/hooks/delivery",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let store = store.clone();
                async move {
                    let h = |n: &str| {
                        req.headers()
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned()
                    };
                    store.lock().unwrap().push((
                        h("webhook-id"),
                        h("webhook-timestamp"),
                        h("webhook-signature"),
                        String::from_utf8_lossy(&body).into_owned(),
                    ));
                    HttpResponse::NoContent().finish()
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    actix_web::rt::spawn(server);
    (url, received)
}

/// A sales channel with its webhook at `url`, and a rule that tells it
/// when an order is paid; the channel as created (with its secret).
async fn tell_channel_when_paid(app: &TestApp, token: &str, url: &str) -> Value {
    let channel = app
        .post(
            "/api/v1/sales-channels",
            &json!({"name": "Shopify", "webhook_url": url}),
            Some(token),
        )
        .await;
    assert_eq!(channel.status(), StatusCode::CREATED);
    let rule = app
        .post(
            "/api/v1/rules",
            &json!({"name": "Paid → tell the channel", "trigger": "order_paid", "template_name": "downloads_ready", "action": "sales_channel"}),
            Some(token),
        )
        .await;
    assert_eq!(rule.status(), StatusCode::CREATED);
    channel.json().await.unwrap()
}

async fn sales_channel_messages_are_signed_webhooks(backend: Backend) {
    let (app, _inbox) = with_smtp(backend).await;
    let (url, received) = start_receiver().await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let channel = tell_channel_when_paid(&app, &owner.access, &url).await;
    let secret = channel["signing_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let listed = app
        .get("/api/v1/sales-channels", Some(&owner.access))
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&secret), "the secret is shown once");
    let order: Value = app
        .post(
            "/api/v1/orders",
            &paid_order("G-1", json!([{"sku": "EBOOK", "quantity": 1}])),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut got = Vec::new();
    for _ in 0..100 {
        got = received.lock().unwrap().clone();
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    settle().await;
    let got_now = received.lock().unwrap().clone();
    assert_eq!(got_now.len(), 1, "one webhook call");
    let (id, timestamp, signature, body) = &got[0];
    let expected =
        delivery::notifications::channels::sign(&secret, id, timestamp.parse().unwrap(), body)
            .unwrap();
    assert_eq!(signature, &expected, "the signature verifies");
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["data"]["order_number"], order["number"]);
    assert_eq!(payload["data"]["external_ref"], "G-1");
    assert!(
        payload["data"]["text"]
            .as_str()
            .unwrap()
            .contains(order["portal_url"].as_str().unwrap())
    );
    let bad = app
        .post(
            "/api/v1/sales-channels",
            &json!({"name": "evil", "webhook_url": "http://169.254.169.254/latest"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(bad, 422, "validation_failed").await),
        ["webhook_url"]
    );
}

#[actix_web::test]
async fn sales_channel_webhooks_sqlite() {
    sales_channel_messages_are_signed_webhooks(Backend::Sqlite).await;
}

#[actix_web::test]
async fn sales_channel_webhooks_postgres() {
    sales_channel_messages_are_signed_webhooks(Backend::Postgres).await;
}

/// The worker records a round's outcomes together; each message keeps its
/// own: an order's mail is sent while its webhook, to a channel that does
/// not answer, waits for a retry with the error.
async fn each_message_of_a_round_keeps_its_outcome(backend: Backend) {
    let (app, inbox) = with_smtp(backend).await;
    let (owner, _) = shop_with_ebook(&app, "owner@example.com").await;
    let nobody = format!("http://127.0.0.1:{}/hooks/delivery", free_port());
    tell_channel_when_paid(&app, &owner.access, &nobody).await;
    let order = create_order(
        &app,
        &owner.access,
        paid_order("R-1", json!([{"sku": "EBOOK", "quantity": 1}])),
    )
    .await;
    let order_id = order["id"].as_str().unwrap();
    let by_kind = |list: &[Value], kind: &str| {
        list.iter()
            .find(|m| m["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("a {kind} message in {list:?}"))
    };
    let mut list = Vec::new();
    for _ in 0..100 {
        list = messages(&app, &owner.access, order_id).await;
        let tried = |kind: &str| by_kind(&list, kind)["attempts"].as_i64().unwrap() >= 1;
        if tried("email") && tried("sales_channel") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mail = by_kind(&list, "email");
    assert_eq!(mail["status"], "sent", "{mail}");
    assert_eq!(mail["attempts"], 1);
    let hook = by_kind(&list, "sales_channel");
    assert_eq!(hook["status"], "pending", "kept for a retry: {hook}");
    assert!(hook["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    inbox.wait_for(1).await;
    assert_eq!(inbox.mails().len(), 1);
}

#[actix_web::test]
async fn each_message_keeps_its_outcome_sqlite() {
    each_message_of_a_round_keeps_its_outcome(Backend::Sqlite).await;
}

#[actix_web::test]
async fn each_message_keeps_its_outcome_postgres() {
    each_message_of_a_round_keeps_its_outcome(Backend::Postgres).await;
}
