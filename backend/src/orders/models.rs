//! Rows and queries for orders and their items. Every query takes the
//! caller's tenant, except the portal's lookup by code.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use serde_json::json;

use super::domain::{Line, OrderStatus, totals};
use super::history::{HistoryKind, NewEvent, record};
use crate::articles::models::Article;
use crate::config::random_base64;
use crate::db::schema::{articles, order_counters, order_items, orders};
use crate::db::{DbConnection, contains_pattern, lower, new_id};
use crate::downloads::models::create_grants;
use crate::error::{ApiError, FieldError};
use crate::invoices::models as invoices;
use crate::notifications::rules::{OrderEvent, on_order_event};
use crate::portal::settings::PortalSettings;

/// An order.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
// None is NULL (not DEFAULT), so that many rows go in one INSERT.
#[diesel(table_name = orders, treat_none_as_default_value = false)]
pub struct Order {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// Readable number, per shop, from 1.
    pub number: i64,
    /// Sales channel (`manual`, `shopify`, `ebay`, ...).
    pub channel: String,
    /// The order's id in that channel.
    pub external_ref: Option<String>,
    /// Customer name.
    pub customer_name: String,
    /// Customer email.
    pub customer_email: String,
    /// `de` or `en`.
    pub customer_language: String,
    /// Billing address as JSON.
    pub billing_address: String,
    /// ISO 4217.
    pub currency: String,
    /// Net total in hundredths.
    pub total_net_minor: i64,
    /// VAT total in hundredths.
    pub total_vat_minor: i64,
    /// Gross total in hundredths.
    pub total_gross_minor: i64,
    /// Status (see [`OrderStatus`]).
    pub status: String,
    /// When it was paid.
    pub paid_at: Option<NaiveDateTime>,
    /// The portal code (the customer's key).
    pub portal_code: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

impl Order {
    /// The status.
    pub fn status(&self) -> OrderStatus {
        OrderStatus::from_db(&self.status)
    }
}

/// An order line.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
// None is NULL (not DEFAULT), so that many rows go in one INSERT.
#[diesel(table_name = order_items, treat_none_as_default_value = false)]
pub struct OrderItem {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// The order.
    pub order_id: String,
    /// The article, when it is one of the shop's.
    pub article_id: Option<String>,
    /// Order within the order.
    pub position: i32,
    /// SKU at the time of the order.
    pub sku: String,
    /// Title at the time of the order.
    pub title: String,
    /// Units.
    pub quantity: i32,
    /// Gross unit price in hundredths.
    pub unit_price_minor: i64,
    /// VAT in hundredths of a percent.
    pub vat_rate_bp: i32,
}

/// A new portal code: 192 random bits, URL-safe.
pub fn new_portal_code() -> String {
    random_base64(24)
}

/// One of the shop's orders.
pub fn find_order(conn: &mut DbConnection, tenant_id: &str, id: &str) -> Result<Order, ApiError> {
    Ok(orders::table
        .filter(orders::tenant_id.eq(tenant_id))
        .filter(orders::id.eq(id))
        .select(Order::as_select())
        .first(conn)?)
}

/// The order's items.
pub fn items_of(
    conn: &mut DbConnection,
    tenant_id: &str,
    order_id: &str,
) -> Result<Vec<OrderItem>, ApiError> {
    Ok(order_items::table
        .filter(order_items::tenant_id.eq(tenant_id))
        .filter(order_items::order_id.eq(order_id))
        .order(order_items::position.asc())
        .select(OrderItem::as_select())
        .load(conn)?)
}

/// Takes the shop's next order number (inside the order's transaction, so
/// numbers are unique; a rolled-back order leaves a gap, which is fine for
/// order numbers — invoices have their own gapless sequence).
fn next_number(conn: &mut DbConnection, tenant_id: &str) -> Result<i64, DieselError> {
    take_numbers(conn, tenant_id, 1)
}

/// Takes `count` consecutive order numbers at once; returns the first.
pub fn take_numbers(
    conn: &mut DbConnection,
    tenant_id: &str,
    count: i64,
) -> Result<i64, DieselError> {
    let taken = diesel::update(order_counters::table.find(tenant_id))
        .set(order_counters::next_number.eq(order_counters::next_number + count))
        .returning(order_counters::next_number)
        .get_result::<i64>(conn)
        .optional()?;
    match taken {
        Some(next) => Ok(next - count),
        None => {
            diesel::insert_into(order_counters::table)
                .values((
                    order_counters::tenant_id.eq(tenant_id),
                    order_counters::next_number.eq(1 + count),
                ))
                .execute(conn)?;
            Ok(1)
        }
    }
}

/// An order line as asked for: an article (by id or SKU) and/or explicit values.
#[derive(Debug, Clone)]
pub struct ItemInput {
    /// The article's id.
    pub article_id: Option<String>,
    /// The article's SKU (or a free SKU without an article).
    pub sku: Option<String>,
    /// Title; default the article's.
    pub title: Option<String>,
    /// Units.
    pub quantity: i32,
    /// Gross unit price in hundredths; default the article's.
    pub unit_price_minor: Option<i64>,
    /// VAT in basis points; default the article's.
    pub vat_rate_bp: Option<i32>,
}

/// Looks up the items' articles and fills in their defaults; every item
/// that names no article of this shop is reported by its field.
pub fn resolve_items(
    conn: &mut DbConnection,
    tenant_id: &str,
    inputs: &[ItemInput],
) -> Result<Vec<OrderItem>, ApiError> {
    let index = ArticleIndex::load(conn, tenant_id, inputs.iter())?;
    resolve_with(&index, tenant_id, inputs)
}

/// The shop's articles that order items name, by id and by SKU: loaded
/// once for a whole import instead of once per item.
#[derive(Debug, Default)]
pub struct ArticleIndex {
    by_id: HashMap<String, Article>,
    by_sku: HashMap<String, Article>,
}

impl ArticleIndex {
    /// Loads the articles `items` name (a few queries, however many items).
    pub fn load<'a>(
        conn: &mut DbConnection,
        tenant_id: &str,
        items: impl Iterator<Item = &'a ItemInput>,
    ) -> Result<Self, DieselError> {
        let (mut ids, mut skus) = (BTreeSet::new(), BTreeSet::new());
        for item in items {
            match (&item.article_id, &item.sku) {
                (Some(id), _) => ids.insert(id.as_str()),
                (None, Some(sku)) => skus.insert(sku.as_str()),
                (None, None) => false,
            };
        }
        let mut index = ArticleIndex::default();
        for chunk in ids.into_iter().collect::<Vec<_>>().chunks(IN_LIST_MAX) {
            let found: Vec<Article> = articles::table
                .filter(articles::tenant_id.eq(tenant_id))
                .filter(articles::id.eq_any(chunk))
                .select(Article::as_select())
                .load(conn)?;
            index
                .by_id
                .extend(found.into_iter().map(|a| (a.id.clone(), a)));
        }
        for chunk in skus.into_iter().collect::<Vec<_>>().chunks(IN_LIST_MAX) {
            let found: Vec<Article> = articles::table
                .filter(articles::tenant_id.eq(tenant_id))
                .filter(articles::sku.eq_any(chunk))
                .select(Article::as_select())
                .load(conn)?;
            index
                .by_sku
                .extend(found.into_iter().map(|a| (a.sku.clone(), a)));
        }
        Ok(index)
    }

