//! Backend-specific SQL statements: migrations and, as they come, upserts,
//! row locking, single-statement writes and lookups that must not depend on
//! the planner's statistics. Everything else is written once with diesel's
//! DSL; the shop lists' per-database keyset filter is
//! [`crate::keyset_by_tenant`] in [`crate::pagination`].

use anyhow::Context;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;
use crate::downloads::models::DownloadGrant;
use crate::orders::history::{NewEvent, event_row};
use crate::orders::models::Order;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Any fixed number; it names the lock that serialises migrations across nodes.
const MIGRATION_LOCK_ID: i64 = 0x64656c6976;

/// Applies every pending migration of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    match conn {
        DbConnection::Sqlite(c) => {
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("SQLite migration failed: {e}"))?;
        }
        DbConnection::Pg(c) => {
            // Several nodes may start at once; only one may migrate.
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))
                .execute(c)
                .context("taking the migration lock")?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("PostgreSQL migration failed: {e}"));
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"))
                .execute(c)
                .context("releasing the migration lock")?;
            result?;
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

const CLAIM_POSTGRES: &str = "UPDATE outbox_messages SET locked_until = $1 WHERE id IN (\
    SELECT id FROM outbox_messages WHERE status = 'pending' AND next_attempt_at <= $2 \
    AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at LIMIT $3 \
    FOR UPDATE SKIP LOCKED) RETURNING id";

// SQLite has one writer, so the claim cannot race; no row locks needed.
const CLAIM_SQLITE: &str = "UPDATE outbox_messages SET locked_until = ? WHERE id IN (\
    SELECT id FROM outbox_messages WHERE status = 'pending' AND next_attempt_at <= ? \
    AND (locked_until IS NULL OR locked_until < ?) ORDER BY next_attempt_at LIMIT ?) RETURNING id";

/// Claims up to `limit` due outbox messages until `until` and returns them.
pub fn claim_due_messages(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<crate::notifications::outbox::OutboxMessage>, diesel::result::Error> {
    use crate::db::schema::outbox_messages;
    use crate::notifications::outbox::OutboxMessage;
    let ids: Vec<ClaimedId> = match conn {
        DbConnection::Pg(c) => diesel::sql_query(CLAIM_POSTGRES)
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(CLAIM_SQLITE)
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c)?,
    };
    let ids: Vec<String> = ids.into_iter().map(|c| c.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    outbox_messages::table
        .filter(outbox_messages::id.eq_any(ids))
        .select(OutboxMessage::as_select())
        .load(conn)
}

#[derive(QueryableByName)]
struct TakenNumber {
    #[diesel(sql_type = BigInt)]
    last_number: i64,
}

const TAKE_NUMBER_POSTGRES: &str = "INSERT INTO invoice_counters (tenant_id, series, last_number) \
    VALUES ($1, $2, 1) ON CONFLICT (tenant_id, series) \
    DO UPDATE SET last_number = invoice_counters.last_number + 1 RETURNING last_number";

const TAKE_NUMBER_SQLITE: &str = "INSERT INTO invoice_counters (tenant_id, series, last_number) \
    VALUES (?, ?, 1) ON CONFLICT (tenant_id, series) \
    DO UPDATE SET last_number = invoice_counters.last_number + 1 RETURNING last_number";

/// Takes the next number of an invoice series in one statement. Inside the
/// caller's transaction the counter row stays locked (PostgreSQL row lock,
/// SQLite's single writer) until commit, and a rollback returns the number:
/// concurrent issues on any number of nodes queue here and leave no gaps.
pub fn take_invoice_number(
    conn: &mut DbConnection,
    tenant_id: &str,
    series: &str,
) -> Result<i64, diesel::result::Error> {
    use diesel::sql_types::Text;
    let taken: TakenNumber = match conn {
        DbConnection::Pg(c) => diesel::sql_query(TAKE_NUMBER_POSTGRES)
            .bind::<Text, _>(tenant_id)
            .bind::<Text, _>(series)
            .get_result(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(TAKE_NUMBER_SQLITE)
            .bind::<Text, _>(tenant_id)
            .bind::<Text, _>(series)
            .get_result(c)?,
    };
    Ok(taken.last_number)
}

// The grant's conditional update and its history row as one statement: on
// PostgreSQL a data-modifying CTE runs in the statement's own transaction,
// so both happen or neither, in one round trip instead of five. The
// condition is the one `downloads::models::count_download` writes for SQLite.
const COUNT_DOWNLOAD_POSTGRES: &str = "WITH counted AS (\
    UPDATE download_grants SET used_downloads = used_downloads + 1 \
    WHERE id = $1 AND tenant_id = $2 AND order_id = $3 \
    AND (max_downloads IS NULL OR used_downloads < max_downloads) \
    AND (expires_at IS NULL OR expires_at > $4) RETURNING *), \
    logged AS (INSERT INTO history_events \
    (id, tenant_id, order_id, kind, actor, grant_id, details, ip, user_agent, created_at) \
    SELECT $5, tenant_id, order_id, $6, $7, id, json_build_object('file', display_name, \
    'used_downloads', used_downloads, 'max_downloads', max_downloads)::text, $8, $9, $4 \
    FROM counted) \
    SELECT * FROM counted";

/// Counts one download of `event`'s grant and writes `event` with the
/// grant's details, if a download is left and the end date has not passed;
/// the counted grant, or `None`.
pub fn count_download(
    conn: &mut PgConnection,
    event: NewEvent<'_>,
) -> Result<Option<DownloadGrant>, diesel::result::Error> {
    use diesel::sql_types::{Nullable, Text};
    let grant_id = event.grant_id.unwrap_or_default().to_owned();
    let row = event_row(event);
    diesel::sql_query(COUNT_DOWNLOAD_POSTGRES)
        .bind::<Text, _>(grant_id)
        .bind::<Text, _>(&row.tenant_id)
        .bind::<Text, _>(&row.order_id)
        .bind::<Timestamp, _>(row.created_at)
        .bind::<Text, _>(&row.id)
        .bind::<Text, _>(&row.kind)
        .bind::<Text, _>(&row.actor)
        .bind::<Nullable<Text>, _>(&row.ip)
        .bind::<Nullable<Text>, _>(&row.user_agent)
        .get_result(conn)
        .optional()
}

// Each reference is its own lookup of the full (tenant, channel, reference)
// key: the LIMIT keeps the subquery from being merged into a join, so the
// natural plan is one unique-index probe per reference. Written as a plain
// `external_ref = ANY(...)`, PostgreSQL without fresh statistics (a new
// shop's first import, before autovacuum has analysed it) took the
// (tenant, …) prefix of some index and filtered every order of the shop
// against the whole list, per batch.
const ORDERS_BY_REFERENCE_POSTGRES: &str = "SELECT o.* FROM unnest($3::text[]) AS r(external_ref) \
    CROSS JOIN LATERAL (SELECT * FROM orders WHERE tenant_id = $1 AND channel = $2 \
    AND external_ref = r.external_ref LIMIT 1) AS o";

/// The shop's orders of one channel with one of the given references.
pub fn orders_by_reference(
    conn: &mut PgConnection,
    tenant_id: &str,
    channel: &str,
    references: &[&str],
) -> Result<Vec<Order>, diesel::result::Error> {
    use diesel::sql_types::{Array, Text};
    diesel::sql_query(ORDERS_BY_REFERENCE_POSTGRES)
        .bind::<Text, _>(tenant_id)
        .bind::<Text, _>(channel)
        .bind::<Array<Text>, _>(references)
        .load(conn)
}
