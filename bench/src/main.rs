//! `delivery-bench`: what `make bench` runs beside the product. The load
//! itself comes from wrk and pgbench; this binary provides the ceilings the
//! product is measured against, the S3-compatible server its files live in,
//! the importer, the wrk target lists and the correctness check.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use delivery::config::Settings;
use delivery::db::schema::{download_grants, history_events, orders, users};
use delivery::db::{Db, DbConnection};
use delivery::downloads::models::{Client, count_download};
use delivery::portal::routes::page_by_code;
use diesel::prelude::*;
use rand::Rng;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(about = "Benchmark helpers for the delivery product")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The HTTP ceiling: a minimal actix-web handler answering every GET with 302.
    Ceiling {
        #[arg(long)]
        bind: String,
    },
    /// An S3-compatible server over a folder (s3s), checking signatures.
    S3 {
        #[arg(long)]
        bind: String,
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        access_key: String,
        #[arg(long)]
        secret_key: String,
    },
    /// Imports generated orders through `POST /api/v1/orders/import`.
    Import {
        #[arg(long)]
        base: String,
        #[arg(long)]
        token: String,
        #[arg(long)]
        orders: usize,
        #[arg(long, default_value_t = 500)]
        batch: usize,
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
        /// Distinguishes the external refs of separate imports.
        #[arg(long)]
        prefix: String,
        /// Article SKUs the orders buy (comma-separated).
        #[arg(long, default_value = "EBOOK")]
        skus: String,
    },
    /// Writes wrk path lists for a shop from the database.
    Targets {
        #[arg(long)]
        database_url: String,
        /// The shop's owner.
        #[arg(long)]
        email: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        limit: i64,
    },
    /// The raw grant transaction, no HTTP: the product's own `count_download`
    /// (conditional update, grant read, history insert) in a loop.
    RawGrant {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        seconds: f64,
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// The import's ceiling: the rows an import wrote for a shop's orders,
    /// written again by the database itself into a fresh copy of the schema.
    RawImport {
        #[arg(long)]
        database_url: String,
        /// The shop's owner.
        #[arg(long)]
        email: String,
        #[arg(long, default_value_t = 500)]
        batch: i64,
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// The portal page's read, no HTTP: the product's own `page_by_code` on
    /// read connections, in a loop over the codes of a wrk path list.
    RawPortal {
        #[arg(long)]
        database_url: String,
        /// A wrk path list of `/api/portal/{code}` pages.
        #[arg(long)]
        paths: PathBuf,
        #[arg(long)]
        seconds: f64,
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Correctness under load: a grant allowing 5 downloads, 64 concurrent
    /// clients → exactly 5; and every counter equals its history rows.
    Check {
        #[arg(long)]
        base: String,
        #[arg(long)]
        token: String,
        #[arg(long)]
        database_url: String,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Ceiling { bind } => ceiling(&bind),
        Command::S3 {
            bind,
            dir,
            access_key,
            secret_key,
        } => runtime()?.block_on(s3(&bind, dir, &access_key, &secret_key)),
        Command::Import {
            base,
            token,
            orders,
            batch,
            concurrency,
            prefix,
            skus,
        } => runtime()?.block_on(import(Import {
            base,
            token,
            orders,
            batch,
            concurrency,
            prefix,
            skus: skus.split(',').map(str::to_owned).collect(),
        })),
        Command::Targets {
            database_url,
            email,
            out,
            limit,
        } => targets(&database_url, &email, &out, limit),
        Command::RawGrant {
            database_url,
            seconds,
            threads,
        } => raw_grant(&database_url, seconds, threads),
        Command::RawImport {
            database_url,
            email,
            batch,
            threads,
        } => raw_import(&database_url, &email, batch, threads),
        Command::RawPortal {
            database_url,
            paths,
            seconds,
            threads,
        } => raw_portal(&database_url, &paths, seconds, threads),
        Command::Check {
            base,
            token,
            database_url,
        } => runtime()?.block_on(check(&base, &token, &database_url)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn db(database_url: &str, pool: u32) -> anyhow::Result<Db> {
    Db::connect(&Settings {
        database_url: Some(database_url.to_owned()),
        db_pool_size: pool,
        ..Settings::default()
    })
}

/// The same server stack as the product (actix-web, default workers), with
/// nothing behind the handler.
fn ceiling(bind: &str) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind).with_context(|| format!("binding {bind}"))?;
    actix_web::rt::System::new().block_on(async move {
        actix_web::HttpServer::new(|| {
            actix_web::App::new().default_service(actix_web::web::to(|| async {
                actix_web::HttpResponse::Found()
                    .insert_header(("Location", "http://127.0.0.1:9/file?X-Amz-Signature=0"))
                    .finish()
            }))
        })
        .listen(listener)?
        .run()
        .await
    })?;
    Ok(())
}

async fn s3(bind: &str, dir: PathBuf, access_key: &str, secret_key: &str) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let fs = s3s_fs::FileSystem::new(dir).map_err(|e| anyhow::anyhow!("s3s-fs: {e:?}"))?;
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(access_key, secret_key));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind(bind).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let service = service.clone();
        tokio::spawn(async move {
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

struct Import {
    base: String,
    token: String,
    orders: usize,
    batch: usize,
    concurrency: usize,
    prefix: String,
    skus: Vec<String>,
}

/// A realistic order: a customer with an address, one or two articles,
/// most of them paid (so they get grants and a mail).
fn order(prefix: &str, n: usize, skus: &[String]) -> Value {
    let mut items = vec![json!({"sku": skus[n % skus.len()], "quantity": 1})];
    if n.is_multiple_of(3) && skus.len() > 1 {
        items.push(json!({"sku": skus[(n + 1) % skus.len()], "quantity": 2}));
    }
    json!({
        "channel": "bench",
        "external_ref": format!("{prefix}-{n}"),
        "customer": {"name": format!("Kundin Nr. {n} Müller"), "email": format!("kunde{n}@example.com"), "language": if n.is_multiple_of(2) { "de" } else { "en" }},
        "billing_address": {"street": "Hauptstraße 1", "postal_code": "10115", "city": "Berlin", "country": "de"},
        "items": items,
        "status": if n % 10 == 9 { "open" } else { "paid" },
    })
}

async fn import(job: Import) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let batches = job.orders.div_ceil(job.batch);
    let next = Arc::new(AtomicUsize::new(0));
    let job = Arc::new(job);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..job.concurrency {
        let (client, next, job) = (client.clone(), next.clone(), job.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let b = next.fetch_add(1, Ordering::SeqCst);
                if b >= batches {
                    return Ok::<_, anyhow::Error>(());
                }
                let orders: Vec<Value> = (b * job.batch..((b + 1) * job.batch).min(job.orders))
                    .map(|n| order(&job.prefix, n, &job.skus))
                    .collect();
                let res = client
                    .post(format!("{}/api/v1/orders/import", job.base))
                    .bearer_auth(&job.token)
                    .json(&json!({ "orders": orders }))
                    .send()
                    .await?;
                if !res.status().is_success() {
                    bail!("import answered {}: {}", res.status(), res.text().await?);
                }
            }
        }));
    }
    for worker in workers {
        worker.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"orders": job.orders, "seconds": seconds, "per_second": job.orders as f64 / seconds})
    );
    Ok(())
}

