//! Live connections on this node, and fan-out of frames to them (server only).
//!
//! Each WebSocket registers here and gets a bounded queue. A socket that
//! cannot keep up is dropped (its queue closes); the client reconnects and
//! resumes from its last id, so nothing is lost and memory stays bounded.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Frames a socket may have queued before it counts as too slow.
pub const QUEUE_DEPTH: usize = 1024;
/// Sockets one user may hold on one node (tabs, devices, bots).
pub const MAX_SOCKETS_PER_USER: usize = 32;

pub type ConnId = u64;

/// One frame on its way to sockets, serialized once for all of them (the
/// text is reference-counted, so each socket's copy is a pointer).
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Set for chat messages, so a socket can keep per-conversation order.
    pub message: Option<MessageRef>,
    /// Set for streamed replies, so a socket can keep each one gapless.
    pub stream: Option<StreamStep>,
    pub json: Utf8Bytes,
}

/// Where a frame leaves a streamed reply: each socket sends a reply's
/// deltas in order and once, and a socket that missed some gets the
/// whole current text instead (see `live::streams`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StreamStep {
    /// The whole message as it stands, holding `deltas` appends.
    Started { message_id: i64, deltas: i64 },
    /// Append number `seq`.
    Delta { conversation_id: i64, message_id: i64, seq: i64 },
    /// Finished: no more deltas.
    Finished { message_id: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageRef {
    pub conversation_id: i64,
    pub seq: i64,
    pub id: i64,
}

/// Who a delivery is for.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub recipients: Vec<i64>,
    /// Skip this user's sockets (e.g. the typist's own).
    pub except_user: Option<i64>,
    pub delivery: Delivery,
}

struct Conn {
    id: ConnId,
    tx: mpsc::Sender<Delivery>,
    visible: bool,
    /// The session or token it was opened with.
    token_id: i64,
    /// Cancelled when that token ends.
    revoked: CancellationToken,
}

/// A registered socket.
pub struct Registration {
    pub conn: ConnId,
    pub queue: mpsc::Receiver<Delivery>,
    /// The user's first socket on this node.
    pub first: bool,
    /// Cancelled when the token it was opened with ends.
    pub revoked: CancellationToken,
}

/// The registry of this node's sockets. Cheap to clone.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    users: RwLock<HashMap<i64, Vec<Conn>>>,
    next_id: AtomicU64,
}

