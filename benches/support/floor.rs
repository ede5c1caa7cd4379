//! The floor for the fan-out bench: the least a chat server can do. It
//! stores nothing, checks nothing, and hands each posted message to every
//! socket through one broadcast channel. Run as a child process (the bench
//! binary again, with `--floor-server PORT`), so its CPU and memory are
//! measured like the real server's.

use axum::Router;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast;

#[derive(Clone)]
struct Floor {
    frames: broadcast::Sender<Utf8Bytes>,
}

/// Serves the floor on `port` until killed.
pub async fn serve(port: u16) -> anyhow::Result<()> {
    let (frames, _) = broadcast::channel(65_536);
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/ws", get(socket))
        .route("/send", post(send))
        .with_state(Floor { frames });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn send(State(floor): State<Floor>, axum::Json(message): axum::Json<serde_json::Value>) -> StatusCode {
    let body = message["body"].as_str().unwrap_or_default();
    let frame = format!("{{\"type\":\"message\",\"message\":{{\"body\":\"{body}\"}}}}");
    let _ = floor.frames.send(frame.into());
    StatusCode::CREATED
}

#[derive(serde::Deserialize)]
struct Join {
    /// In the room (gets every message); otherwise an idle socket.
    room: Option<u8>,
}

async fn socket(State(floor): State<Floor>, Query(join): Query<Join>, ws: WebSocketUpgrade) -> Response {
    let frames = join.room.map(|_| floor.frames.subscribe());
    ws.read_buffer_size(4 * 1024).write_buffer_size(4 * 1024).on_upgrade(move |socket| pump(socket, frames))
}

async fn pump(socket: WebSocket, frames: Option<broadcast::Receiver<Utf8Bytes>>) {
    let (mut sink, mut stream) = socket.split();
    let Some(mut frames) = frames else {
        while let Some(Ok(_)) = stream.next().await {}
        return;
    };
    loop {
        tokio::select! {
            frame = frames.recv() => match frame {
                Ok(frame) => if sink.send(Message::Text(frame)).await.is_err() { break },
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => break,
            },
            incoming = stream.next() => if !matches!(incoming, Some(Ok(_))) { break },
        }
    }
}

/// The floor as a child process: the bench binary again, with `--floor-server`.
pub struct FloorProcess {
    child: tokio::process::Child,
    pub base: String,
}

impl FloorProcess {
    pub async fn start(bench: std::path::PathBuf) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = tokio::process::Command::new(bench)
            .arg("--floor-server")
            .arg(port.to_string())
            .kill_on_drop(true)
            .spawn()?;
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..200 {
            if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
                return Ok(Self { child, base });
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        anyhow::bail!("the floor server did not start")
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
