//! Streamed-reply benchmark: a bot streams a long reply (2,000 appends,
//! one token each) at 50 appends a second into a 10-member group whose 9
//! people each hold a socket. Per append: the POST's latency (what the
//! server adds per delta, plus loopback HTTP) and append-to-frame latency
//! at every socket. The same load then runs against the floor (a minimal
//! axum server that stores nothing and hands each posted text to every
//! socket) in the same run, and both are reported.
//!
//!     cargo bench --bench streaming -- [--tokens 2000] [--rate 50] [--members 10]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

mod support;

use support::{ChildServer, arg, floor, write_section};

struct Load {
    tokens: usize,
    rate: u64,
    members: usize,
}

/// How the load reaches one server.
struct Target {
    /// Where each token is POSTed, with the body for token `n`.
    append_url: String,
    body: fn(usize) -> Value,
    token: String,
    /// Sockets of the people (bearer tokens; empty for the floor).
    sockets: Vec<(String, String)>,
    cpu: Box<dyn Fn() -> f64>,
}

struct Figures {
    post_p50: f64,
    post_p99: f64,
    post_max: f64,
    frame_p50: f64,
    frame_p99: f64,
    delivered: usize,
    expected: usize,
    cpu_per_delta_us: f64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    if let Some(port) = std::env::args().skip_while(|a| a != "--floor-server").nth(1) {
        return floor::serve(port.parse()?).await;
    }
    let load = Load { tokens: arg("--tokens", 2000), rate: arg("--rate", 50), members: arg("--members", 10) };

    let server = ChildServer::start().await?;
    let (target, finish) = tidings_target(&server, load.members).await?;
    println!("Tidings: {} appends at {}/s to {} members…", load.tokens, load.rate, load.members);
    let real = run(&load, &target).await?;
    let http = reqwest::Client::new();
    let done: Value = http.post(&finish).bearer_auth(&target.token).json(&json!({})).send().await?.json().await?;
    anyhow::ensure!(done["streaming"] == false, "the reply did not finish: {done}");
    let text_len = done["body"].as_str().unwrap_or_default().chars().count();
    server.stop().await;

    let floor = floor::FloorProcess::start(std::env::current_exe()?).await?;
    let ws = floor.base.replace("http://", "ws://");
    let floor_target = Target {
        append_url: format!("{}/send", floor.base),
        body: |n| json!({"body": format!("w{n} ")}),
        token: String::new(),
        sockets: (1..load.members).map(|_| (format!("{ws}/ws?room=1"), String::new())).collect(),
        cpu: {
            let pid = floor.pid();
            Box::new(move || support::cpu_secs(pid).unwrap_or_default())
        },
    };
    println!("floor (in-memory axum, stores nothing)…");
    let base = run(&load, &floor_target).await?;
    floor.stop().await;

    let report = report(&load, &real, &base, text_len);
    println!("{report}");
    write_section("Streamed replies", &report)?;
    Ok(())
}

/// One token of the reply: a word and its space, as a model streams them.
fn token(n: usize) -> String {
    format!("w{} ", n % 1000)
}

