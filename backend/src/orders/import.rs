//! Importing a batch of orders: the same orders, grants, invoices, history
//! and messages as creating them one by one, written with a fixed number of
//! statements per batch instead of some thirty per order (reads of the
//! shop's articles, files, rules and templates once; rows in multi-row
//! inserts). Orders the batch re-imports take the one-by-one update path.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::history::{HistoryEvent, event_row};
use super::models::{
    ArticleIndex, IN_LIST_MAX, Order, OrderInput, OrderItem, creation_event, new_order_row,
    resolve_with, take_numbers, update_imported,
};
use crate::db::schema::{download_grants, history_events, order_items, orders, rule_firings};
use crate::db::schema::{outbox_messages, tenants};
use crate::db::{DbConnection, dialect};
use crate::downloads::models::{
    DownloadGrant, FileCatalog, GrantItem, GrantOrder, grants_created, plan_grants,
};
use crate::error::{ApiError, FieldError};
use crate::insert_rows;
use crate::invoices::domain::{InvoiceKind, IssueMode};
use crate::invoices::models::issue_in;
use crate::notifications::outbox::{OutboxMessage, message_rows};
use crate::notifications::rules::{OrderEvent, RuleBook};
use crate::notifications::templates::{FileFacts, OrderFacts, context_of};
use crate::portal::settings::PortalSettings;

/// Who imports, and the shop's settings the orders get.
pub struct ImportContext<'a> {
    /// The shop.
    pub tenant_id: &'a str,
    /// Who imports, for the history.
    pub actor: &'a str,
    /// The shop's portal settings (download limits and validity).
    pub portal: &'a PortalSettings,
    /// Now.
    pub now: NaiveDateTime,
    /// The server's public base URL, for links in messages.
    pub public_base: &'a str,
}

/// A new order of the batch with its lines and grants.
struct NewOrder {
    order: Order,
    items: Vec<OrderItem>,
    grants: Vec<DownloadGrant>,
}

/// Creates or updates every order of `inputs` inside the caller's
/// transaction; returns each order (in input order) and whether it is new.
/// Field errors name the order: `orders[i].items[j].article_id`.
pub fn import_batch(
    conn: &mut DbConnection,
    ctx: &ImportContext<'_>,
    inputs: &[OrderInput],
) -> Result<Vec<(Order, bool)>, ApiError> {
    let mut existing = existing_orders(conn, ctx.tenant_id, inputs)?;
    let fresh: Vec<(usize, &OrderInput)> = inputs
        .iter()
        .enumerate()
        .filter(|(_, input)| !existing.contains_key(&key_of(input)))
        .collect();
    let created = create_all(conn, ctx, &fresh)?;
    let mut results: Vec<Option<(Order, bool)>> = vec![None; inputs.len()];
    for ((i, _), order) in fresh.iter().zip(created) {
        results[*i] = Some((order, true));
    }
    for (i, input) in inputs.iter().enumerate() {
        if let Some(order) = existing.remove(&key_of(input)) {
            let updated = update_imported(
                conn,
                order,
                input,
                ctx.actor,
                ctx.portal,
                ctx.now,
                ctx.public_base,
            )
            .map_err(|e| for_order(i, e))?;
            results[i] = Some((updated, false));
        }
    }
    Ok(results.into_iter().flatten().collect())
}

fn key_of(input: &OrderInput) -> (String, String) {
    (
        input.channel.clone(),
        input.external_ref.clone().unwrap_or_default(),
    )
}

/// The shop's orders that the batch names by (channel, reference). Looked
/// up per channel, so each lookup is a seek in the (tenant, channel,
/// reference) index: without the channel the database walks all of the
/// shop's orders, and a batch costs as much as the shop is big. PostgreSQL
/// gets a statement that cannot be planned as that walk either (see
/// [`dialect::orders_by_reference`]).
fn existing_orders(
    conn: &mut DbConnection,
    tenant_id: &str,
    inputs: &[OrderInput],
) -> Result<HashMap<(String, String), Order>, ApiError> {
    let mut refs_by_channel: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for input in inputs {
        if let Some(reference) = input.external_ref.as_deref() {
            refs_by_channel
                .entry(input.channel.as_str())
                .or_default()
                .push(reference);
        }
    }
    let mut found = HashMap::new();
    for (channel, refs) in refs_by_channel {
        for chunk in refs.chunks(IN_LIST_MAX) {
            let rows: Vec<Order> = match conn {
                DbConnection::Pg(pg) => {
                    dialect::orders_by_reference(pg, tenant_id, channel, chunk)?
                }
                DbConnection::Sqlite(_) => orders::table
                    .filter(orders::tenant_id.eq(tenant_id))
                    .filter(orders::channel.eq(channel))
                    .filter(orders::external_ref.eq_any(chunk))
                    .select(Order::as_select())
                    .load(conn)?,
            };
            for order in rows {
                let key = (
                    order.channel.clone(),
                    order.external_ref.clone().unwrap_or_default(),
                );
                found.insert(key, order);
            }
        }
    }
    Ok(found)
}

