//! The step after a message is stored, inside its transaction: everything
//! that must happen because of a new message and must not be lost (a push
//! now; notification rows and webhook events next) plugs in here as a
//! [`MessageStep`], so `Chat::send` knows none of them. Live delivery to
//! open sockets is not a step: it happens after the commit, from memory.

use std::sync::Arc;

use crate::db::WriteTx;
use crate::error::AppError;

use super::Message;
use crate::auth::User;

/// A message just stored, with who was there to see it.
pub struct StoredMessage<'a> {
    pub message: &'a Message,
    /// Every member of the conversation.
    pub members: &'a [i64],
    /// Members with a visible tab open: they see it live.
    pub looking: &'a [i64],
}

/// One consequence of new messages, written in their transaction. It gets
/// the whole group commit at once, so it can write its rows in one go.
#[async_trait::async_trait]
pub trait MessageStep: Send + Sync {
    async fn on_messages(&self, tx: &mut WriteTx, batch: &[StoredMessage<'_>]) -> Result<(), AppError>;

    /// After the transaction committed (wake a worker, say).
    fn committed(&self) {}
}

/// The steps, in the order they run. Cheap to clone.
#[derive(Clone, Default)]
pub struct Fanout(Arc<Vec<Arc<dyn MessageStep>>>);

impl Fanout {
    pub fn new(steps: Vec<Arc<dyn MessageStep>>) -> Self {
        Self(Arc::new(steps))
    }

    pub async fn run(&self, tx: &mut WriteTx, batch: &[StoredMessage<'_>]) -> Result<(), AppError> {
        if batch.is_empty() {
            return Ok(());
        }
        for step in self.0.iter() {
            step.on_messages(tx, batch).await?;
        }
        Ok(())
    }

    pub fn committed(&self) {
        for step in self.0.iter() {
            step.committed();
        }
    }
}

/// Who joined or left a conversation, for what must hear of it (bots get
/// member events). Runs after the change; best effort, like the frames.
#[async_trait::async_trait]
pub trait MemberStep: Send + Sync {
    /// `created`: the conversation is new, and `added` are all its members.
    async fn on_members(&self, conversation_id: i64, added: &[User], removed: &[User], created: bool);
}

/// What reading a conversation sets off besides the `read` frame (the
/// push notifications for it closed on the reader's other devices). Runs
/// after the read pointer moved; best effort, like the frame.
#[async_trait::async_trait]
pub trait ReadStep: Send + Sync {
    /// `by_token`: the session or token that read it (its own device
    /// needs no tidying).
    async fn on_read(&self, user_id: i64, conversation_id: i64, by_token: Option<i64>);
}
