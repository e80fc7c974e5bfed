//! The database: SQLite (embedded default) or PostgreSQL, chosen at run time
//! by the URL scheme, behind one diesel connection type.
//!
//! SQLite gets ONE writer connection beside a small read pool: several SQLite
//! writers only queue on its file lock and blow up tail latency. PostgreSQL
//! uses one pool for both. Blocking diesel calls run on actix's blocking
//! thread pool via [`Db::read`] and [`Db::write`], except SQLite's writes,
//! which run on a writer thread of their own.

pub mod dialect;
pub mod schema;

use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};

use crate::config::{Settings, SqliteSynchronous};
use crate::error::ApiError;

/// One connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL (production, scale-out).
    Pg(PgConnection),
    /// SQLite (embedded default).
    Sqlite(SqliteConnection),
}

/// Which backend a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://PATH`
    Sqlite,
    /// `postgres://...` or `postgresql://...`
    Postgres,
}

impl Backend {
    /// Reads the scheme; anything else is refused instead of being guessed.
    pub fn from_url(url: &str) -> anyhow::Result<(Backend, String)> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            anyhow::ensure!(!path.is_empty(), "DATABASE_URL sqlite:// needs a file path");
            Ok((Backend::Sqlite, path.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok((Backend::Postgres, url.to_owned()))
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }
}

/// Opens connections for r2d2 by the URL's scheme. diesel's own
/// `MultiConnection::establish` tries each backend in turn, which would turn a
/// down PostgreSQL into a stray SQLite file.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    target: String,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Sqlite => SqliteConnection::establish(&self.target).map(DbConnection::Sqlite),
            Backend::Postgres => PgConnection::establish(&self.target).map(DbConnection::Pg),
        }
        .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map(|_| ())
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        match conn {
            DbConnection::Pg(c) => r2d2::R2D2Connection::is_broken(c),
            DbConnection::Sqlite(c) => r2d2::R2D2Connection::is_broken(c),
        }
    }
}

/// Per-connection SQLite settings; SQLite forgets them on every new connection.
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas {
    synchronous: SqliteSynchronous,
}

impl CustomizeConnection<DbConnection, r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        let synchronous = match self.synchronous {
            SqliteSynchronous::Normal => "NORMAL",
            SqliteSynchronous::Full => "FULL",
        };
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON;"
        ))
        .map_err(r2d2::Error::QueryError)
    }
}

type Pool = r2d2::Pool<Manager>;

/// Pooled access to the database.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
    writer: Pool,
    reader: Pool,
    /// SQLite: the thread that runs the writes (see [`Db::write`]).
    write_queue: Option<WriteQueue>,
}

/// A write to run on SQLite's writer thread.
type WriteJob = Box<dyn FnOnce() + Send>;

/// SQLite's writes, run one after another on a thread of their own in the
/// order they arrive. Queued on the blocking pool instead, every waiting
/// write held a blocking thread (starving the reads behind it) while
/// waiting for the one writer connection, and the connection went to
/// whichever thread woke first, which stretched the slowest waits. On its
/// own thread the next write starts the moment the last one commits.
#[derive(Clone)]
struct WriteQueue(std::sync::mpsc::Sender<WriteJob>);

impl WriteQueue {
    /// Starts the writer thread; it ends when the last `Db` clone is dropped.
    fn start() -> anyhow::Result<Self> {
        let (jobs, queue) = std::sync::mpsc::channel::<WriteJob>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                for job in queue {
                    // A panicking write drops its reply: its caller gets an
                    // error, and the writes queued behind it still run.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            })
            .context("starting the SQLite writer thread")?;
        Ok(Self(jobs))
    }

    async fn run<T, F>(&self, pool: Pool, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: WriteJob = Box::new(move || {
            let result = pool
                .get()
                .map_err(ApiError::from_pool)
                .and_then(|mut conn| f(&mut conn));
            let _ = reply.send(result);
        });
        let failed = |what: &str| ApiError::internal(anyhow::anyhow!("SQLite write {what}"));
        self.0.send(job).map_err(|_| failed("thread stopped"))?;
        answer.await.map_err(|_| failed("failed"))?
    }
}

impl Db {
    /// Connects, creating the SQLite file's folder when needed.
    pub fn connect(settings: &Settings) -> anyhow::Result<Self> {
        let url = settings.database_url();
        let (backend, target) = Backend::from_url(&url)?;
        let manager = Manager {
            backend,
            target: target.clone(),
        };
        let builder = || {
            r2d2::Pool::builder()
                // A health query on every checkout halves throughput; broken
                // connections are detected by `has_broken` instead.
                .test_on_check_out(false)
                .connection_timeout(Duration::from_secs(10))
        };
        match backend {
            Backend::Sqlite => {
                if let Some(dir) = std::path::Path::new(&target).parent() {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                }
                let pragmas = SqlitePragmas {
                    synchronous: settings.sqlite_synchronous,
                };
                let writer = builder()
                    .max_size(1)
                    .connection_customizer(Box::new(pragmas))
                    .build(manager.clone())
                    .context("opening the SQLite database")?;
                let reader = builder()
                    .max_size(settings.db_pool_size)
                    .min_idle(Some(1))
                    .connection_customizer(Box::new(pragmas))
                    .build(manager)
                    .context("opening the SQLite database")?;
                Ok(Self {
                    backend,
                    writer,
                    reader,
                    write_queue: Some(WriteQueue::start()?),
                })
            }
            Backend::Postgres => {
                let pool = builder()
                    .max_size(settings.db_pool_size)
                    .build(manager)
                    .context("connecting to PostgreSQL")?;
                Ok(Self {
                    backend,
                    writer: pool.clone(),
                    reader: pool,
                    write_queue: None,
                })
            }
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations (serialised across nodes on PostgreSQL).
    pub fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.writer.get().context("getting a connection")?;
        dialect::run_migrations(&mut conn)
    }

    /// Runs `f` with a read connection on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        run(self.reader.clone(), f).await
    }

