//! Chat types shared by the server, the REST API and the browser.

use serde::{Deserialize, Serialize};

use super::level::NotifyLevel;
pub use super::mention::Mention;
use crate::auth::User;
use crate::error::AppError;

/// The longest message body, in characters.
pub const BODY_MAX_CHARS: usize = 4000;
/// The largest page of history a client may ask for.
pub const PAGE_MAX: i64 = 200;
pub const PAGE_DEFAULT: i64 = 50;
/// The most members a group may have.
pub const GROUP_MAX_MEMBERS: usize = 256;
pub const TITLE_MAX_CHARS: usize = 100;
/// The longest streamed reply, in characters: an agent's long answer is
/// longer than anything a person types.
pub const STREAM_MAX_CHARS: usize = 16_000;
/// A streamed reply not finished by then is finished as it stands.
pub const STREAM_TIMEOUT_MS: i64 = 10 * 60 * 1000;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversationKind {
    Direct,
    Group,
}

impl ConversationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
        }
    }
}

/// One message.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Server id: increases with each message of a conversation.
    pub id: i64,
    pub conversation_id: i64,
    /// 1, 2, 3… within the conversation, with no gaps.
    pub seq: i64,
    pub author: User,
    /// The sender's idempotency key (a UUID).
    pub client_id: String,
    pub body: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Still being written (a streamed reply): `body` is what has arrived.
    #[serde(default)]
    pub streaming: bool,
    /// How many appends `body` holds; each `message_delta` frame is the next.
    #[serde(default)]
    pub deltas: i64,
    /// When its author last changed the text (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<i64>,
    /// Deleted: a tombstone, its body gone.
    #[serde(default)]
    pub deleted: bool,
    /// The conversation's change number of its last edit or deletion (0:
    /// never changed); `resume` with `revs` replays changes after one.
    #[serde(default)]
    pub rev: i64,
    /// Who reacted with what, each emoji in the order it was first used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// The message this one answers, quoted above it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyTo>,
    /// The members its `@username`s name, resolved when it was stored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Mention>,
}

/// The message a reply answers, as its quote shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyTo {
    pub id: i64,
    /// Its author's username.
    pub author: String,
    /// The start of its text (at most [`QUOTE_MAX_CHARS`]; empty if deleted).
    pub body: String,
    #[serde(default)]
    pub deleted: bool,
}

impl ReplyTo {
    /// The quote of `message`.
    pub fn of(message: &Message) -> Self {
        Self {
            id: message.id,
            author: message.author.username.clone(),
            body: quote(&message.body),
            deleted: message.deleted,
        }
    }
}

/// The longest quote of a replied-to message, in characters.
pub const QUOTE_MAX_CHARS: usize = 140;

/// The start of a text, for a quote: its first [`QUOTE_MAX_CHARS`] characters.
pub fn quote(body: &str) -> String {
    match body.char_indices().nth(QUOTE_MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &body[..cut]),
        None => body.to_owned(),
    }
}

/// One emoji on a message: how many reacted with it, and who.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub count: i64,
    /// Usernames, in the order they reacted.
    pub users: Vec<String>,
}

/// A message's reactions after a change, with the change's number.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reactions {
    pub message_id: i64,
    pub conversation_id: i64,
    pub rev: i64,
    pub reactions: Vec<Reaction>,
}

/// A conversation as its members see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: i64,
    pub kind: ConversationKind,
    pub title: Option<String>,
    pub owner_id: Option<i64>,
    pub members: Vec<User>,
    pub created_at: i64,
    pub last_activity_at: i64,
    /// The newest message, for the list preview.
    pub last_message: Option<Message>,
    /// Messages from others after the caller's read pointer.
    pub unread: i64,
    /// The caller's read pointer.
    pub last_read_id: i64,
    /// What pushes the caller: their choice, or the conversation's default.
    #[serde(default)]
    pub notify_level: NotifyLevel,
    /// The caller has not chosen: `notify_level` is the default.
    #[serde(default)]
    pub notify_default: bool,
    /// Messages after the caller's read pointer that mention them.
    #[serde(default)]
    pub unread_mentions: i64,
    /// `notify_level` is `none` (kept for clients of the old mute route).
    #[serde(default)]
    pub muted: bool,
    /// Every member's read pointer ("Seen by" in groups).
    #[serde(default)]
    pub reads: Vec<ReadPointer>,
}

