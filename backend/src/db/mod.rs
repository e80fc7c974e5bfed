//! The database: SQLite (embedded default) or PostgreSQL, chosen at run time
//! by the URL scheme, behind one diesel connection type.
//!
//! SQLite gets ONE writer connection beside a small read pool: several SQLite
//! writers only queue on its file lock and blow up tail latency. PostgreSQL
//! uses one pool for both. Blocking diesel calls run on actix's blocking
//! thread pool via [`Db::read`] and [`Db::write`], except SQLite's writes,
//! which run on a writer thread of their own, where the small ones queued
//! together share a commit ([`Db::write_grouped`]).

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
    /// The page cache's bound in KiB, when not SQLite's default (2 MiB).
    cache_kib: Option<u32>,
}

/// The page cache of each SQLite read connection. The readers are many
/// (one per pool slot), and each kept its own 2 MiB cache of the same hot
/// pages; a page missing from a small cache is read from the operating
/// system's page cache, which holds the file once for all of them.
const READER_CACHE_KIB: u32 = 512;

impl CustomizeConnection<DbConnection, r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        let synchronous = match self.synchronous {
            SqliteSynchronous::Normal => "NORMAL",
            SqliteSynchronous::Full => "FULL",
        };
        let cache = self
            .cache_kib
            .map(|kib| format!(" PRAGMA cache_size = -{kib};"))
            .unwrap_or_default();
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON;{cache}"
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

/// A write for SQLite's writer thread: it runs on the writer connection
/// (`None`: there is none to be had) and hands back how to answer its caller,
/// which happens once its commit is known.
type WriteJob = Box<dyn FnOnce(Option<&mut DbConnection>) -> Reply + Send>;

/// Answers a write's caller with its result when `committed`; when its
/// group's commit failed, nothing of it was kept, so a write that succeeded
/// is answered with an error.
type Reply = Box<dyn FnOnce(bool) + Send>;

/// What a caller asks the writer to run.
#[cfg(test)]
type WriteFn<T> = Box<dyn FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send>;

/// A queued write, and whether it may share a commit with its neighbours.
struct Queued {
    job: WriteJob,
    grouped: bool,
}

/// The most writes one group commit takes: enough to share the commit's
/// cost, few enough that a failed commit fails only a handful of callers.
const MAX_GROUP: usize = 64;

/// SQLite's writes, run one after another on a thread of their own in the
/// order they arrive. Queued on the blocking pool instead, every waiting
/// write held a blocking thread (starving the reads behind it) while
/// waiting for the one writer connection, and the connection went to
/// whichever thread woke first, which stretched the slowest waits. On its
/// own thread the next write starts the moment the last one commits.
///
/// Small writes marked as groupable (a counted download) that are queued
/// together share one transaction: each runs in a savepoint of its own, and
/// their callers are answered after the one commit. A commit's cost (the
/// WAL frames of the pages every such write touches, the WAL index) is then
/// paid once per group instead of once per write, and nothing is answered
/// before it is committed.
#[derive(Clone)]
struct WriteQueue(std::sync::mpsc::Sender<Queued>);

