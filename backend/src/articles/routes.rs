//! `/api/v1/articles`: the seller's products.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::domain::{
    format_minor, parse_currency, parse_download_limit, parse_price, parse_sku,
    parse_validity_days, parse_vat_rate,
};
use super::files::{ArticleFileView, file_view};
use super::models::{self, Article};
use crate::AppState;
use crate::auth::{Caller, Writer};
use crate::db::{new_id, now};
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::pagination::PageRequest;
use crate::validation::{AllFields, FieldResult, ForField, Text};
use diesel::Connection;

/// Registers the routes of this module (files included).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_articles)
        .service(create_article)
        .service(get_article)
        .service(update_article)
        .service(delete_article);
    super::files::configure(cfg);
}

/// A new article.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArticleRequest {
    /// Stock-keeping unit, unique in the shop (1–64 characters, no spaces).
    #[schema(example = "EBOOK-001")]
    pub sku: String,
    /// Title (1–200 characters).
    #[schema(example = "Übungsbuch Gitarre")]
    pub title: String,
    /// Description (up to 10 000 characters).
    #[serde(default)]
    pub description: Option<String>,
    /// Gross price as a decimal string with at most two places.
    #[schema(example = "19.99")]
    pub price: String,
    /// ISO 4217 code; default `EUR`.
    #[serde(default)]
    #[schema(example = "EUR")]
    pub currency: Option<String>,
    /// VAT rate in percent; default `19`.
    #[serde(default)]
    #[schema(example = "19")]
    pub vat_rate: Option<String>,
    /// Can be sold; default true.
    #[serde(default)]
    pub active: Option<bool>,
    /// Allowed downloads per purchased unit (1–10000); absent = the shop's default.
    #[serde(default)]
    pub download_limit: Option<i32>,
    /// Days the downloads stay available after payment (1–36500); absent = the shop's default.
    #[serde(default)]
    pub validity_days: Option<i32>,
}

/// Changes to an article; absent fields stay, `null` clears an override.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticleRequest {
    /// New SKU.
    pub sku: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New price.
    pub price: Option<String>,
    /// New currency.
    pub currency: Option<String>,
    /// New VAT rate.
    pub vat_rate: Option<String>,
    /// Can be sold.
    pub active: Option<bool>,
    /// New per-unit download limit; `null` = back to the shop's default.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<i32>, nullable)]
    pub download_limit: Option<Option<i32>>,
    /// New validity in days; `null` = back to the shop's default.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<i32>, nullable)]
    pub validity_days: Option<Option<i32>>,
}

/// An article in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ArticleSummary {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Title.
    pub title: String,
    /// Gross price, two decimal places.
    #[schema(example = "19.99")]
    pub price: String,
    /// ISO 4217.
    pub currency: String,
    /// VAT rate in percent, two decimal places.
    #[schema(example = "19.00")]
    pub vat_rate: String,
    /// Can be sold.
    pub active: bool,
    /// Linked files.
    pub file_count: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// An article with its files.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ArticleView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Gross price, two decimal places.
    #[schema(example = "19.99")]
    pub price: String,
    /// ISO 4217.
    pub currency: String,
    /// VAT rate in percent, two decimal places.
    #[schema(example = "19.00")]
    pub vat_rate: String,
    /// Can be sold.
    pub active: bool,
    /// Allowed downloads per unit; `null` = the shop's default.
    pub download_limit: Option<i32>,
    /// Days available after payment; `null` = the shop's default.
    pub validity_days: Option<i32>,
    /// Linked files in order.
    pub files: Vec<ArticleFileView>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn article_view(article: Article, files: Vec<models::ArticleFile>) -> ArticleView {
    let Article {
        id,
        sku,
        title,
        description,
        price_minor,
        currency,
        vat_rate_bp,
        active,
        download_limit,
        validity_days,
        created_at,
        updated_at,
        tenant_id: _,
    } = article;
    ArticleView {
        id,
        sku,
        title,
        description,
        price: format_minor(price_minor),
        currency,
        vat_rate: format_minor(i64::from(vat_rate_bp)),
        active,
        download_limit,
        validity_days,
        files: files.into_iter().map(file_view).collect(),
        created_at: created_at.and_utc(),
        updated_at: updated_at.and_utc(),
    }
}

/// A page of articles.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ArticleList {
    /// Newest first.
    pub items: Vec<ArticleSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// List parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListQuery {
    /// Search in SKU and title (case-insensitive).
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page (1–200, default 50).
    pub limit: Option<u32>,
}

fn title_field(raw: &str) -> FieldResult<String> {
    Text::parse(raw, 1, 200)
        .map(Text::into_inner)
        .for_field("title")
}

fn description_field(raw: &str) -> FieldResult<String> {
    let text = raw.trim();
    if text.chars().count() > 10_000 {
        return Err(crate::error::FieldError::new(
            "description",
            "must be at most 10000 characters",
        ));
    }
    if text.contains('\u{0}') {
        return Err(crate::error::FieldError::new(
            "description",
            "must not contain NUL characters",
        ));
    }
    Ok(text.to_owned())
}

fn optional<T>(
    value: Option<i32>,
    parse: fn(i32) -> Result<T, String>,
    field: &str,
) -> FieldResult<Option<T>> {
    value.map(parse).transpose().for_field(field)
}

