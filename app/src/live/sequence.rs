//! One socket's view of each conversation's gapless `seq`: live messages
//! go out in order and once, a jump is filled from the database first, and
//! `resume` replays what the client missed.

use std::collections::HashMap;

use super::hub::MessageRef;
use crate::auth::User;
use crate::chat::Message;
use crate::chat::service::Chat;
use crate::error::AppError;

/// Replayed per query on resume.
pub const REPLAY_PAGE: i64 = 200;

/// What to do with a live message on this socket.
#[derive(Debug, PartialEq, Eq)]
pub enum Admit {
    /// Already sent (a replay overlapped it): drop it.
    Duplicate,
    /// Send it, after these messages it skipped over.
    After(Vec<Message>),
}

#[derive(Debug, Default)]
pub struct Sequencer {
    /// Highest seq sent per conversation.
    last_seq: HashMap<i64, i64>,
}

impl Sequencer {
    /// Whether and after what a live message goes out. Records it as sent.
    pub async fn admit(&mut self, chat: &Chat, reference: MessageRef) -> Admit {
        let gap = match self.last_seq.get(&reference.conversation_id).copied() {
            Some(last) if reference.seq <= last => return Admit::Duplicate,
            // The socket was authorised for this conversation when the
            // message was fanned out to it; the gap is the same conversation.
            Some(last) if reference.seq > last + 1 => {
                chat.between_seq(reference.conversation_id, last, reference.seq).await.unwrap_or_default()
            }
            _ => Vec::new(),
        };
        self.last_seq.insert(reference.conversation_id, reference.seq);
        Admit::After(gap)
    }

    /// Starts a replay after `after_id`: where the client's view ends.
    pub async fn resume_from(
        &mut self,
        chat: &Chat,
        me: &User,
        conversation_id: i64,
        after_id: i64,
    ) -> Result<(), AppError> {
        let seq = chat.seq_at_or_before(me, conversation_id, after_id).await?;
        let tracked = self.last_seq.entry(conversation_id).or_insert(seq);
        *tracked = (*tracked).max(seq);
        Ok(())
    }

    /// The next page of a replay, after message `cursor`; `None` when done.
    pub async fn replay_page(
        &mut self,
        chat: &Chat,
        me: &User,
        conversation_id: i64,
        cursor: i64,
    ) -> Result<(Vec<Message>, Option<i64>), AppError> {
        let page = chat.missed(me, conversation_id, cursor, REPLAY_PAGE).await?;
        for message in &page {
            self.saw(conversation_id, message.seq);
        }
        let next = match page.last() {
            Some(last) if page.len() as i64 == REPLAY_PAGE => Some(last.id),
            _ => None,
        };
        Ok((page, next))
    }

    /// A message of this conversation went out on the socket.
    pub fn saw(&mut self, conversation_id: i64, seq: i64) {
        let tracked = self.last_seq.entry(conversation_id).or_insert(seq);
        *tracked = (*tracked).max(seq);
    }
}
