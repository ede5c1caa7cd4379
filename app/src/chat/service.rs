//! Chat operations (server only): every entry point checks access, then
//! stores, then fans out. REST, server functions and WebSocket frames call these.

use std::sync::Arc;

use sqlx::Row;

use super::access::{require_in, require_member};
use super::cluster::{Broker, Presence};
use super::frames::ServerFrame;
use super::hub::{Delivery, Envelope, MessageRef};
use super::members::MemberCache;
use super::model::{
    Conversation, ConversationKind, GROUP_MAX_MEMBERS, Message, TITLE_MAX_CHARS, validate_body, validate_client_id,
    validate_limit,
};
use super::store;
use crate::auth::User;
use crate::db::{Db, now_ms};
use crate::error::{AppError, internal};
use crate::rate_limit::RateLimits;

/// The chat domain service. Cheap to clone.
#[derive(Clone)]
pub struct Chat {
    pub db: Db,
    pub broker: Arc<dyn Broker>,
    pub presence: Arc<dyn Presence>,
    pub limits: RateLimits,
    pub members: MemberCache,
    /// Pokes the push workers when a message queued pushes.
    pub push_wake: Arc<tokio::sync::Notify>,
}

/// Whether `send` stored a new message or found the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Created,
    Duplicate,
}

impl Chat {
    /// Starts a conversation. One other member and no title makes a direct
    /// conversation (the existing one if the pair already has it); otherwise
    /// a group owned by the caller. Returns the conversation and whether it is new.
    pub async fn create_conversation(
        &self,
        me: &User,
        usernames: &[String],
        title: Option<String>,
    ) -> Result<(Conversation, bool), AppError> {
        let title = title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        if title.as_ref().is_some_and(|t| t.chars().count() > TITLE_MAX_CHARS) {
            return Err(AppError::invalid(
                "invalid_title",
                format!("a title has at most {TITLE_MAX_CHARS} characters"),
            ));
        }
        let mut names: Vec<String> = usernames.iter().map(|n| n.trim().to_owned()).collect();
        names.sort();
        names.dedup();
        names.retain(|n| *n != me.username);
        if names.is_empty() {
            return Err(AppError::invalid("no_members", "name at least one other person"));
        }
        if names.len() + 1 > GROUP_MAX_MEMBERS {
            return Err(AppError::invalid(
                "too_many_members",
                format!("a group has at most {GROUP_MAX_MEMBERS} members"),
            ));
        }
        let others = store::users_by_name(&self.db, &names)
            .await?
            .map_err(|missing| AppError::invalid("unknown_user", format!("no such user: {}", missing.join(", "))))?;
        let mut member_ids: Vec<i64> = others.iter().map(|u| u.id).chain([me.id]).collect();
        member_ids.sort_unstable();
        let (kind, direct_key) = if others.len() == 1 && title.is_none() {
            (ConversationKind::Direct, Some(format!("{}:{}", member_ids[0], member_ids[1])))
        } else {
            (ConversationKind::Group, None)
        };
        let (id, created) =
            store::create_conversation(&self.db, kind, title.as_deref(), me.id, direct_key.as_deref(), &member_ids)
                .await?;
        Ok((store::get_for_user(&self.db, me.id, id).await?, created))
    }

    pub async fn list(&self, me: &User) -> Result<Vec<Conversation>, AppError> {
        store::list_for_user(&self.db, me.id).await
    }

    pub async fn get(&self, me: &User, conversation_id: i64) -> Result<Conversation, AppError> {
        require_member(&self.db, conversation_id, me.id).await?;
        store::get_for_user(&self.db, me.id, conversation_id).await
    }

