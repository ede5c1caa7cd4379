//! Opening the pool and running migrations for either backend.

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::Executor;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

use super::{Backend, Db};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL scheme in {0:?}: use sqlite:// or postgres://")]
    Scheme(String),
    #[error("cannot create the database directory {path}: {source}")]
    Dir { path: String, source: std::io::Error },
    #[error("cannot open the database: {0}")]
    Open(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Connects to `url`, creating a SQLite file (and its directory) when
/// missing, and brings the schema up to date when `migrate` is set.
pub async fn connect(url: &str, max_connections: u32, migrate: bool) -> Result<Db, ConnectError> {
    sqlx::any::install_default_drivers();
    let backend = backend_of(url)?;
    let mut url = url.to_owned();
    if backend == Backend::Sqlite {
        url = prepare_sqlite(&url)?;
    }
    let options = AnyConnectOptions::from_str(&url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the one writer; the busy
                    // timeout makes writers queue instead of failing.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    let writer = (backend == Backend::Sqlite).then(|| std::sync::Arc::new(tokio::sync::Mutex::new(())));
    let db = Db { pool, backend, writer };
    if migrate {
        run_migrations(&db).await?;
    }
    Ok(db)
}

/// Applies every pending migration of the backend's tree.
pub async fn run_migrations(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    match db.backend {
        Backend::Sqlite => SQLITE_MIGRATIONS.run(&db.pool).await,
        Backend::Postgres => POSTGRES_MIGRATIONS.run(&db.pool).await,
    }
}

fn backend_of(url: &str) -> Result<Backend, ConnectError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(ConnectError::Scheme(url.split(':').next().unwrap_or_default().to_owned()))
    }
}

/// Makes sure the file's directory exists and that SQLite may create the file.
fn prepare_sqlite(url: &str) -> Result<String, ConnectError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_owned());
    }
    if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ConnectError::Dir { path: dir.display().to_string(), source })?;
    }
    Ok(if rest.contains("mode=") {
        url.to_owned()
    } else if rest.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_selects_backend() {
        assert_eq!(backend_of("sqlite://data/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert!(matches!(backend_of("mysql://h/db"), Err(ConnectError::Scheme(s)) if s == "mysql"));
    }

    #[test]
    fn sqlite_url_gets_create_mode() {
        let dir = std::env::temp_dir().join(format!("tidings-url-{}", std::process::id()));
        let url = format!("sqlite://{}/a.db", dir.display());
        assert_eq!(prepare_sqlite(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.is_dir());
        assert_eq!(prepare_sqlite("sqlite::memory:").unwrap(), "sqlite::memory:");
    }
}