    /// Every article found, each once.
    pub fn articles(&self) -> impl Iterator<Item = &Article> {
        let by_sku = self
            .by_sku
            .values()
            .filter(|a| !self.by_id.contains_key(&a.id));
        self.by_id.values().chain(by_sku)
    }
}

/// Most values bound in one `IN (...)` list (both databases cap the bind
/// parameters of a statement).
pub const IN_LIST_MAX: usize = 500;

/// Fills in the items' defaults from their articles, reporting every item
/// that names no article of this shop by its field.
pub fn resolve_with(
    index: &ArticleIndex,
    tenant_id: &str,
    inputs: &[ItemInput],
) -> Result<Vec<OrderItem>, ApiError> {
    let mut errors = Vec::new();
    let mut resolved = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let article: Option<&Article> = match (&input.article_id, &input.sku) {
            (Some(id), _) => match index.by_id.get(id) {
                Some(found) => Some(found),
                None => {
                    errors.push(FieldError::new(
                        format!("items[{i}].article_id"),
                        "no such article in this shop",
                    ));
                    continue;
                }
            },
            (None, Some(sku)) => index.by_sku.get(sku),
            (None, None) => None,
        };
        let title = input
            .title
            .clone()
            .or_else(|| article.map(|a| a.title.clone()));
        let price = input.unit_price_minor.or(article.map(|a| a.price_minor));
        let vat = input.vat_rate_bp.or(article.map(|a| a.vat_rate_bp));
        let (Some(title), Some(unit_price_minor), Some(vat_rate_bp)) = (title, price, vat) else {
            errors.push(FieldError::new(
                format!("items[{i}]"),
                "names no article of this shop (article_id or sku); then title, unit_price and vat_rate are required",
            ));
            continue;
        };
        resolved.push(OrderItem {
            id: new_id(),
            tenant_id: tenant_id.to_owned(),
            order_id: String::new(),
            article_id: article.map(|a| a.id.clone()),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            sku: input
                .sku
                .clone()
                .or_else(|| article.map(|a| a.sku.clone()))
                .unwrap_or_default(),
            title,
            quantity: input.quantity,
            unit_price_minor,
            vat_rate_bp,
        });
    }
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Customer and address fields of an order.
#[derive(Debug, Clone)]
pub struct CustomerInput {
    /// Name.
    pub name: String,
    /// Email (lower-cased).
    pub email: String,
    /// `de` or `en`.
    pub language: String,
    /// Billing address as JSON.
    pub billing_address: String,
}

