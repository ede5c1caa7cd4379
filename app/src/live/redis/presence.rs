//! Presence across nodes: each node's online and visible users as Redis
//! sets, rewritten by a heartbeat and on each change, read by every node's
//! push decisions.

use std::collections::HashSet;

use async_trait::async_trait;
use redis::AsyncCommands;

use super::{NODE_TTL, RedisCluster};
use crate::db::now_ms;
use crate::live::cluster::Presence;

impl RedisCluster {
    /// Rewrites this node's presence sets and heartbeat.
    pub(super) async fn heartbeat(&self) -> Result<(), redis::RedisError> {
        let _turn = self.presence_writes.lock().await;
        let (online, visible) = self.hub.snapshot();
        let ttl = NODE_TTL.as_secs() as i64;
        let mut pipe = redis::pipe();
        pipe.atomic();
        for (which, users) in [("online", &online), ("visible", &visible)] {
            let key = self.set_key(&self.node, which);
            pipe.del(&key).ignore();
            if !users.is_empty() {
                pipe.sadd(&key, users).ignore().expire(&key, ttl).ignore();
            }
        }
        pipe.zadd(self.nodes_key(), &self.node, now_ms()).ignore();
        pipe.zrembyscore(self.nodes_key(), 0, now_ms() - NODE_TTL.as_millis() as i64).ignore();
        pipe.query_async::<()>(&mut self.conn.clone()).await
    }

    pub(super) async fn leave(&self) -> Result<(), redis::RedisError> {
        let mut pipe = redis::pipe();
        pipe.del(self.set_key(&self.node, "online")).ignore();
        pipe.del(self.set_key(&self.node, "visible")).ignore();
        pipe.zrem(self.nodes_key(), &self.node).ignore();
        pipe.query_async::<()>(&mut self.conn.clone()).await
    }

    /// Users among `users` in the `which` set of any other live node.
    pub(super) async fn remote_among(&self, users: &[i64], which: &str) -> HashSet<i64> {
        if users.is_empty() {
            return HashSet::new();
        }
        let result: Result<HashSet<i64>, redis::RedisError> = async {
            let mut conn = self.conn.clone();
            let since = now_ms() - NODE_TTL.as_millis() as i64;
            let nodes: Vec<String> = conn.zrangebyscore(self.nodes_key(), since, "+inf").await?;
            let others: Vec<&String> = nodes.iter().filter(|n| **n != self.node).collect();
            if others.is_empty() {
                return Ok(HashSet::new());
            }
            // One round trip for all nodes: this runs for every message sent.
            let mut pipe = redis::pipe();
            for node in &others {
                pipe.cmd("SMISMEMBER").arg(self.set_key(node, which)).arg(users);
            }
            let per_node: Vec<Vec<bool>> = pipe.query_async(&mut conn).await?;
            Ok(per_node
                .into_iter()
                .flat_map(|member| users.iter().zip(member).filter(|(_, m)| *m).map(|(u, _)| *u))
                .collect())
        }
        .await;
        result.unwrap_or_else(|err| {
            // Unknown means "not looking": a push too many beats a message missed.
            metrics::counter!("tidings_redis_errors_total").increment(1);
            tracing::warn!(%err, "redis: presence lookup failed");
            HashSet::new()
        })
    }
}

#[async_trait]
impl Presence for RedisCluster {
    async fn online_among(&self, users: &[i64]) -> HashSet<i64> {
        let mut found = self.hub.online_among(users);
        found.extend(self.remote_among(users, "online").await);
        found
    }

    async fn visible_among(&self, users: &[i64]) -> HashSet<i64> {
        let mut found = self.hub.visible_among(users);
        found.extend(self.remote_among(users, "visible").await);
        found
    }

    /// Writes this user's state on this node at once, so other nodes' push
    /// decisions do not wait for the next heartbeat.
    async fn changed(&self, user: i64) {
        let _turn = self.presence_writes.lock().await;
        let (online, visible) = self.hub.state_of(user);
        let ttl = NODE_TTL.as_secs() as i64;
        let mut pipe = redis::pipe();
        for (which, on) in [("online", online), ("visible", visible)] {
            let key = self.set_key(&self.node, which);
            if on {
                pipe.sadd(&key, user).ignore().expire(&key, ttl).ignore();
            } else {
                pipe.srem(&key, user).ignore();
            }
        }
        pipe.zadd(self.nodes_key(), &self.node, now_ms()).ignore();
        if let Err(err) = pipe.query_async::<()>(&mut self.conn.clone()).await {
            metrics::counter!("tidings_redis_errors_total").increment(1);
            tracing::warn!(%err, user, "redis: presence update failed");
        }
    }
}
