//! API keys: shown once, scoped, revocable, tenant-bound.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};
use crate::on_both_databases;

async fn api_key_authenticates_and_is_never_listed_with_its_secret(app: TestApp) {
    let owner = app.signup("Shop", "owner@example.com").await;
    let (id, secret) = app.create_api_key(&owner.access, "read_write").await;
    assert!(secret.starts_with("dlv_"));

    let me = app.get_json("/api/v1/me", Some(&secret)).await;
    assert_eq!(me["api_key"]["id"], id.as_str());
    assert_eq!(me["api_key"]["scope"], "read_write");
    assert!(me["user"].is_null());

    let list = app.get("/api/v1/api-keys", Some(&owner.access)).await;
    assert_eq!(list.status(), StatusCode::OK);
    let text = list.text().await.unwrap();
    assert!(!text.contains(&secret), "the secret is shown once only");
    let list: Value = serde_json::from_str(&text).unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert!(secret.starts_with(items[0]["prefix"].as_str().unwrap()));
    assert!(
        items[0]["last_used_at"].is_string(),
        "the use above is recorded"
    );
}

async fn revoked_key_is_refused(app: TestApp) {
    let owner = app.signup("Shop", "owner@example.com").await;
    let (id, secret) = app.create_api_key(&owner.access, "read").await;
    assert_eq!(
        app.get("/api/v1/me", Some(&secret)).await.status(),
        StatusCode::OK
    );
    let res = app
        .delete(&format!("/api/v1/api-keys/{id}"), Some(&owner.access))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get("/api/v1/me", Some(&secret)).await,
        401,
        "unauthorized",
    )
    .await;
    // Revoking twice: it no longer exists.
    let again = app
        .delete(&format!("/api/v1/api-keys/{id}"), Some(&owner.access))
        .await;
    assert_problem(again, 404, "not_found").await;
}

async fn read_only_key_cannot_write(app: TestApp) {
    let owner = app.signup("Shop", "owner@example.com").await;
    let (_, read_key) = app.create_api_key(&owner.access, "read").await;
    assert_eq!(
        app.get("/api/v1/api-keys", Some(&read_key)).await.status(),
        StatusCode::OK
    );
    let res = app
        .post(
            "/api/v1/api-keys",
            &json!({"name": "escalate", "scope": "read_write"}),
            Some(&read_key),
        )
        .await;
    assert_problem(res, 403, "insufficient_scope").await;
    let (_, write_key) = app.create_api_key(&owner.access, "read_write").await;
    // Keys never manage keys, whatever their scope.
    let res = app
        .post(
            "/api/v1/api-keys",
            &json!({"name": "escalate", "scope": "read_write"}),
            Some(&write_key),
        )
        .await;
    assert_problem(res, 403, "user_only").await;
}

async fn tenant_a_cannot_see_or_revoke_tenant_b_keys(app: TestApp) {
    let a = app.signup("Shop A", "a@example.com").await;
    let b = app.signup("Shop B", "b@example.com").await;
    let (b_key_id, b_secret) = app.create_api_key(&b.access, "read").await;

    let a_list = app.get_json("/api/v1/api-keys", Some(&a.access)).await;
    assert_eq!(a_list["items"].as_array().unwrap().len(), 0);

    let res = app
        .delete(&format!("/api/v1/api-keys/{b_key_id}"), Some(&a.access))
        .await;
    let foreign = assert_problem(res, 404, "not_found").await;
    let random = app
        .delete(
            &format!("/api/v1/api-keys/{}", uuid::Uuid::now_v7()),
            Some(&a.access),
        )
        .await;
    let missing = assert_problem(random, 404, "not_found").await;
    assert_eq!(
        foreign, missing,
        "a foreign id answers exactly like a missing one"
    );

    // B's key still works: A changed nothing.
    assert_eq!(
        app.get("/api/v1/me", Some(&b_secret)).await.status(),
        StatusCode::OK
    );
    let b_list = app.get_json("/api/v1/api-keys", Some(&b.access)).await;
    assert_eq!(b_list["items"].as_array().unwrap().len(), 1);
}

on_both_databases!(
    api_key_authenticates_and_is_never_listed_with_its_secret,
    revoked_key_is_refused,
    read_only_key_cannot_write,
    tenant_a_cannot_see_or_revoke_tenant_b_keys,
);
