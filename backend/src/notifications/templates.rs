//! `/api/v1/templates`: message templates in a sandboxed template language
//! (minijinja: no file or network access), checked on save.

use std::cell::RefCell;

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use minijinja::{Environment, Value, context};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Caller, Writer};
use crate::db::schema::{download_grants, templates, tenants};
use crate::db::{DbConnection, new_id, now};
use crate::error::{ApiError, FieldError, Problem};
use crate::json::JsonBody;
use crate::orders::models::{Order, OrderItem, find_order, items_of};
use crate::orders::routes::portal_url;
use crate::portal::settings;
use crate::validation::{AllFields, FieldResult, ForField, Text};

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_templates)
        .service(create_template)
        .service(get_template)
        .service(update_template)
        .service(delete_template)
        .service(preview_template);
}

/// Every placeholder a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "portal_url",
    "order_number",
    "order_date",
    "customer_name",
    "customer_email",
    "items",
    "shop_name",
    "support_email",
    "end_date",
    "invoice_url",
];

/// A stored template.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = templates)]
pub struct TemplateRow {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// Name; rules pick templates by name and the order's language.
    pub name: String,
    /// `de` or `en`.
    pub language: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body (always sent).
    pub body_text: String,
    /// HTML body (optional; placeholders are HTML-escaped).
    pub body_html: Option<String>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// The most instructions one template may run per render. Generous for any
/// real order (100 lines with their files need a few thousand), and a bound
/// for a loop over `items * 1000000` a seller's draft could ask for.
const FUEL: u64 = 1_000_000;

fn environment() -> Environment<'static> {
    // Templates named *.html are auto-escaped; nothing can reach files or the network.
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env
}

/// Checks a template's syntax and that it names only known placeholders.
pub fn check(source: &str, field: &str) -> FieldResult<()> {
    let env = environment();
    let name = if field == "body_html" {
        "body.html"
    } else {
        "body.txt"
    };
    let template = env.template_from_named_str(name, source).map_err(|e| {
        let (line, column) = position(source, &e);
        FieldError::new(
            field,
            format!(
                "line {line}, column {column}: {}",
                e.detail().unwrap_or("syntax error")
            ),
        )
    })?;
    let mut unknown: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|v| !PLACEHOLDERS.contains(&v.as_str()))
        .collect();
    unknown.sort();
    match unknown.first() {
        None => Ok(()),
        Some(name) => Err(FieldError::new(
            field,
            format!(
                "unknown placeholder `{name}`; known: {}",
                PLACEHOLDERS.join(", ")
            ),
        )),
    }
}

fn position(source: &str, error: &minijinja::Error) -> (usize, usize) {
    let line = error.line().unwrap_or(1);
    let column = error
        .range()
        .map(|r| {
            let start = r.start.min(source.len());
            let before = &source[..start];
            before.chars().rev().take_while(|c| *c != '\n').count() + 1
        })
        .unwrap_or(1);
    (line, column)
}

/// A rendered message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Rendered {
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body, when the template has one.
    pub body_html: Option<String>,
}

/// Renders a template with a context from [`order_context`]. A stored
/// template that fails at render time is a fault to log (it was checked on
/// save); a preview shows the seller the failure instead ([`render_preview`]).
pub fn render(template: &TemplateRow, ctx: &Value) -> Result<Rendered, ApiError> {
    render_parts(template, ctx)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{}: {}", e.field, e.message)))
}

/// Renders for the template editor: a failure at render time (an index out
/// of range, a loop that runs out of fuel) is the seller's to fix, named by
/// field.
fn render_preview(template: &TemplateRow, ctx: &Value) -> Result<Rendered, ApiError> {
    render_parts(template, ctx).map_err(|e| ApiError::Validation(vec![e]))
}

fn render_parts(template: &TemplateRow, ctx: &Value) -> FieldResult<Rendered> {
    let env = environment();
    assemble(template, |name, source| {
        env.render_named_str(name, source, ctx)
    })
}

/// A template's parts, each rendered by `part` (its name and source), put
/// together as a message.
fn assemble(
    template: &TemplateRow,
    part: impl Fn(&str, &str) -> Result<String, minijinja::Error>,
) -> FieldResult<Rendered> {
    let part = |name: &str, source: &str, field: &str| {
        part(name, source).map_err(|e| FieldError::new(field, format!("cannot be rendered: {e}")))
    };
    let subject = part("subject.txt", &template.subject, "subject")?;
    let body_text = part("body.txt", &template.body_text, "body_text")?;
    let body_html = template
        .body_html
        .as_deref()
        .map(|html| part("body.html", html, "body_html"))
        .transpose()?;
    Ok(Rendered {
        // A subject is one line.
        subject: subject.lines().map(str::trim).collect::<Vec<_>>().join(" "),
        body_text,
        body_html,
    })
}

