//! WebSocket frames: JSON objects tagged by `type`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::auth::User;
use crate::chat::Message;

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Same rules as `POST …/messages`; answered with `ack` or `error`.
    Send {
        conversation_id: i64,
        client_id: String,
        body: String,
        /// The message this one answers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<i64>,
    },
    /// "I am typing" in a conversation; relayed to the other members.
    Typing { conversation_id: i64 },
    /// Moves the read pointer forward.
    Read { conversation_id: i64, message_id: i64 },
    /// Whether this tab is visible; hidden tabs count as absent for push.
    Visibility { visible: bool },
    /// Replays every message after the given ids (JSON object keys are
    /// conversation ids), so a reconnect has no gap and no duplicate. At
    /// most [`MAX_RESUME_KEYS`] conversations.
    Resume {
        after: HashMap<String, i64>,
        /// Per conversation, the newest change (`rev`) the client holds:
        /// edits and deletions after it, of messages up to `after`, are
        /// replayed too.
        #[serde(default)]
        revs: HashMap<String, i64>,
    },
}

/// Conversations one `resume` may name; a larger one is refused whole.
pub const MAX_RESUME_KEYS: usize = 256;

/// Server → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Sent once after the connection opens.
    Hello {
        user: User,
        online: Vec<i64>,
    },
    /// A new message in one of the user's conversations.
    Message {
        message: Message,
    },
    /// The next piece of a streamed reply: append `text` to message `id`'s
    /// body. `seq` counts 1, 2, 3… per message; a socket gets them in order,
    /// once, or the whole message again (a `message` frame) after a gap.
    MessageDelta {
        id: i64,
        conversation_id: i64,
        seq: i64,
        text: String,
    },
    /// A streamed reply is complete: `message` is its final text.
    MessageFinished {
        message: Message,
    },
    /// Its author changed a message's text.
    MessageEdited {
        message: Message,
    },
    /// A message was deleted: show a tombstone, forget its text.
    MessageDeleted {
        conversation_id: i64,
        id: i64,
        rev: i64,
    },
    /// Someone added or removed a reaction: `reactions` is the message's
    /// whole set now.
    Reaction {
        conversation_id: i64,
        message_id: i64,
        rev: i64,
        reactions: Vec<crate::chat::Reaction>,
    },
    /// The message sent with `client_id` is stored as `id`.
    Ack {
        client_id: String,
        id: i64,
        conversation_id: i64,
        seq: i64,
    },
    Typing {
        conversation_id: i64,
        user: User,
    },
    Read {
        conversation_id: i64,
        user_id: i64,
        message_id: i64,
    },
    Presence {
        user_id: i64,
        online: bool,
    },
    /// The end of a `resume` replay.
    Resumed {
        conversations: Vec<i64>,
    },
    /// Something the client sent was refused; the connection stays open.
    Error {
        code: String,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        client_id: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_use_the_documented_wire_shape() {
        let frame: ClientFrame =
            serde_json::from_str(r#"{"type":"send","conversation_id":3,"client_id":"c","body":"hi"}"#).unwrap();
        assert_eq!(frame, ClientFrame::Send { conversation_id: 3, client_id: "c".into(), body: "hi".into(), reply_to: None });
        let frame: ClientFrame = serde_json::from_str(r#"{"type":"resume","after":{"3":10,"4":0}}"#).unwrap();
        assert!(matches!(frame, ClientFrame::Resume { after, revs } if after["3"] == 10 && revs.is_empty()));
        let ack = ServerFrame::Ack { client_id: "c".into(), id: 7, conversation_id: 3, seq: 1 };
        assert_eq!(
            serde_json::to_value(&ack).unwrap(),
            serde_json::json!({"type":"ack","client_id":"c","id":7,"conversation_id":3,"seq":1})
        );
    }
}