/// Everything needed to create or re-import an order.
#[derive(Debug, Clone)]
pub struct OrderInput {
    /// Sales channel.
    pub channel: String,
    /// The channel's order id.
    pub external_ref: Option<String>,
    /// Customer.
    pub customer: CustomerInput,
    /// ISO 4217.
    pub currency: String,
    /// Lines.
    pub items: Vec<ItemInput>,
    /// Requested status.
    pub status: OrderStatus,
    /// When it was paid (default: now, when the status is a paid one).
    pub paid_at: Option<NaiveDateTime>,
}

/// Creates an order, or, for a known (channel, external ref), updates it:
/// customer and address, items while it is still open, and the status when
/// the new one is a valid next step. Returns the order and whether it is new.
pub fn upsert_order(
    conn: &mut DbConnection,
    tenant_id: &str,
    input: &OrderInput,
    actor: &str,
    settings: &PortalSettings,
    now: NaiveDateTime,
    public_base: &str,
) -> Result<(Order, bool), ApiError> {
    conn.transaction(|conn| {
        let existing = match &input.external_ref {
            Some(external_ref) => orders::table
                .filter(orders::tenant_id.eq(tenant_id))
                .filter(orders::channel.eq(&input.channel))
                .filter(orders::external_ref.eq(external_ref))
                .select(Order::as_select())
                .first(conn)
                .optional()?,
            None => None,
        };
        match existing {
            None => {
                create(conn, tenant_id, input, actor, settings, now, public_base).map(|o| (o, true))
            }
            Some(order) => update_imported(conn, order, input, actor, settings, now, public_base)
                .map(|o| (o, false)),
        }
    })
}

fn line_totals(items: &[OrderItem]) -> super::domain::Totals {
    let lines: Vec<Line> = items
        .iter()
        .map(|i| Line {
            quantity: i.quantity,
            unit_price_minor: i.unit_price_minor,
            vat_rate_bp: i.vat_rate_bp,
        })
        .collect();
    totals(&lines)
}

fn insert_items(
    conn: &mut DbConnection,
    order_id: &str,
    items: Vec<OrderItem>,
) -> Result<(), DieselError> {
    for mut item in items {
        item.order_id = order_id.to_owned();
        diesel::insert_into(order_items::table)
            .values(&item)
            .execute(conn)?;
    }
    Ok(())
}

fn create(
    conn: &mut DbConnection,
    tenant_id: &str,
    input: &OrderInput,
    actor: &str,
    settings: &PortalSettings,
    now: NaiveDateTime,
    public_base: &str,
) -> Result<Order, ApiError> {
    let items = resolve_items(conn, tenant_id, &input.items)?;
    let status = input.status;
    let number = next_number(conn, tenant_id)?;
    let order = new_order_row(tenant_id, input, number, &items, now);
    diesel::insert_into(orders::table)
        .values(&order)
        .execute(conn)?;
    insert_items(conn, &order.id, items)?;
    record(conn, creation_event(&order, actor, now))?;
    if let Some(paid_at) = order.paid_at {
        create_grants(conn, tenant_id, &order.id, paid_at, settings, actor)?;
        invoices::on_status_change(
            conn,
            &order,
            OrderStatus::Open,
            status,
            now.and_utc(),
            actor,
        )?;
    }
    on_order_event(conn, &order, OrderEvent::Created, actor, public_base)?;
    if order.paid_at.is_some() {
        on_order_event(conn, &order, OrderEvent::Paid, actor, public_base)?;
    }
    Ok(order)
}

