//! Cross-device tidy-up (server only): what is read on one device stops
//! showing on the others. The devices that were shown a push with that tag
//! (`shown_pushes`) get a dismissal push, `{"type":"dismiss","tags":[…],
//! "unread":n}`; the service worker replaces the matching notifications
//! with a quiet "Read on another device" that closes itself (a push that
//! shows nothing would spend Chrome's silent-push budget, and past it
//! Chrome shows "This site has been updated in the background").

use super::deliver::{self, PushJob};
use super::payload::conversation_tag;
use super::store;
use crate::chat::fanout::ReadStep;
use crate::db::Db;
use crate::error::AppError;
use crate::queue::{Waker, enqueue_many};

/// Tags one dismissal push carries at most (a tag is ≤ 130 bytes; the
/// payload stays well inside 4096).
const TAGS_PER_PUSH: usize = 20;

#[derive(Clone)]
pub struct Dismisser {
    pub db: Db,
    pub wake: Waker,
}

impl Dismisser {
    /// `tags` were read by `user_id`: dismiss them on the devices showing
    /// them, except the one of `by_token` (the device that read them).
    /// Best effort: a failure is logged, the read stands.
    pub async fn dismiss(&self, user_id: i64, tags: Vec<String>, by_token: Option<i64>) {
        if let Err(err) = self.try_dismiss(user_id, &tags, by_token).await {
            tracing::warn!(user_id, error = %err, "could not queue dismissal pushes");
        }
    }

    async fn try_dismiss(&self, user_id: i64, tags: &[String], by_token: Option<i64>) -> Result<(), AppError> {
        let mut tx = self.db.begin_write().await?;
        let devices = store::take_shown(&mut tx, user_id, tags, by_token).await?;
        if devices.is_empty() {
            return Ok(());
        }
        let mut jobs = Vec::new();
        for (device, shown) in &devices {
            for chunk in shown.chunks(TAGS_PER_PUSH) {
                jobs.push(deliver::job(
                    deliver::DISMISS,
                    device,
                    &PushJob { tags: chunk.to_vec(), ..Default::default() },
                ));
            }
        }
        enqueue_many(&mut tx, &jobs).await?;
        tx.commit().await?;
        metrics::counter!("tidings_push_dismissals_total").increment(jobs.len() as u64);
        self.wake.wake();
        Ok(())
    }
}

#[async_trait::async_trait]
impl ReadStep for Dismisser {
    async fn on_read(&self, user_id: i64, conversation_id: i64, by_token: Option<i64>) {
        self.dismiss(user_id, vec![conversation_tag(conversation_id)], by_token).await;
    }
}