    /// As [`Db::read`], for a read of a few index probes that every customer
    /// request makes (the portal code lookup). On SQLite such a read takes
    /// microseconds in this process — less than the hand-off to the blocking
    /// pool and back — so it runs right here when a read connection is free
    /// (a WAL reader never waits for the writer); when none is, it queues on
    /// the blocking pool like any read. PostgreSQL's reads cross the network:
    /// they always go to the blocking pool.
    pub async fn read_indexed<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if self.backend == Backend::Sqlite
            && let Some(mut conn) = self.reader.try_get()
        {
            return f(&mut conn);
        }
        self.read(f).await
    }

    /// Runs `f` with the write connection: on SQLite on its writer thread,
    /// on PostgreSQL on the blocking pool.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        match &self.write_queue {
            Some(queue) => queue.run(self.writer.clone(), f).await,
            None => run(self.writer.clone(), f).await,
        }
    }

    /// A write connection for code outside a request (CLI, workers).
    pub fn write_blocking(&self) -> anyhow::Result<r2d2::PooledConnection<Manager>> {
        self.writer.get().context("getting a database connection")
    }
}

/// Stores a shop's settings row (one per shop, keyed by its tenant): update
/// it, or insert it the first time. When two first saves race, the loser's
/// insert is a duplicate and it updates the winner's row instead.
pub fn save_settings_row(
    conn: &mut DbConnection,
    update: impl Fn(&mut DbConnection) -> diesel::QueryResult<usize>,
    insert: impl Fn(&mut DbConnection) -> diesel::QueryResult<usize>,
) -> Result<(), crate::error::ApiError> {
    let attempt = |conn: &mut DbConnection| match update(conn)? {
        0 => insert(conn).map(drop),
        _ => Ok(()),
    };
    match attempt(conn) {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(attempt(conn)?),
        other => Ok(other?),
    }
}

/// The current time as stored: UTC, whole microseconds (what both backends keep).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

diesel::define_sql_function! {
    /// SQL `lower()`, for case-insensitive search on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A LIKE pattern matching `text` anywhere, lower-cased, with its wildcards
/// escaped (use with `.escape('\\')`) so a search matches literally.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A new id: a time-ordered UUID (v7), so ids sort by creation for keyset paging.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Most rows one multi-row insert writes (both databases cap the bind
/// parameters of a statement; 200 rows of the widest table stay far below).
pub const ROWS_PER_INSERT: usize = 200;

/// Inserts a slice of rows into a table in multi-row statements of at most
/// [`ROWS_PER_INSERT`] rows. A macro, because a multi-row insert is built
/// for one backend: the connection type that covers both cannot run one.
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let mut result: diesel::QueryResult<()> = Ok(());
        for chunk in $rows.chunks($crate::db::ROWS_PER_INSERT) {
            let done = match &mut *$conn {
                $crate::db::DbConnection::Pg(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)
                }
                $crate::db::DbConnection::Sqlite(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)
                }
            };
            if let Err(e) = done {
                result = Err(e);
                break;
            }
        }
        result
    }};
}

async fn run<T, F>(pool: Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(ApiError::from_pool)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::internal(anyhow::anyhow!("blocking task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    /// `.cargo/config.toml` builds the bundled SQLite with the query planner
    /// stability guarantee; without it every statement with a bound `LIMIT`
    /// (each `.first()`, each page) is re-prepared on every run.
    #[test]
    fn bundled_sqlite_keeps_plans_independent_of_bound_values() {
        use diesel::dsl::sql;
        use diesel::sql_types::Integer;
        use diesel::{Connection, RunQueryDsl, SqliteConnection};

        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let used: i32 = diesel::select(sql::<Integer>("sqlite_compileoption_used('ENABLE_QPSG')"))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(used, 1, "SQLite was built without SQLITE_ENABLE_QPSG");
    }

    /// The writer thread runs writes in the order they arrive, and a write
    /// that panics fails alone: the writes queued behind it still run.
    #[tokio::test]
    async fn sqlite_writes_run_in_order_and_survive_a_panicking_one() {
        use super::{Backend, Manager, WriteQueue};
        use diesel::r2d2::Pool;
        use std::sync::{Arc, Mutex};

        let dir = tempfile::tempdir().unwrap();
        let manager = Manager {
            backend: Backend::Sqlite,
            target: dir.path().join("db.sqlite").display().to_string(),
        };
        let pool = Pool::builder().max_size(1).build(manager).unwrap();
        let queue = WriteQueue::start().unwrap();
        let ran = Arc::new(Mutex::new(Vec::new()));
        let write = |n: i32| {
            let ran = ran.clone();
            queue.run(pool.clone(), move |_| {
                ran.lock().unwrap().push(n);
                Ok(n)
            })
        };
        let panicking = queue.run(pool.clone(), |_| -> Result<(), _> {
            panic!("a write that panics")
        });
        let (first, failed, second) = tokio::join!(write(1), panicking, write(2));
        assert_eq!(first.unwrap(), 1);
        assert!(failed.is_err());
        assert_eq!(second.unwrap(), 2);
        assert_eq!(*ran.lock().unwrap(), vec![1, 2]);
    }

    #[test]
    fn search_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("50%_OFF"), "%50\\%\\_off%");
        assert_eq!(contains_pattern("a\\b"), "%a\\\\b%");
    }
}