/// A new order's row: its lines' totals, `number`, a fresh portal code.
pub(super) fn new_order_row(
    tenant_id: &str,
    input: &OrderInput,
    number: i64,
    items: &[OrderItem],
    now: NaiveDateTime,
) -> Order {
    let sums = line_totals(items);
    let status = input.status;
    Order {
        id: new_id(),
        tenant_id: tenant_id.to_owned(),
        number,
        channel: input.channel.clone(),
        external_ref: input.external_ref.clone(),
        customer_name: input.customer.name.clone(),
        customer_email: input.customer.email.clone(),
        customer_language: input.customer.language.clone(),
        billing_address: input.customer.billing_address.clone(),
        currency: input.currency.clone(),
        total_net_minor: sums.net,
        total_vat_minor: sums.vat,
        total_gross_minor: sums.gross,
        status: status.as_str().to_owned(),
        paid_at: status.is_paid().then(|| input.paid_at.unwrap_or(now)),
        portal_code: new_portal_code(),
        created_at: now,
        updated_at: now,
    }
}

/// The history row of a new order: "imported" when it came with its
/// channel's reference, "created" otherwise.
pub(super) fn creation_event<'a>(
    order: &'a Order,
    actor: &'a str,
    now: NaiveDateTime,
) -> NewEvent<'a> {
    let kind = if order.external_ref.is_some() {
        HistoryKind::OrderImported
    } else {
        HistoryKind::OrderCreated
    };
    NewEvent {
        tenant_id: &order.tenant_id,
        order_id: &order.id,
        kind,
        actor,
        grant_id: None,
        details: json!({
            "number": order.number, "channel": order.channel, "external_ref": order.external_ref,
            "status": order.status,
        }),
        ip: None,
        user_agent: None,
        at: now,
    }
}

pub(super) fn update_imported(
    conn: &mut DbConnection,
    order: Order,
    input: &OrderInput,
    actor: &str,
    settings: &PortalSettings,
    now: NaiveDateTime,
    public_base: &str,
) -> Result<Order, ApiError> {
    let tenant_id = order.tenant_id.clone();
    let still_open = order.status() == OrderStatus::Open;
    if still_open {
        let items = resolve_items(conn, &tenant_id, &input.items)?;
        let sums = line_totals(&items);
        diesel::delete(order_items::table.filter(order_items::order_id.eq(&order.id)))
            .execute(conn)?;
        insert_items(conn, &order.id, items)?;
        diesel::update(orders::table.find(&order.id))
            .set((
                orders::total_net_minor.eq(sums.net),
                orders::total_vat_minor.eq(sums.vat),
                orders::total_gross_minor.eq(sums.gross),
                orders::currency.eq(&input.currency),
            ))
            .execute(conn)?;
    }
    diesel::update(orders::table.find(&order.id))
        .set((
            orders::customer_name.eq(&input.customer.name),
            orders::customer_email.eq(&input.customer.email),
            orders::customer_language.eq(&input.customer.language),
            orders::billing_address.eq(&input.customer.billing_address),
            orders::updated_at.eq(now),
        ))
        .execute(conn)?;
    record(
        conn,
        NewEvent {
            tenant_id: &tenant_id,
            order_id: &order.id,
            kind: HistoryKind::OrderUpdated,
            actor,
            grant_id: None,
            details: json!({ "reimported": true, "items_replaced": still_open }),
            ip: None,
            user_agent: None,
            at: now,
        },
    )?;
    let current = order.status();
    if input.status != current && current.can_become(input.status) {
        change_status_in(
            conn,
            &order,
            input.status,
            input.paid_at,
            actor,
            settings,
            now,
            public_base,
        )?;
    }
    find_order(conn, &tenant_id, &order.id)
}