/// Templates compiled once and rendered many times: an import renders the
/// same few templates for every order of its batch, and parsing them again
/// for each order cost more than rendering. Compiled on first use, so
/// reading a shop's rules for one order compiles only what it sends.
pub struct CompiledTemplates {
    env: RefCell<Environment<'static>>,
}

impl Default for CompiledTemplates {
    fn default() -> Self {
        Self {
            env: RefCell::new(environment()),
        }
    }
}

impl CompiledTemplates {
    /// Renders `template` like [`render`], compiling it the first time.
    pub fn render(&self, template: &TemplateRow, ctx: &Value) -> Result<Rendered, ApiError> {
        // Parts are named by the template's id, and end in .txt or .html as
        // in `render`, so HTML is escaped the same way.
        let name = |part: &str| format!("{}/{part}", template.id);
        if self.env.borrow().get_template(&name("body.txt")).is_err() {
            let mut env = self.env.borrow_mut();
            let parts = [
                ("subject.txt", Some(&template.subject)),
                ("body.txt", Some(&template.body_text)),
                ("body.html", template.body_html.as_ref()),
            ];
            for (part, source) in parts {
                let Some(source) = source else { continue };
                if env.add_template_owned(name(part), source.clone()).is_err() {
                    // Stored templates were checked on save; should one
                    // not compile, the uncompiled path says why.
                    drop(env);
                    return render(template, ctx);
                }
            }
        }
        let env = self.env.borrow();
        assemble(template, |part, _| {
            env.get_template(&name(part))?.render(ctx)
        })
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{}: {}", e.field, e.message)))
    }
}

/// The placeholders' values for an order.
pub fn order_context(
    conn: &mut DbConnection,
    order: &Order,
    public_base: &str,
) -> Result<Value, ApiError> {
    let shop_name: String = tenants::table
        .find(&order.tenant_id)
        .select(tenants::name)
        .first(conn)?;
    let portal = settings::load(conn, &order.tenant_id)?;
    let items = items_of(conn, &order.tenant_id, &order.id)?;
    let grants: Vec<FileFacts> = download_grants::table
        .filter(download_grants::order_id.eq(&order.id))
        .order(download_grants::position.asc())
        .select((
            download_grants::order_item_id,
            download_grants::display_name,
            download_grants::max_downloads,
            download_grants::expires_at,
        ))
        .load(conn)?;
    let invoice_offered = !matches!(
        crate::portal::invoice::availability(conn, order, &portal)?,
        crate::portal::invoice::Availability::None
    );
    Ok(context_of(
        order,
        &OrderFacts {
            shop_name: &shop_name,
            support_email: portal.support_email.as_deref(),
            items: &items,
            files: &grants,
            invoice_offered,
        },
        public_base,
    ))
}

/// A granted file as messages show it: its item, name, allowed downloads
/// and end, in the grants' order.
pub type FileFacts = (String, String, Option<i32>, Option<NaiveDateTime>);

/// What a message about an order can say beyond the order row.
pub struct OrderFacts<'a> {
    /// The shop's name.
    pub shop_name: &'a str,
    /// The portal's support address.
    pub support_email: Option<&'a str>,
    /// The order's lines.
    pub items: &'a [OrderItem],
    /// Its granted files.
    pub files: &'a [FileFacts],
    /// The portal offers the invoice.
    pub invoice_offered: bool,
}

/// The placeholders' values for an order, from data at hand (an import
/// builds them for many orders without reading them back).
pub fn context_of(order: &Order, facts: &OrderFacts<'_>, public_base: &str) -> Value {
    let date = |t: NaiveDateTime| t.format("%Y-%m-%d").to_string();
    let items: Vec<Value> = facts
        .items
        .iter()
        .map(|item| {
            let files: Vec<Value> = facts
                .files
                .iter()
                .filter(|g| g.0 == item.id)
                .map(|g| context! { name => g.1.clone(), max_downloads => g.2, expires_at => g.3.map(date) })
                .collect();
            context! { title => item.title.clone(), quantity => item.quantity, files => files }
        })
        .collect();
    let end_date = facts.files.iter().filter_map(|g| g.3).min().map(date);
    let invoice_url = facts
        .invoice_offered
        .then(|| format!("{public_base}/api/portal/{}/invoice", order.portal_code));
    context! {
        portal_url => portal_url(public_base, &order.portal_code),
        order_number => order.number,
        order_date => date(order.created_at),
        customer_name => order.customer_name.clone(),
        customer_email => order.customer_email.clone(),
        items => items,
        shop_name => facts.shop_name,
        support_email => facts.support_email,
        end_date => end_date,
        invoice_url => invoice_url,
    }
}

