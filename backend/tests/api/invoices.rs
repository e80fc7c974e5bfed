//! Invoices over HTTP on both databases: settings, gapless numbers under
//! concurrency (two nodes), exact VAT per rate, the PDF's text (extracted
//! with poppler's pdftotext), automatic issue, cancellation on refund and
//! the portal download.

use std::collections::HashSet;

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, Tokens, assert_problem, problem_fields, spawn_sibling};
use crate::on_both_databases;
use crate::orders::{code_of, create_order, history};

fn settings(issue_mode: &str) -> Value {
    json!({
        "company_name": "Hörbuch Verlag GmbH",
        "address": "Lindenstraße 7\n04109 Leipzig\nDeutschland",
        "vat_id": "DE123456789",
        "tax_number": null,
        "contact": "rechnung@hoerbuch.example\n+49 341 000000",
        "bank_details": "Sparkasse Leipzig\nIBAN DE02 1203 0000 0000 2020 51",
        "footer": "Geschäftsführerin: Änne Süß · Amtsgericht Leipzig HRB 1234",
        "number_prefix": "INV-",
        "number_with_year": false,
        "number_digits": 4,
        "issue_mode": issue_mode,
    })
}

async fn shop(app: &TestApp, email: &str, issue_mode: &str) -> Tokens {
    let owner = app.signup("Hörbuch Verlag", email).await;
    let res = app
        .put(
            "/api/v1/invoice-settings",
            &settings(issue_mode),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    owner
}

/// Free lines: 3 × 19.99 and 2 × 0.05 at 19 %, 2 × 7.49 and 7 × 1.11 at 7 %.
fn mixed_order(language: &str, status: &str) -> Value {
    json!({
        "customer": {"name": "Jörg Müller", "email": "joerg@example.com", "language": language},
        "billing_address": {"company": "Müller & Söhne KG", "street": "Hauptstraße 1", "postal_code": "10115",
                            "city": "Berlin", "country": "DE", "vat_id": "DE999999999"},
        "items": [
            {"sku": "BOOK", "title": "Übungsbuch für Fortgeschrittene", "quantity": 3, "unit_price": "19.99", "vat_rate": "19"},
            {"sku": "TIP", "title": "Kleiner Tipp", "quantity": 1, "unit_price": "0.05", "vat_rate": "19"},
            {"sku": "TIP2", "title": "Noch ein Tipp", "quantity": 1, "unit_price": "0.05", "vat_rate": "19"},
            {"sku": "PAPER", "title": "Zeitschrift Ölmalerei", "quantity": 2, "unit_price": "7.49", "vat_rate": "7"},
            {"sku": "POSTER", "title": "Poster", "quantity": 7, "unit_price": "1.11", "vat_rate": "7"},
        ],
        "status": status,
    })
}

async fn issue(app: &TestApp, token: &str, order_id: &str) -> (StatusCode, Value) {
    let res = app
        .post(
            &format!("/api/v1/orders/{order_id}/invoice"),
            &json!({}),
            Some(token),
        )
        .await;
    let status = res.status();
    (status, res.json().await.unwrap())
}

async fn invoices(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let page = app
        .get_json(&format!("/api/v1/invoices?limit=100{query}"), Some(token))
        .await;
    page["items"].as_array().unwrap().clone()
}

async fn pdf_bytes(res: reqwest::Response) -> Vec<u8> {
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    res.bytes().await.unwrap().to_vec()
}

/// The PDF's text, as poppler's pdftotext reads it.
fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).unwrap()
}

