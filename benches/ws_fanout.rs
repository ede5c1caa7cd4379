//! WebSocket fan-out benchmark: idle sockets held (and their memory), then
//! messages sent over REST into a 100-member room at a fixed rate, with the
//! POST's acknowledgement latency and the send-to-receive latency of every
//! frame. The same load then runs against a floor (a minimal axum server
//! that persists nothing) in the same run, and both are reported.
//!
//!     cargo bench --bench ws_fanout -- [--idle 10000] [--room 100] [--rate 1000] [--seconds 10]
//!
//! Both servers are child processes (so RSS and CPU are theirs alone); the
//! real one is the `tidings` binary over a fresh SQLite database.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

mod support;

use support::{ChildServer, arg, floor, write_section};

struct Load {
    idle: usize,
    room: usize,
    rate: u64,
    seconds: u64,
}

/// What one server did under the load.
struct Figures {
    per_socket_kb: f64,
    rss: (u64, u64, u64),
    sent_rate: f64,
    delivered: u64,
    expected: u64,
    p50: f64,
    p99: f64,
    max: f64,
    ack_p50: f64,
    ack_p99: f64,
    cpu: f64,
    wall: f64,
}

/// How the load reaches one server.
struct Target {
    base: String,
    /// Bearer tokens of the room's members (empty strings for the floor).
    members: Vec<String>,
    idler: String,
    /// The path messages are POSTed to, and the socket URL of a member.
    send_path: String,
    room_ws: String,
    idle_ws: String,
    pid: u32,
}

// One thread: the load generator must not add cross-thread wake-ups of its own.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    if let Some(port) = std::env::args().skip_while(|a| a != "--floor-server").nth(1) {
        return floor::serve(port.parse()?).await;
    }
    let load = Load {
        idle: arg("--idle", 10_000),
        room: arg("--room", 100),
        rate: arg("--rate", 1000),
        seconds: arg("--seconds", 10),
    };
    let workers: String = arg("--server-workers", String::from("2"));

    let server = ChildServer::start_with_env(&[("TIDINGS_WORKER_THREADS", workers)]).await?;
    let target = tidings_target(&server, load.room).await?;
    println!("Tidings:");
    let real = run(&load, &target).await?;
    server.stop().await;

    let floor = FloorServer::start().await?;
    let target = floor.target(load.room);
    println!("floor (in-memory axum, persists nothing):");
    let base = run(&load, &target).await?;
    floor.stop().await;

    write_section("WebSocket fan-out", &report(&load, &real, &base))?;
    Ok(())
}

async fn tidings_target(server: &ChildServer, room: usize) -> anyhow::Result<Target> {
    let http = reqwest::Client::new();
    println!("registering {room} users…");
    let mut members = Vec::new();
    for i in 0..room {
        members.push(server.user(&http, &format!("member{i}")).await?);
    }
    let idler = server.user(&http, "idler").await?;
    let names: Vec<String> = (1..room).map(|i| format!("member{i}")).collect();
    server.introduce(&http, &members[0], &names).await?;
    let group: Value = http
        .post(server.url("/api/v1/conversations"))
        .bearer_auth(&members[0])
        .json(&json!({"members": names, "title": "bench"}))
        .send()
        .await?
        .json()
        .await?;
    let id = group["id"].as_i64().expect("group id");
    Ok(Target {
        base: server.base.clone(),
        members,
        idler,
        send_path: format!("/api/v1/conversations/{id}/messages"),
        room_ws: server.ws_url(),
        idle_ws: server.ws_url(),
        pid: server.pid(),
    })
}

