//! Push's part in a new message (server only): one push job per device of
//! each member who is not looking, written in the message's transaction.

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
    async fn on_message(&self, tx: &mut WriteTx, stored: &StoredMessage<'_>) -> Result<(), AppError> {
        let message = stored.message;
        let devices =
            store::recipients_for_message(&mut **tx, message.conversation_id, message.author.id, stored.looking)
                .await?;
        let payload =
            PushJob { conversation_id: Some(message.conversation_id), message_id: Some(message.id), shrunk: false };
        let jobs: Vec<_> = devices.iter().map(|d| deliver::job(deliver::MESSAGE, d, &payload)).collect();
        enqueue_many(&mut **tx, &jobs).await?;
        Ok(())
    }

    fn committed(&self) {
        self.wake.wake();
    }
}
