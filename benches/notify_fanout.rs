//! Notification fan-out benchmark: one notification from a `notify:any`
//! token to 10,000 people, each with one subscribed device. Measures the
//! time to store every inbox row and queue every push (the POST's answer),
//! then the time until a local push service has accepted every push. The
//! floor, in the same run: the same pushes sent by the push sender alone
//! (no queue, no database) at the queue's concurrency to one push service.
//!
//!     cargo bench --bench notify_fanout -- [--recipients 10000]
//!
//! The server is the release `tidings` binary over a fresh SQLite file; the
//! push service is a child process that counts what it accepts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use futures_util::StreamExt;
use ring::agreement::{ECDH_P256, EphemeralPrivateKey};
use ring::rand::SystemRandom;
use serde_json::{Value, json};

use app::push::jwt::VapidSigner;
use app::push::sender::{Outcome, Push, Sender, SenderConfig, Urgency};
use app::push::vapid::VapidKeys;

mod support;

use support::{ChildServer, arg, write_section};

/// What the server sends at once to one push service (`TIDINGS_PUSH_WORKERS`
/// 4 × 16 slots, three quarters of them for one destination).
const CONCURRENCY: usize = 48;

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--sink") {
        return sink();
    }
    let recipients: usize = arg("--recipients", 10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(recipients))
}