fn targets(
    database_url: &str,
    email: &str,
    out: &std::path::Path,
    limit: i64,
) -> anyhow::Result<()> {
    let db = db(database_url, 1)?;
    let mut conn = db.write_blocking()?;
    let tenant = shop_of(&mut conn, email)?;
    let grants: Vec<(String, String)> = download_grants::table
        .filter(download_grants::tenant_id.eq(&tenant))
        .select((download_grants::order_id, download_grants::id))
        .limit(limit)
        .load(&mut conn)?;
    let order_ids: Vec<&String> = grants.iter().map(|(o, _)| o).collect();
    let codes: std::collections::HashMap<String, String> = orders::table
        .filter(orders::id.eq_any(order_ids))
        .select((orders::id, orders::portal_code))
        .load::<(String, String)>(&mut conn)?
        .into_iter()
        .collect();
    let downloads: Vec<String> = grants
        .iter()
        .map(|(o, g)| format!("/api/portal/{}/downloads/{g}", codes[o]))
        .collect();
    let mut pages: Vec<String> = codes.values().map(|c| format!("/api/portal/{c}")).collect();
    pages.sort();
    let count: i64 = orders::table
        .filter(orders::tenant_id.eq(&tenant))
        .count()
        .get_result(&mut conn)?;
    let deep: String = orders::table
        .filter(orders::tenant_id.eq(&tenant))
        .order(orders::id.desc())
        .offset(count * 9 / 10)
        .select(orders::id)
        .first(&mut conn)?;
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("downloads.txt"), downloads.join("\n") + "\n")?;
    std::fs::write(out.join("hot.txt"), format!("{}\n", downloads[0]))?;
    std::fs::write(out.join("portal.txt"), pages.join("\n") + "\n")?;
    std::fs::write(out.join("list.txt"), "/api/v1/orders?limit=50\n")?;
    std::fs::write(
        out.join("list_deep.txt"),
        format!("/api/v1/orders?limit=50&cursor={deep}\n"),
    )?;
    println!(
        "{}",
        json!({"orders": count, "downloads": downloads.len(), "pages": pages.len()})
    );
    Ok(())
}

