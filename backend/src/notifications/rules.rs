//! `/api/v1/rules`: when to send which template, and [`on_order_event`],
//! which runs inside the transaction of every order change.

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::outbox::{self, NewMessage};
use super::templates::{CompiledTemplates, TemplateRow, best_template, order_context};
use crate::AppState;
use crate::articles::domain::{format_minor, parse_price};
use crate::auth::{Caller, Writer};
use crate::db::schema::{download_grants, rule_firings, rules, templates};
use crate::db::{DbConnection, new_id, now};
use crate::error::{ApiError, Problem};
use crate::json::JsonBody;
use crate::orders::domain::{OrderStatus, parse_language};
use crate::orders::models::Order;
use crate::validation::{AllFields, ForField, Text};

/// Registers the routes of this module.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_rules)
        .service(create_rule)
        .service(get_rule)
        .service(update_rule)
        .service(delete_rule);
}

/// What starts a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    /// The order became paid: by a status change or because it was imported paid.
    OrderPaid,
    /// The status changed (to `trigger_status`, or to anything).
    StatusChanged,
    /// The order was created or imported.
    OrderCreated,
}

impl TriggerKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerKind::OrderPaid => "order_paid",
            TriggerKind::StatusChanged => "status_changed",
            TriggerKind::OrderCreated => "order_created",
        }
    }

    fn from_db(value: &str) -> TriggerKind {
        match value {
            "status_changed" => TriggerKind::StatusChanged,
            "order_created" => TriggerKind::OrderCreated,
            _ => TriggerKind::OrderPaid,
        }
    }
}

/// What happened to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvent {
    /// Created or imported.
    Created,
    /// Became paid.
    Paid,
    /// Status changed to this.
    StatusChanged(OrderStatus),
}

/// A stored rule.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rules)]
pub struct RuleRow {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// Name.
    pub name: String,
    /// See [`TriggerKind`].
    pub trigger_kind: String,
    /// For `status_changed`: only to this status.
    pub trigger_status: Option<String>,
    /// The template to send (picked in the order's language).
    pub template_name: String,
    /// Only orders with at least one downloadable file.
    pub only_digital: bool,
    /// Only these channels (comma-separated).
    pub channels: Option<String>,
    /// Only this customer language.
    pub language: Option<String>,
    /// Only orders with at least this gross total (hundredths).
    pub min_total_minor: Option<i64>,
    /// Switched on.
    pub enabled: bool,
    /// May fire more than once per order.
    pub repeatable: bool,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// `email` or `sales_channel`.
    pub action: String,
}

/// How a rule delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    /// An email to the customer.
    Email,
    /// A message through the sales channel the order came from (its webhook).
    SalesChannel,
}

impl RuleAction {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleAction::Email => "email",
            RuleAction::SalesChannel => "sales_channel",
        }
    }

    fn from_db(value: &str) -> RuleAction {
        if value == "sales_channel" {
            RuleAction::SalesChannel
        } else {
            RuleAction::Email
        }
    }
}

/// Inserts a rule.
pub fn insert(conn: &mut DbConnection, rule: &RuleRow) -> Result<(), ApiError> {
    diesel::insert_into(rules::table)
        .values(rule)
        .execute(conn)?;
    Ok(())
}

fn matches(rule: &RuleRow, event: OrderEvent, order: &Order, has_files: bool) -> bool {
    let trigger = match (TriggerKind::from_db(&rule.trigger_kind), event) {
        (TriggerKind::OrderPaid, OrderEvent::Paid)
        | (TriggerKind::OrderCreated, OrderEvent::Created) => true,
        (TriggerKind::StatusChanged, OrderEvent::StatusChanged(to)) => rule
            .trigger_status
            .as_deref()
            .is_none_or(|s| s == to.as_str()),
        _ => false,
    };
    trigger
        && (!rule.only_digital || has_files)
        && rule
            .channels
            .as_deref()
            .is_none_or(|list| list.split(',').any(|c| c == order.channel))
        && rule
            .language
            .as_deref()
            .is_none_or(|l| l == order.customer_language)
        && rule
            .min_total_minor
            .is_none_or(|min| order.total_gross_minor >= min)
}