async fn run(recipients: usize) -> anyhow::Result<()> {
    app::push::sender::install_crypto_provider();
    let (mut sink, sink_base) = start_sink()?;
    let http = reqwest::Client::new();
    let env = [("TIDINGS_PUSH_ALLOW_PRIVATE", "1".to_owned()), ("TIDINGS_ADMINS", "ops".to_owned())];
    let server = ChildServer::start_with_env(&env).await?;
    let ops = server.user(&http, "ops").await?;
    let token: Value = http
        .post(server.url("/api/v1/auth/tokens"))
        .bearer_auth(&ops)
        .json(&json!({"name": "announcer", "scopes": ["notify:any"]}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let announcer = token["token"].as_str().unwrap_or_default().to_owned();
    let (p256dh, auth) = browser_keys()?;
    let names = seed(&server.database_url(), recipients, &sink_base, &p256dh, &auth).await?;
    println!("seeded {recipients} people with a device each");

    let before = count(&http, &sink_base).await?;
    let started = Instant::now();
    let response = http
        .post(server.url("/api/v1/notifications"))
        .bearer_auth(&announcer)
        .json(&json!({"to": names, "title": "Feeding due", "body": "Bottle at 14:00", "kind": "app.feeder"}))
        .send()
        .await?;
    let status = response.status();
    let stored = started.elapsed().as_secs_f64();
    anyhow::ensure!(status == 201, "publish answered {status}: {}", response.text().await?);
    println!("stored {recipients} notifications and queued their pushes in {stored:.3} s");
    let mut accepted = 0;
    while started.elapsed() < Duration::from_secs(600) {
        accepted = count(&http, &sink_base).await? - before;
        if accepted >= recipients as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pushed = started.elapsed().as_secs_f64();
    let rate = accepted as f64 / pushed;
    println!("{accepted} pushes accepted {pushed:.2} s after the request: {rate:.0} pushes/s");
    server.stop().await;

    let floor = sender_floor(recipients, &sink_base, &p256dh, &auth).await?;
    println!("floor: the sender alone, {CONCURRENCY} in flight: {floor:.0} pushes/s");
    let _ = sink.kill();

    let report = format!(
        "Command: `cargo bench --bench notify_fanout -- --recipients {recipients}`\n\n\
         | measure | result | target |\n| --- | --- | --- |\n\
         | one notification to {recipients} people (`notify:any`): every inbox row stored and every push queued (the POST's answer) | **{stored:.2} s** | < 1 s on SQLite |\n\
         | until the push service accepted every push | {pushed:.2} s ({accepted} of {recipients}) | |\n\
         | pushes per second, end to end | {rate:.0} | limited by the sender |\n\
         | floor: the push sender alone (no queue, no database), {CONCURRENCY} in flight, same push service | {floor:.0} pushes/s | |\n\
         | end to end ÷ floor | **{:.2}** | close to 1 |\n\n\
         Each person has one device on a local push service (plain HTTP, a child process that counts what it \
         accepts); the server is the release binary over a fresh SQLite file, with its default {CONCURRENCY} \
         sends in flight to one push service.\n",
        rate / floor
    );
    write_section("Notification fan-out", &report)?;
    Ok(())
}

/// Inserts people and their devices straight into the database: signing
/// up 10,000 people through the API would time argon2, not notifications.
async fn seed(url: &str, n: usize, sink: &str, p256dh: &str, auth: &str) -> anyhow::Result<Vec<String>> {
    let db = app::db::connect(url, 2, false).await?;
    let now = app::db::now_ms();
    let names: Vec<String> = (0..n).map(|i| format!("person{i}")).collect();
    for chunk in names.chunks(500) {
        let mut tx = db.begin_write().await?;
        for name in chunk {
            let row = sqlx::query(
                "INSERT INTO users (username, password_hash, created_at) VALUES ($1, 'x', $2) RETURNING id",
            )
            .bind(name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = sqlx::Row::try_get(&row, "id")?;
            sqlx::query(
                "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at, origin) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(format!("{sink}/push/{name}"))
            .bind(p256dh)
            .bind(auth)
            .bind(now)
            .bind(sink)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    db.close().await;
    Ok(names)
}

/// A browser's subscription keys (only their public half is used).
fn browser_keys() -> anyhow::Result<(String, String)> {
    let rng = SystemRandom::new();
    let private = EphemeralPrivateKey::generate(&ECDH_P256, &rng).map_err(|_| anyhow::anyhow!("keygen"))?;
    let public = private.compute_public_key().map_err(|_| anyhow::anyhow!("public key"))?;
    Ok((B64.encode(public.as_ref()), B64.encode([7u8; 16])))
}

async fn sender_floor(n: usize, sink: &str, p256dh: &str, auth: &str) -> anyhow::Result<f64> {
    let (p256dh, auth) = (B64.decode(p256dh)?, B64.decode(auth)?);
    let signer = VapidSigner::new(VapidKeys::generate_for_tests(), "mailto:bench@example.org".into());
    let config = SenderConfig {
        ttl: Duration::from_secs(86_400),
        allow_private: true,
        per_origin: CONCURRENCY,
        extra_roots: Vec::new(),
    };
    let sender = Arc::new(Sender::new(signer, config)?);
    let payload =
        br#"{"title":"Feeding due","body":"Bottle at 14:00","url":"/notifications","tag":"notification-1","unread":1}"#;
    let endpoint = format!("{sink}/push/floor");
    let send = |_| {
        let sender = sender.clone();
        let (endpoint, p256dh, auth) = (endpoint.clone(), p256dh.clone(), auth.clone());
        async move {
            let push = Push {
                endpoint: &endpoint,
                p256dh: &p256dh,
                auth: &auth,
                payload,
                urgency: Urgency::Normal,
                topic: None,
            };
            matches!(sender.send(push).await, Outcome::Accepted(_))
        }
    };
    let started = Instant::now();
    let accepted = futures_util::stream::iter(0..n)
        .map(send)
        .buffer_unordered(CONCURRENCY)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await;
    anyhow::ensure!(accepted == n, "the floor had {accepted} of {n} accepted");
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

async fn count(http: &reqwest::Client, sink: &str) -> anyhow::Result<u64> {
    Ok(http.get(format!("{sink}/count")).send().await?.text().await?.trim().parse()?)
}

fn start_sink() -> anyhow::Result<(std::process::Child, String)> {
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .arg("--sink")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().expect("sink stdout")), &mut line)?;
    Ok((child, format!("http://{}", line.trim())))
}

/// The push service: accepts every push with 201 and counts them. Prints
/// its address first.
fn sink() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let accepted = Arc::new(AtomicU64::new(0));
        let counter = accepted.clone();
        let app = axum::Router::new()
            .route(
                "/push/{id}",
                axum::routing::post(move |_body: axum::body::Bytes| {
                    counter.fetch_add(1, Ordering::Relaxed);
                    async { axum::http::StatusCode::CREATED }
                }),
            )
            .route("/count", axum::routing::get(move || async move { accepted.load(Ordering::Relaxed).to_string() }));
        println!("{}", listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}
