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
#[path = "../tests/common/tls.rs"]
mod tls;

// The allocator the server binary uses (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

    // 2. Whole sends to the sink, on one thread: plain HTTP/1.1 keep-alive,
    // then TLS with HTTP/2 by ALPN (what real push services offer).
    let plain = measure(false, pushes, concurrency, &ua_public, auth, payload)?;
    let tls = measure(true, pushes, concurrency, &ua_public, auth, payload)?;

    let row = |name: &str, m: &Measured| {
        format!(
            "| {name}: pushes sent on one thread | {:.0} pushes/s | |\n\
             | {name}: sender CPU per push | {:.1} µs | |\n\
             | {name}: encrypted pushes per core (pushes ÷ sender CPU seconds) | **{:.0}** | ≥ 12,000 |\n\
             | {name}: accepted by the endpoint | {} of {pushes} | all |\n",
            m.per_sec, m.cpu_us, m.per_core, m.accepted
        )
    };
    let report = format!(
        "Command: `cargo bench --bench push_sender -- --pushes {pushes} --concurrency {concurrency}`\n\n\
         | measure | result | target |\n| --- | --- | --- |\n\
         | RFC 8291 encryption alone (ECDH + HKDF + AES-128-GCM, ring) | {encrypt_us:.1} µs per push | |\n\
         {}{}\n\
         Cached VAPID JWT, {concurrency} pushes in flight. The endpoint runs in a child process that answers 201 \
         without decrypting, so its CPU is not counted.\n",
        row("HTTP/1.1, plain", &plain),
        row("HTTP/2 over TLS", &tls),
    );
    write_section("Push sender", &report)?;
    Ok(())
}

struct Measured {
    accepted: usize,
    per_sec: f64,
    cpu_us: f64,
    per_core: f64,
}

fn measure(
    tls: bool,
    pushes: usize,
    concurrency: usize,
    ua_public: &[u8],
    auth: &[u8],
    payload: &[u8],
) -> anyhow::Result<Measured> {
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.arg("--sink");
    if tls {
        command.arg("--tls");
    }
    let mut child = command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn()?;
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().expect("sink stdout")), &mut line)?;
    let mut words = line.split_whitespace();
    let addr = words.next().unwrap_or_default().to_owned();
    let extra_roots: Vec<Vec<u8>> = words.next().map(decode_hex).into_iter().collect();
    let endpoint = format!("{}://{addr}/push/bench", if tls { "https" } else { "http" });

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let signer = VapidSigner::new(VapidKeys::generate_for_tests(), "mailto:bench@example.org".into());
    let config = SenderConfig {
        ttl: std::time::Duration::from_secs(86_400),
        allow_private: true,
        per_origin: concurrency,
        extra_roots,
    };
    let sender = Arc::new(Sender::new(signer, config)?);
    let (accepted, secs, cpu_secs) = runtime.block_on(async {
        // Warm the connection pool and the JWT cache.
        futures_util::stream::iter(0..concurrency)
            .for_each_concurrent(concurrency, |_| async {
                send_one(&sender, &endpoint, ua_public, auth, payload).await;
            })
            .await;
        // Like the queue's workers: many sends in flight on one task, no
        // task spawned per push.
        let cpu = own_cpu_secs();
        let started = Instant::now();
        let accepted: usize = futures_util::stream::iter(0..pushes)
            .map(|_| send_one(&sender, &endpoint, ua_public, auth, payload))
            .buffer_unordered(concurrency)
            .fold(0usize, |n, ok| async move { n + usize::from(ok) })
            .await;
        (accepted, started.elapsed().as_secs_f64(), own_cpu_secs() - cpu)
    });
    let _ = child.kill();
    let measured = Measured {
        accepted,
        per_sec: pushes as f64 / secs,
        cpu_us: cpu_secs * 1e6 / pushes as f64,
        per_core: pushes as f64 / cpu_secs.max(1e-9),
    };
    println!(
        "send ({}): {accepted}/{pushes} accepted in {secs:.2} s: {:.0} pushes/s on one thread, CPU {:.1} µs per push = {:.0} pushes/s per core",
        if tls { "HTTP/2 over TLS" } else { "HTTP/1.1" },
        measured.per_sec,
        measured.cpu_us,
        measured.per_core
    );
    Ok(measured)
}

fn decode_hex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect()
}

async fn send_one(sender: &Sender, endpoint: &str, ua_public: &[u8], auth: &[u8], payload: &[u8]) -> bool {
    let push = Push { endpoint, p256dh: ua_public, auth, payload, urgency: Urgency::High, topic: Some("conv-1") };
    match sender.send(push).await {
        Outcome::Accepted(_) => true,
        other => {
            // A few lines are enough to see why; the count is in the report.
            static SHOWN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            if SHOWN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 3 {
                eprintln!("not accepted: {other:?}");
            }
            false
        }
    }
}

/// The endpoint: accepts every push with 201. Prints its address first,
/// and with `--tls` the hex DER of its self-signed certificate.
fn sink() -> anyhow::Result<()> {
    let tls = std::env::args().any(|a| a == "--tls");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        // Reads each body, as a push service does (over HTTP/2, a stream
        // answered before its body is read gets reset, and the h2 server
        // closes connections that collect many resets).
        let accept = |_body: axum::body::Bytes| async { axum::http::StatusCode::CREATED };
        let app = axum::Router::new().route("/push/{id}", axum::routing::post(accept));
        if !tls {
            println!("{}", listener.local_addr()?);
            axum::serve(listener, app).await?;
            return Ok(());
        }
        let addr = listener.local_addr()?;
        let der = tls::serve_tls(listener, app);
        let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
        println!("{addr} {hex}");
        std::future::pending::<anyhow::Result<()>>().await
    })
}