/// Runs the shop's rules for an order event, inside the change's
/// transaction: every message a rule decides to send goes to the outbox
/// now, or not at all.
pub fn on_order_event(
    conn: &mut DbConnection,
    order: &Order,
    event: OrderEvent,
    actor: &str,
    public_base: &str,
) -> Result<(), ApiError> {
    let book = RuleBook::load(conn, &order.tenant_id)?;
    if book.is_empty() {
        return Ok(());
    }
    let files: i64 = download_grants::table
        .filter(download_grants::order_id.eq(&order.id))
        .count()
        .get_result(conn)?;
    let matching: Vec<&RuleRow> = book.matching(event, order, files > 0).collect();
    if matching.is_empty() {
        return Ok(());
    }
    let ctx = order_context(conn, order, public_base)?;
    for rule in matching {
        if !rule.repeatable {
            let fired: i64 = rule_firings::table
                .filter(rule_firings::rule_id.eq(&rule.id))
                .filter(rule_firings::order_id.eq(&order.id))
                .count()
                .get_result(conn)?;
            if fired > 0 {
                continue;
            }
            diesel::insert_into(rule_firings::table)
                .values((
                    rule_firings::rule_id.eq(&rule.id),
                    rule_firings::order_id.eq(&order.id),
                ))
                .execute(conn)?;
        }
        if let Some(message) = book.message(rule, order, &ctx, actor)? {
            outbox::enqueue(conn, message)?;
        }
    }
    Ok(())
}

/// A shop's switched-on rules and its templates, read once: for one
/// order's event, or for every order of an import.
pub struct RuleBook {
    rules: Vec<RuleRow>,
    templates: Vec<TemplateRow>,
    compiled: CompiledTemplates,
}

impl RuleBook {
    /// Reads the shop's rules (and, when there are any, its templates).
    pub fn load(conn: &mut DbConnection, tenant_id: &str) -> Result<Self, ApiError> {
        let rules: Vec<RuleRow> = rules::table
            .filter(rules::tenant_id.eq(tenant_id))
            .filter(rules::enabled.eq(true))
            .order(rules::id.asc())
            .select(RuleRow::as_select())
            .load(conn)?;
        let templates = if rules.is_empty() {
            Vec::new()
        } else {
            templates::table
                .filter(templates::tenant_id.eq(tenant_id))
                .select(TemplateRow::as_select())
                .load(conn)?
        };
        Ok(RuleBook {
            rules,
            templates,
            compiled: CompiledTemplates::default(),
        })
    }

    /// No rule is switched on.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules an event of `order` sets off, in their order.
    pub fn matching<'a>(
        &'a self,
        event: OrderEvent,
        order: &'a Order,
        has_files: bool,
    ) -> impl Iterator<Item = &'a RuleRow> + 'a {
        self.rules
            .iter()
            .filter(move |r| matches(r, event, order, has_files))
    }

    /// The message `rule` sends about `order`, rendered with `ctx`; none
    /// when the rule names a template that does not exist.
    pub fn message<'a>(
        &self,
        rule: &'a RuleRow,
        order: &'a Order,
        ctx: &minijinja::Value,
        actor: &'a str,
    ) -> Result<Option<NewMessage<'a>>, ApiError> {
        let Some(template) = best_template(
            &self.templates,
            &rule.template_name,
            &order.customer_language,
        ) else {
            tracing::warn!(rule.id = %rule.id, "rule names a template that does not exist");
            return Ok(None);
        };
        let rendered = self.compiled.render(template, ctx)?;
        let (kind, recipient) = match RuleAction::from_db(&rule.action) {
            RuleAction::Email => ("email", order.customer_email.as_str()),
            RuleAction::SalesChannel => ("sales_channel", order.channel.as_str()),
        };
        Ok(Some(NewMessage {
            tenant_id: &order.tenant_id,
            order_id: Some(&order.id),
            rule_id: Some(&rule.id),
            kind,
            recipient,
            rendered,
            actor,
        }))
    }
}

