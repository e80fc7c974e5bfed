//! Crash safety: the real `delivery serve` process is killed with SIGKILL ten
//! times at random moments while integrations import paid orders and
//! customers download, and started again each time. Afterwards every order
//! the API acknowledged exists exactly once, every counted download has its
//! history row and no history row lacks its count, and every queued mail was
//! delivered (the folder mailer's `.eml` files carry each Message-ID).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use delivery::config::Settings;
use delivery::db::Db;
use delivery::db::schema::{download_grants, history_events, orders, outbox_messages};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::helpers::{Backend, ServerProcess, TestDatabase};

const KILLS: usize = 10;
const IMPORTERS: usize = 3;
const DOWNLOADERS: usize = 3;
const FILE_NAME: &str = "Grüße.pdf";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_kill_9_under_load() {
    survives_kill_9_under_load(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_kill_9_under_load() {
    survives_kill_9_under_load(Backend::Postgres).await;
}

/// What the API acknowledged to the load clients.
#[derive(Default)]
struct Acknowledged {
    /// external_ref → portal code.
    orders: HashMap<String, String>,
}

async fn survives_kill_9_under_load(backend: Backend) {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create(backend, data_dir.path());
    let mut server = ServerProcess::new(&database.url, data_dir.path())
        // A killed server's claims must come back within the test.
        .env("DELIVERY_OUTBOX_CLAIM_SECS", "2");
    let client = server.client();
    server.start();
    server.wait_healthy(&client).await;
    let token = shop_with_a_file(&client, &server.base).await;

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let downloads_answered = Arc::new(AtomicU64::new(0));
    let mut load = Vec::new();
    for importer in 0..IMPORTERS {
        load.push(tokio::spawn(import_until_stopped(
            client.clone(),
            server.base.clone(),
            token.clone(),
            importer,
            stop.clone(),
            acknowledged.clone(),
        )));
    }
    for _ in 0..DOWNLOADERS {
        load.push(tokio::spawn(download_until_stopped(
            client.clone(),
            server.base.clone(),
            stop.clone(),
            acknowledged.clone(),
            downloads_answered.clone(),
        )));
    }

    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(300 + random_below(1200))).await;
        server.kill();
        server.start();
        server.wait_healthy(&client).await;
    }
    // Some load after the last restart, then stop it.
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::SeqCst);
    for task in load {
        task.await.expect("load task");
    }

    let acknowledged = std::mem::take(&mut acknowledged.lock().await.orders);
    let answered = downloads_answered.load(Ordering::SeqCst);
    assert!(
        acknowledged.len() >= 20 && answered >= 20,
        "enough load to mean something: {} orders, {answered} downloads",
        acknowledged.len()
    );

    let db = Db::connect(&Settings {
        database_url: Some(database.url.clone()),
        data_dir: data_dir.path().to_path_buf(),
        ..Settings::default()
    })
    .expect("connect");
    let mut conn = db.write_blocking().expect("connection");

    // Every acknowledged order exists exactly once, under its channel ref.
    let stored: Vec<(Option<String>, String)> = orders::table
        .filter(orders::channel.eq("crash"))
        .select((orders::external_ref, orders::portal_code))
        .load(&mut conn)
        .expect("orders");
    let mut per_ref: HashMap<String, Vec<String>> = HashMap::new();
    for (external_ref, code) in stored {
        per_ref
            .entry(external_ref.expect("imported orders keep their ref"))
            .or_default()
            .push(code);
    }
    for (external_ref, code) in &acknowledged {
        let codes = per_ref.get(external_ref).map(Vec::as_slice).unwrap_or(&[]);
        assert_eq!(
            codes,
            std::slice::from_ref(code),
            "acknowledged order {external_ref} exists once"
        );
    }

    // Every counted download has its history row, and no row lacks its count.
    let counted: Vec<(String, i32)> = download_grants::table
        .select((download_grants::id, download_grants::used_downloads))
        .load(&mut conn)
        .expect("grants");
    let rows: Vec<Option<String>> = history_events::table
        .filter(history_events::kind.eq("download"))
        .select(history_events::grant_id)
        .load(&mut conn)
        .expect("history");
    let mut rows_per_grant: HashMap<String, i64> = HashMap::new();
    for grant in rows {
        *rows_per_grant
            .entry(grant.expect("download rows name their grant"))
            .or_default() += 1;
    }
    let total: i64 = counted.iter().map(|(_, used)| i64::from(*used)).sum();
    for (grant, used) in &counted {
        assert_eq!(
            rows_per_grant.get(grant).copied().unwrap_or(0),
            i64::from(*used),
            "grant {grant}: counter and history rows agree"
        );
    }
    assert_eq!(
        rows_per_grant.values().sum::<i64>(),
        total,
        "no history row without a grant"
    );
    assert!(
        u64::try_from(total).unwrap() >= answered,
        "every download the portal answered was counted ({total} counted, {answered} answered)"
    );

    // The outbox delivers every message, at least once, by its Message-ID.
    let mut pending = i64::MAX;
    for _ in 0..300 {
        pending = outbox_messages::table
            .filter(outbox_messages::status.ne("sent"))
            .count()
            .get_result(&mut conn)
            .expect("outbox");
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(pending, 0, "every message delivered after the restarts");
    let queued: Vec<(Option<String>, String)> = outbox_messages::table
        .select((outbox_messages::order_id, outbox_messages::message_id))
        .load(&mut conn)
        .expect("outbox");
    let mailed = message_ids_in(&data_dir.path().join("mail"));
    for (_, message_id) in &queued {
        assert!(
            mailed.contains(message_id.trim_matches(|c| c == '<' || c == '>')),
            "message {message_id} was written to the mail folder"
        );
    }
    let orders_with_mail: HashSet<String> = queued.into_iter().filter_map(|(o, _)| o).collect();
    let acknowledged_ids: Vec<String> = orders::table
        .filter(orders::channel.eq("crash"))
        .select(orders::id)
        .load(&mut conn)
        .expect("order ids");
    for id in &acknowledged_ids {
        assert!(
            orders_with_mail.contains(id),
            "paid order {id} queued its mail"
        );
    }
    eprintln!(
        "{KILLS} kills survived: {} orders acknowledged, {answered} downloads answered, {total} counted, {} mails",
        acknowledged.len(),
        mailed.len()
    );
    server.kill();
}