impl WriteQueue {
    /// Starts the writer thread over `pool` (the one writer connection); it
    /// ends when the last `Db` clone is dropped.
    fn start(pool: Pool) -> anyhow::Result<Self> {
        let (sender, queue) = std::sync::mpsc::channel::<Queued>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                let mut next = None;
                while let Some(first) = next.take().or_else(|| queue.recv().ok()) {
                    let mut group = vec![first.job];
                    if first.grouped {
                        while group.len() < MAX_GROUP {
                            match queue.try_recv() {
                                Ok(w) if w.grouped => group.push(w.job),
                                Ok(w) => {
                                    next = Some(w);
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                    }
                    run_group(&pool, group);
                }
            })
            .context("starting the SQLite writer thread")?;
        Ok(Self(sender))
    }

    async fn run<T, F>(&self, grouped: bool, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: WriteJob = Box::new(move |conn| {
            let result = match conn {
                Some(conn) => f(conn),
                None => Err(ApiError::Unavailable(
                    "the database is not reachable right now".into(),
                )),
            };
            Box::new(move |committed| {
                let _ = reply.send(match result {
                    Ok(_) if !committed => Err(failed("commit failed")),
                    result => result,
                });
            })
        });
        self.0
            .send(Queued { job, grouped })
            .map_err(|_| failed("thread stopped"))?;
        answer.await.map_err(|_| failed("failed"))?
    }
}

fn failed(what: &str) -> ApiError {
    ApiError::internal(anyhow::anyhow!("SQLite write {what}"))
}

/// Runs a group of writes on the writer connection: one alone as it is, more
/// in one transaction. A write that panics drops its reply (its caller gets an
/// error) and the writes queued behind it still run; in a group it takes the
/// whole group down uncommitted: the connection is left inside its
/// transaction, so the pool discards it, which rolls the transaction back.
fn run_group(pool: &Pool, group: Vec<WriteJob>) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            tracing::error!(error = %e, "database pool checkout failed");
            group.into_iter().for_each(|job| job(None)(true));
            return;
        }
    };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if group.len() == 1 {
            let reply = group.into_iter().next().map(|job| job(Some(&mut conn)));
            reply.into_iter().for_each(|reply| reply(true));
            return;
        }
        let mut replies = Vec::with_capacity(group.len());
        let committed = conn
            .transaction(|conn| {
                // Each write's own `transaction` becomes a savepoint here, so
                // one that fails rolls back alone.
                replies.extend(group.into_iter().map(|job| job(Some(&mut *conn))));
                Ok::<_, diesel::result::Error>(())
            })
            .inspect_err(|e| tracing::error!(error = %e, "SQLite group commit failed"))
            .is_ok();
        replies.into_iter().for_each(|reply| reply(committed));
    }));
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
                    cache_kib: None,
                };
                let writer = builder()
                    .max_size(1)
                    .connection_customizer(Box::new(pragmas))
                    .build(manager.clone())
                    .context("opening the SQLite database")?;
                let reader = builder()
                    .max_size(settings.db_pool_size)
                    .min_idle(Some(1))
                    .connection_customizer(Box::new(SqlitePragmas {
                        cache_kib: Some(READER_CACHE_KIB),
                        ..pragmas
                    }))
                    .build(manager)
                    .context("opening the SQLite database")?;
                Ok(Self {
                    backend,
                    write_queue: Some(WriteQueue::start(writer.clone())?),
                    writer,
                    reader,
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
            Some(queue) => queue.run(false, f).await,
            None => run(self.writer.clone(), f).await,
        }
    }

    /// As [`Db::write`], for a small write that may share its commit with the
    /// like writes queued beside it (see [`WriteQueue`]): on SQLite it runs in
    /// a savepoint of a group's transaction, so it must not open a
    /// transaction of its own with `BEGIN` (diesel's `transaction` is fine),
    /// and it is answered only once the group is committed.
    pub async fn write_grouped<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        match &self.write_queue {
            Some(queue) => queue.run(true, f).await,
            None => run(self.writer.clone(), f).await,
        }
    }

    /// A read connection for code outside a request (the bench's ceilings).
    pub fn read_blocking(&self) -> anyhow::Result<r2d2::PooledConnection<Manager>> {
        self.reader.get().context("getting a database connection")
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

/// How often [`transaction_retrying_races`] runs its transaction at most.
const RACE_ATTEMPTS: usize = 3;

/// Runs `f` in a transaction, and again when it lost a race to create the
/// same row as a concurrent request (an order by its channel and external
/// reference, an Idempotency-Key): an integration that retries a slow
/// request sends it while the first still runs. On PostgreSQL the loser's
/// insert waits for the winner's commit, then breaks the unique index; run
/// again, it finds the winner's rows and takes the update (or replay) path,
/// as if the two had come one after the other. SQLite runs writes one at a
/// time and never loses such a race. A violation every run meets (not a
/// race) is returned after the last attempt.
pub fn transaction_retrying_races<T>(
    conn: &mut DbConnection,
    mut f: impl FnMut(&mut DbConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut attempt = 1;
    loop {
        match conn.transaction(&mut f) {
            Err(err) if attempt < RACE_ATTEMPTS && err.is_unique_violation() => attempt += 1,
            done => return done,
        }
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

/// Most rows one multi-row insert writes on SQLite (which caps the bind
/// parameters of a statement; 200 rows of the widest table stay far below).
pub const ROWS_PER_INSERT: usize = 200;

/// Runs `$body` with the connection's own backend connection bound to
/// `$c`; the body is compiled once per backend. For statements that one
/// backend's connection must run (a multi-row insert) and for the hot
/// reads: the connection type that covers both renders a statement's SQL
/// again on every run, even when the prepared statement is cached, which
/// for the portal page's join was a tenth of the request's CPU.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match &mut *$conn {
            $crate::db::DbConnection::Pg($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

/// Inserts a slice of rows into a table. On SQLite in multi-row statements
/// of at most [`ROWS_PER_INSERT`] rows; on PostgreSQL in one `COPY … FROM
/// STDIN (FORMAT binary)`: no statement of thousands of parameters to parse
/// and plan per 200 rows, the same constraints, triggers and errors. A
/// macro, because either is built for one backend: the connection type that
/// covers both cannot run one.
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = &$rows[..];
        match &mut *$conn {
            _ if rows.is_empty() => Ok(()),
            $crate::db::DbConnection::Pg(c) => diesel::copy_from($table)
                .from_insertable(rows)
                .execute(c)
                .map(drop),
            $crate::db::DbConnection::Sqlite(c) => rows
                .chunks($crate::db::ROWS_PER_INSERT)
                .try_for_each(|chunk| {
                    diesel::insert_into($table)
                        .values(chunk)
                        .execute(c)
                        .map(drop)
                }),
        }
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

    /// A writer queue over a fresh SQLite file holding a table `t (n)`.
    async fn writer_queue() -> (tempfile::TempDir, super::WriteQueue, super::Pool) {
        use super::{Backend, Manager, WriteQueue};
        use diesel::connection::SimpleConnection;

        let dir = tempfile::tempdir().unwrap();
        let manager = Manager {
            backend: Backend::Sqlite,
            target: dir.path().join("db.sqlite").display().to_string(),
        };
        let pool = diesel::r2d2::Pool::builder()
            .max_size(1)
            .build(manager)
            .unwrap();
        let queue = WriteQueue::start(pool.clone()).unwrap();
        queue
            .run(false, |conn| {
                Ok(conn.batch_execute("CREATE TABLE t (n INTEGER)")?)
            })
            .await
            .unwrap();
        (dir, queue, pool)
    }

    fn job<T>(
        f: impl FnOnce(&mut super::DbConnection) -> Result<T, crate::error::ApiError> + Send + 'static,
    ) -> super::WriteFn<T> {
        Box::new(f)
    }

    /// A queued write (grouped or not) that inserts `n`.
    fn inserting(grouped: bool, n: i32) -> (bool, super::WriteFn<usize>) {
        (grouped, job(move |conn| Ok(insert(conn, n)?)))
    }

    /// A queued write (grouped or not) that panics.
    fn panicking(grouped: bool) -> (bool, super::WriteFn<usize>) {
        (grouped, job(|_| panic!("a write that panics")))
    }

    fn insert(conn: &mut super::DbConnection, n: i32) -> diesel::QueryResult<usize> {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!("INSERT INTO t (n) VALUES ({n})")).execute(conn)
    }

    fn stored(pool: &super::Pool) -> Vec<i32> {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            n: i32,
        }
        let rows: Vec<Row> = diesel::sql_query("SELECT n FROM t ORDER BY rowid")
            .load(&mut *pool.get().unwrap())
            .unwrap();
        rows.into_iter().map(|r| r.n).collect()
    }

    /// Queues `writes` on the writer thread while a first write holds it, so
    /// that they are all waiting when it is free (grouped ones then share a
    /// commit), and returns their answers in order.
    async fn queued_together<T: Send + 'static>(
        queue: &super::WriteQueue,
        writes: Vec<(bool, super::WriteFn<T>)>,
    ) -> Vec<Result<T, crate::error::ApiError>> {
        let (open, gate) = std::sync::mpsc::channel::<()>();
        let holding = tokio::spawn({
            let queue = queue.clone();
            async move { queue.run(false, move |_| Ok(gate.recv().is_ok())).await }
        });
        tokio::task::yield_now().await;
        let answers: Vec<_> = writes
            .into_iter()
            .map(|(grouped, f)| {
                let queue = queue.clone();
                tokio::spawn(async move { queue.run(grouped, f).await })
            })
            .collect();
        tokio::task::yield_now().await;
        open.send(()).unwrap();
        assert!(holding.await.unwrap().unwrap());
        let mut results = Vec::new();
        for answer in answers {
            results.push(answer.await.unwrap());
        }
        results
    }

    /// The writer thread runs writes in the order they arrive, and a write
    /// that panics fails alone: the writes queued behind it still run.
    #[tokio::test]
    async fn sqlite_writes_run_in_order_and_survive_a_panicking_one() {
        let (_dir, queue, pool) = writer_queue().await;
        let writes = vec![inserting(false, 1), panicking(false), inserting(false, 2)];
        let answers = queued_together(&queue, writes).await;
        assert!(answers[0].is_ok() && answers[1].is_err() && answers[2].is_ok());
        assert_eq!(stored(&pool), vec![1, 2]);
    }

    /// Grouped writes queued together share one commit, each in a savepoint:
    /// one that fails is rolled back alone and the others are kept.
    #[tokio::test]
    async fn grouped_sqlite_writes_fail_alone() {
        use diesel::Connection;
        let (_dir, queue, pool) = writer_queue().await;
        let write = |n: i32, fail: bool| -> (bool, super::WriteFn<usize>) {
            (
                true,
                job(move |conn| {
                    conn.transaction(|conn| {
                        insert(conn, n)?;
                        match fail {
                            true => Err(crate::error::ApiError::NotFound),
                            false => Ok(n as usize),
                        }
                    })
                }),
            )
        };
        let answers = queued_together(
            &queue,
            vec![write(1, false), write(2, true), write(3, false)],
        )
        .await;
        assert_eq!(answers[0].as_ref().ok(), Some(&1));
        assert!(matches!(answers[1], Err(crate::error::ApiError::NotFound)));
        assert_eq!(answers[2].as_ref().ok(), Some(&3));
        assert_eq!(stored(&pool), vec![1, 3]);
    }

    /// A grouped write that panics takes its group down uncommitted (none of
    /// its callers was answered with success), and the writer goes on.
    #[tokio::test]
    async fn a_panic_in_a_group_keeps_nothing_of_it() {
        let (_dir, queue, pool) = writer_queue().await;
        let writes = vec![inserting(true, 1), panicking(true), inserting(true, 2)];
        let answers = queued_together(&queue, writes).await;
        assert!(answers.iter().all(Result::is_err));
        assert_eq!(stored(&pool), Vec::<i32>::new());
        let after = queued_together(&queue, vec![inserting(true, 4)]).await;
        assert!(after[0].is_ok());
        assert_eq!(stored(&pool), vec![4]);
    }

    #[test]
    fn search_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("50%_OFF"), "%50\\%\\_off%");
        assert_eq!(contains_pattern("a\\b"), "%a\\\\b%");
    }
}