/// The id of the shop `email` owns.
fn shop_of(conn: &mut DbConnection, email: &str) -> anyhow::Result<String> {
    users::table
        .filter(users::email.eq(email))
        .select(users::tenant_id)
        .first(conn)
        .context("the shop's owner")
}

/// What the rows of an import refer to, copied before the timing starts.
/// Each with the column that names the shop.
const RAW_IMPORT_PARENTS: &[(&str, &str)] = &[
    ("tenants", "id"),
    ("articles", "tenant_id"),
    ("rules", "tenant_id"),
];

/// What an import writes for its orders, in the order their foreign keys
/// need: the orders, their lines, grants, invoices, history, rule firings
/// and queued mails.
const RAW_IMPORT_ROWS: &[&str] = &[
    "orders",
    "order_items",
    "download_grants",
    "invoices",
    "history_events",
    "rule_firings",
    "outbox_messages",
];

/// The import's ceiling: a fresh copy of the schema, made by the product's
/// own migrations (a new SQLite file; a new schema in the same PostgreSQL
/// database), gets the shop's orders again by `INSERT … SELECT`, `batch`
/// orders per transaction in the order they were numbered. That is the
/// database's own cost for the same rows, indexes, constraints and
/// foreign-key checks, with no HTTP, JSON, statement building, parameter
/// transfer or reads of the product's. The timing includes reading the rows
/// back from the source, so the ceiling is a little low. `threads`
/// connections write at once (SQLite has one writer; the product's import
/// runs two clients).
fn raw_import(database_url: &str, email: &str, batch: i64, threads: usize) -> anyhow::Result<()> {
    let source = db(database_url, 1)?;
    let (tenant, last) = {
        let mut conn = source.write_blocking()?;
        let tenant = shop_of(&mut conn, email)?;
        let last: Option<i64> = orders::table
            .filter(orders::tenant_id.eq(&tenant))
            .select(diesel::dsl::max(orders::number))
            .first(&mut conn)?;
        (tenant, last.unwrap_or(0))
    };
    // Spliced into the statements below: an id this bench's own database gave.
    anyhow::ensure!(
        tenant.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
        "unexpected shop id {tenant}"
    );
    let sqlite_path = database_url.strip_prefix("sqlite://");
    let raw_file = sqlite_path.map(|path| format!("{path}.raw-import"));
    let (raw_url, from) = match &raw_file {
        Some(raw) => {
            remove_sqlite_files(raw)?;
            (format!("sqlite://{raw}"), "src")
        }
        None => {
            let mut conn = source.write_blocking()?;
            diesel::sql_query("DROP SCHEMA IF EXISTS raw_import CASCADE").execute(&mut conn)?;
            diesel::sql_query("CREATE SCHEMA raw_import").execute(&mut conn)?;
            let sep = if database_url.contains('?') { '&' } else { '?' };
            (
                format!("{database_url}{sep}options=-csearch_path%3Draw_import"),
                "public",
            )
        }
    };
    let raw = db(&raw_url, u32::try_from(threads)?)?;
    raw.migrate()?;
    let connect = || -> anyhow::Result<_> {
        let mut conn = raw.write_blocking()?;
        if let Some(path) = sqlite_path {
            diesel::sql_query(format!("ATTACH DATABASE '{path}' AS src")).execute(&mut conn)?;
        }
        Ok(conn)
    };
    let mut conn = connect()?;
    for (table, shop_column) in RAW_IMPORT_PARENTS {
        diesel::sql_query(format!(
            "INSERT INTO {table} SELECT * FROM {from}.{table} WHERE {shop_column} = '{tenant}'"
        ))
        .execute(&mut conn)?;
    }
    if sqlite_path.is_some() {
        // The pool hands the same connection to the writer below.
        diesel::sql_query("DETACH DATABASE src").execute(&mut conn)?;
    }
    drop(conn);

    let next = AtomicI64::new(0);
    let rows = AtomicUsize::new(0);
    let started = Instant::now();
    on_threads(threads, || {
        let mut conn = connect()?;
        loop {
            let lo = next.fetch_add(batch, Ordering::SeqCst);
            if lo >= last {
                return Ok(());
            }
            let written = conn.transaction(|conn| {
                RAW_IMPORT_ROWS.iter().try_fold(0, |n, table| {
                    let copy = copy_orders(table, from, &tenant, lo, lo + batch);
                    Ok::<_, diesel::result::Error>(n + diesel::sql_query(copy).execute(conn)?)
                })
            })?;
            rows.fetch_add(written, Ordering::Relaxed);
        }
    })?;
    let seconds = started.elapsed().as_secs_f64();

    match &raw_file {
        Some(raw) => remove_sqlite_files(raw)?,
        None => {
            diesel::sql_query("DROP SCHEMA raw_import CASCADE")
                .execute(&mut source.write_blocking()?)?;
        }
    }
    println!(
        "{}",
        json!({"orders": last, "rows": rows.load(Ordering::SeqCst), "seconds": seconds,
               "per_second": last as f64 / seconds})
    );
    Ok(())
}