/// Signs up a shop, puts a file into its local storage and links it to an
/// article `EBOOK`; returns the access token.
pub async fn shop_with_a_file(client: &reqwest::Client, base: &str) -> String {
    let res = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&json!({"shop_name": "Crash Verlag", "email": "crash@example.com", "password": "correct horse battery staple"}))
        .send()
        .await
        .expect("signup");
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.expect("tokens");
    let token = body["access_token"].as_str().expect("token").to_owned();
    let list: Value = get_json(
        client,
        &format!("{base}/api/v1/storage-connections"),
        &token,
    )
    .await;
    let connection_id = list["items"][0]["id"].as_str().expect("connection");
    let folder = PathBuf::from(list["items"][0]["local_path"].as_str().expect("folder"));
    std::fs::write(folder.join(FILE_NAME), b"%PDF-1.7 crash test").expect("file");
    let article: Value = post_json(
        client,
        &format!("{base}/api/v1/articles"),
        &token,
        &json!({"sku": "EBOOK", "title": "Übungsbuch", "price": "9.99"}),
    )
    .await;
    let article_id = article["id"].as_str().expect("article");
    post_json(
        client,
        &format!("{base}/api/v1/articles/{article_id}/files"),
        &token,
        &json!({"connection_id": connection_id, "object_key": FILE_NAME}),
    )
    .await;
    token
}

/// Imports paid orders one after another; an order whose answer was lost
/// (the server died) is sent again with the same ref, as an integration
/// would, until the API acknowledges it.
async fn import_until_stopped(
    client: reqwest::Client,
    base: String,
    token: String,
    importer: usize,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<Mutex<Acknowledged>>,
) {
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        let external_ref = format!("{importer}-{n}");
        let body = json!({
            "channel": "crash", "external_ref": external_ref,
            "customer": {"name": "Jörg Müller", "email": format!("kunde-{external_ref}@example.com"), "language": "de"},
            "items": [{"sku": "EBOOK", "quantity": 1}],
            "status": "paid",
        });
        while !stop.load(Ordering::SeqCst) {
            let sent = client
                .post(format!("{base}/api/v1/orders"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await;
            let Ok(res) = sent else {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            };
            let status = res.status();
            let Ok(order) = res.json::<Value>().await else {
                continue;
            };
            assert!(
                status.is_success() || status.is_server_error(),
                "an import is never refused: {status} {order}"
            );
            if status.is_success() {
                let code = order["portal_url"]
                    .as_str()
                    .and_then(|u| u.rsplit('/').next())
                    .expect("portal url")
                    .to_owned();
                acknowledged
                    .lock()
                    .await
                    .orders
                    .insert(external_ref.clone(), code);
                break;
            }
        }
        n += 1;
    }
}

/// Downloads files of acknowledged orders at random.
async fn download_until_stopped(
    client: reqwest::Client,
    base: String,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<Mutex<Acknowledged>>,
    answered: Arc<AtomicU64>,
) {
    while !stop.load(Ordering::SeqCst) {
        let code = {
            let known = acknowledged.lock().await;
            let codes: Vec<&String> = known.orders.values().collect();
            if codes.is_empty() {
                None
            } else {
                let pick = random_below(codes.len() as u64) as usize;
                Some(codes[pick].clone())
            }
        };
        let Some(code) = code else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let Ok(res) = client.get(format!("{base}/api/portal/{code}")).send().await else {
            continue;
        };
        let Ok(view) = res.json::<Value>().await else {
            continue;
        };
        let Some(grant) = view["order"]["items"][0]["files"][0]["grant_id"].as_str() else {
            continue;
        };
        let res = client
            .get(format!("{base}/api/portal/{code}/downloads/{grant}"))
            .header("User-Agent", "CrashTest/1.0")
            .send()
            .await;
        if res.is_ok_and(|r| r.status() == StatusCode::FOUND) {
            answered.fetch_add(1, Ordering::SeqCst);
        }
    }
}

pub async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> Value {
    let res = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("GET");
    assert!(res.status().is_success(), "GET {url}: {}", res.status());
    res.json().await.expect("json")
}

pub async fn post_json(client: &reqwest::Client, url: &str, token: &str, body: &Value) -> Value {
    let res = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("POST");
    assert!(res.status().is_success(), "POST {url}: {}", res.status());
    res.json().await.expect("json")
}

/// The Message-IDs in every `.eml` file of the mail folder.
fn message_ids_in(folder: &Path) -> HashSet<String> {
    let mut ids = HashSet::new();
    for entry in std::fs::read_dir(folder).expect("mail folder") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default();
        for line in text.lines() {
            if let Some(value) = line
                .strip_prefix("Message-ID:")
                .or_else(|| line.strip_prefix("Message-Id:"))
            {
                ids.insert(
                    value
                        .trim()
                        .trim_matches(|c| c == '<' || c == '>')
                        .to_owned(),
                );
            }
        }
    }
    ids
}

fn random_below(n: u64) -> u64 {
    (uuid::Uuid::new_v4().as_u128() % u128::from(n)) as u64
}
