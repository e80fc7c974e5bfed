//! Articles: CRUD, exact prices, search, paging, file order, tenant isolation.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, problem_fields};
use crate::on_both_databases;

async fn article_lifecycle(app: TestApp) {
    let owner = app.signup("Shop", "owner@example.com").await;
    let res = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "EBOOK-1", "title": "Übungsbuch", "price": "19.9", "vat_rate": "7",
                    "download_limit": 3, "validity_days": 30}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let article: Value = res.json().await.unwrap();
    assert_eq!(article["price"], "19.90", "prices are exact decimals");
    assert_eq!(article["vat_rate"], "7.00");
    assert_eq!(article["currency"], "EUR");
    assert_eq!(article["download_limit"], 3);
    let id = article["id"].as_str().unwrap();

    let dup = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "EBOOK-1", "title": "x", "price": "1"}),
            Some(&owner.access),
        )
        .await;
    assert_problem(dup, 409, "sku_taken").await;

    let changed: Value = app
        .patch(
            &format!("/api/v1/articles/{id}"),
            &json!({"price": "24.99", "download_limit": null, "title": "Übungsbuch (2. Auflage)"}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["price"], "24.99");
    assert!(
        changed["download_limit"].is_null(),
        "null clears the override"
    );
    assert_eq!(changed["validity_days"], 30, "absent fields stay");

    let fetched = app
        .get_json(&format!("/api/v1/articles/{id}"), Some(&owner.access))
        .await;
    assert_eq!(fetched["title"], "Übungsbuch (2. Auflage)");

    assert_eq!(
        app.delete(&format!("/api/v1/articles/{id}"), Some(&owner.access))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.get(&format!("/api/v1/articles/{id}"), Some(&owner.access))
            .await,
        404,
        "not_found",
    )
    .await;
}

async fn invalid_articles_name_every_field(app: TestApp) {
    let owner = app.signup("Shop", "owner@example.com").await;
    let res = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "has space", "title": "", "price": "1.999", "currency": "EURO",
                    "vat_rate": "120", "download_limit": 0, "validity_days": -1}),
            Some(&owner.access),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let mut fields = problem_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        [
            "currency",
            "download_limit",
            "price",
            "sku",
            "title",
            "validity_days",
            "vat_rate"
        ]
    );
    let res = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "A", "title": "t", "price": 19.99}),
            Some(&owner.access),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        problem_fields(&body),
        ["price"],
        "a float price is refused: prices are strings"
    );
}

async fn search_and_cursor_paging(app: TestApp) {
    // Shops created before and after this one, with articles of their own:
    // pages must neither start in a later shop nor run on into an earlier one.
    let early = app.signup("Früher", "early@example.com").await;
    let owner = app.signup("Shop", "owner@example.com").await;
    let late = app.signup("Später", "late@example.com").await;
    let create = |token: String, sku: String, title: String| {
        let app = &app;
        async move {
            let body = json!({"sku": sku, "title": title, "price": "5"});
            let res = app.post("/api/v1/articles", &body, Some(&token)).await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }
    };
    for neighbour in [&early, &late] {
        create(
            neighbour.access.clone(),
            "NEIGHBOUR".into(),
            "Nachbar".into(),
        )
        .await;
    }
    for i in 0..7 {
        let title = if i % 2 == 0 {
            format!("Hörbuch {i}")
        } else {
            format!("E-Book {i}")
        };
        create(owner.access.clone(), format!("SKU-{i}"), title).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/articles?limit=3&cursor={c}"),
            None => "/api/v1/articles?limit=3".to_owned(),
        };
        let page = app.get_json(&path, Some(&owner.access)).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|a| a["sku"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "SKU-6", "SKU-5", "SKU-4", "SKU-3", "SKU-2", "SKU-1", "SKU-0"
        ],
        "newest first, each once"
    );

    let found = app
        .get_json("/api/v1/articles?q=h%C3%B6rbuch", Some(&owner.access))
        .await;
    assert_eq!(
        found["items"].as_array().unwrap().len(),
        4,
        "case-insensitive title search: {found}"
    );
    let found = app
        .get_json("/api/v1/articles?q=sku-3", Some(&owner.access))
        .await;
    assert_eq!(found["items"][0]["sku"], "SKU-3");
    let none = app
        .get_json("/api/v1/articles?q=%25", Some(&owner.access))
        .await;
    assert_eq!(
        none["items"].as_array().unwrap().len(),
        0,
        "% is searched literally"
    );
    let bad = app
        .get("/api/v1/articles?limit=0", Some(&owner.access))
        .await;
    assert_eq!(
        problem_fields(&assert_problem(bad, 422, "validation_failed").await),
        ["limit"]
    );
}

