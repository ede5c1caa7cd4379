//! An inbox item as a push (server only): its text, link, tag and urgency.

use super::deliver::{PushHandler, PushJob, Words};
use super::model::Notification;
use super::sender::Urgency;
use super::store;
use crate::notify::PushPreview;

impl PushHandler {
    /// A notification-centre item; gone (read, archived, deleted) means no push.
    pub(super) async fn inbox_item(
        &self,
        payload: &PushJob,
        user_id: i64,
        words: Words<'_>,
    ) -> Result<Option<(Notification, Urgency, String)>, crate::error::AppError> {
        let Some(id) = payload.notification_id else { return Ok(None) };
        let Some(item) = crate::notify::store::notification(&self.db, user_id, id).await? else { return Ok(None) };
        if item.read_at.is_some() {
            return Ok(None);
        }
        let unread = store::unread_total(&self.db, user_id).await?
            + crate::notify::store::unread_notifications(&self.db, user_id).await?;
        let anchor = match item.tag.as_deref() {
            Some(tag) => crate::notify::store::tag_anchor(&self.db, user_id, tag).await?,
            None => None,
        };
        let tag = super::payload::notification_tag(id, anchor);
        let body = match payload.count {
            Some(n) if n > 1 => super::words::and_more(words.language, &item.body, n),
            _ => item.body.clone(),
        };
        let urgency = match item.priority {
            crate::notify::Priority::High => Urgency::High,
            crate::notify::Priority::Low | crate::notify::Priority::Normal => Urgency::Normal,
        };
        let note = Notification {
            private: false,
            notification_id: Some(id),
            // `sender`: who sent it, not what it says.
            title: match words.level {
                PushPreview::Sender => item.actor.unwrap_or_else(|| "Tidings".into()),
                _ => item.title,
            },
            body,
            // Without a link of its own, a tap opens the inbox.
            url: item.url.unwrap_or_else(|| "/notifications".into()),
            conversation_id: None,
            message_id: None,
            tag: tag.clone(),
            unread,
        };
        Ok(Some((note, urgency, topic(&tag))))
    }
}

/// A push `Topic` is at most 32 URL-safe characters: hash longer tags.
fn topic(tag: &str) -> String {
    if tag.len() <= 32 && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return tag.to_owned();
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(tag.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}
