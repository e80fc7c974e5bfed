//! The only place with backend-specific SQL: migrations and, as they come,
//! upserts and row locking. Everything else is written once with diesel's DSL.

use anyhow::Context;
use diesel::RunQueryDsl;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;

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
