//! WebSocket fan-out benchmark: idle sockets held (and their memory), then
//! messages/s and send-to-receive latency into a 100-member room.
//!
//!     cargo bench --bench ws_fanout -- [--idle 10000] [--room 100] [--rate 1000] [--seconds 10]
//!
//! Runs the real `tidings` binary as a child process (so its RSS is the
//! server's alone) over a fresh SQLite database, drives it from this process,
//! and writes the figures into BENCHMARKS.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

mod support;

use support::{ChildServer, arg, write_section};

// One thread: the load generator must not add cross-thread wake-ups of its own.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let idle: usize = arg("--idle", 10_000);
    let room: usize = arg("--room", 100);
    let rate: u64 = arg("--rate", 1000);
    let seconds: u64 = arg("--seconds", 10);

    let workers: String = arg("--server-workers", String::from("2"));
    let server = ChildServer::start_with_env(&[("TIDINGS_WORKER_THREADS", workers.clone())]).await?;
    let http = reqwest::Client::new();
    println!("registering {room} users…");
    let mut tokens = Vec::new();
    for i in 0..room {
        tokens.push(server.user(&http, &format!("member{i}")).await?);
    }
    let idler = server.user(&http, "idler").await?;
    let names: Vec<String> = (1..room).map(|i| format!("member{i}")).collect();
    let group: Value = http
        .post(server.url("/api/v1/conversations"))
        .bearer_auth(&tokens[0])
        .json(&json!({"members": names, "title": "bench"}))
        .send()
        .await?
        .json()
        .await?;
    let conversation = group["id"].as_i64().expect("group id");

    // 1. Idle sockets.
    let rss_before = server.rss_kb()?;
    let started = Instant::now();
    let mut idle_sockets = Vec::with_capacity(idle);
    for _ in 0..idle {
        idle_sockets.push(connect(&server.ws_url(), &idler).await?);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = server.rss_kb()?;
    let per_socket_kb = (rss_after.saturating_sub(rss_before)) as f64 / idle as f64;
    println!(
        "{idle} idle sockets in {:.1} s: RSS {rss_before} → {rss_after} KB, {per_socket_kb:.1} KB per socket",
        started.elapsed().as_secs_f64()
    );

    // 2. Fan-out into the room: every member has one socket; messages carry
    // their send time, receivers record the latency.
    let epoch = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::<u64>::with_capacity((rate * seconds) as usize * room)));
    let received = Arc::new(AtomicU64::new(0));
    let mut senders = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let ws = connect(&server.ws_url(), token).await?;
        let (sink, mut stream) = ws.split();
        if i < 4 {
            senders.push(sink);
        }
        let (latencies, received) = (latencies.clone(), received.clone());
        tokio::spawn(async move {
            while let Some(Ok(frame)) = stream.next().await {
                let Message::Text(text) = frame else { continue };
                if !text.starts_with("{\"type\":\"message\"") {
                    continue;
                }
                // Cheap extraction: the bench must not be the bottleneck.
                let sent = text.split("\"body\":\"t=").nth(1).and_then(|rest| rest.split('"').next());
                if let Some(sent_us) = sent.and_then(|t| t.parse::<u64>().ok()) {
                    let latency = epoch.elapsed().as_micros() as u64 - sent_us;
                    latencies.lock().expect("latency lock").push(latency);
                    received.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await; // past the resume grace

    let server_cpu_before = server.cpu_secs()?;
    let bench_cpu_before = support::own_cpu_secs();
    let total = rate * seconds;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let send_started = Instant::now();
    let mut next = tokio::time::Instant::now();
    for n in 0..total {
        next += interval;
        tokio::time::sleep_until(next).await;
        let body = format!("t={}", epoch.elapsed().as_micros());
        let frame =
            json!({"type": "send", "conversation_id": conversation, "client_id": uuid::Uuid::new_v4(), "body": body});
        let which = (n % senders.len() as u64) as usize;
        senders[which].send(Message::Text(frame.to_string().into())).await?;
    }
    let send_secs = send_started.elapsed().as_secs_f64();
    let expected = total * room as u64;
    let deadline = Instant::now() + Duration::from_secs(15);
    while received.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivered = received.load(Ordering::Relaxed);
    let drain_secs = send_started.elapsed().as_secs_f64();
    let server_cpu = server.cpu_secs()? - server_cpu_before;
    let bench_cpu = support::own_cpu_secs() - bench_cpu_before;
    println!("CPU during fan-out: server {server_cpu:.1} s, bench client {bench_cpu:.1} s over {drain_secs:.1} s wall");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut lat = latencies.lock().expect("latency lock").clone();
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1))).copied().unwrap_or(0) as f64
            / 1000.0
    };
    let (p50, p99, max) = (pct(0.50), pct(0.99), pct(1.0));
    println!(
        "room of {room}: sent {total} messages in {send_secs:.1} s ({:.0} msg/s), delivered {delivered}/{expected} frames \
         ({:.0} frames/s), latency p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms",
        total as f64 / send_secs,
        delivered as f64 / drain_secs
    );
    let rss_end = server.rss_kb()?;
    drop(idle_sockets);

    let report = format!(
        "Command: `cargo bench --bench ws_fanout -- --idle {idle} --room {room} --rate {rate} --seconds {seconds}`\n\n\
         | measure | result | target |\n| --- | --- | --- |\n\
         | idle sockets held | {idle} | 10,000 |\n\
         | server RSS per idle socket | {per_socket_kb:.1} KB ({rss_before} → {rss_after} KB) | ≤ 20 KB |\n\
         | messages sent into a {room}-member room | {:.0} msg/s for {seconds} s | 1,000 msg/s |\n\
         | frames delivered | {delivered} of {expected} ({:.0} frames/s) | all |\n\
         | send → receive latency p50 | {p50:.1} ms | |\n\
         | send → receive latency p99 | {p99:.1} ms | < 50 ms |\n\
         | latency max | {max:.1} ms | |\n\
         | server RSS at the end | {rss_end} KB | |\n\
         | CPU during fan-out (server / bench client) | {server_cpu:.1} s / {bench_cpu:.1} s over {drain_secs:.1} s | |\n\n\
         The bench and the server share the machine's 2 cores; the bench process parses every delivered frame.\n",
        total as f64 / send_secs,
        delivered as f64 / drain_secs,
    );
    write_section("WebSocket fan-out", &report)?;
    server.stop().await;
    Ok(())
}

async fn connect(
    url: &str,
    token: &str,
) -> anyhow::Result<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
    let (ws, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(ws)
}