async fn files_are_ordered_renamed_and_unlinked(app: TestApp) {
    let owner = app.signup("Shop", "owner@example.com").await;
    let (connection_id, folder) = app.local_connection(&owner.access).await;
    for name in ["a.pdf", "b.mp3", "c.zip"] {
        std::fs::write(folder.join(name), name.as_bytes()).unwrap();
    }
    let article: Value = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "BUNDLE", "title": "Bundle", "price": "9"}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = article["id"].as_str().unwrap();
    let mut file_ids = Vec::new();
    for name in ["a.pdf", "b.mp3", "c.zip"] {
        let file: Value = app
            .post(
                &format!("/api/v1/articles/{id}/files"),
                &json!({"connection_id": connection_id, "object_key": name}),
                Some(&owner.access),
            )
            .await
            .json()
            .await
            .unwrap();
        file_ids.push(file["id"].as_str().unwrap().to_owned());
    }
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["display_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let moved = app
        .patch(
            &format!("/api/v1/articles/{id}/files/{}", file_ids[2]),
            &json!({"position": 0, "display_name": "🎁 Bonus – Extras.zip"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let files = app
        .get_json(&format!("/api/v1/articles/{id}/files"), Some(&owner.access))
        .await;
    assert_eq!(names(&files), ["🎁 Bonus – Extras.zip", "a.pdf", "b.mp3"]);
    let bad = app
        .patch(
            &format!("/api/v1/articles/{id}/files/{}", file_ids[0]),
            &json!({"display_name": "../evil"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(
        problem_fields(&assert_problem(bad, 422, "validation_failed").await),
        ["display_name"]
    );

    let res = app
        .delete(
            &format!("/api/v1/articles/{id}/files/{}", file_ids[0]),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let files = app
        .get_json(&format!("/api/v1/articles/{id}/files"), Some(&owner.access))
        .await;
    assert_eq!(names(&files), ["🎁 Bonus – Extras.zip", "b.mp3"]);
    let positions: Vec<i64> = files["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [0, 1], "no gaps after unlinking");

    // A connection with linked files cannot be deleted.
    let res = app
        .delete(
            &format!("/api/v1/storage-connections/{connection_id}"),
            Some(&owner.access),
        )
        .await;
    assert_problem(res, 409, "connection_in_use").await;
}

async fn tenant_b_cannot_read_or_change_tenant_a_articles(app: TestApp) {
    let a = app.signup("Shop A", "a@example.com").await;
    let b = app.signup("Shop B", "b@example.com").await;
    let article: Value = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "A-1", "title": "A's", "price": "1"}),
            Some(&a.access),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = article["id"].as_str().unwrap();
    assert_problem(
        app.get(&format!("/api/v1/articles/{id}"), Some(&b.access))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/articles/{id}/files"), Some(&b.access))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.patch(
            &format!("/api/v1/articles/{id}"),
            &json!({"title": "B's"}),
            Some(&b.access),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.delete(&format!("/api/v1/articles/{id}"), Some(&b.access))
            .await,
        404,
        "not_found",
    )
    .await;
    let b_list = app.get_json("/api/v1/articles", Some(&b.access)).await;
    assert_eq!(b_list["items"].as_array().unwrap().len(), 0);
    // The same SKU is free in another shop.
    let res = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "A-1", "title": "B's own", "price": "1"}),
            Some(&b.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let still = app
        .get_json(&format!("/api/v1/articles/{id}"), Some(&a.access))
        .await;
    assert_eq!(still["title"], "A's");
}

async fn read_only_keys_cannot_change_articles(app: TestApp) {
    let owner = app.signup("Shop", "owner@example.com").await;
    let (_, read_key) = app.create_api_key(&owner.access, "read").await;
    let res = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "X", "title": "x", "price": "1"}),
            Some(&read_key),
        )
        .await;
    assert_problem(res, 403, "insufficient_scope").await;
    assert_eq!(
        app.get("/api/v1/articles", Some(&read_key)).await.status(),
        StatusCode::OK
    );
    let (_, write_key) = app.create_api_key(&owner.access, "read_write").await;
    let res = app
        .post(
            "/api/v1/articles",
            &json!({"sku": "X", "title": "x", "price": "1"}),
            Some(&write_key),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

on_both_databases!(
    article_lifecycle,
    invalid_articles_name_every_field,
    search_and_cursor_paging,
    files_are_ordered_renamed_and_unlinked,
    tenant_b_cannot_read_or_change_tenant_a_articles,
    read_only_keys_cannot_change_articles,
);
