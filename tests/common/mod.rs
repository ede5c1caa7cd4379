//! Test harness: the real server on a port-0 listener over a fresh database
//! (a SQLite file in a temp dir, or a PostgreSQL schema of its own).

#![allow(dead_code)]

pub mod binary;
pub mod notify;
pub mod push_service;
pub mod tls;
pub mod webhook;
pub mod ws;

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tidings::config::Config;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per backend for each listed `async fn(Backend)`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::common::bounded(stringify!($name), super::$name($crate::common::Backend::Sqlite)).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if $crate::common::postgres_url().is_some() {
                    $crate::common::bounded(stringify!($name), super::$name($crate::common::Backend::Postgres)).await
                }
            })*
        }
    };
}

/// The most one test may take; generous, since a cold, loaded CI machine is slow.
pub const TEST_LIMIT: Duration = Duration::from_secs(180);

/// Runs a test body, failing it if it outlives [`TEST_LIMIT`], so a hang
/// names its test instead of stalling the whole suite.
pub async fn bounded(name: &str, test: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(TEST_LIMIT, test).await.is_err() {
        panic!("{name} did not finish within {TEST_LIMIT:?}");
    }
}

/// Awaits one step of the harness, naming it if it hangs.
async fn step<T>(what: &str, limit: Duration, fut: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(limit, fut).await {
        Ok(value) => value,
        Err(_) => panic!("test harness: {what} did not finish within {limit:?}"),
    }
}

/// The Postgres server for tests, or `None` after saying the Postgres
/// variant is skipped.
pub fn postgres_url() -> Option<String> {
    service_url("TIDINGS_TEST_POSTGRES_URL", "PostgreSQL variant", "postgres://postgres@127.0.0.1:5432/test")
}

/// The Redis server for tests, or `None` after saying the test is skipped.
pub fn redis_url() -> Option<String> {
    service_url("TIDINGS_TEST_REDIS_URL", "Redis multi-node test", "redis://127.0.0.1:6379")
}

/// A test service's URL from `var`. The skip notice bypasses the test
/// harness's output capture so it is always seen.
fn service_url(var: &str, what: &str, example: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let _ = writeln!(std::io::stderr().lock(), "skipped: {what} (set {var}={example} to run it)");
            None
        }
    }
}

/// A fresh, empty database URL for one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

static SEQ: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/tidings.db", dir.path().display());
                Self { url, _dir: Some(dir), pg_schema: None }
            }
            Backend::Postgres => {
                let base = postgres_url().expect("postgres tests need TIDINGS_TEST_POSTGRES_URL");
                let schema = format!(
                    "t_{}_{}_{}",
                    std::process::id(),
                    SEQ.fetch_add(1, Ordering::Relaxed),
                    uuid::Uuid::new_v4().simple().to_string().get(..8).unwrap_or_default()
                );
                step("CREATE SCHEMA", Duration::from_secs(60), admin(&base, &format!("CREATE SCHEMA {schema}"))).await;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
                Self { url, _dir: None, pg_schema: Some((base, schema)) }
            }
        }
    }

    /// The same database for a second server (the first one cleans up).
    pub fn share(&self) -> TestDb {
        TestDb { url: self.url.clone(), _dir: None, pg_schema: None }
    }

    /// Drops the Postgres schema (SQLite files go with the temp dir).
    pub async fn cleanup(&self) {
        if let Some((base, schema)) = &self.pg_schema {
            let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            step("DROP SCHEMA", Duration::from_secs(60), admin(base, &sql)).await;
        }
    }
}

async fn admin(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to TIDINGS_TEST_POSTGRES_URL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await.expect(sql);
}

