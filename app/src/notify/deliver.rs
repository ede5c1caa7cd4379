//! A new notification's way out (server only): stored in the inbox in the
//! caller's transaction, its pushes queued there too (or held for quiet
//! hours), then live frames to open sockets once committed.

use std::collections::HashMap;

use super::frames::NotifyFrame;
use crate::db::WriteTx;
use crate::error::AppError;
use crate::notify::model::{Notification, Priority, metric_kind};
use crate::push::deliver::{self as push, PushJob};
use crate::queue::enqueue_many;

use super::quiet::QuietHours;
use super::service::Notify;
use super::store::{self, NewNotification};

/// Whose notification it is, and what that person's settings say.
pub struct Recipient {
    pub user_id: i64,
    pub quiet: Option<QuietHours>,
    /// Has a visible socket: the live frame is enough.
    pub looking: bool,
    pub devices: Vec<crate::push::store::Recipient>,
}

impl Notify {
    /// Stores `note` for each recipient in `tx` and queues its pushes;
    /// returns the notifications to announce after the commit.
    pub(super) async fn store_and_queue(
        &self,
        tx: &mut WriteTx,
        recipients: &[Recipient],
        note: &NewNotification<'_>,
        actor: Option<&str>,
    ) -> Result<Vec<(i64, Notification)>, AppError> {
        let mut stored = Vec::with_capacity(recipients.len());
        let mut jobs = Vec::new();
        for r in recipients {
            let held = match r.quiet {
                Some(q) if note.priority != Priority::High => q.holds_until(note.now),
                _ => None,
            };
            let row = NewNotification { user_id: r.user_id, push_held: held.is_some() && !r.looking, ..note.clone() };
            let id = store::insert_notification(&mut **tx, &row).await?;
            match held {
                Some(until) if !r.looking => store::hold_until(&mut **tx, r.user_id, until).await?,
                _ if !r.looking => {
                    let payload = PushJob { notification_id: Some(id), kind: Some(note.kind.to_owned()), ..PushJob::default() };
                    jobs.extend(r.devices.iter().map(|d| push::job(push::NOTIFICATION, d, &payload)));
                }
                _ => {}
            }
            stored.push((r.user_id, notification(id, &row, actor)));
        }
        for chunk in jobs.chunks(500) {
            enqueue_many(&mut **tx, chunk).await?;
        }
        metrics::counter!("tidings_notifications_created_total", "kind" => metric_kind(note.kind))
            .increment(recipients.len() as u64);
        // Those looking get it live now (the frame follows the commit).
        let live = recipients.iter().filter(|r| r.looking).count();
        metrics::counter!("tidings_notifications_delivered_total", "channel" => "live", "kind" => metric_kind(note.kind))
            .increment(live as u64);
        Ok(stored)
    }

    /// Looks up what delivery needs for each user: quiet hours, whether
    /// they are looking, their devices.
    pub(super) async fn recipients(&self, users: &[i64]) -> Result<Vec<Recipient>, AppError> {
        let looking = self.presence.visible_among(users).await;
        let mut devices: HashMap<i64, Vec<_>> = HashMap::new();
        for chunk in users.chunks(500) {
            for d in crate::push::store::recipients_for_users(&self.db, chunk).await? {
                devices.entry(d.user_id).or_default().push(d);
            }
        }
        let quiet = store::quiet_hours_of(&mut *self.db.pool().acquire().await?, users).await?;
        Ok(users
            .iter()
            .map(|&user_id| Recipient {
                user_id,
                quiet: quiet.get(&user_id).and_then(|spec| QuietHours::parse(spec).ok()),
                looking: looking.contains(&user_id),
                devices: devices.remove(&user_id).unwrap_or_default(),
            })
            .collect())
    }

    /// After the commit: wakes the push workers and tells open sockets.
    pub(super) async fn announce(&self, stored: Vec<(i64, Notification)>) {
        self.wake.wake();
        for (user_id, notification) in stored {
            self.frame(vec![user_id], &NotifyFrame::Notification { notification }).await;
        }
    }

    pub(super) async fn frame(&self, recipients: Vec<i64>, frame: &NotifyFrame) {
        crate::live::cluster::publish_frame(&*self.broker, recipients, None, None, frame).await;
    }
}

fn notification(id: i64, n: &NewNotification<'_>, actor: Option<&str>) -> Notification {
    Notification {
        id,
        kind: n.kind.to_owned(),
        title: n.title.to_owned(),
        body: n.body.to_owned(),
        url: n.url.map(str::to_owned),
        priority: n.priority,
        tag: n.tag.map(str::to_owned),
        actor: actor.map(str::to_owned),
        late: n.late,
        created_at: n.now,
        sent_at: Some(n.now),
        read_at: None,
        archived_at: None,
    }
}