async fn run(load: &Load, target: &Target) -> anyhow::Result<Figures> {
    // 1. Idle sockets.
    let rss_before = support::rss_kb(target.pid)?;
    let mut idle_sockets = Vec::with_capacity(load.idle);
    for _ in 0..load.idle {
        idle_sockets.push(connect(&target.idle_ws, &target.idler).await?);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = support::rss_kb(target.pid)?;
    let per_socket_kb = (rss_after.saturating_sub(rss_before)) as f64 / load.idle.max(1) as f64;
    println!("  {} idle sockets: RSS {rss_before} → {rss_after} KB, {per_socket_kb:.1} KB per socket", load.idle);

    // 2. Every member has one socket; messages carry their send time.
    let epoch = Instant::now();
    let latencies = Arc::new(Mutex::new(Vec::<u64>::with_capacity((load.rate * load.seconds) as usize * load.room)));
    let received = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::new();
    for token in &target.members {
        let ws = connect(&target.room_ws, token).await?;
        let (_sink, mut stream) = ws.split();
        let (latencies, received) = (latencies.clone(), received.clone());
        readers.push(tokio::spawn(async move {
            let _keep = _sink;
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
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await; // past the resume grace

    // 3. POSTs at the rate, each on its own task; four senders take turns.
    let http = reqwest::Client::builder().pool_max_idle_per_host(512).build()?;
    let acks = Arc::new(Mutex::new(Vec::<u64>::new()));
    let cpu_before = support::cpu_secs(target.pid)?;
    let total = load.rate * load.seconds;
    let interval = Duration::from_secs_f64(1.0 / load.rate as f64);
    let send_started = Instant::now();
    let mut next = tokio::time::Instant::now();
    let url = format!("{}{}", target.base, target.send_path);
    let mut posts = tokio::task::JoinSet::new();
    for n in 0..total {
        next += interval;
        tokio::time::sleep_until(next).await;
        let token = target.members[(n % 4) as usize % target.members.len()].clone();
        let body = json!({"client_id": uuid::Uuid::new_v4(), "body": format!("t={}", epoch.elapsed().as_micros())});
        let (http, url, acks) = (http.clone(), url.clone(), acks.clone());
        posts.spawn(async move {
            let started = Instant::now();
            let ok = http.post(&url).bearer_auth(token).json(&body).send().await.is_ok_and(|r| r.status().is_success());
            if ok {
                acks.lock().expect("ack lock").push(started.elapsed().as_micros() as u64);
            }
        });
        while posts.try_join_next().is_some() {}
    }
    while posts.join_next().await.is_some() {}
    let send_secs = send_started.elapsed().as_secs_f64();
    let expected = total * load.room as u64;
    let deadline = Instant::now() + Duration::from_secs(15);
    while received.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivered = received.load(Ordering::Relaxed);
    let wall = send_started.elapsed().as_secs_f64();
    let cpu = support::cpu_secs(target.pid)? - cpu_before;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_end = support::rss_kb(target.pid)?;
    for reader in readers {
        reader.abort();
    }
    drop(idle_sockets);

    let (p50, p99, max) = percentiles(&latencies.lock().expect("latency lock"));
    let (ack_p50, ack_p99, _) = percentiles(&acks.lock().expect("ack lock"));
    let sent_rate = total as f64 / send_secs;
    println!(
        "  {sent_rate:.0} msg/s over REST, {delivered}/{expected} frames, delivery p50 {p50:.1} ms p99 {p99:.1} ms \
         max {max:.1} ms, ack p50 {ack_p50:.1} ms p99 {ack_p99:.1} ms, server CPU {cpu:.1} s over {wall:.1} s"
    );
    Ok(Figures {
        per_socket_kb,
        rss: (rss_before, rss_after, rss_end),
        sent_rate,
        delivered,
        expected,
        p50,
        p99,
        max,
        ack_p50,
        ack_p99,
        cpu,
        wall,
    })
}

/// p50, p99 and max of microsecond samples, in ms.
fn percentiles(samples: &[u64]) -> (f64, f64, f64) {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let at = |p: f64| {
        sorted.get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1))).copied().unwrap_or(0)
            as f64
            / 1000.0
    };
    (at(0.50), at(0.99), at(1.0))
}

fn report(load: &Load, real: &Figures, base: &Figures) -> String {
    let Load { idle, room, rate, seconds } = load;
    let row = |name: &str, f: &dyn Fn(&Figures) -> String| format!("| {name} | {} | {} |\n", f(real), f(base));
    let cpu_pct = |f: &Figures| 100.0 * f.cpu / f.wall;
    let mut out = format!(
        "Command: `cargo bench --bench ws_fanout -- --idle {idle} --room {room} --rate {rate} --seconds {seconds}`\n\n\
         Messages are sent over REST (`POST …/messages`, {rate}/s from four members in turn), every member of the \
         {room}-member room holds one socket, and {idle} idle sockets sit beside them. The floor is a minimal axum \
         server in the same run that stores nothing and broadcasts each posted body to the room's sockets.\n\n\
         | measure | Tidings | floor |\n| --- | --- | --- |\n"
    );
    out += &row("server RSS per idle socket (target ≤ 20 KB)", &|f| {
        format!("{:.1} KB ({} → {} KB)", f.per_socket_kb, f.rss.0, f.rss.1)
    });
    out += &row("messages sent", &|f| format!("{:.0} msg/s for {seconds} s", f.sent_rate));
    out += &row("frames delivered", &|f| format!("{} of {}", f.delivered, f.expected));
    out += &row("send → receive p50", &|f| format!("{:.1} ms", f.p50));
    out += &row("send → receive p99 (target < 25 ms)", &|f| format!("{:.1} ms", f.p99));
    out += &row("latency max", &|f| format!("{:.1} ms", f.max));
    out += &row("POST acknowledged p50", &|f| format!("{:.1} ms", f.ack_p50));
    out += &row("POST acknowledged p99 (target < 20 ms)", &|f| format!("{:.1} ms", f.ack_p99));
    out += &row("server CPU during the sends", &|f| {
        format!("{:.1} s over {:.1} s ({:.0} % of a core)", f.cpu, f.wall, cpu_pct(f))
    });
    out += &row("server RSS at the end", &|f| format!("{} KB", f.rss.2));
    out += &format!(
        "\nCPU ratio, Tidings over the floor: {:.2}×. The bench client shares the machine's 2 cores with the server \
         and parses every delivered frame.\n",
        real.cpu / base.cpu.max(0.001)
    );
    out
}

async fn connect(
    url: &str,
    token: &str,
) -> anyhow::Result<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>> {
    let mut request = url.into_client_request()?;
    if !token.is_empty() {
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
    }
    let (ws, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(ws)
}

/// The floor as a child process: this bench binary with `--floor-server`.
struct FloorServer {
    process: floor::FloorProcess,
    base: String,
}

impl FloorServer {
    async fn start() -> anyhow::Result<Self> {
        let process = floor::FloorProcess::start(std::env::current_exe()?).await?;
        let base = process.base.clone();
        Ok(Self { process, base })
    }

    fn target(&self, room: usize) -> Target {
        let ws = self.base.replace("http://", "ws://");
        Target {
            base: self.base.clone(),
            members: vec![String::new(); room],
            idler: String::new(),
            send_path: "/send".into(),
            room_ws: format!("{ws}/ws?room=1"),
            idle_ws: format!("{ws}/ws"),
            pid: self.process.pid(),
        }
    }

    async fn stop(self) {
        self.process.stop().await;
    }
}
