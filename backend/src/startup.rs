//! Builds the server: state, database, middleware, routes.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use actix_files::Files;
use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, guard, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::auth::password;
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::tokens::AccessTokens;
use crate::clock::Clock;
use crate::config::{ServerKeys, Settings};
use crate::db::Db;
use crate::error::ApiError;
use crate::json::BodyLimit;
use crate::metrics::Metrics;
use crate::middleware::{catch_panic, problemize, request_id_header};
use crate::openapi::ApiDoc;
use crate::portal::routes::PortalLimiter;
use crate::routes::MethodTable;
use crate::storage::models::StorageServices;
use crate::telemetry::RequestSpan;

/// Everything a request handler can reach.
pub struct AppState {
    /// The settings the server started with.
    pub settings: Arc<Settings>,
    /// The database.
    pub db: Db,
    /// Access token signing and verification.
    pub access_tokens: AccessTokens,
    /// Login throttling.
    pub login_limiter: LoginLimiter,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Storage keys, policy and clients.
    pub storage: StorageServices,
    /// The time that decides download expiry.
    pub clock: Clock,
    /// Throttles unknown portal codes and portal messages.
    pub portal_limiter: PortalLimiter,
    /// Wakes the outbox worker when a message is queued outside an order change.
    pub outbox_wakeup: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// Loads keys, connects to and migrates the database.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let keys = ServerKeys::load_or_generate(&settings)?;
        let db = Db::connect(&settings)?;
        db.migrate()?;
        Ok(Self {
            access_tokens: AccessTokens::new(&keys.signing, settings.access_token_ttl_secs),
            login_limiter: LoginLimiter::new(
                settings.login_burst_per_account,
                settings.login_burst_per_ip,
            ),
            metrics: Metrics::new()?,
            storage: StorageServices::new(&settings, &keys),
            clock: Clock::System,
            portal_limiter: PortalLimiter::default(),
            outbox_wakeup: Arc::new(tokio::sync::Notify::new()),
            db,
            settings: Arc::new(settings),
        })
    }
}

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Builds the state and binds `bind` (port 0 picks a free port).
    pub fn build(settings: Settings, bind: &str) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(bind).with_context(|| format!("binding {bind}"))?;
        Self::build_on(settings, listener, Clock::System)
    }

    /// Builds the state and serves on an already bound listener with the
    /// given clock (tests use a manual one).
    pub fn build_on(
        settings: Settings,
        listener: TcpListener,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let mut state = AppState::build(settings)?;
        state.clock = clock;
        let mailer = crate::notifications::mailer::Mailer::from_settings(&state.settings)?;
        let state = web::Data::new(state);
        crate::notifications::worker::spawn(
            state.clone(),
            mailer,
            crate::notifications::channels::http_client()?,
        );
        password::warm_up();
        let port = listener.local_addr()?.port();
        let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        // Blocking work is nearly all database work, and a task can only
        // proceed with a pooled connection. Each worker has a blocking pool of
        // its own: together they hold as many threads as the database pool
        // has connections. A thread more would wait on the pool, where r2d2
        // serves whoever asks first rather than who waited longest (with ten
        // threads a worker for eight connections, single portal requests on
        // PostgreSQL waited up to 1.8 s), and each holds its own stack.
        let blocking_threads = (state.settings.db_pool_size as usize).div_ceil(workers);
        // One document for the whole server: read for the 405s, and served
        // at /api/openapi.json (the same as the committed openapi.yaml) as
        // JSON rendered once. Held as a document instead, each worker's
        // Swagger UI kept a copy of its own: about 4 MB apiece.
        let document = crate::openapi::document();
        let methods = web::Data::new(MethodTable::from_document(&document));
        let document_json = web::Bytes::from(
            serde_json::to_vec(&document).context("rendering the OpenAPI document")?,
        );
        drop(document);
        let server = HttpServer::new(move || {
            let limit = state.settings.max_body_bytes;
            let static_dir = state.settings.static_dir.clone();
            let (app, _) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(state.clone())
                .app_data(methods.clone())
                .app_data(web::PayloadConfig::new(limit))
                .app_data(BodyLimit(limit))
                .app_data(
                    web::PathConfig::default().error_handler(|_, req| malformed_path(req).into()),
                )
                .app_data(web::QueryConfig::default().error_handler(|err, _| {
                    ApiError::Malformed(format!("Invalid query parameter: {err}")).into()
                }))
                .configure(crate::routes::api)
                .split_for_parts();
            let document_json = document_json.clone();
            app.service(
                SwaggerUi::new("/api/docs/{_:.*}").config(SwaggerConfig::new([OPENAPI_JSON_PATH])),
            )
            .route(
                OPENAPI_JSON_PATH,
                web::get().to(move || serve_document(document_json.clone())),
            )
            .route("/api/docs", web::get().to(redirect_to_docs))
            .configure(|cfg| spa(cfg, &static_dir))
            .default_service(web::to(not_found))
            .wrap(from_fn(catch_panic))
            .wrap(ErrorHandlers::new().default_handler(problemize))
            .wrap(from_fn(crate::metrics::record))
            .wrap(from_fn(request_id_header))
            .wrap(TracingLogger::<RequestSpan>::new())
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking_threads)
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server handle (to run it on a task and stop it).
    pub fn into_server(self) -> Server {
        self.server
    }
}

/// Where the finished OpenAPI document is served (and the docs page reads it).
const OPENAPI_JSON_PATH: &str = "/api/openapi.json";

async fn serve_document(json: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(actix_web::http::header::ContentType::json())
        .body(json)
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/api/docs/"))
        .finish()
}

/// A path segment did not parse (an id that is not a UUID). A malformed id
/// cannot name anything, so this answers like a missing one; but a fixed
/// path caught by a template (`GET /orders/import` by `/orders/{id}`) is a
/// known path called with the wrong method.
fn malformed_path(req: &HttpRequest) -> ApiError {
    let allow = req
        .app_data::<web::Data<MethodTable>>()
        .and_then(|methods| methods.fixed_path_allows(req.path()));
    match allow {
        Some(allow) if !allow.split(", ").any(|m| m == req.method().as_str()) => {
            ApiError::MethodNotAllowed(allow.to_owned())
        }
        _ => ApiError::NotFound,
    }
}

/// No route took the request: a known path with another method is a 405,
/// anything else a 404.
async fn not_found(
    req: HttpRequest,
    methods: web::Data<MethodTable>,
) -> Result<HttpResponse, ApiError> {
    match methods.allowed(req.path()) {
        Some(allow) => Err(ApiError::MethodNotAllowed(allow.to_owned())),
        None => Err(ApiError::NotFound),
    }
}

/// Serves the built single-page app at `/` (any non-API path falls back to
/// `index.html`, so client-side routes survive a reload). Without a build,
/// `/` explains where things are.
fn spa(cfg: &mut web::ServiceConfig, dir: &Path) {
    let not_api = guard::fn_guard(|ctx| !ctx.head().uri.path().starts_with("/api"));
    let portal_page = dir.join("portal.html");
    if portal_page.is_file() {
        // The customer's page: its own small entry, never indexed, no referrer.
        cfg.route(
            "/portal/{code}",
            web::get().to(move |req: HttpRequest| {
                let page = portal_page.clone();
                async move {
                    let mut response = actix_files::NamedFile::open_async(page)
                        .await?
                        .into_response(&req);
                    let headers = response.headers_mut();
                    headers.insert(
                        actix_web::http::header::REFERRER_POLICY,
                        actix_web::http::header::HeaderValue::from_static("no-referrer"),
                    );
                    headers.insert(
                        actix_web::http::header::HeaderName::from_static("x-robots-tag"),
                        actix_web::http::header::HeaderValue::from_static("noindex, nofollow"),
                    );
                    headers.insert(
                        actix_web::http::header::CACHE_CONTROL,
                        actix_web::http::header::HeaderValue::from_static("no-store"),
                    );
                    // Only the dashboard's own settings page may frame it (the live
                    // preview); no other site can overlay a customer's download page.
                    headers.insert(
                        actix_web::http::header::CONTENT_SECURITY_POLICY,
                        actix_web::http::header::HeaderValue::from_static("frame-ancestors 'self'"),
                    );
                    Ok::<_, actix_web::Error>(response)
                }
            }),
        );
    }
    let index = dir.join("index.html");
    if index.is_file() {
        cfg.service(
            Files::new("/", dir)
                .index_file("index.html")
                .guard(not_api)
                .default_handler(web::to(move |req: HttpRequest| {
                    let index = index.clone();
                    async move {
                        actix_files::NamedFile::open_async(index)
                            .await
                            .map(|f| f.into_response(&req))
                    }
                })),
        );
    } else {
        cfg.route(
            "/",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(
                        "<!doctype html><meta charset=utf-8><title>Delivery</title>\
                     <h1>Delivery is running</h1><p>The dashboard is not built \
                     (<code>make run</code> builds it). API documentation: \
                     <a href=\"/api/docs/\">/api/docs</a>.</p>",
                    )
            }),
        );
    }
}