    /// A page of history, ascending.
    pub async fn history(
        &self,
        me: &User,
        conversation_id: i64,
        before: Option<i64>,
        after: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<Message>, AppError> {
        let limit = validate_limit(limit)?;
        require_member(&self.db, conversation_id, me.id).await?;
        store::messages_page(&self.db, conversation_id, before, after, limit).await
    }

    /// Messages after `after_id` (for resume), ascending, at most `limit`.
    pub async fn missed(
        &self,
        me: &User,
        conversation_id: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Message>, AppError> {
        require_member(&self.db, conversation_id, me.id).await?;
        store::messages_page(&self.db, conversation_id, None, Some(after_id), limit).await
    }

    /// Stores a message exactly once per `(author, client_id)` and fans it out.
    ///
    /// The common path is one write transaction: take the conversation's
    /// next seq (locking its row, so seqs have no gaps and ids commit in
    /// order), read the members (the access check), insert. Duplicates and
    /// refusals are sorted out only when they happen.
    pub async fn send(
        &self,
        me: &User,
        conversation_id: i64,
        client_id: &str,
        body: &str,
    ) -> Result<(Message, Sent), AppError> {
        validate_client_id(client_id)?;
        validate_body(body)?;
        if let Err(limited) = self.limits.send.check(&me.id) {
            // A retry of something already stored is answered, not limited.
            return match self.original(me, conversation_id, client_id).await? {
                Some(original) => Ok((original, Sent::Duplicate)),
                None => Err(limited),
            };
        }
        let members = self.members.get(&self.db, conversation_id).await?;
        if members.is_empty() {
            return Err(AppError::NotFound("conversation".into()));
        }
        require_in(&members, me.id)?;
        // A member with a visible tab sees the message live; everyone else
        // (hidden tabs included: iOS keeps backgrounded sockets open) gets a push.
        let mut looking: Vec<i64> = self.presence.visible_among(&members).await.into_iter().collect();
        looking.sort_unstable();
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        let locked = sqlx::query(
            "UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = $2 WHERE id = $1 RETURNING last_seq",
        )
        .bind(conversation_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(locked) = locked else {
            return Err(AppError::NotFound("conversation".into()));
        };
        let seq: i64 = locked.try_get("last_seq")?;
        let inserted = sqlx::query(
            "INSERT INTO messages (conversation_id, seq, author_id, client_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (author_id, client_id) DO NOTHING RETURNING id",
        )
        .bind(conversation_id)
        .bind(seq)
        .bind(me.id)
        .bind(client_id)
        .bind(body)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = inserted else {
            // Sent before (or by a concurrent retry): undo our seq, return the original.
            drop(tx);
            let original = self.original(me, conversation_id, client_id).await?;
            return original.map(|m| (m, Sent::Duplicate)).ok_or_else(|| internal("duplicate message vanished"));
        };
        let id: i64 = row.try_get("id")?;
        let pushes =
            crate::push::store::enqueue_for_message(&mut *tx, conversation_id, id, me.id, &looking, now).await?;
        tx.commit().await?;
        metrics::counter!("tidings_messages_total").increment(1);
        if pushes > 0 {
            self.push_wake.notify_one();
        }

        let message = Message {
            id,
            conversation_id,
            seq,
            author: me.clone(),
            client_id: client_id.to_owned(),
            body: body.to_owned(),
            created_at: now,
        };
        let reference = MessageRef { conversation_id, seq, id };
        self.publish(members.to_vec(), None, Some(reference), &ServerFrame::Message { message: message.clone() }).await;
        Ok((message, Sent::Created))
    }

    /// The message already stored for this client id. A client id reused in
    /// another conversation is a client bug: 409.
    async fn original(&self, me: &User, conversation_id: i64, client_id: &str) -> Result<Option<Message>, AppError> {
        match store::find_by_client_id(self.db.pool(), me.id, client_id).await? {
            Some(m) if m.conversation_id != conversation_id => {
                Err(AppError::conflict("client_id_reused", "this client_id was used in another conversation"))
            }
            other => Ok(other),
        }
    }

    /// Moves the caller's read pointer forward and tells their other devices
    /// and the other members.
    pub async fn mark_read(&self, me: &User, conversation_id: i64, message_id: i64) -> Result<(), AppError> {
        require_member(&self.db, conversation_id, me.id).await?;
        if let Some(pointer) = store::advance_read(&self.db, conversation_id, me.id, message_id).await? {
            let members = self.members.get(&self.db, conversation_id).await?.to_vec();
            let frame = ServerFrame::Read { conversation_id, user_id: me.id, message_id: pointer };
            self.publish(members, None, None, &frame).await;
        }
        Ok(())
    }

    /// Relays "typing" to the other members' sockets. Not stored.
    pub async fn typing(&self, me: &User, conversation_id: i64) -> Result<(), AppError> {
        let members = self.members.get(&self.db, conversation_id).await?;
        if members.is_empty() {
            return Err(AppError::NotFound("conversation".into()));
        }
        require_in(&members, me.id)?;
        self.publish(members.to_vec(), Some(me.id), None, &ServerFrame::Typing { conversation_id, user: me.clone() })
            .await;
        Ok(())
    }

    /// Adds someone to a group (owner only).
    pub async fn add_member(&self, me: &User, conversation_id: i64, username: &str) -> Result<Conversation, AppError> {
        let conversation = self.get(me, conversation_id).await?;
        self.require_owner(me, &conversation)?;
        if conversation.members.len() >= GROUP_MAX_MEMBERS {
            return Err(AppError::invalid(
                "too_many_members",
                format!("a group has at most {GROUP_MAX_MEMBERS} members"),
            ));
        }
        let user = crate::auth::service::find_user(&self.db, username)
            .await?
            .ok_or_else(|| AppError::invalid("unknown_user", format!("no such user: {username}")))?;
        store::add_member(&self.db, conversation_id, user.id).await?;
        self.members.invalidate(conversation_id);
        self.broker.members_changed(conversation_id).await;
        store::get_for_user(&self.db, me.id, conversation_id).await
    }

    /// Removes someone from a group: the owner removes anyone else; anyone may leave.
    pub async fn remove_member(&self, me: &User, conversation_id: i64, username: &str) -> Result<(), AppError> {
        let conversation = self.get(me, conversation_id).await?;
        let target = conversation
            .members
            .iter()
            .find(|m| m.username == username)
            .ok_or_else(|| AppError::NotFound("member".into()))?;
        if conversation.kind == ConversationKind::Direct {
            return Err(AppError::invalid("direct_conversation", "a direct conversation always has its two people"));
        }
        if target.id == me.id {
            if conversation.owner_id == Some(me.id) {
                return Err(AppError::invalid("owner_cannot_leave", "the owner cannot leave their group"));
            }
        } else {
            self.require_owner(me, &conversation)?;
        }
        store::remove_member(&self.db, conversation_id, target.id).await?;
        self.members.invalidate(conversation_id);
        self.broker.members_changed(conversation_id).await;
        Ok(())
    }

    fn require_owner(&self, me: &User, conversation: &Conversation) -> Result<(), AppError> {
        if conversation.kind != ConversationKind::Group || conversation.owner_id != Some(me.id) {
            return Err(AppError::Forbidden("only the group's owner can change its members".into()));
        }
        Ok(())
    }

    /// Serialises `frame` once and hands it to the broker.
    pub async fn publish(
        &self,
        recipients: Vec<i64>,
        except_user: Option<i64>,
        message: Option<MessageRef>,
        frame: &ServerFrame,
    ) {
        match serde_json::to_string(frame) {
            Ok(json) => {
                let delivery = Delivery { message, json: json.into() };

                self.broker.publish(Envelope { recipients, except_user, delivery }).await;
            }
            Err(err) => tracing::error!(%err, "cannot serialise a frame"),
        }
    }
}
