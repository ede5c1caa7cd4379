//! The notification centre's service (server only): publish, the inbox,
//! schedules and preferences. REST handlers and server functions call it.
//!
//! Who may notify whom: anyone may notify themselves; notifying someone
//! else needs a shared conversation with them, or a token with `notify:any`
//! (which only an admin can issue). Otherwise 403 `not_allowed`.

use std::sync::Arc;

use super::frames::NotifyFrame;
use super::model::{Notification, Preferences, Schedule, UnreadCount, metric_kind};
use super::publish::{MAX_ANY, MAX_RECIPIENTS, PublishRequest, Published};
use super::quiet::QuietHours;
use super::recurrence::{Recurrence, parse_timezone};
use super::remind::{self, When};
use super::store::{self, InboxQuery, NewNotification, NewSchedule};
use crate::auth::User;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::AppError;
use crate::live::cluster::{Broker, Presence};
use crate::push::dismiss::Dismisser;
use crate::push::payload::notification_tag;
use crate::queue::Waker;

/// How far ahead a notification may be scheduled.
const MAX_AHEAD_MS: i64 = 366 * 24 * 3600 * 1000;
/// Clock skew tolerated on `send_at`.
const PAST_TOLERANCE_MS: i64 = 60_000;
/// Schedules one actor may have waiting (a `notify:any` token: `MAX_ANY`).
pub const MAX_SCHEDULES: i64 = 100;
/// Read at once, the newest this many are dismissed on other devices.
const DISMISS_AT_MOST: usize = 200;
const LANGUAGES: [&str; 4] = ["en", "es", "pt", "ru"];

#[derive(Clone)]
pub struct Notify {
    pub db: Db,
    pub broker: Arc<dyn Broker>,
    pub presence: Arc<dyn Presence>,
    pub wake: Waker,
    pub clock: Clock,
    /// Closes what was read here on the person's other devices.
    pub dismiss: Dismisser,
}

/// Who is publishing.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub token_id: Option<i64>,
    /// A token with `notify:any`: may notify anyone.
    pub notify_any: bool,
}

impl Notify {
    /// Stores (or schedules) a notification for each recipient. Returns
    /// the answer and whether it is new (`false`: a repeated dedupe key).
    pub async fn publish(&self, actor: &Actor, req: &PublishRequest) -> Result<(Published, bool), AppError> {
        let names = req.validate(if actor.notify_any { MAX_ANY } else { MAX_RECIPIENTS })?;
        let now = self.clock.now_ms();
        if let Some(at) = req.send_at
            && (at < now - PAST_TOLERANCE_MS || at > now + MAX_AHEAD_MS)
        {
            return Err(AppError::invalid(
                "invalid_send_at",
                "send_at is milliseconds since the Unix epoch, from now up to a year ahead",
            ));
        }
        let zone = req.timezone.as_deref().map(parse_timezone).transpose()?;
        if let Some(rule) = &req.recurrence {
            Recurrence::parse(rule, zone.unwrap_or(chrono_tz::UTC), req.send_at.unwrap_or(now))?;
        }
        let users = store::users_named(&self.db, &names).await?;
        if users.len() != names.len() {
            let missing: Vec<&str> =
                names.iter().filter(|n| !users.iter().any(|u| &u.username == *n)).map(String::as_str).collect();
            return Err(AppError::invalid("unknown_recipient", format!("no such user: {}", missing.join(", "))));
        }
        for user in &users {
            if user.id != actor.user.id
                && !actor.notify_any
                && !store::share_a_conversation(&self.db, actor.user.id, user.id).await?
            {
                return Err(AppError::NotAllowed(format!(
                    "you may notify {} only once you share a conversation (or with a notify:any token)",
                    user.username
                )));
            }
        }
        if req.scheduled() {
            let cap = if actor.notify_any { MAX_ANY as i64 } else { MAX_SCHEDULES };
            if store::count_schedules_by(&self.db, actor.user.id).await? + users.len() as i64 > cap {
                return Err(AppError::invalid(
                    "too_many_scheduled",
                    format!("at most {cap} scheduled notifications wait at once; cancel one first"),
                ));
            }
        }
        let recipients = if req.scheduled() {
            Vec::new()
        } else {
            self.recipients(&users.iter().map(|u| u.id).collect::<Vec<_>>()).await?
        };

        let mut tx = self.db.begin_write().await?;
        if let Some(key) = &req.dedupe_key
            && let Some(first) = store::claim_dedupe(&mut *tx, actor.user.id, key, now).await?
        {
            tx.commit().await?;
            let first = serde_json::from_str(&first).map_err(crate::error::internal)?;
            return Ok((first, false));
        }
        let (published, stored) = if req.scheduled() {
            (self.schedule_in(&mut tx, actor, req, &users, zone, now).await?, Vec::new())
        } else {
            let note = NewNotification {
                user_id: 0,
                kind: req.kind(),
                title: &req.title,
                body: req.body(),
                url: req.url.as_deref(),
                priority: req.priority(),
                tag: req.tag.as_deref(),
                actor_id: Some(actor.user.id),
                token_id: actor.token_id,
                schedule_id: None,
                late: false,
                now,
                push_held: false,
            };
            let stored = self.store_and_queue(&mut tx, &recipients, &note, Some(&actor.user.username)).await?;
            let ids: Vec<i64> = stored.iter().map(|(_, n)| n.id).collect();
            (Published { id: ids[0], ids, status: "sent".into(), next_at: None }, stored)
        };
        if let Some(key) = &req.dedupe_key {
            let json = serde_json::to_string(&published).map_err(crate::error::internal)?;
            store::record_dedupe(&mut *tx, actor.user.id, key, &json).await?;
        }
        tx.commit().await?;
        self.announce(stored).await;
        Ok((published, true))
    }

