//! The database handle: one `sqlx::AnyPool` over SQLite (embedded default) or
//! PostgreSQL (scale-out), chosen by the URL scheme.
//!
//! Queries are written once in the dialect both engines accept (`$1`
//! placeholders, `RETURNING`, `ON CONFLICT`, BIGINT millisecond times); the
//! few places that must differ ask [`Db::backend`].

mod connect;

pub use connect::{ConnectError, connect};

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::AnyConnection;
use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Which engine sits behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A cloneable handle to the connection pool.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time. Queuing writers here, in order,
    /// beats letting them collide in SQLite's busy handler, which sleeps
    /// and retries (milliseconds of latency and needless wake-ups).
    writer: Option<Arc<Mutex<()>>>,
}

/// A write transaction; on SQLite it also holds the writer slot.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl Db {
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that will write. On SQLite it first waits for
    /// the writer slot, then takes the write lock up front (`BEGIN
    /// IMMEDIATE`) so the transaction cannot fail on lock upgrade.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let writer = match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _writer: writer })
    }

    /// Cheap liveness probe for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `$from, $from+1, …` — numbered placeholders, which both engines accept
/// (sqlx's `QueryBuilder` writes `?` for the Any driver, which PostgreSQL rejects).
pub fn placeholders(from: usize, count: usize) -> String {
    (from..from + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// Milliseconds since the Unix epoch: the time format of every column.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}