/// Copies one table's rows for the shop's orders numbered `lo < number <= hi`.
/// Each table is read through its order index, driven by the batch's order
/// ids (`rule_firings` has none and is scanned).
fn copy_orders(table: &str, from: &str, tenant: &str, lo: i64, hi: i64) -> String {
    let orders = format!(
        "SELECT o.id FROM {from}.orders o \
         WHERE o.tenant_id = '{tenant}' AND o.number > {lo} AND o.number <= {hi}"
    );
    match table {
        "orders" => format!(
            "INSERT INTO orders SELECT * FROM {from}.orders WHERE id IN ({orders}) ORDER BY number"
        ),
        // The mail worker's rows came after the import.
        "history_events" => format!(
            "INSERT INTO history_events SELECT * FROM {from}.history_events \
             WHERE order_id IN ({orders}) AND kind NOT IN ('message_sent', 'message_failed')"
        ),
        _ => {
            format!("INSERT INTO {table} SELECT * FROM {from}.{table} WHERE order_id IN ({orders})")
        }
    }
}

fn remove_sqlite_files(path: &str) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        match std::fs::remove_file(format!("{path}{suffix}")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

fn raw_grant(database_url: &str, seconds: f64, threads: usize) -> anyhow::Result<()> {
    let db = db(database_url, u32::try_from(threads)?)?;
    let grants: Vec<(String, String, String)> = download_grants::table
        .filter(download_grants::max_downloads.is_null())
        .select((
            download_grants::tenant_id,
            download_grants::order_id,
            download_grants::id,
        ))
        .limit(10_000)
        .load(&mut db.write_blocking()?)?;
    if grants.is_empty() {
        bail!("no unlimited grants to count");
    }
    let (n, secs) = repeat_for(seconds, threads, |rng| {
        let (t, o, g) = &grants[rng.random_range(0..grants.len())];
        let mut conn = db.write_blocking()?;
        let client = Client {
            ip: Some("127.0.0.1"),
            user_agent: Some("raw-grant"),
        };
        count_download(&mut conn, t, o, g, delivery::db::now(), client)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .map_err(|_| anyhow::anyhow!("an unlimited grant was refused"))?;
        Ok(())
    })?;
    println!(
        "{}",
        json!({"transactions": n, "seconds": secs, "per_second": n as f64 / secs})
    );
    Ok(())
}

fn raw_portal(
    database_url: &str,
    paths: &std::path::Path,
    seconds: f64,
    threads: usize,
) -> anyhow::Result<()> {
    let codes: Vec<String> = std::fs::read_to_string(paths)?
        .lines()
        .filter_map(|path| path.rsplit('/').next())
        .filter(|code| !code.is_empty())
        .map(str::to_owned)
        .collect();
    if codes.is_empty() {
        bail!("no portal codes in {}", paths.display());
    }
    let db = db(database_url, u32::try_from(threads)?)?;
    let (n, secs) = repeat_for(seconds, threads, |rng| {
        let code = &codes[rng.random_range(0..codes.len())];
        let mut conn = db.read_blocking()?;
        page_by_code(&mut conn, code)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .context("a portal code of the list is unknown")?;
        Ok(())
    })?;
    println!(
        "{}",
        json!({"reads": n, "seconds": secs, "per_second": n as f64 / secs})
    );
    Ok(())
}

/// Runs `work` on `threads` threads at once; the first error wins.
fn on_threads(threads: usize, work: impl Fn() -> anyhow::Result<()> + Sync) -> anyhow::Result<()> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(&work)).collect();
        workers.into_iter().try_for_each(|worker| {
            worker
                .join()
                .map_err(|_| anyhow::anyhow!("worker panicked"))?
        })
    })
}

