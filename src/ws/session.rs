//! One WebSocket connection's loop. Written against a generic `Sink` +
//! `Stream` of axum messages so it can be driven without a network.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};
use tokio_util::sync::CancellationToken;

use app::auth::User;
use app::chat::service::Outgoing;
use app::auth::service::Session as AuthSession;
use app::error::AppError;
use app::live::frames::{ClientFrame, ServerFrame};
use app::live::hub::{ConnId, Delivery, Registration};
use app::live::limits::FrameLimits;
use app::live::sequence::Sequencer;
use app::live::streams::StreamTracker;
use app::state::AppState;

/// Heartbeat pings go out this often.
const PING_EVERY: Duration = Duration::from_secs(10);
/// Live deliveries wait this long for the client's `resume` after connecting.
const RESUME_GRACE: Duration = Duration::from_secs(1);
/// A write that takes longer means the client stopped reading: drop it,
/// rather than hold this loop (and its queue) behind it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A socket write under [`WRITE_TIMEOUT`]; `Err` on failure or timeout.
pub(super) async fn written<F: std::future::Future<Output = Result<(), E>>, E>(write: F) -> Result<(), ()> {
    match tokio::time::timeout(WRITE_TIMEOUT, write).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(()),
        Err(_) => {
            metrics::counter!("tidings_ws_write_timeouts_total").increment(1);
            Err(())
        }
    }
}

pub struct SessionConfig {
    pub idle_timeout: Duration,
    pub shutdown: CancellationToken,
}

/// Why a session ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    ClientClosed,
    Idle,
    TooSlow,
    Shutdown,
    SendFailed,
    Revoked,
}

/// Runs a socket until it closes, then unregisters it.
pub async fn run_session<S, E>(mut socket: S, state: AppState, auth: AuthSession, config: SessionConfig)
where
    S: Sink<WsMessage> + Stream<Item = Result<WsMessage, E>> + Unpin,
{
    let user = auth.user;
    let Some(Registration { conn, queue, first, revoked }) = state.hub.register(user.id, auth.token_id) else {
        let reason = Utf8Bytes::from_static("too many connections");
        let _ = socket.send(WsMessage::Close(Some(CloseFrame { code: 1008, reason }))).await;
        return;
    };
    state.chat.presence.changed(user.id).await;
    let mut session = Session {
        state: state.clone(),
        user: user.clone(),
        token_id: auth.token_id,
        conn,
        order: Sequencer::default(),
        streams: StreamTracker::default(),
        limits: FrameLimits::default(),
    };
    if first {
        session.announce_presence(true).await;
    }
    let end = session.run(socket, queue, config, revoked).await;
    tracing::debug!(user = user.id, conn, ?end, "websocket closed");
    let last = state.hub.unregister(user.id, conn);
    state.chat.presence.changed(user.id).await;
    if last {
        session.announce_presence(false).await;
    }
}

pub(super) struct Session {
    pub(super) state: AppState,
    pub(super) user: User,
    /// The session or token the socket was opened with.
    token_id: i64,
    conn: ConnId,
    /// Each conversation's messages in order, once.
    pub(super) order: Sequencer,
    /// Each streamed reply's deltas in order, once.
    pub(super) streams: StreamTracker,
    /// What this socket may send how often.
    limits: FrameLimits,
}

