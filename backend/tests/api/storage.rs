//! Storage connections against a real S3-compatible server and the local
//! folder: browse, link, presigned download over plain HTTP, refusals.

use std::time::{Duration, SystemTime};

use delivery::config::ServerKeys;
use delivery::storage::models::StorageServices;
use delivery::storage::s3::{S3Config, S3Storage};
use delivery::storage::{ObjectKey, Storage};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, Tokens, assert_problem, problem_fields, spawn_with};
use crate::on_both_databases;
use crate::s3_server::{self, ACCESS_KEY, S3Server, SECRET_KEY};

const UMLAUT_NAME: &str = "Übung für Anfänger – Teil 1.pdf";
const BUCKET: &str = "shop-files";

fn pdf_bytes() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..5000u32).flat_map(|i| i.to_le_bytes()));
    bytes
}

async fn s3_with_file() -> S3Server {
    let s3 = s3_server::start().await;
    s3.create_bucket(BUCKET).await;
    s3.put(BUCKET, &format!("downloads/{UMLAUT_NAME}"), &pdf_bytes())
        .await;
    s3.put(BUCKET, "downloads/audio/track 1.mp3", b"ID3").await;
    s3.put(BUCKET, "outside.pdf", b"not in the special folder")
        .await;
    s3
}

async fn create_s3_connection(app: &TestApp, token: &str, s3: &S3Server) -> Value {
    let res = app
        .post(
            "/api/v1/storage-connections",
            &json!({
                "kind": "s3", "name": "Shop bucket", "endpoint": s3.endpoint, "bucket": BUCKET,
                "root_prefix": "downloads/", "path_style": true,
                "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
            }),
            Some(token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn create_article(app: &TestApp, token: &str, sku: &str) -> Value {
    let res = app
        .post(
            "/api/v1/articles",
            &json!({"sku": sku, "title": "Gitarrenkurs", "price": "19.99"}),
            Some(token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

/// Decodes `filename*=UTF-8''...` of a Content-Disposition header.
fn utf8_file_name(header: &str) -> String {
    let encoded = header
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("filename*=UTF-8''"))
        .unwrap_or_else(|| panic!("no filename* in {header}"));
    percent_decode(encoded)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Follows the seller's download redirect and checks bytes and name.
async fn download_and_check(app: &TestApp, token: &str, article_id: &str, file_id: &str) -> String {
    let res = app
        .get(
            &format!("/api/v1/articles/{article_id}/files/{file_id}/download"),
            Some(token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let file = reqwest::get(&location).await.unwrap();
    assert_eq!(file.status(), StatusCode::OK, "presigned URL must work");
    let disposition = file.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(utf8_file_name(&disposition), UMLAUT_NAME);
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf_bytes());

    let partial = reqwest::Client::new()
        .get(&location)
        .header("Range", "bytes=0-7")
        .send()
        .await
        .unwrap();
    assert_eq!(partial.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(partial.bytes().await.unwrap().as_ref(), b"%PDF-1.7");
    location
}

fn tamper_query(url: &str, param: &str) -> String {
    let (base, query) = url.split_once('?').expect("query");
    let changed: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if k == param => {
                let mut v = v.to_owned();
                let last = v.pop().unwrap();
                v.push(if last == 'a' { 'b' } else { 'a' });
                format!("{k}={v}")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", changed.join("&"))
}

async fn s3_connection_browse_link_download(app: TestApp) {
    let s3 = s3_with_file().await;
    let owner = app.signup("Shop", "owner@example.com").await;
    let connection = create_s3_connection(&app, &owner.access, &s3).await;
    let id = connection["id"].as_str().unwrap();
    assert_eq!(connection["kind"], "s3");
    assert_eq!(connection["credentials_set"], true);

    let test: Value = app
        .post(
            &format!("/api/v1/storage-connections/{id}/test"),
            &json!({}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(test["ok"], true, "{test}");

    let listing = app
        .get_json(
            &format!("/api/v1/storage-connections/{id}/objects"),
            Some(&owner.access),
        )
        .await;
    assert_eq!(listing["folders"], json!(["audio/"]));
    let files = listing["files"].as_array().unwrap();
    assert_eq!(
        files.len(),
        1,
        "only the special folder is listed: {listing}"
    );
    assert_eq!(files[0]["key"], UMLAUT_NAME);
    assert_eq!(files[0]["size"], pdf_bytes().len());
    let sub = app
        .get_json(
            &format!("/api/v1/storage-connections/{id}/objects?prefix=audio/"),
            Some(&owner.access),
        )
        .await;
    assert_eq!(sub["files"][0]["key"], "audio/track 1.mp3");

    let article = create_article(&app, &owner.access, "COURSE-1").await;
    let article_id = article["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/articles/{article_id}/files"),
            &json!({"connection_id": id, "object_key": UMLAUT_NAME}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let file: Value = res.json().await.unwrap();
    assert_eq!(
        file["display_name"], UMLAUT_NAME,
        "display name defaults to the base name"
    );
    assert_eq!(file["size"], pdf_bytes().len());
    assert_eq!(file["missing"], false);

    let location = download_and_check(
        &app,
        &owner.access,
        article_id,
        file["id"].as_str().unwrap(),
    )
    .await;
    assert!(location.starts_with(&s3.endpoint));

    for param in [
        "X-Amz-Signature",
        "response-content-disposition",
        "X-Amz-Expires",
    ] {
        let tampered = tamper_query(&location, param);
        let res = reqwest::get(&tampered).await.unwrap();
        // 403 for a signature mismatch; a tampered expiry may be refused as malformed (400).
        assert!(
            matches!(res.status().as_u16(), 400 | 403),
            "tampered {param} must be refused, got {}",
            res.status()
        );
    }
    let other_key = location.replacen("%C3%9Cbung", "Ubung", 1);
    assert_ne!(other_key, location);
    assert!(
        !reqwest::get(&other_key)
            .await
            .unwrap()
            .status()
            .is_success(),
        "tampered key"
    );

    // An already expired URL, made by the same storage code, is refused by the server.
    let storage = Storage::S3(S3Storage::new(
        S3Config {
            endpoint: s3.endpoint.clone(),
            region: "us-east-1".into(),
            bucket: BUCKET.into(),
            root_prefix: "downloads/".into(),
            path_style: true,
            access_key_id: ACCESS_KEY.into(),
            secret_access_key: SECRET_KEY.into(),
        },
        delivery::storage::s3::http_client(),
    ));
    let key = ObjectKey::parse(UMLAUT_NAME).unwrap();
    let expired = storage
        .presign_get_from(
            &key,
            UMLAUT_NAME,
            None,
            SystemTime::now() - Duration::from_secs(7200),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert_eq!(
        reqwest::get(&expired).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let wrong_secret = Storage::S3(S3Storage::new(
        S3Config {
            endpoint: s3.endpoint.clone(),
            region: "us-east-1".into(),
            bucket: BUCKET.into(),
            root_prefix: "downloads/".into(),
            path_style: true,
            access_key_id: ACCESS_KEY.into(),
            secret_access_key: "not-the-secret".into(),
        },
        delivery::storage::s3::http_client(),
    ));
    let forged = wrong_secret
        .presign_get(&key, UMLAUT_NAME, None, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        reqwest::get(&forged).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let anonymous = format!("{}/{BUCKET}/downloads/x.pdf", s3.endpoint);
    assert_eq!(
        reqwest::get(&anonymous).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

async fn local_connection_browse_link_download(app: TestApp) {
    let owner = app.signup("Shop", "owner@example.com").await;
    let list = app
        .get_json("/api/v1/storage-connections", Some(&owner.access))
        .await;
    let local = &list["items"][0];
    assert_eq!(
        local["kind"], "local",
        "every shop starts with a local folder: {list}"
    );
    let id = local["id"].as_str().unwrap();
    let folder = std::path::PathBuf::from(local["local_path"].as_str().unwrap());
    std::fs::create_dir_all(folder.join("kurse")).unwrap();
    std::fs::write(folder.join("kurse").join(UMLAUT_NAME), pdf_bytes()).unwrap();

    let test: Value = app
        .post(
            &format!("/api/v1/storage-connections/{id}/test"),
            &json!({}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(test["ok"], true, "{test}");
    let root = app
        .get_json(
            &format!("/api/v1/storage-connections/{id}/objects"),
            Some(&owner.access),
        )
        .await;
    assert_eq!(root["folders"], json!(["kurse/"]));
    let listing = app
        .get_json(
            &format!("/api/v1/storage-connections/{id}/objects?prefix=kurse"),
            Some(&owner.access),
        )
        .await;
    let key = format!("kurse/{UMLAUT_NAME}");
    assert_eq!(listing["files"][0]["key"], key.as_str());

    let article = create_article(&app, &owner.access, "COURSE-1").await;
    let article_id = article["id"].as_str().unwrap();
    let file: Value = app
        .post(
            &format!("/api/v1/articles/{article_id}/files"),
            &json!({"connection_id": id, "object_key": key}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(file["content_type"], "application/pdf");
    let location = download_and_check(
        &app,
        &owner.access,
        article_id,
        file["id"].as_str().unwrap(),
    )
    .await;
    assert!(location.starts_with(&format!("{}/api/files/", app.settings.public_base())));

    let mut tampered = location.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_problem(
        reqwest::get(&tampered).await.unwrap(),
        403,
        "invalid_download_link",
    )
    .await;

    let keys = ServerKeys::load_or_generate(&app.settings).unwrap();
    let services = StorageServices::new(&app.settings, &keys);
    let me = app.get_json("/api/v1/me", Some(&owner.access)).await;
    let storage = services.local(me["shop"]["id"].as_str().unwrap(), "");
    let object = ObjectKey::parse(&key).unwrap();
    let fresh = storage.presign_get(
        &object,
        UMLAUT_NAME,
        None,
        SystemTime::now(),
        Duration::from_secs(60),
    );
    assert_eq!(
        reqwest::get(&fresh).await.unwrap().status(),
        StatusCode::OK,
        "sanity: the same code path works"
    );
    let expired = storage.presign_get(
        &object,
        UMLAUT_NAME,
        None,
        SystemTime::now() - Duration::from_secs(120),
        Duration::from_secs(60),
    );
    assert_problem(
        reqwest::get(&expired).await.unwrap(),
        403,
        "invalid_download_link",
    )
    .await;
}

async fn secrets_never_appear_in_any_response(app: TestApp) {
    let s3 = s3_with_file().await;
    let owner = app.signup("Shop", "owner@example.com").await;
    let connection = create_s3_connection(&app, &owner.access, &s3).await;
    let id = connection["id"].as_str().unwrap();
    let mut bodies = vec![connection.to_string()];
    for path in [
        "/api/v1/storage-connections".to_owned(),
        format!("/api/v1/storage-connections/{id}"),
    ] {
        bodies.push(
            app.get(&path, Some(&owner.access))
                .await
                .text()
                .await
                .unwrap(),
        );
    }
    bodies.push(
        app.post(
            &format!("/api/v1/storage-connections/{id}/test"),
            &json!({}),
            Some(&owner.access),
        )
        .await
        .text()
        .await
        .unwrap(),
    );
    let patched = app.patch(&format!("/api/v1/storage-connections/{id}"), &json!({"name": "Renamed", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}), Some(&owner.access)).await;
    assert_eq!(patched.status(), StatusCode::OK);
    bodies.push(patched.text().await.unwrap());
    let invalid = app
        .patch(
            &format!("/api/v1/storage-connections/{id}"),
            &json!({"secret_access_key": SECRET_KEY}),
            Some(&owner.access),
        )
        .await;
    bodies.push(invalid.text().await.unwrap());
    for body in &bodies {
        assert!(!body.contains(SECRET_KEY), "secret leaked: {body}");
        assert!(!body.contains(ACCESS_KEY), "access key leaked: {body}");
    }
    // Replaced credentials still work (they were re-sealed for this row).
    let test: Value = app
        .post(
            &format!("/api/v1/storage-connections/{id}/test"),
            &json!({}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(test["ok"], true);
}

async fn failing_connections_say_what_is_wrong(app: TestApp) {
    let s3 = s3_with_file().await;
    let owner = app.signup("Shop", "owner@example.com").await;
    for (change, code) in [
        (
            json!({"kind": "s3", "name": "wrong secret", "secret_access_key": "nope-nope-nope"}),
            "bad_credentials",
        ),
        (
            json!({"kind": "s3", "name": "wrong bucket", "bucket": "no-such-bucket"}),
            "no_such_bucket",
        ),
    ] {
        let mut body = json!({
            "kind": "s3", "name": "x", "endpoint": s3.endpoint, "bucket": BUCKET, "path_style": true,
            "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
        });
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let created: Value = app
            .post("/api/v1/storage-connections", &body, Some(&owner.access))
            .await
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap();
        let test: Value = app
            .post(
                &format!("/api/v1/storage-connections/{id}/test"),
                &json!({}),
                Some(&owner.access),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(test["ok"], false, "{test}");
        assert_eq!(test["code"], code, "{test}");
        let shown = app
            .get_json(
                &format!("/api/v1/storage-connections/{id}"),
                Some(&owner.access),
            )
            .await;
        assert!(shown["last_check_error"].as_str().is_some(), "{shown}");
    }
}

async fn browsing_outside_the_special_folder_is_refused(app: TestApp) {
    let owner = app.signup("Shop", "owner@example.com").await;
    let (id, _) = app.local_connection(&owner.access).await;
    for prefix in ["../", "/etc", "a/../../b", "..%2F..%2F"] {
        let res = app
            .get(
                &format!("/api/v1/storage-connections/{id}/objects?prefix={prefix}"),
                Some(&owner.access),
            )
            .await;
        let body = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem_fields(&body), ["prefix"], "{prefix}");
    }
    let article = create_article(&app, &owner.access, "A-1").await;
    let res = app
        .post(
            &format!("/api/v1/articles/{}/files", article["id"].as_str().unwrap()),
            &json!({"connection_id": id, "object_key": "../../secrets.toml"}),
            Some(&owner.access),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem_fields(&body), ["object_key"]);
}

async fn tenant_b_cannot_touch_tenant_a_storage(app: TestApp) {
    let s3 = s3_with_file().await;
    let a = app.signup("Shop A", "a@example.com").await;
    let b = app.signup("Shop B", "b@example.com").await;
    let connection = create_s3_connection(&app, &a.access, &s3).await;
    let id = connection["id"].as_str().unwrap();
    let b_article = create_article(&app, &b.access, "B-1").await;
    let b_article_id = b_article["id"].as_str().unwrap();

    let random = uuid::Uuid::now_v7().to_string();
    for target in [id, random.as_str()] {
        let base = format!("/api/v1/storage-connections/{target}");
        assert_problem(app.get(&base, Some(&b.access)).await, 404, "not_found").await;
        assert_problem(
            app.get(&format!("{base}/objects"), Some(&b.access)).await,
            404,
            "not_found",
        )
        .await;
        assert_problem(
            app.post(&format!("{base}/test"), &json!({}), Some(&b.access))
                .await,
            404,
            "not_found",
        )
        .await;
        let patch = app
            .patch(&base, &json!({"name": "mine now"}), Some(&b.access))
            .await;
        assert_problem(patch, 404, "not_found").await;
        assert_problem(app.delete(&base, Some(&b.access)).await, 404, "not_found").await;
        let link = app
            .post(
                &format!("/api/v1/articles/{b_article_id}/files"),
                &json!({"connection_id": target, "object_key": UMLAUT_NAME}),
                Some(&b.access),
            )
            .await;
        assert_problem(link, 404, "not_found").await;
    }
    let b_list = app
        .get_json("/api/v1/storage-connections", Some(&b.access))
        .await;
    assert!(
        b_list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != id)
    );
    let still = app
        .get_json(
            &format!("/api/v1/storage-connections/{id}"),
            Some(&a.access),
        )
        .await;
    assert_eq!(still["name"], "Shop bucket", "B changed nothing");
}

async fn vanished_files_are_marked_missing(app: TestApp) {
    let s3 = s3_with_file().await;
    let owner = app.signup("Shop", "owner@example.com").await;
    let connection = create_s3_connection(&app, &owner.access, &s3).await;
    let id = connection["id"].as_str().unwrap();
    let article = create_article(&app, &owner.access, "A-1").await;
    let article_id = article["id"].as_str().unwrap();
    let file: Value = app
        .post(
            &format!("/api/v1/articles/{article_id}/files"),
            &json!({"connection_id": id, "object_key": UMLAUT_NAME}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    s3.delete(BUCKET, &format!("downloads/{UMLAUT_NAME}")).await;
    let test: Value = app
        .post(
            &format!("/api/v1/storage-connections/{id}/test"),
            &json!({}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            test["ok"].clone(),
            test["files_checked"].clone(),
            test["files_missing"].clone()
        ),
        (json!(true), json!(1), json!(1))
    );
    let shown = app
        .get_json(
            &format!("/api/v1/articles/{article_id}"),
            Some(&owner.access),
        )
        .await;
    assert_eq!(shown["files"][0]["missing"], true);
    let res = app
        .get(
            &format!(
                "/api/v1/articles/{article_id}/files/{}/download",
                file["id"].as_str().unwrap()
            ),
            Some(&owner.access),
        )
        .await;
    assert_problem(res, 409, "file_missing").await;
    // Linking an object that does not exist is refused by name.
    let res = app
        .post(
            &format!("/api/v1/articles/{article_id}/files"),
            &json!({"connection_id": id, "object_key": "nope.pdf"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(res, 422, "validation_failed").await),
        ["object_key"]
    );
    // Back in place: the next download check clears the flag.
    s3.put(BUCKET, &format!("downloads/{UMLAUT_NAME}"), &pdf_bytes())
        .await;
    download_and_check(
        &app,
        &owner.access,
        article_id,
        file["id"].as_str().unwrap(),
    )
    .await;
    let shown = app
        .get_json(
            &format!("/api/v1/articles/{article_id}"),
            Some(&owner.access),
        )
        .await;
    assert_eq!(shown["files"][0]["missing"], false);
}

on_both_databases!(
    s3_connection_browse_link_download,
    local_connection_browse_link_download,
    secrets_never_appear_in_any_response,
    failing_connections_say_what_is_wrong,
    browsing_outside_the_special_folder_is_refused,
    tenant_b_cannot_touch_tenant_a_storage,
    vanished_files_are_marked_missing,
    replaced_credentials_take_effect_at_once,
);

/// Bucket clients are reused between requests; changing the connection
/// must not leave the old credentials in use.
async fn replaced_credentials_take_effect_at_once(app: TestApp) {
    let s3 = s3_with_file().await;
    let owner = app.signup("Shop", "owner@example.com").await;
    let connection = create_s3_connection(&app, &owner.access, &s3).await;
    let id = connection["id"].as_str().unwrap();
    let test = |expect: bool| {
        let app = &app;
        let token = owner.access.clone();
        let id = id.to_owned();
        async move {
            let result: Value = app
                .post(
                    &format!("/api/v1/storage-connections/{id}/test"),
                    &json!({}),
                    Some(&token),
                )
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(result["ok"], expect, "{result}");
        }
    };
    test(true).await;
    let wrong = app
        .patch(
            &format!("/api/v1/storage-connections/{id}"),
            &json!({"access_key_id": ACCESS_KEY, "secret_access_key": "not-the-secret"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::OK);
    test(false).await;
    app.patch(
        &format!("/api/v1/storage-connections/{id}"),
        &json!({"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}),
        Some(&owner.access),
    )
    .await;
    test(true).await;
}

async fn signup_with(strict: bool) -> (TestApp, Tokens) {
    let app = spawn_with(Backend::Sqlite, |s| {
        s.storage_allow_http = !strict;
        s.storage_allow_private_endpoints = !strict;
    })
    .await;
    let owner = app.signup("Shop", "owner@example.com").await;
    (app, owner)
}

async fn endpoint_error(app: &TestApp, token: &str, endpoint: &str) -> Option<String> {
    let res = app
        .post(
            "/api/v1/storage-connections",
            &json!({
                "kind": "s3", "name": "x", "endpoint": endpoint, "bucket": "bucket",
                "access_key_id": "a", "secret_access_key": "b",
            }),
            Some(token),
        )
        .await;
    if res.status() == StatusCode::CREATED {
        return None;
    }
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem_fields(&body), ["endpoint"]);
    Some(body["errors"][0]["message"].as_str().unwrap().to_owned())
}

#[actix_web::test]
async fn endpoints_that_are_not_allowed_are_refused() {
    let (strict, owner) = signup_with(true).await;
    let metadata = endpoint_error(&strict, &owner.access, "https://169.254.169.254")
        .await
        .unwrap();
    assert!(metadata.contains("metadata"), "{metadata}");
    let private = endpoint_error(&strict, &owner.access, "https://10.0.0.5:9000")
        .await
        .unwrap();
    assert!(private.contains("private"), "{private}");
    let loopback = endpoint_error(&strict, &owner.access, "https://127.0.0.1:9000")
        .await
        .unwrap();
    assert!(loopback.contains("private"), "{loopback}");
    let http = endpoint_error(&strict, &owner.access, "http://93.184.215.14")
        .await
        .unwrap();
    assert!(http.contains("https"), "{http}");
    assert!(
        endpoint_error(&strict, &owner.access, "https://93.184.215.14")
            .await
            .is_none(),
        "a public https endpoint is fine"
    );

    let (lax, owner) = signup_with(false).await;
    assert!(
        endpoint_error(&lax, &owner.access, "http://127.0.0.1:9000")
            .await
            .is_none()
    );
    let metadata = endpoint_error(&lax, &owner.access, "http://169.254.169.254")
        .await
        .unwrap();
    assert!(
        metadata.contains("metadata"),
        "metadata stays refused: {metadata}"
    );
}