    async fn schedule_in(
        &self,
        tx: &mut crate::db::WriteTx,
        actor: &Actor,
        req: &PublishRequest,
        users: &[User],
        zone: Option<chrono_tz::Tz>,
        now: i64,
    ) -> Result<Published, AppError> {
        let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let zones = store::quiet_hours_of(&mut **tx, &ids).await?;
        let starts_at = req.send_at.unwrap_or(now);
        let mut ids = Vec::new();
        let mut first_next = None;
        for user in users {
            // The recipient's zone (from their quiet hours) unless one was given.
            let zone = zone
                .or_else(|| zones.get(&user.id).and_then(|q| parse_timezone(&q.timezone).ok()))
                .unwrap_or(chrono_tz::UTC);
            let next_at = match &req.recurrence {
                Some(rule) => Recurrence::parse(rule, zone, starts_at)?
                    .next_after(starts_at.max(now) - 1)
                    .ok_or_else(|| AppError::invalid("invalid_recurrence", "the rule has no occurrence ahead"))?,
                None => starts_at,
            };
            first_next.get_or_insert(next_at);
            let row = NewSchedule {
                user_id: user.id,
                actor_id: actor.user.id,
                token_id: actor.token_id,
                kind: req.kind(),
                title: &req.title,
                body: req.body(),
                url: req.url.as_deref(),
                priority: req.priority(),
                tag: req.tag.as_deref(),
                rrule: req.recurrence.as_deref(),
                timezone: zone.name(),
                starts_at,
                next_at,
                now,
            };
            ids.push(store::insert_schedule(&mut **tx, &row).await?);
        }
        Ok(Published { id: ids[0], ids, status: "scheduled".into(), next_at: first_next })
    }

    /// "Remind me": a reminder to oneself, as the form put it.
    pub async fn remind(&self, me: &User, text: &str, when: &When, timezone: &str) -> Result<Published, AppError> {
        let req = remind::request(&me.username, text, when, timezone, self.clock.now_ms())?;
        let actor = Actor { user: me.clone(), token_id: None, notify_any: false };
        Ok(self.publish(&actor, &req).await?.0)
    }

    pub async fn inbox(&self, me: &User, q: &InboxQuery<'_>) -> Result<Vec<Notification>, AppError> {
        store::inbox(&self.db, me.id, q).await
    }

