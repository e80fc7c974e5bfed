//! Bad input gets a clear problem+json answer that names the field.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_problem, problem_fields};
use crate::on_both_databases;

async fn malformed_json_is_a_400_problem(app: TestApp) {
    let res = app
        .client
        .post(app.url("/api/v1/auth/signup"))
        .header("content-type", "application/json")
        .body("{\"shop_name\": \"x\", ")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "malformed_request").await;
}

async fn missing_and_mistyped_fields_are_named(app: TestApp) {
    let res = app
        .post(
            "/api/v1/auth/signup",
            &json!({"shop_name": "Shop", "password": "long enough pw"}),
            None,
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem_fields(&body), ["email"]);

    let res = app
        .post(
            "/api/v1/auth/signup",
            &json!({"shop_name": 42, "email": "a@example.com", "password": "long enough pw"}),
            None,
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem_fields(&body), ["shop_name"]);

    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "a@example.com", "password": "x", "admin": true}),
            None,
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&body),
        ["admin"],
        "unknown fields are refused by name"
    );
}

async fn too_long_string_is_named(app: TestApp) {
    let res = app
        .post(
            "/api/v1/auth/signup",
            &json!({"shop_name": "x".repeat(101), "email": "a@example.com", "password": "long enough pw"}),
            None,
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem_fields(&body), ["shop_name"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("100")
    );
}

async fn oversized_body_is_a_413_problem(app: TestApp) {
    let huge = "x".repeat(app.settings.max_body_bytes + 1);
    let res = app
        .post(
            "/api/v1/auth/signup",
            &json!({"shop_name": huge, "email": "a@example.com", "password": "p"}),
            None,
        )
        .await;
    assert_problem(res, 413, "payload_too_large").await;
}

async fn wrong_content_type_is_a_415_problem(app: TestApp) {
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("email=a")
        .send()
        .await
        .unwrap();
    assert_problem(res, 415, "unsupported_media_type").await;
}

async fn unknown_paths_and_methods_are_problems(app: TestApp) {
    assert_problem(
        app.get("/api/v1/does-not-exist", None).await,
        404,
        "not_found",
    )
    .await;
    let owner = app.signup("Shop", "owner@example.com").await;
    let res = app
        .delete("/api/v1/api-keys/not-a-uuid", Some(&owner.access))
        .await;
    assert_problem(res, 404, "not_found").await;
    // A known path with a method it does not take: 405 naming the methods
    // (`GET /orders/import` is caught by `GET /orders/{id}` first).
    let cases = [
        (reqwest::Method::PUT, "/api/v1/auth/login", "POST"),
        (reqwest::Method::DELETE, "/api/v1/orders", "GET, POST"),
        (reqwest::Method::DELETE, "/api/v1/orders/import", "POST"),
        (reqwest::Method::GET, "/api/v1/orders/import", "POST"),
    ];
    for (method, path, allow) in cases {
        let res = app
            .request(method.clone(), path, Some(&owner.access))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers().get("allow").unwrap(),
            allow,
            "{method} {path}"
        );
        assert_problem(res, 405, "method_not_allowed").await;
    }
    // A malformed id on a template path stays a 404.
    let res = app
        .get("/api/v1/orders/not-an-id", Some(&owner.access))
        .await;
    assert_problem(res, 404, "not_found").await;
}

async fn deeply_nested_json_is_refused_cleanly(app: TestApp) {
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(nested)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "got {}", res.status());
    assert_ne!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

on_both_databases!(
    malformed_json_is_a_400_problem,
    missing_and_mistyped_fields_are_named,
    too_long_string_is_named,
    oversized_body_is_a_413_problem,
    wrong_content_type_is_a_415_problem,
    unknown_paths_and_methods_are_problems,
    deeply_nested_json_is_refused_cleanly,
);
