//! What bots are sent (server only): `message.created` events, written in
//! the new messages' transaction as webhook jobs, and the member events of
//! a conversation that changed.
//!
//! A bot gets every message of a direct conversation; in a group, those
//! that mention it (or all, if it asked for `message.created.all`). Never
//! its own messages, and never another bot's: two bots answering each
//! other would talk forever.

use super::model::{EventType, mentions};
use super::store::{self, ListeningBot};
use super::webhook::Event;
use crate::auth::User;
use crate::chat::fanout::{MemberStep, MessageStep, StoredMessage};
use crate::chat::model::ConversationKind;
use crate::db::{Db, WriteTx};
use crate::error::AppError;
use crate::queue::{Waker, enqueue_many};

/// Chat's fan-out step for bots.
pub struct BotStep {
    pub wake: Waker,
}

#[async_trait::async_trait]
impl MessageStep for BotStep {
    async fn on_messages(&self, tx: &mut WriteTx, batch: &[StoredMessage<'_>]) -> Result<(), AppError> {
        let mut conversation_ids: Vec<i64> =
            batch.iter().filter(|s| !s.message.author.is_bot).map(|s| s.message.conversation_id).collect();
        conversation_ids.sort_unstable();
        conversation_ids.dedup();
        let bots = store::listening_in(&mut **tx, &conversation_ids).await?;
        if bots.is_empty() {
            return Ok(());
        }
        let mut with_bots: Vec<i64> = bots.iter().map(|b| b.conversation_id).collect();
        with_bots.sort_unstable();
        with_bots.dedup();
        let conversations = store::conversations(&mut **tx, &with_bots).await?;
        let mut jobs = Vec::new();
        for stored in batch {
            let message = stored.message;
            if message.author.is_bot {
                continue;
            }
            let Some(conversation) = conversations.get(&message.conversation_id) else { continue };
            for bot in bots.iter().filter(|b| b.conversation_id == message.conversation_id) {
                if !wants(bot, conversation.kind, &message.body) {
                    continue;
                }
                let mut event = Event::new("message.created", message.created_at, bot_user(bot), conversation.clone());
                event.message = Some(message.clone());
                jobs.push(event.job(&bot.webhook_url));
            }
        }
        enqueue_many(&mut **tx, &jobs).await?;
        Ok(())
    }

    fn committed(&self) {
        self.wake.wake();
    }
}

/// Member events for the bots of a conversation whose members changed.
pub struct BotMembers {
    pub db: Db,
    pub wake: Waker,
}

#[async_trait::async_trait]
impl MemberStep for BotMembers {
    async fn on_members(&self, conversation_id: i64, added: &[User], removed: &[User], created: bool) {
        if let Err(err) = self.enqueue(conversation_id, added, removed, created).await {
            tracing::warn!(conversation_id, error = %err, "cannot queue member events for bots");
        }
    }
}

impl BotMembers {
    async fn enqueue(
        &self,
        conversation_id: i64,
        added: &[User],
        removed: &[User],
        created: bool,
    ) -> Result<(), AppError> {
        let members = crate::chat::store::member_ids(self.db.pool(), conversation_id).await?;
        let mut ids: Vec<i64> =
            members.iter().copied().chain(removed.iter().filter(|u| u.is_bot).map(|u| u.id)).collect();
        ids.sort_unstable();
        ids.dedup();
        let bots = store::listening_among(&self.db, &ids, conversation_id).await?;
        if bots.is_empty() {
            return Ok(());
        }
        // One transaction: the conversation is read where its jobs are written.
        let mut tx = self.db.begin_write().await?;
        let Some(conversation) = store::conversations(&mut tx, &[conversation_id]).await?.remove(&conversation_id)
        else {
            return Ok(());
        };
        let now = crate::db::now_ms();
        let mut jobs = Vec::new();
        for bot in &bots {
            // A new conversation tells each bot in it that it was added.
            let (joined, left): (Vec<&User>, Vec<&User>) = if created {
                (added.iter().filter(|u| u.id == bot.bot_id).collect(), Vec::new())
            } else {
                (added.iter().collect(), removed.iter().collect())
            };
            for (event_type, wanted, people) in [
                (EventType::MemberAdded, bot.events.contains(&EventType::MemberAdded), joined),
                (EventType::MemberRemoved, bot.events.contains(&EventType::MemberRemoved), left),
            ] {
                for member in people.into_iter().filter(|_| wanted) {
                    let mut event = Event::new(event_type.as_str(), now, bot_user(bot), conversation.clone());
                    event.member = Some(member.clone());
                    jobs.push(event.job(&bot.webhook_url));
                }
            }
        }
        enqueue_many(&mut tx, &jobs).await?;
        tx.commit().await?;
        self.wake.wake();
        Ok(())
    }
}

fn bot_user(bot: &ListeningBot) -> User {
    User { id: bot.bot_id, username: bot.username.clone(), is_bot: true }
}

/// Whether this bot is sent a message of this kind of conversation.
fn wants(bot: &ListeningBot, kind: ConversationKind, body: &str) -> bool {
    let all = bot.events.contains(&EventType::MessageCreatedAll);
    let some = all || bot.events.contains(&EventType::MessageCreated);
    match kind {
        ConversationKind::Direct => some,
        ConversationKind::Group => all || (some && mentions(body, &bot.username)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bot(events: &[EventType]) -> ListeningBot {
        ListeningBot {
            conversation_id: 1,
            bot_id: 2,
            username: "echo".into(),
            webhook_url: "https://example.org/hook".into(),
            events: events.to_vec(),
        }
    }

    #[test]
    fn direct_messages_always_groups_by_mention_or_all() {
        let default = bot(&EventType::DEFAULT);
        assert!(wants(&default, ConversationKind::Direct, "hello"));
        assert!(!wants(&default, ConversationKind::Group, "hello"));
        assert!(wants(&default, ConversationKind::Group, "hello @echo"));
        let all = bot(&[EventType::MessageCreatedAll]);
        assert!(wants(&all, ConversationKind::Group, "hello"));
        let members_only = bot(&[EventType::MemberAdded]);
        assert!(!wants(&members_only, ConversationKind::Direct, "hello"));
    }
}
