//! Test harness: [`spawn`] starts the app on `127.0.0.1:0` with a fresh
//! database and returns a client for it.
//!
//! PostgreSQL: `TEST_DATABASE_URL` (an admin URL, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`) when given; otherwise a
//! throwaway cluster is started once per test process from the local
//! PostgreSQL binaries and torn down when the process exits. Each test gets
//! its own database, dropped afterwards.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use delivery::Application;
use delivery::clock::Clock;
use delivery::config::Settings;
use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The signing secret every test app uses, so tests can forge tokens.
pub const SIGNING_SECRET: &str = "test-signing-secret-that-is-long-enough-0123456789";

/// Runs each named test (an `async fn(TestApp)` in the calling module) on
/// both databases, as `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[actix_web::test]
            async fn $name() {
                super::$name($crate::helpers::spawn($crate::helpers::Backend::Sqlite).await).await
            })*
        }
        mod postgres {
            $(#[actix_web::test]
            async fn $name() {
                super::$name($crate::helpers::spawn($crate::helpers::Backend::Postgres).await).await
            })*
        }
    };
}

/// A running app and a client for it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    pub clock: Clock,
    server: actix_web::dev::ServerHandle,
    _data_dir: tempfile::TempDir,
    /// Dropped after the server is told to stop (fields drop after `drop`).
    _database: Option<TestDatabase>,
}

/// Starts the app on a fresh database.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |_| {}).await
}

/// Starts the app on a fresh database with adjusted settings.
pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_full(backend, adjust, Clock::System).await
}

/// Starts the app with adjusted settings and the given clock.
pub async fn spawn_full(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings),
    clock: Clock,
) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create(backend, data_dir.path());
    let mut settings = Settings {
        database_url: Some(database.url.clone()),
        data_dir: data_dir.path().to_path_buf(),
        signing_secret: Some(SecretString::from(SIGNING_SECRET)),
        static_dir: data_dir.path().join("no-spa"),
        db_pool_size: 4,
        // The test S3 server runs on plain http on loopback.
        storage_allow_http: true,
        storage_allow_private_endpoints: true,
        ..Settings::default()
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    settings.public_url = base.clone();
    adjust(&mut settings);
    let app = Application::build_on(settings.clone(), listener, clock.clone()).expect("app builds");
    let server = app.into_server();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    TestApp {
        base,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        settings,
        clock,
        server: handle,
        _data_dir: data_dir,
        _database: Some(database),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; pooled connections die with the app state.
        let stop = self.server.stop(false);
        drop(stop);
    }
}

/// A fresh database for one test; a PostgreSQL one is dropped with this.
pub struct TestDatabase {
    pub url: String,
    pg_name: Option<String>,
}

impl TestDatabase {
    /// SQLite in `data_dir`, or a new database on the test cluster.
    pub fn create(backend: Backend, data_dir: &std::path::Path) -> Self {
        match backend {
            Backend::Sqlite => TestDatabase {
                url: format!("sqlite://{}", data_dir.join("test.db").display()),
                pg_name: None,
            },
            Backend::Postgres => {
                let (url, name) = create_pg_database();
                TestDatabase {
                    url,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            drop_pg_database(&name);
        }
    }
}

/// A second server on the same database and data dir (another "node").
pub async fn spawn_sibling(app: &TestApp) -> TestApp {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    let settings = app.settings.clone();
    let server = Application::build_on(settings.clone(), listener, app.clock.clone())
        .expect("sibling builds")
        .into_server();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    TestApp {
        base,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        settings,
        clock: app.clock.clone(),
        server: handle,
        _data_dir: tempfile::tempdir().expect("temp dir"),
        // The first app owns (and drops) the database.
        _database: None,
    }
}

/// `delivery serve` as its own process (the built binary), always on the
/// same port so clients survive a restart; killed when dropped.
pub struct ServerProcess {
    pub base: String,
    port: u16,
    env: Vec<(String, std::ffi::OsString)>,
    log: Option<PathBuf>,
    child: Option<Child>,
}

impl ServerProcess {
    /// On this database and data dir, with the test signing secret.
    pub fn new(database_url: &str, data_dir: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let base = format!("http://127.0.0.1:{port}");
        ServerProcess {
            port,
            env: vec![],
            log: None,
            child: None,
            base: base.clone(),
        }
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("DELIVERY_DATA_DIR", data_dir)
        .env("DELIVERY_PUBLIC_URL", &base)
        .env("DELIVERY_SIGNING_SECRET", SIGNING_SECRET)
        .env("DELIVERY_STATIC_DIR", data_dir.join("no-spa"))
        .env("DELIVERY_OUTBOX_POLL_MS", "100")
        .env("RUST_LOG", "warn")
    }

    /// Sets (or replaces) an environment variable of the process.
    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Appends the process's stdout and stderr to this file.
    pub fn log_to(mut self, file: PathBuf) -> Self {
        self.log = Some(file);
        self
    }

    pub fn start(&mut self) {
        let output = || match &self.log {
            Some(path) => Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("log file"),
            ),
            None => Stdio::null(),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_delivery"))
            .args(["serve", "--bind", &format!("127.0.0.1:{}", self.port)])
            .env_clear()
            .envs(self.env.iter().map(|(n, v)| (n, v)))
            .stdout(output())
            .stderr(output())
            .spawn()
            .expect("start delivery serve");
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9");
            child.wait().expect("reaped");
        }
    }

    /// A client that does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("client")
    }

