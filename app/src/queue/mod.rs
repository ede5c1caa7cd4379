//! The one durable job queue (server only): anything delivered later — a
//! push now; webhooks and notification pushes next — is a row in `jobs`,
//! written in its producer's transaction ([`enqueue`]) and sent by the
//! [`Handler`] registered for its kind. A new kind is a new handler, never
//! a copy of the queue.
//!
//! The mechanics live here once: claims under a lease that names the node
//! (released at once when that node restarts), retries with backoff and
//! jitter that honour a capped `Retry-After`, dead letters with a reason,
//! fair claiming (owners take turns; a destination has an in-flight cap and
//! rests as a whole when it keeps failing), and metrics per kind.

mod backoff;
mod pool;
pub mod store;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub use pool::{Pool, PoolConfig};
pub use store::{Job, JobInfo, NewJob, enqueue, enqueue_many};

/// What a handler made of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered; `status` is the destination's answer, if it gave one.
    Done { status: Option<u16> },
    /// Try again later: not before `after` (the destination's
    /// `Retry-After`, capped), and with `payload` if the handler changed it.
    Retry { status: Option<u16>, after: Option<Duration>, reason: String, payload: Option<String> },
    /// The target is gone (and the handler has removed it): this job and
    /// the target's other pending jobs end.
    Prune { status: Option<u16>, reason: String },
    /// Give up: a dead letter with the reason.
    Dead { status: Option<u16>, reason: String },
}

/// Sends the jobs of one kind.
#[async_trait::async_trait]
pub trait Handler: Send + Sync {
    /// One attempt at `job`.
    async fn handle(&self, job: &Job) -> Outcome;

    /// Past this age a job is dead, whatever its attempts (a push's TTL).
    fn max_age(&self) -> Duration {
        Duration::from_secs(24 * 3600)
    }
}

/// The handlers, by kind. Built once at start-up.
#[derive(Clone, Default)]
pub struct Kinds(HashMap<&'static str, Arc<dyn Handler>>);

impl Kinds {
    pub fn with(mut self, kind: &'static str, handler: Arc<dyn Handler>) -> Self {
        self.0.insert(kind, handler);
        self
    }

    fn get(&self, kind: &str) -> Option<&Arc<dyn Handler>> {
        self.0.get(kind)
    }
}

/// Pokes the workers when jobs were queued (after the producer's commit).
#[derive(Clone, Default)]
pub struct Waker(Arc<tokio::sync::Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    async fn woken(&self) {
        self.0.notified().await;
    }
}