/// Runs `step` in a loop on `threads` threads for `seconds`; returns how
/// many steps ran and the seconds they took.
fn repeat_for(
    seconds: f64,
    threads: usize,
    step: impl Fn(&mut rand::rngs::ThreadRng) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<(u64, f64)> {
    let done = AtomicU64::new(0);
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    on_threads(threads, || {
        let mut rng = rand::rng();
        while Instant::now() < until {
            step(&mut rng)?;
            done.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    })?;
    Ok((done.into_inner(), started.elapsed().as_secs_f64()))
}

async fn check(base: &str, token: &str, database_url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()?;
    let mut body = order("check", 0, &["EBOOK".to_owned()]);
    body["external_ref"] = json!("limit-check");
    let created: Value = client
        .post(format!("{base}/api/v1/orders"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = created["id"].as_str().context("order id")?;
    client
        .patch(format!("{base}/api/v1/orders/{id}/downloads"))
        .bearer_auth(token)
        .json(&json!({"max_downloads": 5, "reset_used": true}))
        .send()
        .await?
        .error_for_status()?;
    let code = created["portal_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .context("portal url")?
        .to_owned();
    let view: Value = client
        .get(format!("{base}/api/portal/{code}"))
        .send()
        .await?
        .json()
        .await?;
    let grant = view["order"]["items"][0]["files"][0]["grant_id"]
        .as_str()
        .context("grant")?
        .to_owned();
    let url = format!("{base}/api/portal/{code}/downloads/{grant}");
    let attempts = futures_util::future::join_all((0..64).map(|_| client.get(&url).send())).await;
    let granted = attempts
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.status() == 302))
        .count();

    let db = db(database_url, 1)?;
    let mut conn = db.write_blocking()?;
    let counters: Option<i64> = download_grants::table
        .select(diesel::dsl::sum(download_grants::used_downloads))
        .first(&mut conn)?;
    let rows: i64 = history_events::table
        .filter(history_events::kind.eq("download"))
        .count()
        .get_result(&mut conn)?;
    let counters = counters.unwrap_or(0);
    let ok = granted == 5 && counters == rows;
    println!(
        "{}",
        json!({"limit_5_under_64_clients": granted, "counters": counters, "history_rows": rows, "ok": ok})
    );
    if !ok {
        bail!("correctness check failed");
    }
    Ok(())
}