/// A rule as sent and shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// Name.
    pub name: String,
    /// What starts it.
    pub trigger: TriggerKind,
    /// For `status_changed`: only to this status (absent = any).
    #[serde(default)]
    pub trigger_status: Option<OrderStatus>,
    /// The template to send, picked in the order's language.
    pub template_name: String,
    /// `email` (default) or `sales_channel` (the webhook of the order's channel).
    #[serde(default = "default_action")]
    pub action: RuleAction,
    /// Only orders with at least one downloadable file (default true).
    #[serde(default = "default_true")]
    pub only_digital: bool,
    /// Only these sales channels (absent = all).
    #[serde(default)]
    pub channels: Option<Vec<String>>,
    /// Only this customer language.
    #[serde(default)]
    pub language: Option<String>,
    /// Only orders with at least this gross total.
    #[serde(default)]
    pub min_total: Option<String>,
    /// Switched on (default true).
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// May fire more than once per order (default false).
    #[serde(default)]
    pub repeatable: bool,
}

fn default_true() -> bool {
    true
}

fn default_action() -> RuleAction {
    RuleAction::Email
}

/// A stored rule.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RuleView {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The rule.
    #[serde(flatten)]
    pub rule: RuleBody,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The shop's rules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RuleList {
    /// Oldest first.
    pub items: Vec<RuleView>,
}

fn view(row: RuleRow) -> RuleView {
    RuleView {
        id: row.id,
        rule: RuleBody {
            name: row.name,
            trigger: TriggerKind::from_db(&row.trigger_kind),
            trigger_status: row.trigger_status.as_deref().map(OrderStatus::from_db),
            template_name: row.template_name,
            action: RuleAction::from_db(&row.action),
            only_digital: row.only_digital,
            channels: row
                .channels
                .map(|c| c.split(',').map(str::to_owned).collect()),
            language: row.language,
            min_total: row.min_total_minor.map(format_minor),
            enabled: row.enabled,
            repeatable: row.repeatable,
        },
        updated_at: row.updated_at.and_utc(),
    }
}

fn parse(tenant_id: &str, id: String, body: &RuleBody) -> Result<RuleRow, ApiError> {
    let (name, template_name, language, min_total) = (
        Text::parse(&body.name, 1, 100)
            .map(Text::into_inner)
            .for_field("name"),
        Text::parse(&body.template_name, 1, 100)
            .map(Text::into_inner)
            .for_field("template_name"),
        body.language
            .as_deref()
            .map(parse_language)
            .transpose()
            .for_field("language"),
        body.min_total
            .as_deref()
            .map(parse_price)
            .transpose()
            .for_field("min_total"),
    )
        .all()?;
    let channels = match &body.channels {
        None => None,
        Some(list) if list.is_empty() || list.len() > 50 => {
            return Err(ApiError::field(
                "channels",
                "must list 1–50 channels, or be absent for all",
            ));
        }
        Some(list) => Some(
            list.iter()
                .map(|c| c.trim().to_lowercase())
                .filter(|c| !c.is_empty() && !c.contains(','))
                .collect::<Vec<_>>()
                .join(","),
        ),
    };
    let at = now();
    Ok(RuleRow {
        id,
        tenant_id: tenant_id.to_owned(),
        name,
        trigger_kind: body.trigger.as_str().into(),
        trigger_status: body.trigger_status.map(|s| s.as_str().to_owned()),
        template_name,
        only_digital: body.only_digital,
        channels,
        language,
        min_total_minor: min_total,
        enabled: body.enabled,
        repeatable: body.repeatable,
        created_at: at,
        updated_at: at,
        action: body.action.as_str().to_owned(),
    })
}

