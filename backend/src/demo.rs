//! `delivery demo`: on an empty database, a shop a newcomer can try at once —
//! a local folder holding a sample file with an umlaut in its name, an
//! article linked to it and a paid order whose portal link works. It never
//! touches a database that already has a shop.

use anyhow::Context;
use diesel::prelude::*;

use crate::articles::models::{Article, ArticleFile, insert_article, insert_file};
use crate::auth::domain::Email;
use crate::auth::{models, password};
use crate::config::{Settings, random_base64};
use crate::db::schema::tenants;
use crate::db::{Db, new_id, now};
use crate::invoices::settings::{self as invoice_settings, InvoiceSettings};
use crate::orders::domain::OrderStatus;
use crate::orders::models::{CustomerInput, ItemInput, OrderInput, upsert_order};
use crate::orders::routes::portal_url;
use crate::portal::settings as portal_settings;
use crate::storage::local::{relative_root, storage_base};
use crate::storage::routes::create_default_local_connection;

/// The sample file's name: full UTF-8, as real products have.
pub const SAMPLE_FILE: &str = "Übung für Anfänger – Teil 1.txt";

/// What was created, to print.
pub struct Demo {
    /// The seller's email.
    pub email: String,
    /// The seller's password (random, shown once).
    pub password: String,
    /// The demo order's portal link.
    pub portal_url: String,
    /// The shop's local folder.
    pub folder: std::path::PathBuf,
}

/// Why no demo shop was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoDemo {
    /// The `demo` setting is off.
    SwitchedOff,
    /// The public URL is `https`: a real deployment gets no demo login.
    Production,
    /// The database already has a shop.
    NotEmpty,
}

/// Creates the demo shop, unless the setting is off, the configuration is
/// a production one, or the database already has a shop.
pub fn create_if_empty(settings: &Settings) -> anyhow::Result<Result<Demo, NoDemo>> {
    if !settings.demo {
        return Ok(Err(NoDemo::SwitchedOff));
    }
    if settings.public_base().starts_with("https://") {
        return Ok(Err(NoDemo::Production));
    }
    let db = Db::connect(settings)?;
    db.migrate()?;
    let mut conn = db.write_blocking()?;
    let shops: i64 = tenants::table.count().get_result(&mut *conn)?;
    if shops > 0 {
        return Ok(Err(NoDemo::NotEmpty));
    }
    let email = Email::parse("demo@example.com").map_err(anyhow::Error::msg)?;
    let password_text = random_base64(12);
    let hash = password::hash(&password_text)?;
    let fail = |e: crate::error::ApiError| anyhow::anyhow!("{e}");
    let (tenant, _) =
        models::create_shop_with_owner(&mut conn, "Demo Shop", &email, hash).map_err(fail)?;
    let local = create_default_local_connection(&mut conn, &tenant.id).map_err(fail)?;
    let folder =
        storage_base(&settings.data_dir).join(relative_root(&tenant.id, &local.root_prefix));
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
    let content = "Willkommen! Diese Datei kam über das Download-Portal.\nWelcome! This file came through the download portal.\n";
    std::fs::write(folder.join(SAMPLE_FILE), content)?;
    let at = now();
    let article = Article {
        id: new_id(),
        tenant_id: tenant.id.clone(),
        sku: "DEMO-1".into(),
        title: "Übungsbuch (Demo)".into(),
        description: "A sample article with one linked file.".into(),
        price_minor: 990,
        currency: "EUR".into(),
        vat_rate_bp: 1900,
        active: true,
        download_limit: None,
        validity_days: None,
        created_at: at,
        updated_at: at,
    };
    insert_article(&mut conn, &article).map_err(fail)?;
    insert_file(
        &mut conn,
        ArticleFile {
            id: new_id(),
            tenant_id: tenant.id.clone(),
            article_id: article.id.clone(),
            connection_id: local.id.clone(),
            object_key: SAMPLE_FILE.into(),
            display_name: SAMPLE_FILE.into(),
            size: i64::try_from(content.len())?,
            content_type: Some("text/plain".into()),
            etag: None,
            position: 0,
            missing: false,
            checked_at: at,
            created_at: at,
        },
    )
    .map_err(fail)?;
    // The portal keeps a new shop's defaults (invoice download off); the
    // invoice settings are filled in, so "Issue invoice" works at once and
    // switching invoice download on shows the customer's side.
    let portal = portal_settings::load(&mut conn, &tenant.id).map_err(fail)?;
    let mut invoicing = InvoiceSettings::defaults(&tenant.id);
    invoicing.company_name = "Demo Shop GmbH".into();
    invoicing.address = "Musterstraße 1\n10115 Berlin\nDeutschland".into();
    invoicing.vat_id = Some("DE000000000".into());
    invoicing.contact = "demo@example.com".into();
    invoice_settings::save(&mut conn, &invoicing).map_err(fail)?;
    let input = OrderInput {
        channel: "manual".into(),
        external_ref: None,
        customer: CustomerInput {
            name: "Erika Mustermann".into(),
            email: "erika@example.com".into(),
            language: "de".into(),
            billing_address: serde_json::json!({
                "name": "Erika Mustermann", "street": "Heidestraße 17",
                "postal_code": "51147", "city": "Köln", "country": "DE",
            })
            .to_string(),
        },
        currency: "EUR".into(),
        items: vec![ItemInput {
            article_id: Some(article.id.clone()),
            sku: None,
            title: None,
            quantity: 1,
            unit_price_minor: None,
            vat_rate_bp: None,
        }],
        status: OrderStatus::Paid,
        paid_at: None,
    };
    let (order, _) = upsert_order(
        &mut conn,
        &tenant.id,
        &input,
        "system",
        &portal,
        at,
        settings.public_base(),
    )
    .map_err(fail)?;
    Ok(Ok(Demo {
        email: email.as_str().to_owned(),
        password: password_text,
        portal_url: portal_url(settings.public_base(), &order.portal_code),
        folder,
    }))
}