impl Hub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a socket of `user_id`, opened with `token_id`; `None` when
    /// the user already holds [`MAX_SOCKETS_PER_USER`] here.
    pub fn register(&self, user_id: i64, token_id: i64) -> Option<Registration> {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
        let mut users = self.inner.users.write().expect("hub lock");
        let conns = users.entry(user_id).or_default();
        if conns.len() >= MAX_SOCKETS_PER_USER {
            return None;
        }
        let first = conns.is_empty();
        let revoked = CancellationToken::new();
        // A new tab starts visible; it reports otherwise right away if not.
        conns.push(Conn { id, tx, visible: true, token_id, revoked: revoked.clone() });
        metrics::gauge!("tidings_ws_connections").increment(1.0);
        Some(Registration { conn: id, queue: rx, first, revoked })
    }

    /// The tokens the sockets here were opened with.
    pub fn tokens(&self) -> HashSet<i64> {
        let users = self.inner.users.read().expect("hub lock");
        users.values().flatten().map(|c| c.token_id).collect()
    }

    /// Closes every socket opened with one of `ended` (signed out, revoked,
    /// expired). Returns how many.
    pub fn revoke(&self, ended: &HashSet<i64>) -> usize {
        let users = self.inner.users.read().expect("hub lock");
        let closing: Vec<&Conn> = users.values().flatten().filter(|c| ended.contains(&c.token_id)).collect();
        for conn in &closing {
            conn.revoked.cancel();
        }
        closing.len()
    }

    /// Forgets a socket. Returns true when the user has no socket left here,
    /// also when this one was already dropped for being slow (so its
    /// session still announces the user offline).
    pub fn unregister(&self, user_id: i64, conn: ConnId) -> bool {
        let mut users = self.inner.users.write().expect("hub lock");
        let Some(conns) = users.get_mut(&user_id) else { return true };
        let before = conns.len();
        conns.retain(|c| c.id != conn);
        if conns.len() < before {
            metrics::gauge!("tidings_ws_connections").decrement(1.0);
        }
        let last = conns.is_empty();
        if last {
            users.remove(&user_id);
        }
        last
    }

    pub fn set_visible(&self, user_id: i64, conn: ConnId, visible: bool) {
        let mut users = self.inner.users.write().expect("hub lock");
        if let Some(c) = users.get_mut(&user_id).and_then(|cs| cs.iter_mut().find(|c| c.id == conn)) {
            c.visible = visible;
        }
    }

    /// Queues `envelope` on every matching socket of this node. Sockets
    /// whose queue is full are dropped from the registry (their reader sees
    /// the queue close and ends the connection).
    pub fn deliver(&self, envelope: &Envelope) {
        let mut slow: Vec<(i64, ConnId)> = Vec::new();
        {
            let users = self.inner.users.read().expect("hub lock");
            for user in &envelope.recipients {
                if Some(*user) == envelope.except_user {
                    continue;
                }
                for conn in users.get(user).into_iter().flatten() {
                    match conn.tx.try_send(envelope.delivery.clone()) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => slow.push((*user, conn.id)),
                        Err(mpsc::error::TrySendError::Closed(_)) => {}
                    }
                }
            }
        }
        for (user, conn) in slow {
            tracing::warn!(user, conn, "dropping a socket that fell behind; it will resume");
            metrics::counter!("tidings_ws_slow_disconnects_total").increment(1);
            self.unregister(user, conn);
        }
    }

    /// Users among `users` with at least one socket on this node.
    pub fn online_among(&self, users: &[i64]) -> HashSet<i64> {
        let map = self.inner.users.read().expect("hub lock");
        users.iter().copied().filter(|u| map.contains_key(u)).collect()
    }

    /// Users among `users` with a socket whose tab is visible.
    pub fn visible_among(&self, users: &[i64]) -> HashSet<i64> {
        let map = self.inner.users.read().expect("hub lock");
        users.iter().copied().filter(|u| map.get(u).is_some_and(|cs| cs.iter().any(|c| c.visible))).collect()
    }

    /// Whether `user` has a socket here, and whether any of them is visible.
    pub fn state_of(&self, user: i64) -> (bool, bool) {
        let map = self.inner.users.read().expect("hub lock");
        match map.get(&user) {
            Some(conns) => (true, conns.iter().any(|c| c.visible)),
            None => (false, false),
        }
    }

    /// Users with a socket here, and those with a visible one.
    pub fn snapshot(&self) -> (Vec<i64>, Vec<i64>) {
        let map = self.inner.users.read().expect("hub lock");
        let online = map.keys().copied().collect();
        let visible = map.iter().filter(|(_, cs)| cs.iter().any(|c| c.visible)).map(|(u, _)| *u).collect();
        (online, visible)
    }

    /// The user's sockets on this node.
    pub fn sockets_of(&self, user: i64) -> usize {
        self.inner.users.read().expect("hub lock").get(&user).map_or(0, Vec::len)
    }

    /// Total sockets on this node.
    pub fn connection_count(&self) -> usize {
        self.inner.users.read().expect("hub lock").values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(recipients: Vec<i64>, except_user: Option<i64>) -> Envelope {
        Envelope {
            recipients,
            except_user,
            delivery: Delivery { message: None, stream: None, json: Utf8Bytes::from_static("{}") },
        }
    }

    #[tokio::test]
    async fn delivers_to_every_socket_of_each_recipient_but_the_excluded() {
        let hub = Hub::new();
        let a1 = hub.register(1, 10).unwrap();
        assert!(a1.first);
        let a2 = hub.register(1, 11).unwrap();
        assert!(!a2.first);
        let (mut a1, mut a2, mut b) = (a1.queue, a2.queue, hub.register(2, 20).unwrap().queue);
        hub.deliver(&envelope(vec![1, 2], Some(2)));
        assert!(a1.try_recv().is_ok() && a2.try_recv().is_ok());
        assert!(b.try_recv().is_err());
    }

    #[tokio::test]
    async fn visibility_and_presence_follow_the_sockets() {
        let hub = Hub::new();
        let c1 = hub.register(7, 70).unwrap().conn;
        assert_eq!(hub.visible_among(&[7, 8]), HashSet::from([7]));
        hub.set_visible(7, c1, false);
        assert!(hub.visible_among(&[7]).is_empty());
        assert_eq!(hub.online_among(&[7]), HashSet::from([7]));
        assert!(hub.unregister(7, c1));
        assert!(hub.online_among(&[7]).is_empty());
    }

    #[tokio::test]
    async fn a_socket_that_falls_behind_is_dropped() {
        let hub = Hub::new();
        let registered = hub.register(1, 10).unwrap();
        let (mut rx, conn) = (registered.queue, registered.conn);
        for _ in 0..=QUEUE_DEPTH {
            hub.deliver(&envelope(vec![1], None));
        }
        assert_eq!(hub.connection_count(), 0);
        let mut drained = 0;
        while rx.try_recv().is_ok() {
            drained += 1;
        }
        assert_eq!(drained, QUEUE_DEPTH);
        assert!(rx.is_closed() || rx.try_recv().is_err());
        // Its session, ending, still announces the user offline.
        assert!(hub.unregister(1, conn), "the dropped socket was the user's last");
    }

    #[tokio::test]
    async fn ending_a_token_closes_its_sockets_only_and_sockets_per_user_are_capped() {
        let hub = Hub::new();
        let phone = hub.register(1, 10).unwrap();
        let laptop = hub.register(1, 11).unwrap();
        assert_eq!(hub.tokens(), HashSet::from([10, 11]));
        assert_eq!(hub.revoke(&HashSet::from([10])), 1);
        assert!(phone.revoked.is_cancelled() && !laptop.revoked.is_cancelled());
        let more: Vec<_> = (2..MAX_SOCKETS_PER_USER).map(|_| hub.register(1, 11).unwrap()).collect();
        assert!(hub.register(1, 11).is_none(), "one past the cap is refused");
        assert!(hub.register(2, 20).is_some(), "another user is not affected");
        drop(more);
    }
}
