//! The notification scheduler (server only): fires due schedules and, when
//! quiet hours end, sends one summary push per tag. A task the server owns,
//! ticking once a second on the injected clock.
//!
//! Exactly once: an occurrence is fired in the transaction that moves the
//! schedule past it, and only if nobody moved it first; after downtime the
//! missed occurrences fire once, marked late, and the rule goes on from now.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::recurrence::{Recurrence, parse_timezone};
use super::service::Notify;
use super::store::{self, NewNotification, ScheduleRow};
use crate::error::AppError;
use crate::push::deliver::{self as push, PushJob};
use crate::queue::enqueue_many;

const TICK: Duration = Duration::from_secs(1);
const BATCH: i64 = 64;
/// Fired this long after its time, an occurrence counts as late.
const LATE_MS: i64 = 60_000;
/// How often the gauges are counted again.
const GAUGES_EVERY_MS: i64 = 15_000;
/// "Active": signed in on some device within this window.
const ACTIVE_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;

impl Notify {
    /// Fires what is due and sends the summaries that are; returns how many
    /// schedules fired.
    pub async fn tick(&self) -> Result<usize, AppError> {
        let now = self.clock.now_ms();
        let mut fired = 0;
        for due in store::due_schedules(&self.db, now, BATCH).await? {
            if self.fire(&due, now).await? {
                fired += 1;
            }
        }
        for (user_id, until) in store::summaries_due(&self.db, now, BATCH).await? {
            self.summarise(user_id, until).await?;
        }
        self.set_gauges(now).await?;
        Ok(fired)
    }

    /// Every [`GAUGES_EVERY_MS`]: scheduled rows, held pushes, and the push
    /// opt-in rate (people with a device over people active in 30 days).
    async fn set_gauges(&self, now: i64) -> Result<(), AppError> {
        static LAST: AtomicI64 = AtomicI64::new(i64::MIN);
        let last = LAST.load(Ordering::Relaxed);
        if now.saturating_sub(last) < GAUGES_EVERY_MS && now >= last {
            return Ok(());
        }
        LAST.store(now, Ordering::Relaxed);
        let g = store::gauges(&self.db, now - ACTIVE_WINDOW_MS).await?;
        metrics::gauge!("tidings_notification_schedules").set(g.schedules as f64);
        metrics::gauge!("tidings_notification_pushes_held").set(g.held_pushes as f64);
        metrics::gauge!("tidings_push_opted_in_users").set(g.with_devices as f64);
        metrics::gauge!("tidings_active_users").set(g.active as f64);
        let rate = if g.active > 0 { g.with_devices as f64 / g.active as f64 } else { 0.0 };
        metrics::gauge!("tidings_push_opt_in_rate").set(rate);
        Ok(())
    }

    async fn fire(&self, due: &ScheduleRow, now: i64) -> Result<bool, AppError> {
        let next = match &due.rrule {
            Some(rule) => {
                let zone = parse_timezone(&due.timezone).unwrap_or(chrono_tz::UTC);
                Recurrence::parse(rule, zone, due.starts_at).ok().and_then(|r| r.next_after(now.max(due.next_at)))
            }
            None => None,
        };
        let recipients = self.recipients(&[due.user_id]).await?;
        let mut tx = self.db.begin_write().await?;
        if !store::advance_schedule(&mut *tx, due.id, due.next_at, next).await? {
            return Ok(false);
        }
        let note = NewNotification {
            user_id: due.user_id,
            kind: &due.kind,
            title: &due.title,
            body: &due.body,
            url: due.url.as_deref(),
            priority: due.priority,
            tag: due.tag.as_deref(),
            actor_id: due.actor_id,
            token_id: due.token_id,
            schedule_id: Some(due.id),
            late: now - due.next_at > LATE_MS,
            now,
            push_held: false,
        };
        let actor = match due.actor_id {
            Some(id) => store::username_of(&self.db, id).await?,
            None => None,
        };
        let stored = self.store_and_queue(&mut tx, &recipients, &note, actor.as_deref()).await?;
        tx.commit().await?;
        self.announce(stored).await;
        Ok(true)
    }

    /// Quiet hours are over: one push per tag (or untagged notification)
    /// that waited, saying how many there were.
    async fn summarise(&self, user_id: i64, until: i64) -> Result<(), AppError> {
        let devices = crate::push::store::recipients_for_users(&self.db, &[user_id]).await?;
        let mut tx = self.db.begin_write().await?;
        let Some(groups) = store::take_held(&mut *tx, user_id, until).await? else { return Ok(()) };
        let conversations = store::take_held_messages(&mut *tx, user_id).await?;
        let mut jobs = Vec::new();
        for g in &groups {
            let payload = PushJob {
                notification_id: Some(g.latest_id),
                count: Some(g.count),
                kind: Some(g.kind.clone()),
                ..PushJob::default()
            };
            jobs.extend(devices.iter().map(|d| push::job(push::NOTIFICATION, d, &payload)));
        }
        for &(conversation_id, message_id, count) in &conversations {
            let payload = PushJob {
                conversation_id: Some(conversation_id),
                message_id: Some(message_id),
                count: Some(count),
                ..PushJob::default()
            };
            jobs.extend(devices.iter().map(|d| push::job(push::MESSAGE, d, &payload)));
        }
        enqueue_many(&mut *tx, &jobs).await?;
        tx.commit().await?;
        self.wake.wake();
        Ok(())
    }
}

/// Starts the scheduler on `tasks`; it stops with `stop`.
pub fn spawn(notify: Notify, tasks: &mut JoinSet<()>, stop: CancellationToken) {
    crate::ticker::spawn("notification scheduler", TICK, tasks, stop, move || {
        let notify = notify.clone();
        async move { notify.tick().await.map(|_| ()) }
    });
}
