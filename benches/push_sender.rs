//! Push sender benchmark: encrypted pushes per second per core, and CPU
//! time per push, to a local endpoint that accepts everything (run in a
//! child process so its CPU is not counted).
//!
//!     cargo bench --bench push_sender -- [--pushes 50000] [--concurrency 256]
//!
//! Writes the figures into BENCHMARKS.md.

use std::sync::Arc;

use futures_util::StreamExt;
use std::time::Instant;

use app::push::encrypt::encrypt;
use app::push::jwt::VapidSigner;
use app::push::sender::{Outcome, Push, Sender, SenderConfig, Urgency};
use app::push::vapid::VapidKeys;
use ring::agreement::{ECDH_P256, EphemeralPrivateKey};
use ring::rand::SystemRandom;

mod support;

use support::{arg, own_cpu_secs, write_section};

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--sink") {
        return sink();
    }
    let pushes: usize = arg("--pushes", 50_000);
    let concurrency: usize = arg("--concurrency", 256);

    // A browser's keys (the receiving side only needs to exist).
    let rng = SystemRandom::new();
    let ua_private = EphemeralPrivateKey::generate(&ECDH_P256, &rng).map_err(|_| anyhow::anyhow!("keygen"))?;
    let ua_public = ua_private.compute_public_key().map_err(|_| anyhow::anyhow!("pubkey"))?.as_ref().to_vec();
    let auth = [7u8; 16];
    let auth: &'static [u8; 16] = Box::leak(Box::new(auth));
    let payload = br#"{"title":"alice","body":"Are you coming tonight? Bring the charger","url":"/c/1","conversation_id":1,"message_id":42,"tag":"conversation-1","unread":3}"#;

    // 1. Encryption alone, one core.
    let n = 20_000;
    let cpu = own_cpu_secs();
    let started = Instant::now();
    for _ in 0..n {
        std::hint::black_box(encrypt(payload, &ua_public, auth, &rng).map_err(|e| anyhow::anyhow!("{e}"))?);
    }
    let encrypt_us = started.elapsed().as_secs_f64() * 1e6 / n as f64;
    let encrypt_cpu_us = (own_cpu_secs() - cpu) * 1e6 / n as f64;
    println!("encrypt: {encrypt_us:.1} µs per push (CPU {encrypt_cpu_us:.1} µs)");

    // 2. Whole sends over HTTP/1.1 keep-alive to the sink, on one thread.
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .arg("--sink")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().expect("sink stdout")), &mut line)?;
    let endpoint = format!("http://{}/push/bench", line.trim());

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let signer = VapidSigner::new(VapidKeys::generate_for_tests(), "mailto:bench@example.org".into());
    let sender = Arc::new(Sender::new(
        signer,
        SenderConfig { ttl: std::time::Duration::from_secs(86_400), allow_private: true, per_origin: concurrency },
    )?);
    let (accepted, secs, cpu_secs) = runtime.block_on(async {
        // Warm the connection pool and the JWT cache.
        for _ in 0..concurrency {
            send_one(&sender, &endpoint, &ua_public, auth, payload).await;
        }
        // Like the queue's workers: many sends in flight on one task, no
        // task spawned per push.
        let cpu = own_cpu_secs();
        let started = Instant::now();
        let accepted: usize = futures_util::stream::iter(0..pushes)
            .map(|_| send_one(&sender, &endpoint, &ua_public, auth, payload))
            .buffer_unordered(concurrency)
            .fold(0usize, |n, ok| async move { n + usize::from(ok) })
            .await;
        (accepted, started.elapsed().as_secs_f64(), own_cpu_secs() - cpu)
    });
    let _ = child.kill();
    let per_sec = pushes as f64 / secs;
    let per_core = pushes as f64 / cpu_secs.max(1e-9);
    let cpu_us = cpu_secs * 1e6 / pushes as f64;
    println!(
        "send: {accepted}/{pushes} accepted in {secs:.2} s: {per_sec:.0} pushes/s on one thread, CPU {cpu_us:.1} µs per push = {per_core:.0} pushes/s per core"
    );

    let report = format!(
        "Command: `cargo bench --bench push_sender -- --pushes {pushes} --concurrency {concurrency}`\n\n\
         | measure | result | target |\n| --- | --- | --- |\n\
         | RFC 8291 encryption alone (ECDH + HKDF + AES-128-GCM, ring) | {encrypt_us:.1} µs per push | |\n\
         | encrypted pushes sent (HTTP/1.1 keep-alive, one thread, cached VAPID JWT) | {per_sec:.0} pushes/s | |\n\
         | sender CPU per push | {cpu_us:.1} µs | |\n\
         | encrypted pushes per core (pushes ÷ sender CPU seconds) | **{per_core:.0}** | ≥ 12,000 |\n\
         | accepted by the endpoint | {accepted} of {pushes} | all |\n\n\
         The endpoint runs in a child process that answers 201 without decrypting, so its CPU is not counted.\n"
    );
    write_section("Push sender", &report)?;
    Ok(())
}

async fn send_one(sender: &Sender, endpoint: &str, ua_public: &[u8], auth: &[u8], payload: &[u8]) -> bool {
    let push = Push { endpoint, p256dh: ua_public, auth, payload, urgency: Urgency::High, topic: Some("conv-1") };
    matches!(sender.send(push).await, Outcome::Accepted(_))
}

/// The endpoint: accepts every push with 201, prints its address first.
fn sink() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("{}", listener.local_addr()?);
        let app =
            axum::Router::new().route("/push/{id}", axum::routing::post(|| async { axum::http::StatusCode::CREATED }));
        axum::serve(listener, app).await?;
        Ok(())
    })
}
