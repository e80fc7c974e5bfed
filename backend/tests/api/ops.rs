//! Health, metrics, request ids, API docs and the committed contract.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, tokens};
use crate::on_both_databases;

async fn health_checks_the_database(app: TestApp) {
    let res = app.get("/api/health", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers().get("x-request-id").is_some(),
        "every response carries its request id"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    let expected = if app.settings.database_url().starts_with("sqlite") {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(body["backend"], expected);
}

async fn metrics_count_requests_by_route_pattern(app: TestApp) {
    app.get("/api/health", None).await;
    app.get("/api/v1/me", None).await;
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("http_requests_total{")
            && l.contains("route=\"/api/health\"")
            && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("route=\"/api/v1/me\"") && l.contains("status=\"401\""))
    );
    assert!(text.contains("http_request_duration_seconds_bucket"));
}

async fn api_docs_are_served_offline(app: TestApp) {
    let res = app.get("/api/docs", None).await;
    assert!(res.status().is_redirection());
    let page = app.get("/api/docs/", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("swagger"));
    let spec = app.get_json("/api/openapi.json", None).await;
    assert!(spec["paths"]["/api/v1/auth/login"]["post"].is_object());
    // The served document is the finished one (shared answers, limits), the
    // one `delivery openapi` writes to openapi.yaml.
    assert_eq!(
        spec,
        serde_json::to_value(delivery::openapi::document()).unwrap()
    );
}

async fn the_demo_shop_works_on_an_empty_database_only(app: TestApp) {
    use delivery::demo::NoDemo;
    let mut off = app.settings.clone();
    off.demo = false;
    assert_eq!(
        delivery::demo::create_if_empty(&off).unwrap().err(),
        Some(NoDemo::SwitchedOff)
    );
    let mut production = app.settings.clone();
    production.public_url = "https://shop.example.com".into();
    assert_eq!(
        delivery::demo::create_if_empty(&production).unwrap().err(),
        Some(NoDemo::Production),
        "a real deployment gets no demo login"
    );
    let demo = delivery::demo::create_if_empty(&app.settings)
        .expect("demo")
        .expect("created on an empty database");
    let code = demo.portal_url.rsplit('/').next().unwrap();
    let portal = app.get_json(&format!("/api/portal/{code}"), None).await;
    let file = &portal["order"]["items"][0]["files"][0];
    assert_eq!(file["name"], delivery::demo::SAMPLE_FILE);
    assert_eq!(file["available"], true);
    let res = app
        .get(
            &format!(
                "/api/portal/{code}/downloads/{}",
                file["grant_id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let body = reqwest::get(&location).await.unwrap().text().await.unwrap();
    assert!(body.contains("Download-Portal"));
    assert_eq!(
        portal["invoice_available"], false,
        "the demo portal has a new shop's settings: invoice download off"
    );
    let login = app
        .post(
            "/api/v1/auth/login",
            &serde_json::json!({"email": demo.email, "password": demo.password}),
            None,
        )
        .await;
    assert_eq!(
        login.status(),
        StatusCode::OK,
        "the printed password signs in"
    );
    // The invoice settings are filled in: the seller can issue the invoice at once.
    let token = tokens(login).await.access;
    let orders = app.get_json("/api/v1/orders", Some(&token)).await;
    let order_id = orders["items"][0]["id"].as_str().unwrap();
    let issued = app
        .post(
            &format!("/api/v1/orders/{order_id}/invoice"),
            &serde_json::json!({}),
            Some(&token),
        )
        .await;
    assert!(issued.status().is_success(), "{}", issued.status());
    let pdf = app
        .get(
            &format!("/api/v1/orders/{order_id}/invoice.pdf"),
            Some(&token),
        )
        .await;
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    assert_eq!(
        delivery::demo::create_if_empty(&app.settings)
            .unwrap()
            .err(),
        Some(NoDemo::NotEmpty),
        "never on a database that has a shop"
    );
}

on_both_databases!(
    the_demo_shop_works_on_an_empty_database_only,
    health_checks_the_database,
    metrics_count_requests_by_route_pattern,
    api_docs_are_served_offline,
);

/// `openapi.yaml` must be exactly what the code generates (`make openapi`).
#[test]
fn committed_openapi_yaml_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let committed = std::fs::read_to_string(&path).expect("openapi.yaml exists");
    let generated = delivery::openapi::yaml().expect("document renders");
    assert!(
        committed == generated,
        "openapi.yaml is stale: run `make openapi` and commit the result"
    );
}