/// Moves an order to `next` (a valid transition), records it, and unlocks
/// downloads when it becomes paid. Runs inside the caller's transaction.
#[expect(
    clippy::too_many_arguments,
    reason = "one transaction step; a struct would only rename them"
)]
pub fn change_status_in(
    conn: &mut DbConnection,
    order: &Order,
    next: OrderStatus,
    paid_at: Option<NaiveDateTime>,
    actor: &str,
    settings: &PortalSettings,
    now: NaiveDateTime,
    public_base: &str,
) -> Result<(), ApiError> {
    let current = order.status();
    if !current.can_become(next) {
        return Err(ApiError::Conflict {
            code: "invalid_transition",
            detail: format!(
                "An order that is {} cannot become {}.",
                current.as_str(),
                next.as_str()
            ),
        });
    }
    let paid_at = if next.is_paid() {
        order.paid_at.or(Some(paid_at.unwrap_or(now)))
    } else {
        order.paid_at
    };
    // Conditional on the status we read: of two racing changes only one wins.
    let changed = diesel::update(orders::table)
        .filter(orders::id.eq(&order.id))
        .filter(orders::status.eq(current.as_str()))
        .set((
            orders::status.eq(next.as_str()),
            orders::paid_at.eq(paid_at),
            orders::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::Conflict {
            code: "status_changed_concurrently",
            detail: "The order's status was changed at the same time; reload and try again.".into(),
        });
    }
    record(
        conn,
        NewEvent {
            tenant_id: &order.tenant_id,
            order_id: &order.id,
            kind: HistoryKind::StatusChanged,
            actor,
            grant_id: None,
            details: json!({ "from": current.as_str(), "to": next.as_str() }),
            ip: None,
            user_agent: None,
            at: now,
        },
    )?;
    if let (true, Some(paid_at)) = (next.is_paid(), paid_at) {
        create_grants(conn, &order.tenant_id, &order.id, paid_at, settings, actor)?;
    }
    let changed = find_order(conn, &order.tenant_id, &order.id)?;
    // Before the notifications, so a "paid" message can link the invoice.
    invoices::on_status_change(conn, &changed, current, next, now.and_utc(), actor)?;
    on_order_event(
        conn,
        &changed,
        OrderEvent::StatusChanged(next),
        actor,
        public_base,
    )?;
    if next.is_paid() && !current.is_paid() {
        on_order_event(conn, &changed, OrderEvent::Paid, actor, public_base)?;
    }
    Ok(())
}

/// Filters for the order list.
#[derive(Debug, Default, Clone)]
pub struct OrderFilter {
    /// Only this status.
    pub status: Option<OrderStatus>,
    /// Only paid (paid, shipped, completed) or only unpaid.
    pub paid: Option<bool>,
    /// Only this channel.
    pub channel: Option<String>,
    /// Number, customer name or email contains this.
    pub search: Option<String>,
    /// Created at or after.
    pub from: Option<NaiveDateTime>,
    /// Created before.
    pub to: Option<NaiveDateTime>,
}

/// One page of the shop's orders, newest first (keyset on the time-ordered id).
pub fn list_orders(
    conn: &mut DbConnection,
    tenant_id: &str,
    filter: &OrderFilter,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<Order>, ApiError> {
    let mut query = orders::table
        .order((orders::tenant_id.desc(), orders::id.desc()))
        .limit(limit)
        .select(Order::as_select())
        .into_boxed();
    query = crate::keyset_by_tenant!(query, conn, orders, tenant_id, before);
    if let Some(status) = filter.status {
        query = query.filter(orders::status.eq(status.as_str()));
    }
    match filter.paid {
        Some(true) => query = query.filter(orders::status.eq_any(["paid", "shipped", "completed"])),
        Some(false) => {
            query = query.filter(orders::status.ne_all(["paid", "shipped", "completed"]))
        }
        None => {}
    }
    if let Some(channel) = &filter.channel {
        query = query.filter(orders::channel.eq(channel.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(orders::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(orders::created_at.lt(to));
    }
    if let Some(search) = &filter.search {
        let pattern = contains_pattern(search);
        let number = search.trim_start_matches('#').parse::<i64>().ok();
        query = query.filter(
            lower(orders::customer_name)
                .like(pattern.clone())
                .escape('\\')
                .or(orders::customer_email.like(pattern).escape('\\'))
                .or(orders::number.eq(number.unwrap_or(-1))),
        );
    }
    Ok(query.load(conn)?)
}