/// A sample order's values, for previews without an order.
fn sample_context(public_base: &str) -> Value {
    context! {
        portal_url => format!("{public_base}/portal/SAMPLE-CODE-0123456789"),
        order_number => 1001,
        order_date => "2026-11-24",
        customer_name => "Jörg Müller",
        customer_email => "joerg@example.com",
        items => vec![context! { title => "Übungsbuch", quantity => 1,
            files => vec![context! { name => "Übung für Anfänger – Teil 1.pdf", max_downloads => 5, expires_at => "2026-12-24" }] }],
        shop_name => "Your shop",
        support_email => "support@example.com",
        end_date => "2026-12-24",
        invoice_url => format!("{public_base}/api/portal/SAMPLE-CODE-0123456789/invoice"),
    }
}

/// A template as sent and shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// Name; rules pick a template by name in the order's language.
    #[schema(example = "downloads_ready")]
    pub name: String,
    /// `de` or `en`.
    pub language: String,
    /// Subject (placeholders allowed).
    pub subject: String,
    /// Plain-text body (placeholders, `{% if %}` and `{% for %}` allowed).
    pub body_text: String,
    /// HTML body; placeholders are HTML-escaped.
    #[serde(default)]
    pub body_html: Option<String>,
}

/// A stored template.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TemplateView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The template.
    #[serde(flatten)]
    pub template: TemplateBody,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The shop's templates.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TemplateList {
    /// By name and language.
    pub items: Vec<TemplateView>,
    /// The placeholders templates may use.
    pub placeholders: Vec<String>,
}

fn view(row: TemplateRow) -> TemplateView {
    TemplateView {
        id: row.id,
        template: TemplateBody {
            name: row.name,
            language: row.language,
            subject: row.subject,
            body_text: row.body_text,
            body_html: row.body_html,
        },
        updated_at: row.updated_at.and_utc(),
    }
}

fn parse(body: &TemplateBody) -> Result<TemplateBody, ApiError> {
    let (name, language, _, _, _) = (
        Text::parse(&body.name, 1, 100)
            .map(Text::into_inner)
            .for_field("name"),
        crate::orders::domain::parse_language(&body.language).for_field("language"),
        check(&body.subject, "subject").and_then(|()| {
            if body.subject.chars().count() > 300 {
                Err(FieldError::new("subject", "must be at most 300 characters"))
            } else {
                Ok(())
            }
        }),
        check(&body.body_text, "body_text").and_then(|()| bounded(&body.body_text, "body_text")),
        body.body_html
            .as_deref()
            .map(|h| check(h, "body_html").and_then(|()| bounded(h, "body_html")))
            .unwrap_or(Ok(())),
    )
        .all()?;
    Ok(TemplateBody {
        name,
        language,
        ..body.clone()
    })
}

fn bounded(text: &str, field: &str) -> FieldResult<()> {
    if text.chars().count() > 50_000 {
        Err(FieldError::new(field, "must be at most 50000 characters"))
    } else {
        Ok(())
    }
}

fn name_taken(err: DieselError) -> ApiError {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict {
            code: "template_exists",
            detail: "The shop has a template with this name and language.".into(),
        },
        other => other.into(),
    }
}

fn find(conn: &mut DbConnection, tenant_id: &str, id: &str) -> Result<TemplateRow, ApiError> {
    Ok(templates::table
        .filter(templates::tenant_id.eq(tenant_id))
        .filter(templates::id.eq(id))
        .select(TemplateRow::as_select())
        .first(conn)?)
}

/// The template called `name` in `language`, else in German (the shop's
/// default language), else in any language.
pub fn best_template<'a>(
    templates: &'a [TemplateRow],
    name: &str,
    language: &str,
) -> Option<&'a TemplateRow> {
    templates
        .iter()
        .filter(|t| t.name == name)
        .min_by_key(|t| (t.language != language, t.language != "de"))
}