async fn settings_are_checked_and_saved(app: TestApp) {
    let owner = app.signup("Laden", "laden@example.com").await;
    let defaults = app
        .get_json("/api/v1/invoice-settings", Some(&owner.access))
        .await;
    assert_eq!(defaults["issue_mode"], "manual");
    assert!(
        defaults["example_number"]
            .as_str()
            .unwrap()
            .starts_with("RE-20")
    );

    let mut bad = settings("on_paid");
    bad["company_name"] = json!("  ");
    bad["address"] = json!("");
    bad["number_prefix"] = json!("RE 1");
    bad["number_digits"] = json!(0);
    bad["vat_id"] = json!("x".repeat(31));
    let res = app
        .put("/api/v1/invoice-settings", &bad, Some(&owner.access))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let mut fields = problem_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        [
            "address",
            "company_name",
            "number_digits",
            "number_prefix",
            "vat_id"
        ]
    );

    let res = app
        .put(
            "/api/v1/invoice-settings",
            &settings("on_paid"),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["example_number"], "INV-0001");
    assert_eq!(
        saved["address"],
        "Lindenstraße 7\n04109 Leipzig\nDeutschland"
    );
    assert_eq!(saved["issue_mode"], "on_paid");

    // A shop without seller details cannot issue.
    let other = app.signup("Leer", "leer@example.com").await;
    let order = create_order(&app, &other.access, mixed_order("de", "paid")).await;
    let (status, body) = issue(&app, &other.access, order["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "invoice_settings_incomplete");
    assert!(invoices(&app, &other.access, "").await.is_empty());
}

async fn parallel_issues_get_consecutive_numbers(app: TestApp) {
    // Shops created before and after this one, with invoices of their own:
    // the list's pages must neither start in a later shop nor run on into an
    // earlier one.
    let early = shop(&app, "frueher@example.com", "on_paid").await;
    let owner = shop(&app, "nummern@example.com", "manual").await;
    let late = shop(&app, "spaeter@example.com", "on_paid").await;
    for neighbour in [&early, &late] {
        create_order(&app, &neighbour.access, mixed_order("de", "paid")).await;
        assert_eq!(invoices(&app, &neighbour.access, "").await.len(), 1);
    }
    let mut order_ids = Vec::new();
    for _ in 0..50 {
        let order = create_order(&app, &owner.access, mixed_order("de", "paid")).await;
        order_ids.push(order["id"].as_str().unwrap().to_owned());
    }
    // Every issue at once, plus a second request for every fifth order; on
    // PostgreSQL through two nodes (SQLite is the single-node setup).
    let sibling = if app.settings.database_url().starts_with("postgres") {
        Some(spawn_sibling(&app).await)
    } else {
        None
    };
    let requests = order_ids
        .iter()
        .enumerate()
        .flat_map(|(i, id)| {
            let node = match &sibling {
                Some(sibling) if i % 2 == 1 => sibling,
                _ => &app,
            };
            let twice = if i % 5 == 0 { 2 } else { 1 };
            std::iter::repeat_n((node, id.clone()), twice)
        })
        .map(|(node, id)| {
            let token = owner.access.clone();
            async move { issue(node, &token, &id).await }
        });
    let answers = join_all(requests).await;
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::CREATED || *status == StatusCode::OK,
            "{status}: {body}"
        );
    }
    let created = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 50, "each order issued exactly once");
    let per_order: HashSet<(String, String)> = answers
        .iter()
        .map(|(_, b)| {
            (
                b["order_id"].as_str().unwrap().to_owned(),
                b["number"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        per_order.len(),
        50,
        "a repeated issue returns the same number"
    );

    let mut numbers: Vec<String> = invoices(&app, &owner.access, "")
        .await
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=50).map(|n| format!("INV-{n:04}")).collect();
    assert_eq!(numbers, expected, "no gaps, no duplicates");

    // The list pages by cursor (newest first) and filters.
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get_json(
                &format!("/api/v1/invoices?limit=20&cursor={cursor}"),
                Some(&owner.access),
            )
            .await;
        paged.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    let newest_first: Vec<Value> = invoices(&app, &owner.access, "")
        .await
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(
        paged, newest_first,
        "three pages, each invoice once, newest first"
    );
    assert_eq!(invoices(&app, &owner.access, "&q=INV-004").await.len(), 10);
    let hour = chrono::Duration::hours(1);
    let (before, after) = (
        (chrono::Utc::now() - hour).format("%Y-%m-%dT%H:%M:%SZ"),
        (chrono::Utc::now() + hour).format("%Y-%m-%dT%H:%M:%SZ"),
    );
    let window = format!("&from={before}&to={after}");
    assert_eq!(invoices(&app, &owner.access, &window).await.len(), 50);
    assert!(
        invoices(&app, &owner.access, &format!("&from={after}"))
            .await
            .is_empty()
    );
    assert!(
        invoices(&app, &owner.access, &format!("&to={before}"))
            .await
            .is_empty()
    );
}

async fn totals_are_exact_per_rate(app: TestApp) {
    let owner = shop(&app, "summen@example.com", "manual").await;
    let order = create_order(&app, &owner.access, mixed_order("de", "paid")).await;
    let (status, invoice) = issue(&app, &owner.access, order["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{invoice}");
    // 19 %: 59.97 + 0.05 + 0.05 = 60.07 gross; 60.07 / 1.19 = 50.4789… → 50.48 net, 9.59 VAT
    //  7 %: 14.98 + 7.77 = 22.75 gross;        22.75 / 1.07 = 21.2616… → 21.26 net, 1.49 VAT
    // (per line, the two 0.05 lines would round to 0.04 + 0.04 net: per rate is right)
    assert_eq!(
        invoice["rates"],
        json!([
            {"vat_rate": "19.00", "net": "50.48", "vat": "9.59", "gross": "60.07"},
            {"vat_rate": "7.00", "net": "21.26", "vat": "1.49", "gross": "22.75"},
        ])
    );
    assert_eq!(invoice["total_net"], "71.74");
    assert_eq!(invoice["total_vat"], "11.08");
    assert_eq!(invoice["total_gross"], "82.82");
    assert_eq!(invoice["number"], "INV-0001");
    assert_eq!(invoice["kind"], "invoice");

    // Issuing again answers the same invoice and takes no number.
    let (status, again) = issue(&app, &owner.access, order["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], invoice["id"]);
    let next = create_order(&app, &owner.access, mixed_order("en", "open")).await;
    let (_, second) = issue(&app, &owner.access, next["id"].as_str().unwrap()).await;
    assert_eq!(second["number"], "INV-0002");
}

async fn the_pdf_carries_everything_and_never_changes(app: TestApp) {
    let owner = shop(&app, "pdf@example.com", "manual").await;
    let order = create_order(&app, &owner.access, mixed_order("de", "paid")).await;
    let order_id = order["id"].as_str().unwrap();
    let (_, invoice) = issue(&app, &owner.access, order_id).await;

    let pdf = pdf_bytes(
        app.get(
            &format!("/api/v1/orders/{order_id}/invoice.pdf"),
            Some(&owner.access),
        )
        .await,
    )
    .await;
    let text = pdf_text(&pdf);
    for expected in [
        "Rechnung INV-0001",
        "Hörbuch Verlag GmbH",
        "Lindenstraße 7",
        "DE123456789",
        "Müller & Söhne KG",
        "Jörg Müller",
        "Hauptstraße 1",
        "10115 Berlin",
        "Übungsbuch für Fortgeschrittene",
        "Kleiner Tipp",
        "Noch ein Tipp",
        "Zeitschrift Ölmalerei",
        "Poster",
        "19,99 €",
        "59,97 €",
        "50,48 €",
        "9,59 €",
        "21,26 €",
        "1,49 €",
        "71,74 €",
        "11,08 €",
        "82,82 €",
        "Änne Süß",
        "IBAN DE02",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    // Stored once: every later fetch, by either route, is the same bytes.
    let by_id = pdf_bytes(
        app.get(invoice["pdf_url"].as_str().unwrap(), Some(&owner.access))
            .await,
    )
    .await;
    assert_eq!(by_id, pdf);
    // Changing the settings later does not change the issued invoice.
    let mut changed = settings("manual");
    changed["company_name"] = json!("Neuer Name AG");
    app.put("/api/v1/invoice-settings", &changed, Some(&owner.access))
        .await;
    let again = pdf_bytes(
        app.get(
            &format!("/api/v1/orders/{order_id}/invoice.pdf"),
            Some(&owner.access),
        )
        .await,
    )
    .await;
    assert_eq!(again, pdf);

    // English orders get an English invoice.
    let en = create_order(&app, &owner.access, mixed_order("en", "paid")).await;
    let (_, en_invoice) = issue(&app, &owner.access, en["id"].as_str().unwrap()).await;
    let text = pdf_text(
        &pdf_bytes(
            app.get(en_invoice["pdf_url"].as_str().unwrap(), Some(&owner.access))
                .await,
        )
        .await,
    );
    for expected in [
        "Invoice INV-0002",
        "Neuer Name AG",
        "€82.82",
        "Total amount",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
}

async fn paid_issues_and_refund_cancels(app: TestApp) {
    let owner = shop(&app, "auto@example.com", "on_paid").await;
    let order = create_order(&app, &owner.access, mixed_order("de", "open")).await;
    let order_id = order["id"].as_str().unwrap();
    assert!(
        invoices(&app, &owner.access, &format!("&order_id={order_id}"))
            .await
            .is_empty()
    );
    let res = app
        .post(
            &format!("/api/v1/orders/{order_id}/status"),
            &json!({"status": "paid"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let issued = invoices(&app, &owner.access, &format!("&order_id={order_id}")).await;
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0]["number"], "INV-0001");
    let log = history(&app, &owner.access, order_id).await;
    assert!(log.iter().any(|e| e["kind"] == "invoice_issued"));

    // Imported as paid: issued at once too.
    let imported = create_order(&app, &owner.access, mixed_order("en", "paid")).await;
    let found = invoices(
        &app,
        &owner.access,
        &format!("&order_id={}", imported["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(found[0]["number"], "INV-0002");

    let res = app
        .post(
            &format!("/api/v1/orders/{order_id}/status"),
            &json!({"status": "refunded"}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cancellations = invoices(&app, &owner.access, "&kind=cancellation").await;
    assert_eq!(cancellations.len(), 1);
    let c = &cancellations[0];
    assert_eq!(c["number"], "INV-0003", "the same gapless series");
    assert_eq!(c["original_id"], issued[0]["id"]);
    assert_eq!(c["total_gross"], "-82.82");
    assert_eq!(c["total_net"], "-71.74");
    assert_eq!(c["total_vat"], "-11.08");
    let text = pdf_text(
        &pdf_bytes(
            app.get(c["pdf_url"].as_str().unwrap(), Some(&owner.access))
                .await,
        )
        .await,
    );
    for expected in ["Stornorechnung INV-0003", "INV-0001", "-82,82 €", "-3"] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    // Nothing was edited: the original is still there, unchanged.
    let original = app
        .get_json(
            &format!("/api/v1/invoices/{}", issued[0]["id"].as_str().unwrap()),
            Some(&owner.access),
        )
        .await;
    assert_eq!(original["total_gross"], "82.82");
    assert_eq!(invoices(&app, &owner.access, "").await.len(), 3);

    // Another shop sees none of it.
    let stranger = app.signup("Fremd", "fremd@example.com").await;
    for path in [
        format!("/api/v1/invoices/{}", c["id"].as_str().unwrap()),
        format!("/api/v1/invoices/{}/pdf", c["id"].as_str().unwrap()),
        format!("/api/v1/orders/{order_id}/invoice.pdf"),
    ] {
        assert_problem(
            app.get(&path, Some(&stranger.access)).await,
            404,
            "not_found",
        )
        .await;
    }
    let (status, _) = issue(&app, &stranger.access, order_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(invoices(&app, &stranger.access, "").await.is_empty());
}

async fn the_portal_serves_the_invoice_when_allowed(app: TestApp) {
    let owner = shop(&app, "portal@example.com", "manual").await;
    let order = create_order(&app, &owner.access, mixed_order("de", "paid")).await;
    let order_id = order["id"].as_str().unwrap();
    let code = code_of(&order);
    let invoice_path = format!("/api/portal/{code}/invoice");

    // Off (the default): refused, in the customer's language.
    let view = app.get_json(&format!("/api/portal/{code}"), None).await;
    assert_eq!(view["invoice_available"], false);
    let body = assert_problem(
        app.get(&invoice_path, None).await,
        403,
        "invoice_download_disabled",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("Rechnung"));

    let mut portal = app
        .get_json("/api/v1/portal-settings", Some(&owner.access))
        .await;
    portal.as_object_mut().unwrap().remove("updated_at");
    portal["invoice_download"] = json!(true);
    let res = app
        .put("/api/v1/portal-settings", &portal, Some(&owner.access))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // On, issued by hand only, none issued yet: not ready.
    assert_problem(app.get(&invoice_path, None).await, 409, "invoice_not_ready").await;

    // Issued when the customer first opens it.
    app.put(
        "/api/v1/invoice-settings",
        &settings("on_portal_open"),
        Some(&owner.access),
    )
    .await;
    let view = app.get_json(&format!("/api/portal/{code}"), None).await;
    assert_eq!(view["invoice_available"], true);
    let res = app
        .client
        .get(app.url(&invoice_path))
        .header("User-Agent", "InvoiceTest/2.0")
        .send()
        .await
        .unwrap();
    let cache = res.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(cache.contains("no-store"), "{cache}");
    let pdf = pdf_bytes(res).await;
    assert!(pdf_text(&pdf).contains("Rechnung INV-0001"));
    let again = pdf_bytes(app.get(&invoice_path, None).await).await;
    assert_eq!(again, pdf);
    assert_eq!(invoices(&app, &owner.access, "").await.len(), 1);

    let log = history(&app, &owner.access, order_id).await;
    let downloads: Vec<&Value> = log
        .iter()
        .filter(|e| e["kind"] == "invoice_downloaded")
        .collect();
    assert_eq!(downloads.len(), 2);
    assert!(
        downloads
            .iter()
            .any(|e| e["user_agent"] == "InvoiceTest/2.0" && e["ip"] == "127.0.0.1"),
        "{downloads:?}"
    );
    let issued: Vec<&Value> = log
        .iter()
        .filter(|e| e["kind"] == "invoice_issued")
        .collect();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0]["actor"], "customer");

    // An unpaid order's invoice is not issued by opening the portal.
    let open = create_order(&app, &owner.access, mixed_order("de", "open")).await;
    assert_problem(
        app.get(&format!("/api/portal/{}/invoice", code_of(&open)), None)
            .await,
        409,
        "invoice_not_ready",
    )
    .await;

    // The message placeholder links the portal's invoice.
    let templates = app.get_json("/api/v1/templates", Some(&owner.access)).await;
    let template_id = templates["items"][0]["id"].as_str().unwrap();
    let rendered: Value = app
        .post(
            &format!("/api/v1/templates/{template_id}/preview"),
            &json!({"order_id": order_id}),
            Some(&owner.access),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        rendered["body_text"]
            .as_str()
            .unwrap()
            .contains(&format!("/api/portal/{code}/invoice")),
        "{rendered}"
    );
}

on_both_databases!(
    settings_are_checked_and_saved,
    parallel_issues_get_consecutive_numbers,
    totals_are_exact_per_rate,
    the_pdf_carries_everything_and_never_changes,
    paid_issues_and_refund_cancels,
    the_portal_serves_the_invoice_when_allowed,
);
