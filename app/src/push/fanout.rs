//! Push's part in new messages (server only): one push job per device of
//! each member who is not looking, written in the messages' transaction;
//! during a member's quiet hours the push is counted instead, and the
//! scheduler sends one summary per conversation when they end.

use std::collections::HashMap;

use crate::chat::NotifyLevel;
use crate::chat::fanout::{MessageStep, StoredMessage};
use crate::clock::Clock;
use crate::db::WriteTx;
use crate::error::AppError;
use crate::notify::quiet::QuietHours;
use crate::notify::store as notify_store;
use crate::queue::{Waker, enqueue_many};

use super::deliver::{self, PushJob};
use super::store;

pub struct PushStep {
    pub wake: Waker,
    pub clock: Clock,
}

#[async_trait::async_trait]
impl MessageStep for PushStep {
    async fn on_messages(&self, tx: &mut WriteTx, batch: &[StoredMessage<'_>]) -> Result<(), AppError> {
        // Messages of one conversation by one author, with the same people
        // looking, go to the same devices: ask once per such group.
        let mut devices: HashMap<(i64, i64, &[i64]), Vec<store::Recipient>> = HashMap::new();
        for stored in batch {
            let message = stored.message;
            let key = (message.conversation_id, message.author.id, stored.looking);
            if !devices.contains_key(&key) {
                let found = store::recipients_for_message(
                    &mut **tx,
                    message.conversation_id,
                    message.author.id,
                    stored.looking,
                )
                .await?;
                devices.insert(key, found);
            }
        }
        // Quiet hours are looked up for everyone who may be pushed (a few
        // more than those a mention-only level lets through).
        let mut users: Vec<i64> =
            devices.values().flatten().filter(|d| d.level != NotifyLevel::None).map(|d| d.user_id).collect();
        users.sort_unstable();
        users.dedup();
        let now = self.clock.now_ms();
        let mut held_until = HashMap::new();
        if !users.is_empty() {
            for (user, spec) in notify_store::quiet_hours_of(&mut **tx, &users).await? {
                if let Some(until) = QuietHours::parse(&spec).ok().and_then(|q| q.holds_until(now)) {
                    held_until.insert(user, until);
                }
            }
        }
        let mut jobs = Vec::new();
        for stored in batch {
            let message = stored.message;
            let key = (message.conversation_id, message.author.id, stored.looking);
            let payload = PushJob {
                conversation_id: Some(message.conversation_id),
                message_id: Some(message.id),
                ..PushJob::default()
            };
            let mut counted = Vec::new();
            let wanted = devices[&key]
                .iter()
                .filter(|d| d.level.pushes(message.mentions.iter().any(|m| m.user_id == d.user_id)));
            for device in wanted {
                match held_until.get(&device.user_id) {
                    // Once per person, however many devices they have.
                    Some(&until) if !counted.contains(&device.user_id) => {
                        counted.push(device.user_id);
                        notify_store::hold_message_push(&mut **tx, device.user_id, message.conversation_id, message.id)
                            .await?;
                        notify_store::hold_until(&mut **tx, device.user_id, until).await?;
                    }
                    Some(_) => {}
                    None => jobs.push(deliver::job(deliver::MESSAGE, device, &payload)),
                }
            }
        }
        enqueue_many(&mut **tx, &jobs).await?;
        Ok(())
    }

    fn committed(&self) {
        self.wake.wake();
    }
}