/// Alice, eight more people and her bot in a group; the bot has started a
/// draft. Returns the target and the draft's finish URL.
async fn tidings_target(server: &ChildServer, members: usize) -> anyhow::Result<(Target, String)> {
    let http = reqwest::Client::new();
    let people = members.saturating_sub(1).max(1);
    let mut tokens = Vec::new();
    for i in 0..people {
        tokens.push(server.user(&http, &format!("person{i}")).await?);
    }
    let bot: Value = http
        .post(server.url("/api/v1/bots"))
        .bearer_auth(&tokens[0])
        .json(&json!({"username": "streamer"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let bot_token = bot["token"].as_str().unwrap_or_default().to_owned();
    let mut names: Vec<String> = (1..people).map(|i| format!("person{i}")).collect();
    server.introduce(&http, &tokens[0], &names).await?;
    names.push("streamer".into());
    let group: Value = http
        .post(server.url("/api/v1/conversations"))
        .bearer_auth(&tokens[0])
        .json(&json!({"members": names, "title": "bench"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = group["id"].as_i64().expect("group id");
    let draft: Value = http
        .post(server.url(&format!("/api/v1/conversations/{id}/messages")))
        .bearer_auth(&bot_token)
        .json(&json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "", "streaming": true}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let message = draft["id"].as_i64().expect("draft id");
    let pid = server.pid();
    let target = Target {
        append_url: server.url(&format!("/api/v1/messages/{message}/append")),
        body: |n| json!({"text": token(n), "seq": n + 1}),
        token: bot_token,
        sockets: tokens.into_iter().map(|t| (server.ws_url(), t)).collect(),
        cpu: Box::new(move || support::cpu_secs(pid).unwrap_or_default()),
    };
    Ok((target, server.url(&format!("/api/v1/messages/{message}/finish"))))
}

async fn run(load: &Load, target: &Target) -> anyhow::Result<Figures> {
    // When each token was posted, to time its frames against.
    let posted: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; load.tokens]));
    let frame_latencies: Arc<Mutex<Vec<u64>>> = Arc::new(Mutex::new(Vec::new()));
    let mut readers = Vec::new();
    for (url, token) in &target.sockets {
        let mut request = url.as_str().into_client_request()?;
        if !token.is_empty() {
            request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
        }
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
        // Past the resume grace at once.
        futures_util::SinkExt::send(&mut ws, Message::Text(r#"{"type":"resume","after":{}}"#.into())).await?;
        let (posted, latencies) = (posted.clone(), frame_latencies.clone());
        readers.push(tokio::spawn(async move {
            while let Some(Ok(frame)) = ws.next().await {
                // Pings come every 10 s; only text frames carry deltas.
                let Message::Text(text) = frame else { continue };
                let Some(n) = token_number(&text) else { continue };
                if let Some(at) = posted.lock().expect("posted").get(n).copied().flatten() {
                    latencies.lock().expect("latencies").push(at.elapsed().as_micros() as u64);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let http = reqwest::Client::builder().pool_max_idle_per_host(4).build()?;
    let cpu_before = (target.cpu)();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / load.rate.max(1)));
    let mut post_latencies = Vec::with_capacity(load.tokens);
    for n in 0..load.tokens {
        tick.tick().await;
        let started = Instant::now();
        posted.lock().expect("posted")[n] = Some(started);
        let mut request = http.post(&target.append_url).json(&(target.body)(n));
        if !target.token.is_empty() {
            request = request.bearer_auth(&target.token);
        }
        let response = request.send().await?;
        anyhow::ensure!(response.status().is_success(), "append {n}: {}", response.status());
        post_latencies.push(started.elapsed().as_micros() as u64);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cpu = (target.cpu)() - cpu_before;
    for reader in readers {
        reader.abort();
    }
    let frames = frame_latencies.lock().expect("latencies").clone();
    let (post_p50, post_p99, post_max) = percentiles(&post_latencies);
    let (frame_p50, frame_p99, _) = percentiles(&frames);
    Ok(Figures {
        post_p50,
        post_p99,
        post_max,
        frame_p50,
        frame_p99,
        delivered: frames.len(),
        expected: load.tokens * target.sockets.len(),
        cpu_per_delta_us: cpu * 1e6 / load.tokens as f64,
    })
}

/// Which token a frame carries: a delta's `seq`, or the number in the
/// floor's body (`w<n> `).
fn token_number(text: &str) -> Option<usize> {
    let frame: Value = serde_json::from_str(text).ok()?;
    match frame["type"].as_str()? {
        "message_delta" => frame["seq"].as_u64().map(|s| s as usize - 1),
        "message" => frame["message"]["body"].as_str()?.strip_prefix('w')?.trim().parse().ok(),
        _ => None,
    }
}

fn percentiles(samples: &[u64]) -> (f64, f64, f64) {
    if samples.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
    (at(0.5), at(0.99), *sorted.last().expect("non-empty") as f64 / 1000.0)
}

fn report(load: &Load, real: &Figures, base: &Figures, text_len: usize) -> String {
    let Load { tokens, rate, members } = load;
    let added = real.post_p99 - base.post_p99;
    format!(
        "`cargo bench --bench streaming` (`make bench`). A bot streams a reply of {tokens} appends (one token each, \
         {text_len} characters in the end) at {rate} appends/s into a {members}-member group; its {people} people \
         each hold a socket. Tidings is the release binary over a fresh SQLite file (each append is one \
         transaction); the floor is a minimal axum server that stores nothing and broadcasts each posted text to \
         the same sockets, in the same run.\n\n\
         | measure | Tidings | floor |\n| --- | --- | --- |\n\
         | append POST p50 / p99 / max (ms) | {:.2} / {:.2} / {:.2} | {:.2} / {:.2} / {:.2} |\n\
         | append → frame at a socket p50 / p99 (ms) | {:.2} / {:.2} | {:.2} / {:.2} |\n\
         | frames delivered | {} of {} | {} of {} |\n\
         | server CPU per delta (µs) | {:.0} | {:.0} |\n\n\
         **Added per delta at p99: {added:.2} ms** over the floor (target: under 5 ms); the p99 ratio is {:.2}×. \
         Both latencies include loopback HTTP and the bench client, which shares the 2 cores.\n",
        real.post_p50,
        real.post_p99,
        real.post_max,
        base.post_p50,
        base.post_p99,
        base.post_max,
        real.frame_p50,
        real.frame_p99,
        base.frame_p50,
        base.frame_p99,
        real.delivered,
        real.expected,
        base.delivered,
        base.expected,
        real.cpu_per_delta_us,
        base.cpu_per_delta_us,
        real.post_p99 / base.post_p99.max(0.001),
        people = members.saturating_sub(1),
    )
}
