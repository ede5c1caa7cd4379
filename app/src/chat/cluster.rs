//! The seams for running several server nodes: how frames reach every
//! node's sockets (`Broker`) and who is looking at the app (`Presence`).
//! This file holds the single-node implementations, backed by the `Hub`.

use std::collections::HashSet;

use async_trait::async_trait;

use super::hub::{Envelope, Hub};

/// Delivers envelopes to the sockets of every node, this one included.
#[async_trait]
pub trait Broker: Send + Sync + 'static {
    async fn publish(&self, envelope: Envelope);
}

/// Who has live sockets, and whether any of them is visible. Push goes to
/// members with no visible socket.
#[async_trait]
pub trait Presence: Send + Sync + 'static {
    async fn online_among(&self, users: &[i64]) -> HashSet<i64>;
    async fn visible_among(&self, users: &[i64]) -> HashSet<i64>;
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
