//! Push's part in new messages (server only): one push job per device of
//! each member who is not looking, written in the messages' transaction.

use std::collections::HashMap;

use crate::chat::fanout::{MessageStep, StoredMessage};
use crate::db::WriteTx;
use crate::error::AppError;
use crate::queue::{Waker, enqueue_many};

use super::deliver::{self, PushJob};
use super::store;

pub struct PushStep {
    pub wake: Waker,
}

#[async_trait::async_trait]
impl MessageStep for PushStep {
    async fn on_messages(&self, tx: &mut WriteTx, batch: &[StoredMessage<'_>]) -> Result<(), AppError> {
        // Messages of one conversation by one author, with the same people
        // looking, go to the same devices: ask once per such group.
        let mut devices: HashMap<(i64, i64, &[i64]), Vec<store::Recipient>> = HashMap::new();
        let mut jobs = Vec::new();
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
            let payload =
                PushJob {
                conversation_id: Some(message.conversation_id),
                message_id: Some(message.id),
                ..PushJob::default()
            };
            jobs.extend(devices[&key].iter().map(|d| deliver::job(deliver::MESSAGE, d, &payload)));
        }
        enqueue_many(&mut **tx, &jobs).await?;
        Ok(())
    }

    fn committed(&self) {
        self.wake.wake();
    }
}
