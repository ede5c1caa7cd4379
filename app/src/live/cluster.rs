//! The seams for running several server nodes: how frames reach every
//! node's sockets (`Broker`) and who is looking at the app (`Presence`).
//! This file holds the single-node implementations, backed by the `Hub`.

use std::collections::HashSet;

use async_trait::async_trait;

use super::hub::{Delivery, Envelope, Hub, MessageRef, StreamStep};

/// Delivers envelopes to the sockets of every node, this one included.
#[async_trait]
pub trait Broker: Send + Sync + 'static {
    async fn publish(&self, envelope: Envelope);
    /// A conversation's members changed here: other nodes drop their cached
    /// list. One node has nothing to tell.
    async fn members_changed(&self, _conversation_id: i64) {}
    /// Whether the link between nodes works; `None` with one node.
    async fn healthy(&self) -> Option<bool> {
        None
    }
}

/// Serialises `frame` once and hands it to the broker for `recipients`.
pub async fn publish_frame(
    broker: &dyn Broker,
    recipients: Vec<i64>,
    except_user: Option<i64>,
    message: Option<MessageRef>,
    frame: &impl serde::Serialize,
) {
    publish_stream_frame(broker, recipients, except_user, message, None, frame).await;
}

/// [`publish_frame`] for a frame of a streamed reply.
pub async fn publish_stream_frame(
    broker: &dyn Broker,
    recipients: Vec<i64>,
    except_user: Option<i64>,
    message: Option<MessageRef>,
    stream: Option<StreamStep>,
    frame: &impl serde::Serialize,
) {
    match serde_json::to_string(frame) {
        Ok(json) => {
            let delivery = Delivery { message, stream, json: json.into() };
            broker.publish(Envelope { recipients, except_user, delivery }).await;
        }
        Err(err) => tracing::error!(%err, "cannot serialise a frame"),
    }
}

/// Who has live sockets, and whether any of them is visible. Push goes to
/// members with no visible socket.
#[async_trait]
pub trait Presence: Send + Sync + 'static {
    async fn online_among(&self, users: &[i64]) -> HashSet<i64>;
    async fn visible_among(&self, users: &[i64]) -> HashSet<i64>;
    /// A socket of `user` on this node opened, closed or changed visibility.
    /// One node reads the hub directly, so the default does nothing.
    async fn changed(&self, _user: i64) {}
}

/// One node: deliver straight to the local hub.
pub struct LocalBroker(pub Hub);

#[async_trait]
impl Broker for LocalBroker {
    async fn publish(&self, envelope: Envelope) {
        self.0.deliver(&envelope);
    }
}

/// One node: the local hub knows every socket.
pub struct LocalPresence(pub Hub);

#[async_trait]
impl Presence for LocalPresence {
    async fn online_among(&self, users: &[i64]) -> HashSet<i64> {
        self.0.online_among(users)
    }

    async fn visible_among(&self, users: &[i64]) -> HashSet<i64> {
        self.0.visible_among(users)
    }
}
