//! A task the server owns that runs one round of work every `period` until
//! stopped (server only): both schedulers are one. A failed round is logged
//! and the next one tries again.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::error::AppError;

pub fn spawn<F, Fut>(name: &'static str, period: Duration, tasks: &mut JoinSet<()>, stop: CancellationToken, round: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), AppError>> + Send,
{
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {
                    if let Err(err) = round().await {
                        tracing::warn!(%err, task = name, "round failed; will retry");
                    }
                }
            }
        }
        tracing::debug!(task = name, "stopped");
    });
}