/// List the shop's articles, newest first, optionally searched.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(ArticleListQuery),
    responses(
        (status = 200, description = "One page", body = ArticleList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid parameters", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ArticleListQuery>,
) -> Result<web::Json<ArticleList>, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::parse(query.limit, query.cursor)?;
    let search = query
        .q
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty());
    if search.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::field("q", "must be at most 200 characters"));
    }
    let tenant_id = caller.tenant_id.clone();
    let (after, fetch) = (page.after.clone(), page.fetch());
    let (rows, counts) = state
        .db
        .read(move |conn| {
            let rows = models::list_articles(
                conn,
                &tenant_id,
                search.as_deref(),
                after.as_deref(),
                fetch,
            )?;
            let ids: Vec<String> = rows.iter().map(|a| a.id.clone()).collect();
            let counts = models::file_counts(conn, &tenant_id, &ids)?;
            Ok((rows, counts))
        })
        .await?;
    let (rows, next_cursor) = page.split(rows, |a| a.id.clone());
    let items: Vec<ArticleSummary> = rows
        .into_iter()
        .map(|a| ArticleSummary {
            file_count: counts
                .iter()
                .find(|(id, _)| *id == a.id)
                .map_or(0, |(_, n)| *n),
            id: a.id,
            sku: a.sku,
            title: a.title,
            price: format_minor(a.price_minor),
            currency: a.currency,
            vat_rate: format_minor(i64::from(a.vat_rate_bp)),
            active: a.active,
            created_at: a.created_at.and_utc(),
        })
        .collect();
    Ok(web::Json(ArticleList { items, next_cursor }))
}

/// Create an article.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    request_body = CreateArticleRequest,
    responses(
        (status = 201, description = "Created", body = ArticleView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The SKU is taken (`sku_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    caller: Writer,
    body: JsonBody<CreateArticleRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (sku, title, description, price, currency, vat, limit, validity) = (
        parse_sku(&body.sku).for_field("sku"),
        title_field(&body.title),
        description_field(body.description.as_deref().unwrap_or("")),
        parse_price(&body.price).for_field("price"),
        parse_currency(body.currency.as_deref().unwrap_or("EUR")).for_field("currency"),
        parse_vat_rate(body.vat_rate.as_deref().unwrap_or("19")).for_field("vat_rate"),
        optional(body.download_limit, parse_download_limit, "download_limit"),
        optional(body.validity_days, parse_validity_days, "validity_days"),
    )
        .all()?;
    let at = now();
    let article = Article {
        id: new_id(),
        tenant_id: caller.tenant_id.clone(),
        sku,
        title,
        description,
        price_minor: price,
        currency,
        vat_rate_bp: vat,
        active: body.active.unwrap_or(true),
        download_limit: limit,
        validity_days: validity,
        created_at: at,
        updated_at: at,
    };
    let saved = article.clone();
    state
        .db
        .write(move |conn| models::insert_article(conn, &saved))
        .await?;
    Ok(HttpResponse::Created().json(article_view(article, Vec::new())))
}

/// One article with its files.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article", body = ArticleView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/articles/{id}")]
pub async fn get_article(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ArticleView>, ApiError> {
    let (tenant_id, id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let (article, files) = state
        .db
        .read(move |conn| {
            let article = models::find_article(conn, &tenant_id, &id)?;
            let files = models::list_files(conn, &tenant_id, &id)?;
            Ok((article, files))
        })
        .await?;
    Ok(web::Json(article_view(article, files)))
}

/// Change an article.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id")),
    request_body = UpdateArticleRequest,
    responses(
        (status = 200, description = "Changed", body = ArticleView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article in this shop", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The SKU is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
    body: JsonBody<UpdateArticleRequest>,
) -> Result<web::Json<ArticleView>, ApiError> {
    let body = body.into_inner();
    let (sku, title, description, price, currency, vat, limit, validity) = (
        body.sku
            .as_deref()
            .map(parse_sku)
            .transpose()
            .for_field("sku"),
        body.title.as_deref().map(title_field).transpose(),
        body.description
            .as_deref()
            .map(description_field)
            .transpose(),
        body.price
            .as_deref()
            .map(parse_price)
            .transpose()
            .for_field("price"),
        body.currency
            .as_deref()
            .map(parse_currency)
            .transpose()
            .for_field("currency"),
        body.vat_rate
            .as_deref()
            .map(parse_vat_rate)
            .transpose()
            .for_field("vat_rate"),
        body.download_limit
            .map(|v| optional(v, parse_download_limit, "download_limit"))
            .transpose(),
        body.validity_days
            .map(|v| optional(v, parse_validity_days, "validity_days"))
            .transpose(),
    )
        .all()?;
    let (tenant_id, id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let (article, files) = state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                let mut a = models::find_article(conn, &tenant_id, &id)?;
                a.sku = sku.unwrap_or(a.sku);
                a.title = title.unwrap_or(a.title);
                a.description = description.unwrap_or(a.description);
                a.price_minor = price.unwrap_or(a.price_minor);
                a.currency = currency.unwrap_or(a.currency);
                a.vat_rate_bp = vat.unwrap_or(a.vat_rate_bp);
                a.active = body.active.unwrap_or(a.active);
                if let Some(limit) = limit {
                    a.download_limit = limit;
                }
                if let Some(validity) = validity {
                    a.validity_days = validity;
                }
                a.updated_at = now();
                models::save_article(conn, &a)?;
                let files = models::list_files(conn, &tenant_id, &id)?;
                Ok((a, files))
            })
        })
        .await?;
    Ok(web::Json(article_view(article, files)))
}

/// Delete an article and unlink its files (the objects stay in the storage).
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article in this shop", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/articles/{id}")]
pub async fn delete_article(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (tenant_id, id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    state
        .db
        .write(move |conn| models::delete_article(conn, &tenant_id, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