/// Creates the batch's new orders with their items, grants, invoices,
/// history and messages.
fn create_all(
    conn: &mut DbConnection,
    ctx: &ImportContext<'_>,
    fresh: &[(usize, &OrderInput)],
) -> Result<Vec<Order>, ApiError> {
    if fresh.is_empty() {
        return Ok(Vec::new());
    }
    let articles = ArticleIndex::load(
        conn,
        ctx.tenant_id,
        fresh.iter().flat_map(|(_, input)| input.items.iter()),
    )?;
    let mut errors = Vec::new();
    let mut resolved = Vec::with_capacity(fresh.len());
    for (i, input) in fresh {
        match resolve_with(&articles, ctx.tenant_id, &input.items) {
            Ok(items) => resolved.push(items),
            Err(e) => errors.extend(field_errors(*i, e)?),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let count = i64::try_from(fresh.len()).unwrap_or(i64::MAX);
    let first = take_numbers(conn, ctx.tenant_id, count)?;
    // The articles are at hand from resolving the lines: only their files are read.
    let catalog = FileCatalog::with_articles(conn, ctx.tenant_id, articles.articles().cloned())?;
    let batch: Vec<NewOrder> = fresh
        .iter()
        .zip(resolved)
        .zip(first..)
        .map(|(((_, input), items), number)| new_order(ctx, input, number, items, &catalog))
        .collect();
    write_orders(conn, ctx, &batch)?;
    let invoice_mode = issue_invoices(conn, ctx, &batch)?;
    queue_messages(conn, ctx, &batch, invoice_mode)?;
    Ok(batch.into_iter().map(|new| new.order).collect())
}

fn new_order(
    ctx: &ImportContext<'_>,
    input: &OrderInput,
    number: i64,
    mut items: Vec<OrderItem>,
    catalog: &FileCatalog,
) -> NewOrder {
    let order = new_order_row(ctx.tenant_id, input, number, &items, ctx.now);
    for item in &mut items {
        item.order_id = order.id.clone();
    }
    let grants = match order.paid_at {
        Some(paid_at) => {
            let lines: Vec<GrantItem> = items
                .iter()
                .map(|i| (i.id.clone(), i.article_id.clone(), i.quantity))
                .collect();
            let grant_order = GrantOrder {
                tenant_id: ctx.tenant_id,
                order_id: &order.id,
                paid_at,
                items: &lines,
                existing: &[],
            };
            plan_grants(catalog, grant_order, ctx.portal)
        }
        None => Vec::new(),
    };
    NewOrder {
        order,
        items,
        grants,
    }
}

/// Orders, items, grants and their history rows, in multi-row inserts.
fn write_orders(
    conn: &mut DbConnection,
    ctx: &ImportContext<'_>,
    batch: &[NewOrder],
) -> Result<(), ApiError> {
    let orders: Vec<Order> = batch.iter().map(|n| n.order.clone()).collect();
    insert_rows!(conn, orders::table, orders)?;
    let items: Vec<OrderItem> = batch.iter().flat_map(|n| n.items.clone()).collect();
    insert_rows!(conn, order_items::table, items)?;
    let grants: Vec<DownloadGrant> = batch.iter().flat_map(|n| n.grants.clone()).collect();
    insert_rows!(conn, download_grants::table, grants)?;
    let mut history = Vec::with_capacity(batch.len() * 2);
    for new in batch {
        history.push(event_row(creation_event(&new.order, ctx.actor, ctx.now)));
        if let Some(paid_at) = new.order.paid_at {
            let created = grants_created(
                ctx.tenant_id,
                &new.order.id,
                paid_at,
                ctx.actor,
                &new.grants,
            );
            history.extend(created.map(event_row));
        }
    }
    insert_history(conn, history)
}

fn insert_history(conn: &mut DbConnection, rows: Vec<HistoryEvent>) -> Result<(), ApiError> {
    Ok(insert_rows!(conn, history_events::table, rows)?)
}

/// Paid orders get their invoice now when the shop issues on payment (one
/// by one: each takes the next number of the gapless series). Returns the
/// shop's invoice mode (none read when the batch has no paid order).
fn issue_invoices(
    conn: &mut DbConnection,
    ctx: &ImportContext<'_>,
    batch: &[NewOrder],
) -> Result<IssueMode, ApiError> {
    if batch.iter().all(|n| n.order.paid_at.is_none()) {
        return Ok(IssueMode::Manual);
    }
    let settings = crate::invoices::settings::load(conn, ctx.tenant_id)?;
    let mode = settings.issue_mode();
    if mode != IssueMode::OnPaid {
        return Ok(mode);
    }
    for new in batch.iter().filter(|n| n.order.paid_at.is_some()) {
        issue_in(
            conn,
            &new.order,
            InvoiceKind::Invoice,
            &settings,
            ctx.now.and_utc(),
            ctx.actor,
        )?;
    }
    Ok(mode)
}

/// What the shop's rules send for each new order (created, and paid), with
/// their firings and history rows.
fn queue_messages(
    conn: &mut DbConnection,
    ctx: &ImportContext<'_>,
    batch: &[NewOrder],
    invoice_mode: IssueMode,
) -> Result<(), ApiError> {
    let book = RuleBook::load(conn, ctx.tenant_id)?;
    if book.is_empty() {
        return Ok(());
    }
    let shop_name: String = tenants::table
        .find(ctx.tenant_id)
        .select(tenants::name)
        .first(conn)?;
    let mut firings: Vec<(String, String)> = Vec::new();
    let mut messages: Vec<OutboxMessage> = Vec::new();
    let mut history: Vec<HistoryEvent> = Vec::new();
    for new in batch {
        let order = &new.order;
        let paid = order.paid_at.is_some();
        let events: &[OrderEvent] = if paid {
            &[OrderEvent::Created, OrderEvent::Paid]
        } else {
            &[OrderEvent::Created]
        };
        let has_files = !new.grants.is_empty();
        let matching: Vec<_> = events
            .iter()
            .flat_map(|event| book.matching(*event, order, has_files))
            .collect();
        if matching.is_empty() {
            continue;
        }
        let files: Vec<FileFacts> = new
            .grants
            .iter()
            .map(|g| {
                (
                    g.order_item_id.clone(),
                    g.display_name.clone(),
                    g.max_downloads,
                    g.expires_at,
                )
            })
            .collect();
        let issued = paid && invoice_mode == IssueMode::OnPaid;
        let facts = OrderFacts {
            shop_name: &shop_name,
            support_email: ctx.portal.support_email.as_deref(),
            items: &new.items,
            files: &files,
            invoice_offered: crate::portal::invoice::offered(
                ctx.portal,
                issued,
                invoice_mode,
                paid,
            ),
        };
        let values = context_of(order, &facts, ctx.public_base);
        let mut fired = HashSet::new();
        for rule in matching {
            // A new order has fired nothing yet; a rule that may fire once
            // fires once even when both its events come in this batch.
            if !rule.repeatable {
                if !fired.insert(rule.id.as_str()) {
                    continue;
                }
                firings.push((rule.id.clone(), order.id.clone()));
            }
            if let Some(message) = book.message(rule, order, &values, ctx.actor)? {
                // Like `enqueue`: the outbox runs on the real clock, not the request's.
                let (row, event) = message_rows(message, crate::db::now());
                messages.push(row);
                history.extend(event);
            }
        }
    }
    let firings: Vec<_> = firings
        .iter()
        .map(|(rule_id, order_id)| {
            (
                rule_firings::rule_id.eq(rule_id),
                rule_firings::order_id.eq(order_id),
            )
        })
        .collect();
    insert_rows!(conn, rule_firings::table, firings)?;
    insert_rows!(conn, outbox_messages::table, messages)?;
    insert_history(conn, history)
}

/// Names an order's field errors by its place in the batch.
fn field_errors(i: usize, err: ApiError) -> Result<Vec<FieldError>, ApiError> {
    match err {
        ApiError::Validation(fields) => Ok(fields
            .into_iter()
            .map(|f| FieldError::new(format!("orders[{i}].{}", f.field), f.message))
            .collect()),
        other => Err(other),
    }
}

fn for_order(i: usize, err: ApiError) -> ApiError {
    match field_errors(i, err) {
        Ok(fields) => ApiError::Validation(fields),
        Err(other) => other,
    }
}
