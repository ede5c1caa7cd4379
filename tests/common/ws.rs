//! A WebSocket test client speaking the JSON frames.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::TestServer;

pub struct WsClient {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsClient {
    /// Connects with a bearer token and consumes the `hello` frame.
    pub async fn connect(server: &TestServer, token: &str) -> Self {
        let (stream, _) = tokio_tungstenite::connect_async(request(server, token)).await.expect("websocket connects");
        let mut client = Self { stream };
        let hello = client.next().await;
        assert_eq!(hello["type"], "hello", "{hello}");
        client
    }

    /// Connects and resumes nothing, so live frames flow at once (not after
    /// the resume grace).
    pub async fn live(server: &TestServer, token: &str) -> Self {
        let mut client = Self::connect(server, token).await;
        client.send(serde_json::json!({"type": "resume", "after": {}})).await;
        client.next_of("resumed").await;
        client
    }

    /// The error of an upgrade the server refuses (it names the status).
    pub async fn refused(server: &TestServer, token: &str) -> String {
        tokio_tungstenite::connect_async(request(server, token))
            .await
            .err()
            .expect("the upgrade is refused")
            .to_string()
    }

    pub async fn send(&mut self, frame: Value) {
        self.stream.send(Message::Text(frame.to_string().into())).await.unwrap();
    }

    /// The next JSON frame (skipping pings), or a panic after 5 s.
    pub async fn next(&mut self) -> Value {
        self.next_within(Duration::from_secs(5)).await.expect("a frame within 5 s")
    }

    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.stream.next()).await.ok()??;
            match msg.expect("websocket error") {
                Message::Text(text) => return Some(serde_json::from_str(&text).unwrap()),
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Next frame of the given type, skipping others (e.g. presence).
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Asserts that no frame of `kind` arrives within `wait`.
    pub async fn expect_none_of(&mut self, kind: &str, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        while let Some(frame) = self.next_within(deadline.saturating_duration_since(tokio::time::Instant::now())).await
        {
            assert_ne!(frame["type"], kind, "unexpected frame {frame}");
        }
    }
}

fn request(server: &TestServer, token: &str) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let url = server.base.replace("http://", "ws://") + "/api/v1/ws";
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}
