//! Editing and deleting messages (server only). The author edits, within
//! the edit window; the author or the group's owner deletes. A deleted
//! message stays as a tombstone so seqs stay gapless, but its text is gone
//! from the database. Each change is numbered (`rev`) per conversation and
//! goes live as a frame; `resume` replays the changes a client missed.

use super::model::{Message, validate_body};
use super::service::Chat;
use super::store;
use crate::auth::User;
use crate::error::AppError;
use crate::live::frames::ServerFrame;

/// Changes replayed per query on resume.
pub const CHANGES_PAGE: i64 = 200;

impl Chat {
    /// Replaces the text of a message `me` wrote. 403 for someone else's,
    /// 409 `edit_window_passed` after the window, `message_deleted` for a
    /// tombstone and `streaming` for a reply still being written.
    pub async fn edit(&self, me: &User, message_id: i64, body: &str) -> Result<Message, AppError> {
        validate_body(body)?;
        let message = self.visible_message(me, message_id).await?;
        if message.author.id != me.id {
            return Err(AppError::Forbidden("only its author may edit a message".into()));
        }
        if message.deleted {
            return Err(AppError::conflict("message_deleted", "this message was deleted"));
        }
        if message.streaming {
            return Err(AppError::conflict("streaming", "finish the streamed reply instead"));
        }
        let now = self.clock.now_ms();
        if now - message.created_at > self.edit_window_ms {
            let hours = self.edit_window_ms / 3_600_000;
            return Err(AppError::conflict(
                "edit_window_passed",
                format!("a message can be edited for {hours} hours after it was sent"),
            ));
        }
        if message.body == body {
            return Ok(message);
        }
        let mentions = self.mentioned(message.conversation_id, body).await?;
        let mut tx = self.db.begin_write().await?;
        let rev = store::next_rev(&mut tx, message.conversation_id).await?;
        let Some(mut edited) = store::edit(&mut tx, message_id, body, now, rev).await? else {
            return Err(AppError::conflict("message_deleted", "this message was deleted"));
        };
        // An edit names people anew, but pushes no one.
        store::replace_mentions(&mut tx, message_id, edited.conversation_id, me.id, &mentions).await?;
        edited.mentions = mentions;
        tx.commit().await?;
        let members = self.members.get(&self.db, edited.conversation_id).await?;
        self.publish(members.to_vec(), None, None, &ServerFrame::MessageEdited { message: edited.clone() }).await;
        metrics::counter!("tidings_messages_edited_total").increment(1);
        Ok(edited)
    }

    /// Deletes a message: its author may, and so may a group's owner.
    /// Deleting a tombstone again is fine (a retry).
    pub async fn delete_message(&self, me: &User, message_id: i64) -> Result<(), AppError> {
        let message = self.visible_message(me, message_id).await?;
        if message.author.id != me.id && store::group_owner(&self.db, message.conversation_id).await? != Some(me.id) {
            return Err(AppError::Forbidden("only its author or the group's owner may delete a message".into()));
        }
        if message.deleted {
            return Ok(());
        }
        let conversation_id = message.conversation_id;
        let mut tx = self.db.begin_write().await?;
        let rev = store::next_rev(&mut tx, conversation_id).await?;
        if !store::delete(&mut tx, message_id, self.clock.now_ms(), rev).await? {
            return Ok(());
        }
        tx.commit().await?;
        let members = self.members.get(&self.db, conversation_id).await?;
        let frame = ServerFrame::MessageDeleted { conversation_id, id: message_id, rev };
        self.publish(members.to_vec(), None, None, &frame).await;
        // A push showing it (the conversation's newest message) is closed:
        // its words must not stay on a lock screen.
        if store::last_seq(&self.db, conversation_id).await? == message.seq {
            for member in members.iter().filter(|m| **m != message.author.id) {
                for step in self.read_steps.iter() {
                    step.on_read(*member, conversation_id, None).await;
                }
            }
        }
        metrics::counter!("tidings_messages_deleted_total").increment(1);
        Ok(())
    }

    /// Messages up to `up_to` changed after `rev` (for resume), in change order.
    pub async fn changed_since(
        &self,
        me: &User,
        conversation_id: i64,
        rev: i64,
        up_to: i64,
    ) -> Result<Vec<Message>, AppError> {
        super::access::require_member(&self.db, conversation_id, me.id).await?;
        store::changed_since(&self.db, conversation_id, rev, up_to, CHANGES_PAGE).await
    }

    /// A message in one of `me`'s conversations; 404 otherwise (a stranger
    /// cannot tell it exists).
    pub(super) async fn visible_message(&self, me: &User, message_id: i64) -> Result<Message, AppError> {
        let not_found = || AppError::NotFound("message".into());
        let message = store::message_by_id(&self.db, message_id).await?.ok_or_else(not_found)?;
        let members = self.members.get(&self.db, message.conversation_id).await?;
        if !members.contains(&me.id) {
            return Err(not_found());
        }
        Ok(message)
    }
}

/// The frame that tells a client about a change it missed.
pub fn change_frame(message: Message) -> ServerFrame {
    if message.deleted {
        ServerFrame::MessageDeleted { conversation_id: message.conversation_id, id: message.id, rev: message.rev }
    } else {
        ServerFrame::MessageEdited { message }
    }
}
