//! The OpenAPI document. Paths are collected from the route table itself
//! (`utoipa-actix-web`), so a route cannot exist without appearing here;
//! `openapi.yaml` is this document, written by `delivery openapi`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

mod limits;

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
        (name = "invoices", description = "Invoice settings, gapless numbers, PDFs and cancellation invoices"),
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
    let mut doc = route_document();
    add_shared_answers(&mut doc);
    let unknown = limits::state_input_limits(&mut doc);
    debug_assert!(unknown.is_empty(), "limits for unknown fields: {unknown:?}");
    open_flattened_bodies(&mut doc);
    doc
}

/// The document as the route annotations alone give it.
fn route_document() -> utoipa::openapi::OpenApi {
    actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::api)
        .split_for_parts()
        .1
}

/// An answer that is a request body plus fields of its own (`id`,
/// `updated_at`: a `#[serde(flatten)]` view) is documented as
/// `allOf[Body, {its fields}]`; but the body forbids unknown properties (it
/// is strict as a request), which would make every real answer invalid
/// against the document. Inside such an `allOf` the body is inlined without
/// that restriction; as a request it stays strict.
fn open_flattened_bodies(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{AdditionalProperties, Schema};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let strict: std::collections::BTreeMap<String, Schema> = components
        .schemas
        .iter()
        .filter_map(|(name, schema)| match schema {
            RefOr::T(Schema::Object(o))
                if matches!(
                    o.additional_properties.as_deref(),
                    Some(AdditionalProperties::FreeForm(false))
                ) =>
            {
                let mut open = o.clone();
                open.additional_properties = None;
                Some((format!("#/components/schemas/{name}"), Schema::Object(open)))
            }
            _ => None,
        })
        .collect();
    for schema in components.schemas.values_mut() {
        if let RefOr::T(Schema::AllOf(all)) = schema {
            for item in &mut all.items {
                if let RefOr::Ref(r) = item
                    && let Some(open) = strict.get(&r.ref_location)
                {
                    *item = RefOr::T(open.clone());
                }
            }
        }
    }
}

/// Answers every route of a kind gives, documented once here instead of on
/// each route (where they went missing): a route that needs credentials can
/// answer 401; a route that reads a JSON body can answer 400 (not JSON), 415
/// (not `application/json`) and 422 (fields invalid); a route with query
/// parameters answers 400 when one is not of its type.
fn add_shared_answers(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let with_body = operation.request_body.is_some();
            let with_query = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query));
            let answers = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                answers
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description).into());
            };
            if secured {
                add("401", "Not signed in, or the token or key is not valid");
            }
            if with_query {
                add("400", "A query parameter is not of its type");
            }
            if with_body {
                add("400", "Malformed JSON");
                add("415", "The body is not `application/json`");
                add("422", "Invalid fields, each named");
            }
        }
    }
}

fn problem(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// The document as YAML, exactly as committed in `openapi.yaml`.
pub fn yaml() -> anyhow::Result<String> {
    document()
        .to_yaml()
        .map_err(|e| anyhow::anyhow!("rendering OpenAPI as YAML: {e}"))
}