/// Inserts a template (used for the defaults of a new shop too).
pub fn insert(
    conn: &mut DbConnection,
    tenant_id: &str,
    body: &TemplateBody,
) -> Result<TemplateRow, ApiError> {
    let at = now();
    let row = TemplateRow {
        id: new_id(),
        tenant_id: tenant_id.to_owned(),
        name: body.name.clone(),
        language: body.language.clone(),
        subject: body.subject.clone(),
        body_text: body.body_text.clone(),
        body_html: body.body_html.clone(),
        created_at: at,
        updated_at: at,
    };
    diesel::insert_into(templates::table)
        .values(&row)
        .execute(conn)
        .map_err(name_taken)?;
    Ok(row)
}

/// The shop's templates and the placeholders.
#[utoipa::path(tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "The templates", body = TemplateList),
              (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")))]
#[get("/templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<TemplateList>, ApiError> {
    let rows: Vec<TemplateRow> = state
        .db
        .read(move |conn| {
            Ok(templates::table
                .filter(templates::tenant_id.eq(&caller.tenant_id))
                .order((templates::name.asc(), templates::language.asc()))
                .select(TemplateRow::as_select())
                .load(conn)?)
        })
        .await?;
    Ok(web::Json(TemplateList {
        items: rows.into_iter().map(view).collect(),
        placeholders: PLACEHOLDERS.iter().map(|p| (*p).to_owned()).collect(),
    }))
}

/// Create a template. Syntax errors and unknown placeholders answer 422
/// with the line and column.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), request_body = TemplateBody,
    responses((status = 201, description = "Created", body = TemplateView),
              (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Name and language taken", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid template (with line and column)", body = Problem, content_type = "application/problem+json")))]
#[post("/templates")]
pub async fn create_template(
    state: web::Data<AppState>,
    caller: Writer,
    body: JsonBody<TemplateBody>,
) -> Result<HttpResponse, ApiError> {
    let body = parse(&body)?;
    let tenant_id = caller.tenant_id.clone();
    let row = state
        .db
        .write(move |conn| insert(conn, &tenant_id, &body))
        .await?;
    Ok(HttpResponse::Created().json(view(row)))
}

/// One template.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Template id")),
    responses((status = 200, description = "The template", body = TemplateView),
              (status = 404, description = "No such template in this shop", body = Problem, content_type = "application/problem+json")))]
#[get("/templates/{id}")]
pub async fn get_template(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<TemplateView>, ApiError> {
    let id = id.into_inner().to_string();
    let row = state
        .db
        .read(move |conn| find(conn, &caller.tenant_id, &id))
        .await?;
    Ok(web::Json(view(row)))
}

/// Replace a template.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Template id")), request_body = TemplateBody,
    responses((status = 200, description = "Saved", body = TemplateView),
              (status = 404, description = "No such template in this shop", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Name and language taken", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid template (with line and column)", body = Problem, content_type = "application/problem+json")))]
#[put("/templates/{id}")]
pub async fn update_template(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
    body: JsonBody<TemplateBody>,
) -> Result<web::Json<TemplateView>, ApiError> {
    let body = parse(&body)?;
    let (tenant_id, id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let row = state
        .db
        .write(move |conn| {
            find(conn, &tenant_id, &id)?;
            diesel::update(templates::table.find(&id))
                .set((
                    templates::name.eq(&body.name),
                    templates::language.eq(&body.language),
                    templates::subject.eq(&body.subject),
                    templates::body_text.eq(&body.body_text),
                    templates::body_html.eq(&body.body_html),
                    templates::updated_at.eq(now()),
                ))
                .execute(conn)
                .map_err(name_taken)?;
            find(conn, &tenant_id, &id)
        })
        .await?;
    Ok(web::Json(view(row)))
}

/// Delete a template.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Template id")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such template in this shop", body = Problem, content_type = "application/problem+json")))]
#[delete("/templates/{id}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (tenant_id, id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    state
        .db
        .write(move |conn| {
            find(conn, &tenant_id, &id)?;
            diesel::delete(templates::table.find(&id)).execute(conn)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What to preview with.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// An order of the shop; absent = a sample order.
    #[serde(default)]
    pub order_id: Option<Uuid>,
    /// The editor's unsaved version: rendered instead of the stored one,
    /// after the checks of a save (a mistake is a 422 naming its field with
    /// line and column). Nothing is stored.
    #[serde(default)]
    pub draft: Option<TemplateBody>,
}

/// Render a template with a real order or a sample one.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Template id")), request_body = PreviewRequest,
    responses((status = 200, description = "The rendered message", body = Rendered),
              (status = 404, description = "No such template or order in this shop", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "The draft has a mistake: the field, with line and column, or what failed when rendering it", body = Problem, content_type = "application/problem+json")))]
