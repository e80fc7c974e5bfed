//! The OpenAPI document. Paths are collected from the route table itself
//! (`utoipa-actix-web`), so a route cannot exist without appearing here;
//! `openapi.yaml` is this document, written by `delivery openapi`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

/// Title, description, tags and shared components.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Digital product delivery API",
        description = "Sell digital products from your own bucket: articles with linked files, orders, \
                       counted and expiring customer downloads, and the customer portal.\n\n\
                       Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.\n\
                       Authenticate with `Authorization: Bearer <token>`: a seller's access token from \
                       `/api/v1/auth/login`, or an API key (`dlv_...`).",
        license(name = "AGPL-3.0-or-later"),
    ),
    modifiers(&SecurityAddon),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Sign-up, sign-in, tokens, the caller"),
        (name = "api-keys", description = "Keys for integrations"),
        (name = "storage", description = "The sellers' storage: S3-compatible buckets or a local folder"),
        (name = "articles", description = "Products and the files linked to them"),
        (name = "orders", description = "Orders, their status, portal link and history"),
        (name = "downloads", description = "Download grants and download links"),
        (name = "portal", description = "The customer portal (the code is the key) and its settings"),
        (name = "notifications", description = "Templates, rules and the messages they send"),
        (name = "ops", description = "Health and metrics"),
    ),
)]
pub struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A seller's access token (JWT) or an API key (`dlv_...`).",
                    ))
                    .build(),
            ),
        );
    }
}

/// The complete document, built from the route table.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::api)
        .split_for_parts();
    doc
}

/// The document as YAML, exactly as committed in `openapi.yaml`.
pub fn yaml() -> anyhow::Result<String> {
    document()
        .to_yaml()
        .map_err(|e| anyhow::anyhow!("rendering OpenAPI as YAML: {e}"))
}