impl Session {
    async fn run<S, E>(
        &mut self,
        mut socket: S,
        mut queue: tokio::sync::mpsc::Receiver<Delivery>,
        config: SessionConfig,
        // Cancelled when the token the socket was opened with ends.
        revoked: CancellationToken,
    ) -> End
    where
        S: Sink<WsMessage> + Stream<Item = Result<WsMessage, E>> + Unpin,
    {
        if self.send_frame(&mut socket, &self.hello().await).await.is_err() {
            return End::SendFailed;
        }
        let mut heartbeat = interval(PING_EVERY.min(config.idle_timeout / 2));
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        let hold_until = Instant::now() + RESUME_GRACE;
        let mut holding = true;
        // Created once: a fresh `cancelled()` per loop turn would lock the
        // token's waiter list every time.
        let shutdown = config.shutdown.cancelled();
        tokio::pin!(shutdown);
        let revoked = revoked.cancelled();
        tokio::pin!(revoked);
        let end = loop {
            tokio::select! {
                incoming = socket.next() => {
                    last_heard = Instant::now();
                    match incoming {
                        Some(Ok(WsMessage::Text(text))) => {
                            holding = false;
                            if self.handle_text(&mut socket, text.as_str()).await.is_err() {
                                break End::SendFailed;
                            }
                        }
                        Some(Ok(WsMessage::Binary(_))) => {
                            let frame = error_frame("bad_frame", "send JSON text frames", None);
                            if self.send_frame(&mut socket, &frame).await.is_err() {
                                break End::SendFailed;
                            }
                        }
                        Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => {}
                        Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => break End::ClientClosed,
                    }
                }
                delivery = queue.recv(), if !holding => match delivery {
                    Some(delivery) => {
                        if self.deliver_batch(&mut socket, delivery, &mut queue).await.is_err() {
                            break End::SendFailed;
                        }
                    }
                    None => break End::TooSlow,
                },
                _ = sleep_until(hold_until), if holding => holding = false,
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > config.idle_timeout {
                        break End::Idle;
                    }
                    if written(socket.send(WsMessage::Ping(Default::default()))).await.is_err() {
                        break End::SendFailed;
                    }
                }
                _ = &mut shutdown => break End::Shutdown,
                _ = &mut revoked => break End::Revoked,
            }
        };
        let (code, reason) = match end {
            End::Idle => (1001, "idle"),
            End::TooSlow => (1013, "too slow; reconnect and resume"),
            End::Shutdown => (1012, "server restarting"),
            // The client must not reconnect with the same credentials.
            End::Revoked => (1008, "signed out"),
            End::ClientClosed | End::SendFailed => (1000, ""),
        };
        let close = WsMessage::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) }));
        let _ = written(socket.send(close)).await;
        end
    }

    async fn hello(&self) -> ServerFrame {
        let contacts = self.state.chat.contacts(&self.user).await.unwrap_or_default();
        let mut online: Vec<i64> = self.state.chat.presence.online_among(&contacts).await.into_iter().collect();
        online.sort_unstable();
        ServerFrame::Hello { user: self.user.clone(), online }
    }

    async fn announce_presence(&self, online: bool) {
        if let Ok(contacts) = self.state.chat.contacts(&self.user).await {
            let frame = ServerFrame::Presence { user_id: self.user.id, online };
            self.state.chat.publish(contacts, None, None, &frame).await;
        }
    }

    /// Parses and runs one client frame; errors become `error` frames.
    async fn handle_text<S: Sink<WsMessage> + Unpin>(&mut self, socket: &mut S, text: &str) -> Result<(), ()> {
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(frame) => frame,
            Err(err) => return self.send_frame(socket, &error_frame("bad_frame", &err.to_string(), None)).await,
        };
        if !self.limits.allow(&frame) {
            let refused = error_frame("rate_limited", "too many frames of this kind; slow down", None);
            return self.send_frame(socket, &refused).await;
        }
        let chat = self.state.chat.clone();
        let result = match frame {
            ClientFrame::Send { conversation_id, client_id, body, reply_to } => {
                let outgoing = Outgoing { client_id: &client_id, body: &body, reply_to, streaming: false };
                match chat.post(&self.user, conversation_id, outgoing).await {
                    Ok((message, _)) => {
                        let ack = ServerFrame::Ack { client_id, id: message.id, conversation_id, seq: message.seq };
                        return self.send_frame(socket, &ack).await;
                    }
                    Err(err) => return self.send_frame(socket, &app_error_frame(&err, Some(client_id))).await,
                }
            }
            ClientFrame::Typing { conversation_id } => chat.typing(&self.user, conversation_id).await,
            ClientFrame::Read { conversation_id, message_id } => {
                chat.mark_read(&self.user, conversation_id, message_id, Some(self.token_id)).await
            }
            ClientFrame::Visibility { visible } => {
                self.state.hub.set_visible(self.user.id, self.conn, visible);
                self.state.chat.presence.changed(self.user.id).await;
                Ok(())
            }
            ClientFrame::Resume { after, revs } => return self.resume(socket, after, revs).await,
        };
        match result {
            Ok(()) => Ok(()),
            Err(err) => self.send_frame(socket, &app_error_frame(&err, None)).await,
        }
    }

    pub(super) async fn send_frame<S: Sink<WsMessage> + Unpin>(
        &self,
        socket: &mut S,
        frame: &ServerFrame,
    ) -> Result<(), ()> {
        let json = serde_json::to_string(frame).map_err(|_| ())?;
        written(socket.send(WsMessage::Text(json.into()))).await
    }
}

pub(super) fn error_frame(code: &str, message: &str, client_id: Option<String>) -> ServerFrame {
    ServerFrame::Error { code: code.to_owned(), message: message.to_owned(), client_id }
}

pub(super) fn app_error_frame(err: &AppError, client_id: Option<String>) -> ServerFrame {
    error_frame(err.code(), &err.to_string(), client_id)
}
