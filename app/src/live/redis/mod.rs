//! Several server nodes sharing one Redis: every frame is published once and
//! each node hands it to its own sockets; each node keeps the set of users it
//! holds sockets for (and which are visible) in Redis, so a push decision on
//! one node sees sockets on all of them.
//!
//! Keys, under the configured namespace `ns`:
//! - `ns:frames` — the pub/sub channel of frames and cache invalidations;
//! - `ns:nodes` — sorted set of live nodes, scored by last heartbeat (ms);
//! - `ns:node:<id>:online` / `ns:node:<id>:visible` — user-id sets, expiring
//!   unless refreshed, so a node that dies stops counting within [`NODE_TTL`].

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::ws::Utf8Bytes;
use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::cluster::Broker;
use super::hub::{Delivery, Envelope, Hub, MessageRef, StreamStep};
use super::members::MemberCache;

/// A node whose heartbeat is older than this no longer counts.
pub const NODE_TTL: Duration = Duration::from_secs(30);
/// How often a node rewrites its whole presence and heartbeat.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// What crosses the channel.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Wire {
    Frame {
        node: String,
        recipients: Vec<i64>,
        except_user: Option<i64>,
        /// (conversation_id, seq, id) of a chat message.
        message: Option<(i64, i64, i64)>,
        #[serde(default)]
        stream: Option<StreamStep>,
        json: String,
    },
    Members {
        node: String,
        conversation_id: i64,
    },
}

/// This node's link to the others.
pub struct RedisCluster {
    node: String,
    ns: String,
    client: redis::Client,
    conn: MultiplexedConnection,
    hub: Hub,
    members: MemberCache,
    /// Serialises this node's presence writes: a heartbeat's snapshot must
    /// never land after, and so undo, a newer per-user change.
    presence_writes: tokio::sync::Mutex<()>,
}

impl RedisCluster {
    /// Connects and checks the server answers; fails fast on a bad URL.
    pub async fn connect(
        url: &str,
        namespace: &str,
        hub: Hub,
        members: MemberCache,
    ) -> Result<Arc<Self>, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        let node = uuid::Uuid::new_v4().simple().to_string();
        Ok(Arc::new(Self {
            node,
            ns: namespace.to_owned(),
            client,
            conn,
            hub,
            members,
            presence_writes: Default::default(),
        }))
    }

    pub fn node_id(&self) -> &str {
        &self.node
    }

    fn channel(&self) -> String {
        format!("{}:frames", self.ns)
    }

    fn nodes_key(&self) -> String {
        format!("{}:nodes", self.ns)
    }

    fn set_key(&self, node: &str, which: &str) -> String {
        format!("{}:node:{node}:{which}", self.ns)
    }

    /// Starts the subscriber and the heartbeat on `tasks`; both stop with
    /// `stop`, and the node then removes its presence.
    pub fn spawn(self: &Arc<Self>, tasks: &mut JoinSet<()>, stop: CancellationToken) {
        let this = self.clone();
        let until = stop.clone();
        tasks.spawn(async move {
            this.subscribe_loop(until).await;
            tracing::debug!("redis: subscriber stopped");
        });
        let this = self.clone();
        tasks.spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tick.tick() => {
                        if let Err(err) = this.heartbeat().await {
                            tracing::warn!(%err, "redis: presence heartbeat failed");
                        }
                    }
                }
            }
            if let Err(err) = this.leave().await {
                tracing::warn!(%err, "redis: could not remove this node's presence");
            }
            tracing::debug!("redis: presence heartbeat stopped");
        });
    }

    /// Receives what other nodes publish, reconnecting with backoff.
    async fn subscribe_loop(&self, stop: CancellationToken) {
        let mut backoff = Duration::from_millis(200);
        while !stop.is_cancelled() {
            match self.subscribe_once(&stop).await {
                Ok(()) => return,
                Err(err) => {
                    metrics::counter!("tidings_redis_errors_total").increment(1);
                    tracing::warn!(%err, ?backoff, "redis: subscription lost; reconnecting");
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }

    async fn subscribe_once(&self, stop: &CancellationToken) -> Result<(), redis::RedisError> {
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(self.channel()).await?;
        let mut messages = pubsub.on_message();
        loop {
            let msg = tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                msg = messages.next() => msg,
            };
            let Some(msg) = msg else {
                return Err(redis::RedisError::from((redis::ErrorKind::Io, "subscription closed")));
            };
            let payload: String = msg.get_payload()?;
            match serde_json::from_str::<Wire>(&payload) {
                Ok(wire) => self.receive(wire),
                Err(err) => tracing::warn!(%err, "redis: ignoring a malformed message"),
            }
        }
    }

    fn receive(&self, wire: Wire) {
        match wire {
            Wire::Frame { node, .. } | Wire::Members { node, .. } if node == self.node => {}
            Wire::Frame { recipients, except_user, message, stream, json, .. } => {
                let message = message.map(|(conversation_id, seq, id)| MessageRef { conversation_id, seq, id });
                let delivery = Delivery { message, stream, json: Utf8Bytes::from(json) };
                self.hub.deliver(&Envelope { recipients, except_user, delivery });
            }
            Wire::Members { conversation_id, .. } => self.members.invalidate(conversation_id),
        }
    }

    async fn send(&self, wire: &Wire) {
        let Ok(text) = serde_json::to_string(wire) else { return };
        let mut conn = self.conn.clone();
        if let Err(err) = conn.publish::<_, _, ()>(self.channel(), text).await {
            // Local sockets already have it; remote ones resume on reconnect
            // and absent members still get their push.
            metrics::counter!("tidings_redis_errors_total").increment(1);
            tracing::warn!(%err, "redis: publish failed");
        }
    }
}

#[async_trait]
impl Broker for RedisCluster {
    async fn publish(&self, envelope: Envelope) {
        self.hub.deliver(&envelope);
        let message = envelope.delivery.message.map(|m| (m.conversation_id, m.seq, m.id));
        let wire = Wire::Frame {
            node: self.node.clone(),
            recipients: envelope.recipients,
            except_user: envelope.except_user,
            message,
            stream: envelope.delivery.stream,
            json: envelope.delivery.json.as_str().to_owned(),
        };
        self.send(&wire).await;
    }

    async fn healthy(&self) -> Option<bool> {
        let mut conn = self.conn.clone();
        let ping = redis::cmd("PING");
        let answer = tokio::time::timeout(Duration::from_secs(2), ping.query_async::<String>(&mut conn)).await;
        Some(matches!(answer, Ok(Ok(_))))
    }

    async fn members_changed(&self, conversation_id: i64) {
        self.send(&Wire::Members { node: self.node.clone(), conversation_id }).await;
    }
}

mod presence;