#[post("/templates/{id}/preview")]
pub async fn preview_template(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: JsonBody<PreviewRequest>,
) -> Result<web::Json<Rendered>, ApiError> {
    let (tenant_id, id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    let PreviewRequest { order_id, draft } = body.into_inner();
    let order_id = order_id.map(|o| o.to_string());
    let draft = draft.as_ref().map(parse).transpose()?;
    let public_base = state.settings.public_base().to_owned();
    let (template, ctx) = state
        .db
        .read(move |conn| {
            let mut template = find(conn, &tenant_id, &id)?;
            if let Some(draft) = draft {
                template.language = draft.language;
                template.subject = draft.subject;
                template.body_text = draft.body_text;
                template.body_html = draft.body_html;
            }
            let ctx = match order_id {
                Some(order_id) => {
                    let order = find_order(conn, &tenant_id, &order_id)?;
                    order_context(conn, &order, &public_base)?
                }
                None => sample_context(&public_base),
            };
            Ok((template, ctx))
        })
        .await?;
    // Rendered off the async workers and without holding a connection.
    let rendered = web::block(move || render_preview(&template, &ctx))
        .await
        .map_err(ApiError::internal)??;
    Ok(web::Json(rendered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = check("Hallo {{ customer_name }}\n{% if %}", "body_text").unwrap_err();
        assert_eq!(err.field, "body_text");
        assert!(err.message.starts_with("line 2, column"), "{}", err.message);
        let err = check("{{ customer_name }} {{ password_hash }}", "subject").unwrap_err();
        assert!(
            err.message.contains("unknown placeholder `password_hash`"),
            "{}",
            err.message
        );
        assert!(
            check(
                "{% for item in items %}{{ item.title }}{% endfor %} {{ portal_url }}",
                "body_text"
            )
            .is_ok()
        );
    }

    #[test]
    fn html_bodies_escape_placeholders() {
        let template = TemplateRow {
            id: String::new(),
            tenant_id: String::new(),
            name: "t".into(),
            language: "en".into(),
            subject: "Order {{ order_number }}".into(),
            body_text: "Hi {{ customer_name }}".into(),
            body_html: Some("<p>Hi {{ customer_name }}</p>".into()),
            created_at: now(),
            updated_at: now(),
        };
        let ctx = context! { order_number => 7, customer_name => "<script>x</script>" };
        let out = render(&template, &ctx).unwrap();
        assert_eq!(out.subject, "Order 7");
        assert_eq!(out.body_text, "Hi <script>x</script>");
        assert_eq!(
            out.body_html.unwrap(),
            "<p>Hi &lt;script&gt;x&lt;&#x2f;script&gt;</p>"
        );
    }

    #[test]
    fn compiled_templates_render_as_the_uncompiled_ones() {
        let template = |id: &str, greeting: &str| TemplateRow {
            id: id.into(),
            tenant_id: String::new(),
            name: id.into(),
            language: "en".into(),
            subject: format!("{greeting} {{{{ order_number }}}}\n  again"),
            body_text: format!("{greeting} {{{{ customer_name }}}}"),
            body_html: Some(format!("<p>{greeting} {{{{ customer_name }}}}</p>")),
            created_at: now(),
            updated_at: now(),
        };
        let (hello, bye) = (template("a", "Hello"), template("b", "Bye"));
        let compiled = CompiledTemplates::default();
        for n in 1..=2 {
            let ctx = context! { order_number => n, customer_name => "<b>Ann</b>" };
            for t in [&hello, &bye] {
                let (once, cached) = (render(t, &ctx).unwrap(), compiled.render(t, &ctx).unwrap());
                assert_eq!(
                    (cached.subject, cached.body_text, cached.body_html),
                    (once.subject, once.body_text, once.body_html)
                );
            }
        }
        let ctx = context! { order_number => 3, customer_name => "<b>Ann</b>" };
        let out = compiled.render(&bye, &ctx).unwrap();
        assert_eq!(out.subject, "Bye 3 again");
        assert_eq!(
            out.body_html.unwrap(),
            "<p>Bye &lt;b&gt;Ann&lt;&#x2f;b&gt;</p>"
        );
    }
}
