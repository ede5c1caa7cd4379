//! One socket's view of the streamed replies it carries: each reply's
//! deltas go out in order and once. Frames can arrive out of order (two
//! appends racing, two nodes); a socket that would skip one sends the
//! whole message as it stands instead, and carries on from there.

use std::collections::HashMap;

use super::hub::StreamStep;
use crate::chat::Message;

/// Replies tracked per socket at most; past that the map starts over (an
/// untracked reply costs one read, then is tracked again).
const MAX_TRACKED: usize = 1024;

/// What to do with a frame of a streamed reply.
#[derive(Debug, PartialEq, Eq)]
pub enum Pass {
    Send,
    /// Already covered (by a refill or a replay): drop it.
    Drop,
    /// It would skip deltas this socket never sent: send the whole message.
    Refill {
        message_id: i64,
    },
}

#[derive(Debug, Default)]
pub struct StreamTracker {
    /// Deltas the client holds, per open reply.
    sent: HashMap<i64, i64>,
}

impl StreamTracker {
    /// Whether a live frame goes out. Records it as sent.
    pub fn admit(&mut self, step: StreamStep) -> Pass {
        match step {
            StreamStep::Started { message_id, deltas } => {
                self.holds(message_id, deltas);
                Pass::Send
            }
            StreamStep::Delta { message_id, seq, .. } => match self.sent.get(&message_id).copied() {
                Some(last) if seq <= last => Pass::Drop,
                Some(last) if seq == last + 1 => {
                    self.sent.insert(message_id, seq);
                    Pass::Send
                }
                _ => Pass::Refill { message_id },
            },
            StreamStep::Finished { message_id } => {
                self.sent.remove(&message_id);
                Pass::Send
            }
        }
    }

    /// A message went out whole (a refill, a replay, a history gap).
    pub fn saw(&mut self, message: &Message) {
        if message.streaming {
            self.holds(message.id, message.deltas);
        } else {
            self.sent.remove(&message.id);
        }
    }

    fn holds(&mut self, message_id: i64, deltas: i64) {
        if self.sent.len() >= MAX_TRACKED && !self.sent.contains_key(&message_id) {
            self.sent.clear();
        }
        let held = self.sent.entry(message_id).or_insert(deltas);
        *held = (*held).max(deltas);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(seq: i64) -> StreamStep {
        StreamStep::Delta { conversation_id: 1, message_id: 7, seq }
    }

    #[test]
    fn deltas_go_out_in_order_once_and_a_gap_asks_for_the_whole() {
        let mut tracker = StreamTracker::default();
        assert_eq!(tracker.admit(StreamStep::Started { message_id: 7, deltas: 0 }), Pass::Send);
        assert_eq!(tracker.admit(delta(1)), Pass::Send);
        assert_eq!(tracker.admit(delta(1)), Pass::Drop);
        assert_eq!(tracker.admit(delta(3)), Pass::Refill { message_id: 7 });
        // The refill carried three deltas; the late second one is covered.
        let mut whole = crate::chat::Message {
            id: 7,
            conversation_id: 1,
            seq: 1,
            author: crate::auth::User::person(1, "bot"),
            client_id: "c".into(),
            body: "abc".into(),
            created_at: 0,
            streaming: true,
            deltas: 3,
            edited_at: None,
            deleted: false,
            rev: 0,
            reactions: Vec::new(),
            reply_to: None,
            mentions: Vec::new(),
        };
        tracker.saw(&whole);
        assert_eq!(tracker.admit(delta(2)), Pass::Drop);
        assert_eq!(tracker.admit(delta(4)), Pass::Send);
        whole.streaming = false;
        tracker.saw(&whole);
        assert_eq!(tracker.admit(delta(5)), Pass::Refill { message_id: 7 }, "untracked again once finished");
    }

    #[test]
    fn a_reply_first_seen_mid_stream_is_refilled() {
        let mut tracker = StreamTracker::default();
        assert_eq!(tracker.admit(delta(9)), Pass::Refill { message_id: 7 });
    }
}