/// A running server.
pub struct TestServer {
    pub base: String,
    /// Where `/metrics` is served (its own listener, as in production).
    pub metrics: String,
    pub db: TestDb,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts with a default test config that `tweak` may adjust.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::new(backend).await;
        Self::start_on(db, tweak).await
    }

    /// Starts on an existing database (e.g. to restart over the same data).
    pub async fn start_on(db: TestDb, tweak: impl FnOnce(&mut Config)) -> Self {
        app::push::sender::install_crypto_provider();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        // A free port for the metrics listener (the server binds it itself).
        let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let mut config = Config {
            metrics_addr: Some(metrics_addr),
            addr,
            database_url: db.url.clone(),
            public_url: format!("http://{addr}"),
            db_max_connections: 8,
            auth_rate: app::rate_limit::Limit { burst: 1000, per_minute: 1000 },
            send_rate: app::rate_limit::Limit { burst: 1000, per_minute: 6000 },
            ..Config::default()
        };
        tweak(&mut config);
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(tidings::server::launch(config, listener, async {
            let _ = rx.await;
        }));
        let mut server = Self {
            base: format!("http://{addr}"),
            metrics: format!("http://{metrics_addr}/metrics"),
            db,
            shutdown: Some(tx),
            handle: Some(handle),
        };
        server.wait_healthy().await;
        server
    }

    /// Waits for `/healthz`. Generous: on a loaded CI machine, fifteen
    /// servers migrating fresh PostgreSQL schemas at once took over 5 s
    /// (CI run of d3ae55f). A server that exits says why.
    async fn wait_healthy(&mut self) {
        let client = reqwest::Client::new();
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(r) = client.get(self.url("/healthz")).send().await
                && r.status().is_success()
            {
                return;
            }
            if self.handle.as_ref().is_some_and(|h| h.is_finished()) {
                let exit = self.handle.take().expect("checked").await;
                panic!("the server exited while starting: {exit:?}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("server did not become healthy within 60 s");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Graceful shutdown; returns the database for a restart.
    pub async fn stop(mut self) -> TestDb {
        self.halt().await;

        std::mem::replace(&mut self.db, TestDb { url: String::new(), _dir: None, pg_schema: None })
    }

    async fn halt(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            step("server shutdown", Duration::from_secs(60), handle)
                .await
                .expect("server task")
                .expect("server exited cleanly");
        }
    }

    /// Stops the server and deletes its database.
    pub async fn finish(mut self) {
        self.halt().await;
        self.db.cleanup().await;
    }
}

/// A client with its own cookie jar, like one browser.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().unwrap()
}

/// Registers `username` and returns a bearer token for it.
pub async fn signup(server: &TestServer, username: &str) -> String {
    let client = reqwest::Client::new();
    let body = serde_json::json!({"username": username, "password": "correct horse"});
    let r = client.post(server.url("/api/v1/auth/register")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201, "register {username}");
    let r = client.post(server.url("/api/v1/auth/login")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200, "login {username}");
    r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

/// A JSON API client for one bearer token.
pub struct Api<'a> {
    pub server: &'a TestServer,
    pub token: String,
    client: reqwest::Client,
}

impl<'a> Api<'a> {
    /// A client without credentials yet (fill `token`).
    pub fn new(server: &'a TestServer) -> Self {
        Self::with_token(server, "")
    }

    pub fn with_token(server: &'a TestServer, token: &str) -> Self {
        Self { server, token: token.to_owned(), client: reqwest::Client::new() }
    }

    pub async fn signup(server: &'a TestServer, username: &str) -> Self {
        let token = signup(server, username).await;
        Self { server, token, client: reqwest::Client::new() }
    }

    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.client.get(self.server.url(path)).bearer_auth(&self.token).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self.client.post(self.server.url(path)).bearer_auth(&self.token).json(&body).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn put(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self.client.put(self.server.url(path)).bearer_auth(&self.token).json(&body).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn patch(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self.client.patch(self.server.url(path)).bearer_auth(&self.token).json(&body).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn delete(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.client.delete(self.server.url(path)).bearer_auth(&self.token).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Starts (or finds) a conversation and returns its id.
    pub async fn conversation_with(&self, members: &[&str]) -> i64 {
        let (status, body) = self.post("/api/v1/conversations", serde_json::json!({"members": members})).await;
        assert!(status == 200 || status == 201, "{status} {body}");
        body["id"].as_i64().unwrap()
    }

    /// Starts a direct conversation with each of them, so that they may be
    /// put in this person's groups (strangers may not).
    pub async fn know(&self, people: &[&str]) {
        for person in people {
            self.conversation_with(&[person]).await;
        }
    }

    /// The newest page of a conversation's history, oldest first.
    pub async fn history(&self, conversation: i64) -> Vec<serde_json::Value> {
        let (status, page) = self.get(&format!("/api/v1/conversations/{conversation}/messages")).await;
        assert_eq!(status, 200, "{page}");
        page.as_array().unwrap().clone()
    }

    /// Sends a message with a fresh client id; returns it.
    pub async fn say(&self, conversation: i64, body: &str) -> serde_json::Value {
        let client_id = uuid::Uuid::new_v4().to_string();
        let (status, message) = self
            .post(
                &format!("/api/v1/conversations/{conversation}/messages"),
                serde_json::json!({"client_id": client_id, "body": body}),
            )
            .await;
        assert_eq!(status, 201, "{message}");
        message
    }
}