    pub async fn wait_healthy(&self, client: &reqwest::Client) {
        for _ in 0..600 {
            if let Ok(res) = client.get(format!("{}/api/health", self.base)).send().await
                && res.status() == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server did not answer within 30 s");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Tokens from signup or login.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request to the app, signed in with `token` when given.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let req = self.client.request(method, self.url(path));
        match token {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        send(self.request(Method::GET, path, token)).await
    }

    /// GETs a JSON resource; panics unless it answers 200.
    pub async fn get_json(&self, path: &str, token: Option<&str>) -> Value {
        let res = self.get(path, token).await;
        let status = res.status();
        let text = res.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: {e}: {text}"))
    }

    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        send(self.request(Method::POST, path, token).json(body)).await
    }

    /// POSTs with an `Idempotency-Key`, as an integration retrying safely does.
    pub async fn post_with_key(
        &self,
        path: &str,
        body: &Value,
        token: Option<&str>,
        key: &str,
    ) -> Response {
        let req = self.request(Method::POST, path, token);
        send(req.header("Idempotency-Key", key).json(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        send(self.request(Method::PUT, path, token).json(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        send(self.request(Method::PATCH, path, token).json(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        send(self.request(Method::DELETE, path, token)).await
    }

    /// The local storage connection every new shop starts with: its id and
    /// its folder.
    pub async fn local_connection(&self, token: &str) -> (String, PathBuf) {
        let list = self
            .get_json("/api/v1/storage-connections", Some(token))
            .await;
        let id = list["items"][0]["id"].as_str().unwrap().to_owned();
        let folder = PathBuf::from(list["items"][0]["local_path"].as_str().unwrap());
        (id, folder)
    }

    /// Signs up a new shop; panics unless it succeeds.
    pub async fn signup(&self, shop: &str, email: &str) -> Tokens {
        let res = self
            .post(
                "/api/v1/auth/signup",
                &json!({"shop_name": shop, "email": email, "password": "correct horse battery"}),
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "signup of {email}");
        tokens(res).await
    }

    /// Creates an API key with the owner's token; returns (id, secret).
    pub async fn create_api_key(&self, owner: &str, scope: &str) -> (String, String) {
        let res = self
            .post(
                "/api/v1/api-keys",
                &json!({"name": "integration", "scope": scope}),
                Some(owner),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("json");
        (
            body["id"].as_str().expect("id").to_owned(),
            body["secret"].as_str().expect("secret").to_owned(),
        )
    }
}

async fn send(req: RequestBuilder) -> Response {
    req.send().await.expect("request")
}

/// Reads a token response.
pub async fn tokens(res: Response) -> Tokens {
    let body: Value = res.json().await.expect("token json");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_i64().expect("expires_in") > 0);
    Tokens {
        access: body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned(),
        refresh: body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned(),
    }
}

/// Asserts a problem+json response with the given status and code; returns it.
#[track_caller]
pub fn assert_problem_sync(
    status: StatusCode,
    content_type: Option<&str>,
    body: &Value,
    want: u16,
    code: &str,
) {
    assert_eq!(status.as_u16(), want, "status; body: {body}");
    assert_eq!(
        content_type,
        Some("application/problem+json"),
        "content type; body: {body}"
    );
    assert_eq!(body["code"], code, "code; body: {body}");
    assert_eq!(body["status"], want, "status field; body: {body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "detail; body: {body}"
    );
}

/// Asserts a problem+json response with the given status and code; returns its body.
pub async fn assert_problem(res: Response, want: u16, code: &str) -> Value {
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = res.json().await.expect("problem json");
    assert_problem_sync(status, content_type.as_deref(), &body, want, code);
    body
}

/// The fields named in a validation problem.
pub fn problem_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

// ---- PostgreSQL -------------------------------------------------------------

/// The admin URL: `TEST_DATABASE_URL`, or a throwaway cluster's.
fn pg_admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => start_throwaway_cluster(),
    })
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (without_query, query) = url
        .split_once('?')
        .map_or((url, None), |(u, q)| (u, Some(q)));
    let scheme_end = without_query.find("://").map_or(0, |i| i + 3);
    let base = match without_query[scheme_end..].find('/') {
        Some(slash) => &without_query[..scheme_end + slash],
        None => without_query,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

fn create_pg_database() -> (String, String) {
    let admin = pg_admin_url();
    let name = format!("delivery_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(admin).expect("connect to the PostgreSQL admin URL");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .expect("create test database");
    (with_database(admin, &name), name)
}

fn drop_pg_database(name: &str) {
    if let Ok(mut conn) = PgConnection::establish(pg_admin_url()) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn);
    }
}

/// Keeps the throwaway cluster's watchdog alive: when this process exits,
/// the pipe closes and the watchdog stops the cluster and removes its files.
static WATCHDOG: Mutex<Option<(Child, ChildStdin)>> = Mutex::new(None);

fn pg_bin_dir() -> Option<PathBuf> {
    let on_path = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|p| PathBuf::from(p.trim()))
        .and_then(|p| p.parent().map(PathBuf::from));
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .collect();
        versions.sort();
        versions.pop()
    })
}

fn start_throwaway_cluster() -> String {
    let bin = pg_bin_dir().expect(
        "PostgreSQL tests need TEST_DATABASE_URL or the PostgreSQL server binaries (initdb, pg_ctl) installed",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let dir = std::env::temp_dir().join(format!("delivery-pg-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("cluster dir");
    let script = format!(
        "set -e\n\
         export PATH=\"{bin}:$PATH\"\n\
         initdb -D \"{dir}/data\" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >\"{dir}/initdb.log\" 2>&1\n\
         pg_ctl -D \"{dir}/data\" -w -l \"{dir}/server.log\" -o \"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start >/dev/null\n\
         echo ready\n\
         read _unused || true\n\
         pg_ctl -D \"{dir}/data\" -m immediate stop >/dev/null 2>&1 || true\n\
         rm -rf \"{dir}\"\n",
        bin = bin.display(),
        dir = dir.display(),
    );
    // PostgreSQL refuses to run as root; hand the cluster to the postgres user.
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut command = if is_root {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "chown the cluster dir to postgres"
        );
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", &script]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", &script]);
        c
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the PostgreSQL watchdog");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read watchdog output");
    assert_eq!(
        line.trim(),
        "ready",
        "throwaway PostgreSQL did not start; see {}",
        dir.display()
    );
    let mut stdin = child.stdin.take().expect("stdin");
    let _ = stdin.flush();
    *WATCHDOG.lock().expect("watchdog lock") = Some((child, stdin));
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

#[test]
fn database_name_is_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h:5432/db?sslmode=disable", "x"),
        "postgres://u@h:5432/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://u@h:5432", "x"),
        "postgres://u@h:5432/x"
    );
}