    pub async fn unread_count(&self, me: &User) -> Result<UnreadCount, AppError> {
        Ok(UnreadCount {
            notifications: store::unread_notifications(&self.db, me.id).await?,
            messages: crate::push::store::unread_total(&self.db, me.id).await?,
        })
    }

    /// Marks one read, and tells the user's other sockets.
    /// `by_token` (here and below): the session or token acting, whose own
    /// device is not sent a dismissal.
    pub async fn read(&self, me: &User, id: i64, by_token: Option<i64>) -> Result<(), AppError> {
        if !store::mark_read(&self.db, me.id, id, self.clock.now_ms()).await? {
            return Err(AppError::NotFound("notification".into()));
        }
        self.frame(vec![me.id], &NotifyFrame::NotificationRead { ids: vec![id] }).await;
        self.after_read(me, &[id], by_token).await;
        Ok(())
    }

    pub async fn read_all(&self, me: &User, kind: Option<&str>, by_token: Option<i64>) -> Result<(), AppError> {
        let ids = store::mark_all_read(&self.db, me.id, kind, self.clock.now_ms()).await?;
        if !ids.is_empty() {
            self.after_read(me, &ids, by_token).await;
            self.frame(vec![me.id], &NotifyFrame::NotificationRead { ids }).await;
        }
        Ok(())
    }

    /// Counts the reads by kind, and dismisses their pushes, which may
    /// still show on other devices. The newest ones are enough: older
    /// pushes have long been seen or replaced.
    async fn after_read(&self, me: &User, ids: &[i64], by_token: Option<i64>) {
        let mut newest = ids.to_vec();
        newest.sort_unstable_by(|a, b| b.cmp(a));
        newest.truncate(DISMISS_AT_MOST);
        match store::kinds_and_tags(&self.db, me.id, &newest).await {
            Ok(rows) => {
                for (_, kind, _) in &rows {
                    metrics::counter!("tidings_notifications_read_total", "kind" => metric_kind(kind)).increment(1);
                }
                let mut tags: Vec<String> =
                    rows.iter().map(|(id, _, anchor)| notification_tag(*id, *anchor)).collect();
                tags.sort();
                tags.dedup();
                self.dismiss.dismiss(me.id, tags, by_token).await;
            }
            Err(err) => tracing::warn!(error = %err, "could not read the tags to dismiss"),
        }
    }

    pub async fn archive(&self, me: &User, id: i64, by_token: Option<i64>) -> Result<(), AppError> {
        if !store::archive(&self.db, me.id, id, self.clock.now_ms()).await? {
            return Err(AppError::NotFound("notification".into()));
        }
        self.frame(vec![me.id], &NotifyFrame::NotificationRead { ids: vec![id] }).await;
        self.after_read(me, &[id], by_token).await;
        Ok(())
    }

    pub async fn schedules(&self, me: &User) -> Result<Vec<Schedule>, AppError> {
        Ok(store::schedules_of(&self.db, me.id).await?.iter().map(|s| s.public()).collect())
    }

    pub async fn cancel_schedule(&self, me: &User, id: i64) -> Result<(), AppError> {
        if !store::delete_schedule(&self.db, me.id, id).await? {
            return Err(AppError::NotFound("scheduled notification".into()));
        }
        Ok(())
    }

    pub async fn preferences(&self, me: &User) -> Result<Preferences, AppError> {
        store::preferences(&self.db, me.id).await
    }

    pub async fn set_preferences(&self, me: &User, prefs: &Preferences) -> Result<Preferences, AppError> {
        if let Some(quiet) = &prefs.quiet_hours {
            QuietHours::parse(quiet)?;
        }
        if let Some(language) = &prefs.language
            && !LANGUAGES.contains(&language.as_str())
        {
            return Err(AppError::invalid("invalid_language", format!("language is one of {}", LANGUAGES.join(", "))));
        }
        store::save_preferences(&self.db, me.id, prefs).await?;
        Ok(prefs.clone())
    }
}