/// How far one member has read a conversation.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadPointer {
    pub user_id: i64,
    pub last_read_id: i64,
}

impl Conversation {
    /// How many others have read up to message `id`.
    pub fn seen_by(&self, id: i64, me: i64) -> usize {
        self.reads.iter().filter(|r| r.user_id != me && r.last_read_id >= id).count()
    }

    /// What to call the conversation: its title, or the other people in it.
    pub fn display_name(&self, me: i64) -> String {
        if let Some(title) = self.title.as_deref().filter(|t| !t.is_empty()) {
            return title.to_owned();
        }
        let others: Vec<&str> = self.members.iter().filter(|m| m.id != me).map(|m| m.username.as_str()).collect();
        if others.is_empty() { "—".to_owned() } else { others.join(", ") }
    }

    /// A direct conversation with a bot (its header and row say so).
    pub fn with_bot(&self, me: i64) -> bool {
        self.kind == ConversationKind::Direct && self.members.iter().any(|m| m.id != me && m.is_bot)
    }
}

/// 1–4000 characters, not only whitespace.
pub fn validate_body(body: &str) -> Result<(), AppError> {
    if body.trim().is_empty() {
        return Err(AppError::invalid("empty_message", "a message needs some text"));
    }
    if body.chars().count() > BODY_MAX_CHARS {
        return Err(AppError::invalid(
            "message_too_long",
            format!("a message has at most {BODY_MAX_CHARS} characters"),
        ));
    }
    validate_no_nul(body)
}

/// PostgreSQL cannot store NUL in text, so neither engine takes it.
pub fn validate_no_nul(text: &str) -> Result<(), AppError> {
    if text.contains('\0') {
        return Err(AppError::invalid("invalid_text", "text cannot hold NUL characters"));
    }
    Ok(())
}

/// The body a streamed reply starts with: may be empty, at most
/// [`STREAM_MAX_CHARS`].
pub fn validate_stream_body(body: &str) -> Result<(), AppError> {
    if body.chars().count() > STREAM_MAX_CHARS {
        return Err(AppError::invalid(
            "message_too_long",
            format!("a streamed message has at most {STREAM_MAX_CHARS} characters"),
        ));
    }
    validate_no_nul(body)
}

/// A client id is a UUID, so two devices never collide.
pub fn validate_client_id(client_id: &str) -> Result<(), AppError> {
    uuid::Uuid::parse_str(client_id)
        .map(|_| ())
        .map_err(|_| AppError::invalid("invalid_client_id", "client_id must be a UUID"))
}

/// Page bounds for history: 1–200, default 50.
pub fn validate_limit(limit: Option<i64>) -> Result<i64, AppError> {
    match limit {
        None => Ok(PAGE_DEFAULT),
        Some(n) if (1..=PAGE_MAX).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid("invalid_limit", format!("limit must be between 1 and {PAGE_MAX}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_one_to_four_thousand_characters() {
        assert!(validate_body("hi").is_ok());
        assert!(validate_body(&"é".repeat(4000)).is_ok(), "characters, not bytes");
        assert_eq!(validate_body(&"a".repeat(4001)).unwrap_err().code(), "message_too_long");
        assert_eq!(validate_body("  \n").unwrap_err().code(), "empty_message");
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(validate_limit(None).unwrap(), 50);
        assert_eq!(validate_limit(Some(200)).unwrap(), 200);
        assert!(validate_limit(Some(201)).is_err());
        assert!(validate_limit(Some(0)).is_err());
    }

    #[test]
    fn display_name_lists_the_others() {
        let user = |id, name: &str| User::person(id, name);
        let conversation = Conversation {
            id: 1,
            kind: ConversationKind::Direct,
            title: None,
            owner_id: None,
            members: vec![user(1, "alice"), user(2, "bob")],
            created_at: 0,
            last_activity_at: 0,
            last_message: None,
            unread: 0,
            last_read_id: 0,
            notify_level: NotifyLevel::All,
            notify_default: true,
            unread_mentions: 0,
            muted: false,
            reads: Vec::new(),
        };
        assert_eq!(conversation.display_name(1), "bob");
        assert_eq!(conversation.display_name(2), "alice");
    }
}
