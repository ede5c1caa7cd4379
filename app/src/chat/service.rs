//! Chat operations (server only): every entry point checks access, then
//! stores, then fans out. REST, server functions and WebSocket frames call these.

use std::sync::Arc;

use super::access::{require_bots_allowed, require_contacts, require_in, require_member};
use super::model::{
    Conversation, ConversationKind, GROUP_MAX_MEMBERS, Mention, Message, ReplyTo, TITLE_MAX_CHARS, validate_body, validate_client_id,
    validate_limit,
};
use super::mention;
use super::store;
use super::writer::{Draft, Writer, Written};
use crate::auth::User;
use crate::db::Db;
use crate::error::{AppError, internal};
use crate::live::cluster::{Broker, Presence};
use crate::live::frames::ServerFrame;
use crate::live::hub::MessageRef;
use crate::live::members::MemberCache;
use crate::rate_limit::RateLimits;

/// The chat domain service. Cheap to clone.
#[derive(Clone)]
pub struct Chat {
    pub db: Db,
    pub broker: Arc<dyn Broker>,
    pub presence: Arc<dyn Presence>,
    pub limits: RateLimits,
    pub members: MemberCache,
    /// Stores new messages, with what they set off, in group commits.
    pub writer: Writer,
    /// What a read sets off (see `fanout::ReadStep`).
    pub read_steps: Arc<[Arc<dyn super::fanout::ReadStep>]>,
    /// What a change of members sets off (see `fanout::MemberStep`).
    pub member_steps: Arc<[Arc<dyn super::fanout::MemberStep>]>,
    /// What a message sets off, run again when a streamed reply finishes
    /// (the writer runs it for whole messages).
    pub fanout: super::fanout::Fanout,
    /// The time for the streamed replies' timeout and the edit window.
    pub clock: crate::clock::Clock,
    /// How long after sending its author may edit a message.
    pub edit_window_ms: i64,
}

/// A message to store, as its sender gave it.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The sender's idempotency key (a UUID).
    pub client_id: &'a str,
    pub body: &'a str,
    /// The message it answers (of the same conversation).
    pub reply_to: Option<i64>,
    /// The start of a streamed reply.
    pub streaming: bool,
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
        require_bots_allowed(&self.db, me, &others).await?;
        let mut member_ids: Vec<i64> = others.iter().map(|u| u.id).chain([me.id]).collect();
        member_ids.sort_unstable();
        let (kind, direct_key) = if others.len() == 1 && title.is_none() {
            (ConversationKind::Direct, Some(format!("{}:{}", member_ids[0], member_ids[1])))
        } else {
            (ConversationKind::Group, None)
        };
        if kind == ConversationKind::Group {
            require_contacts(&self.db, me, &others).await?;
        }
        let (id, created) =
            store::create_conversation(&self.db, kind, title.as_deref(), me.id, direct_key.as_deref(), &member_ids)
                .await?;
        let conversation = store::get_for_user(&self.db, me.id, id).await?;
        if created {
            self.members_changed(id, &conversation.members, &[], true).await;
        }
        Ok((conversation, created))
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
    /// Checks happen here (limits, membership); the writer stores it with
    /// the other sends waiting at that moment, in one transaction with what
    /// the message sets off (`fanout`), and answers after the commit. Then
    /// the message goes live.
    pub async fn send(
        &self,
        me: &User,
        conversation_id: i64,
        client_id: &str,
        body: &str,
    ) -> Result<(Message, Sent), AppError> {
        self.post(me, conversation_id, Outgoing { client_id, body, reply_to: None, streaming: false }).await
    }

    /// `send` with everything a message may carry: a reply, or the start
    /// of a streamed reply (whose `body` may be empty).
    pub async fn post(
        &self,
        me: &User,
        conversation_id: i64,
        outgoing: Outgoing<'_>,
    ) -> Result<(Message, Sent), AppError> {
        let Outgoing { client_id, body, reply_to, streaming } = outgoing;
        if streaming {
            super::model::validate_stream_body(body)?;
        } else {
            validate_body(body)?;
        }
        validate_client_id(client_id)?;
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
        let reply_to = match reply_to {
            Some(id) => Some(self.quoted(conversation_id, id).await?),
            None => None,
        };
        let mentions = self.mentioned(conversation_id, body).await?;
        // A member with a visible tab sees the message live; everyone else
        // (hidden tabs included: iOS keeps backgrounded sockets open) gets a push.
        let mut looking: Vec<i64> = self.presence.visible_among(&members).await.into_iter().collect();
        looking.sort_unstable();
        let draft = Draft {
            author: me.clone(),
            conversation_id,
            client_id: client_id.to_owned(),
            body: body.to_owned(),
            members: members.clone(),
            looking,
            streaming,
            reply_to,
            mentions_json: store::mentions_json(&mentions),
            mentions,
        };
        let message = match self.writer.write(draft).await? {
            Written::Created(message) => message,
            Written::Duplicate => {
                let original = self.original(me, conversation_id, client_id).await?;
                return original.map(|m| (m, Sent::Duplicate)).ok_or_else(|| internal("duplicate message vanished"));
            }
        };
        metrics::counter!("tidings_messages_total").increment(1);
        Ok((message, Sent::Created))
    }

    /// The members a text's `@names` name.
    pub(super) async fn mentioned(&self, conversation_id: i64, body: &str) -> Result<Vec<Mention>, AppError> {
        store::members_named(self.db.pool(), conversation_id, &mention::names(body)).await
    }

    /// The quote of the message a reply answers: one of the same
    /// conversation, or 422 `invalid_reply_to`.
    async fn quoted(&self, conversation_id: i64, id: i64) -> Result<ReplyTo, AppError> {
        match store::message_by_id(&self.db, id).await? {
            Some(original) if original.conversation_id == conversation_id => Ok(ReplyTo::of(&original)),
            _ => Err(AppError::invalid("invalid_reply_to", "reply_to must be a message of this conversation")),
        }
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

    /// The people the user shares a conversation with (for presence).
    pub async fn contacts(&self, me: &User) -> Result<Vec<i64>, AppError> {
        store::contacts(&self.db, me.id).await
    }

    /// The seq of the latest message at or before `message_id` (where a
    /// client's view of the conversation ends).
    pub async fn seq_at_or_before(&self, me: &User, conversation_id: i64, message_id: i64) -> Result<i64, AppError> {
        require_member(&self.db, conversation_id, me.id).await?;
        store::seq_at_or_before(&self.db, conversation_id, message_id).await
    }

    /// Messages strictly between two seqs: a live socket's gap. The caller
    /// is already known to be a member (the message was fanned out to it).
    pub async fn between_seq(&self, conversation_id: i64, from: i64, to: i64) -> Result<Vec<Message>, AppError> {
        store::messages_between_seq(&self.db, conversation_id, from, to).await
    }

    /// Relays "typing" to the other members' sockets. Not stored.
    pub async fn typing(&self, me: &User, conversation_id: i64) -> Result<(), AppError> {
        self.limits.typing.check(&me.id)?;
        let members = self.members.get(&self.db, conversation_id).await?;
        if members.is_empty() {
            return Err(AppError::NotFound("conversation".into()));
        }
        require_in(&members, me.id)?;
        self.publish(members.to_vec(), Some(me.id), None, &ServerFrame::Typing { conversation_id, user: me.clone() })
            .await;
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
        crate::live::cluster::publish_frame(&*self.broker, recipients, except_user, message, frame).await;
    }
}
