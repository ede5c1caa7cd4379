//! The server's one worker pool: a dispatcher claims due jobs as sending
//! slots free up, and each job runs in its own task, so a destination that
//! hangs holds only its own slots (at most its in-flight cap), never a
//! batch of other people's jobs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::backoff::{destination_rest, millis, retry_delay};
use super::store::{self, Job};
use super::{Kinds, Outcome, Waker};
use crate::db::{Db, now_ms};

/// How long a busy dispatcher lets slots free up before it claims again.
const GATHER: Duration = Duration::from_millis(2);

#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Jobs sent at the same time.
    pub concurrency: usize,
    /// How long a claim lasts before another worker may take the job; longer
    /// than any handler's timeout.
    pub lease: Duration,
    /// Attempts before a job is dead.
    pub max_attempts: i64,
    /// First retry delay; doubles per attempt.
    pub retry_base: Duration,
    /// The longest wait before a retry, whatever a destination's `Retry-After` says.
    pub retry_max: Duration,
    /// Jobs in flight to one destination at most.
    pub per_destination: i64,
    /// This node's name, on its leases.
    pub node: String,
}

pub struct Pool {
    db: Db,
    kinds: Kinds,
    config: PoolConfig,
    wake: Waker,
}

impl Pool {
    pub fn new(db: Db, kinds: Kinds, config: PoolConfig, wake: Waker) -> Arc<Self> {
        Arc::new(Self { db, kinds, config, wake })
    }

    /// Frees the leases this node held before a restart, then starts the
    /// dispatcher on `tasks`. On `stop` it claims nothing more and waits for
    /// the jobs in flight; unfinished jobs stay in the database.
    pub async fn spawn(self: &Arc<Self>, tasks: &mut JoinSet<()>, stop: CancellationToken) {
        match store::release_leases(&self.db, &self.config.node).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(jobs = n, node = %self.config.node, "released the leases of jobs in flight at the last stop")
            }
            Err(err) => tracing::warn!(%err, "could not release old leases; they expire on their own"),
        }
        if self.config.concurrency == 0 {
            tracing::warn!("job workers disabled: jobs stay queued");
            return;
        }
        let pool = self.clone();
        tasks.spawn(async move {
            pool.dispatch(&stop).await;
            tracing::debug!("job dispatcher stopped");
        });
    }

    async fn dispatch(self: &Arc<Self>, stop: &CancellationToken) {
        let slots = Arc::new(Semaphore::new(self.config.concurrency));
        let mut running = JoinSet::new();
        let mut busy = false;
        while !stop.is_cancelled() {
            // Wait for one free slot, then take whatever else is free.
            let first = tokio::select! {
                permit = slots.clone().acquire_owned() => permit.expect("never closed"),
                _ = stop.cancelled() => break,
            };
            let mut permits = vec![first];
            while let Ok(more) = slots.clone().try_acquire_owned() {
                permits.push(more);
            }
            // Busy (the last claim found work): let a few more sends finish
            // first, so one claim, which reads every due job, serves several
            // slots instead of one.
            if busy && permits.len() < self.config.concurrency {
                tokio::time::sleep(GATHER).await;
                while let Ok(more) = slots.clone().try_acquire_owned() {
                    permits.push(more);
                }
            }
            while running.try_join_next().is_some() {}
            let lease = millis(self.config.lease);
            let jobs = match store::claim(
                &self.db,
                &self.config.node,
                permits.len() as i64,
                lease,
                self.config.per_destination,
            )
            .await
            {
                Ok(jobs) => jobs,
                Err(err) => {
                    tracing::warn!(%err, "job queue: cannot claim jobs");
                    Vec::new()
                }
            };
            busy = !jobs.is_empty();
            if jobs.is_empty() {
                drop(permits);
                tokio::select! {
                    _ = self.wake.woken() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.cancelled() => {}
                }
                continue;
            }
            for (job, permit) in jobs.into_iter().zip(permits.drain(..)) {
                let pool = self.clone();
                running.spawn(async move {
                    pool.process(job).await;
                    drop(permit);
                });
            }
        }
        while running.join_next().await.is_some() {}
    }

    async fn process(&self, job: Job) {
        let Some(handler) = self.kinds.get(&job.kind).cloned() else {
            let _ = store::mark_dead(&self.db, &job, None, "no handler for this kind of job").await;
            return;
        };
        let started = Instant::now();
        let outcome = handler.handle(&job).await;
        let kind = job.kind.clone();
        metrics::histogram!("tidings_job_seconds", "kind" => kind.clone()).record(started.elapsed().as_secs_f64());
        let name = match &outcome {
            Outcome::Done { .. } => "done",
            Outcome::Retry { .. } => "retry",
            Outcome::Prune { .. } => "pruned",
            Outcome::Dead { .. } => "dead",
        };
        metrics::counter!("tidings_jobs_total", "kind" => kind, "outcome" => name).increment(1);
        if let Err(err) = self.record(&job, outcome, handler.max_age()).await {
            tracing::warn!(job = job.id, %err, "job outcome not recorded; its lease will expire and it will be retried");
        }
        // A claim may have found nothing only because this job's destination
        // was at its in-flight cap: look again now, not after the idle second
        // (that second capped a burst to one push service at 48 pushes/s).
        self.wake.wake();
    }

    async fn record(&self, job: &Job, outcome: Outcome, max_age: Duration) -> Result<(), crate::error::AppError> {
        match outcome {
            Outcome::Done { status } => store::mark_done(&self.db, job, status).await,
            Outcome::Prune { status, reason } => {
                store::mark_dead(&self.db, job, status, &reason).await?;
                store::drop_target(self.db.pool(), &job.target).await.map(|_| ())
            }
            Outcome::Dead { status, reason } => self.dead(job, status, &reason).await,
            Outcome::Retry { status, after, reason, payload } => {
                // The destination itself failed (no answer, or 5xx): it rests.
                if status.is_none_or(|s| s >= 500) {
                    store::destination_failed(&self.db, &job.destination, |n| millis(destination_rest(n))).await?;
                }
                let delay = retry_delay(job.attempts, self.config.retry_base, self.config.retry_max)
                    .max(after.unwrap_or_default().min(self.config.retry_max));
                let next = now_ms().saturating_add(millis(delay));
                let expires = job.created_at.saturating_add(millis(max_age));
                if job.attempts >= self.config.max_attempts || next > expires {
                    let why = format!("{reason} (gave up after {} attempts)", job.attempts);
                    return self.dead(job, status, &why).await;
                }
                tracing::info!(job = job.id, kind = %job.kind, ?status, delay_ms = millis(delay), %reason, "job will be retried");
                store::mark_retry(&self.db, job, next, status, &reason, payload.as_deref()).await
            }
        }
    }

    async fn dead(&self, job: &Job, status: Option<u16>, reason: &str) -> Result<(), crate::error::AppError> {
        metrics::counter!("tidings_jobs_dead_total", "kind" => job.kind.clone()).increment(1);
        tracing::warn!(job = job.id, kind = %job.kind, ?status, %reason, "job dead-lettered");
        store::mark_dead(&self.db, job, status, reason).await
    }
}