fn find(conn: &mut DbConnection, tenant_id: &str, id: &str) -> Result<RuleRow, ApiError> {
    Ok(rules::table
        .filter(rules::tenant_id.eq(tenant_id))
        .filter(rules::id.eq(id))
        .select(RuleRow::as_select())
        .first(conn)?)
}

/// The shop's rules.
#[utoipa::path(tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "The rules", body = RuleList),
              (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json")))]
#[get("/rules")]
pub async fn list_rules(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<RuleList>, ApiError> {
    let rows: Vec<RuleRow> = state
        .db
        .read(move |conn| {
            Ok(rules::table
                .filter(rules::tenant_id.eq(&caller.tenant_id))
                .order(rules::id.asc())
                .select(RuleRow::as_select())
                .load(conn)?)
        })
        .await?;
    Ok(web::Json(RuleList {
        items: rows.into_iter().map(view).collect(),
    }))
}

/// Create a rule.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), request_body = RuleBody,
    responses((status = 201, description = "Created", body = RuleView),
              (status = 403, description = "Read-only API key", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")))]
#[post("/rules")]
pub async fn create_rule(
    state: web::Data<AppState>,
    caller: Writer,
    body: JsonBody<RuleBody>,
) -> Result<HttpResponse, ApiError> {
    let row = parse(&caller.tenant_id, new_id(), &body)?;
    let saved = row.clone();
    state.db.write(move |conn| insert(conn, &saved)).await?;
    Ok(HttpResponse::Created().json(view(row)))
}

/// One rule.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Rule id")),
    responses((status = 200, description = "The rule", body = RuleView),
              (status = 404, description = "No such rule in this shop", body = Problem, content_type = "application/problem+json")))]
#[get("/rules/{id}")]
pub async fn get_rule(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<RuleView>, ApiError> {
    let id = id.into_inner().to_string();
    let row = state
        .db
        .read(move |conn| find(conn, &caller.tenant_id, &id))
        .await?;
    Ok(web::Json(view(row)))
}

/// Replace a rule.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Rule id")), request_body = RuleBody,
    responses((status = 200, description = "Saved", body = RuleView),
              (status = 404, description = "No such rule in this shop", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")))]
#[put("/rules/{id}")]
pub async fn update_rule(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
    body: JsonBody<RuleBody>,
) -> Result<web::Json<RuleView>, ApiError> {
    let id = id.into_inner().to_string();
    let row = parse(&caller.tenant_id, id.clone(), &body)?;
    let tenant_id = caller.tenant_id.clone();
    let saved = state
        .db
        .write(move |conn| {
            find(conn, &tenant_id, &id)?;
            diesel::update(rules::table.find(&id))
                .set((
                    rules::name.eq(&row.name),
                    rules::trigger_kind.eq(&row.trigger_kind),
                    rules::trigger_status.eq(&row.trigger_status),
                    rules::template_name.eq(&row.template_name),
                    rules::only_digital.eq(row.only_digital),
                    rules::channels.eq(&row.channels),
                    rules::language.eq(&row.language),
                    rules::min_total_minor.eq(row.min_total_minor),
                    rules::enabled.eq(row.enabled),
                    rules::repeatable.eq(row.repeatable),
                    rules::action.eq(&row.action),
                    rules::updated_at.eq(now()),
                ))
                .execute(conn)?;
            find(conn, &tenant_id, &id)
        })
        .await?;
    Ok(web::Json(view(saved)))
}

/// Delete a rule.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Rule id")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such rule in this shop", body = Problem, content_type = "application/problem+json")))]
#[delete("/rules/{id}")]
pub async fn delete_rule(
    state: web::Data<AppState>,
    caller: Writer,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (tenant_id, id) = (caller.tenant_id.clone(), id.into_inner().to_string());
    state
        .db
        .write(move |conn| {
            find(conn, &tenant_id, &id)?;
            diesel::delete(rules::table.find(&id)).execute(conn)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
