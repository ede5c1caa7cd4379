//! Bot types shared by the browser and the server, and their input rules.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What a bot can be sent. A bot in a direct conversation gets every
/// message; in a group, the messages that mention `@it`, or all of them.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// A message in a direct conversation, or one mentioning the bot in a group.
    #[serde(rename = "message.created")]
    MessageCreated,
    /// Every message of its groups too (an assistant listening to all).
    #[serde(rename = "message.created.all")]
    MessageCreatedAll,
    /// Someone joined one of its conversations (the bot itself included).
    #[serde(rename = "conversation.member_added")]
    MemberAdded,
    /// Someone left or was removed.
    #[serde(rename = "conversation.member_removed")]
    MemberRemoved,
}

impl EventType {
    pub const ALL: [EventType; 4] =
        [EventType::MessageCreated, EventType::MessageCreatedAll, EventType::MemberAdded, EventType::MemberRemoved];
    /// What a bot gets unless it asks otherwise.
    pub const DEFAULT: [EventType; 3] = [EventType::MessageCreated, EventType::MemberAdded, EventType::MemberRemoved];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MessageCreated => "message.created",
            Self::MessageCreatedAll => "message.created.all",
            Self::MemberAdded => "conversation.member_added",
            Self::MemberRemoved => "conversation.member_removed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == value)
    }
}

/// A bot as its owner sees it. Its token and signing secret are shown once,
/// in [`BotCreated`].
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bot {
    /// Its user id: the id its messages carry as author.
    pub id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub webhook_url: Option<String>,
    pub events: Vec<EventType>,
    /// Anyone on this server may start a conversation with it.
    pub public: bool,
    /// Its webhook kept failing for a day: no events until it is enabled again.
    pub disabled: bool,
    /// Since when every delivery has failed (ms), if the last one did.
    pub failing_since: Option<i64>,
    pub owner_id: i64,
    pub created_at: i64,
}

/// A new bot with its secrets, shown this once.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BotCreated {
    pub bot: Bot,
    /// Its API token (`messages:read messages:write notify`), for
    /// `Authorization: Bearer`.
    pub token: String,
    /// Verifies `Tidings-Signature` on its webhooks.
    pub signing_secret: String,
}

/// `POST /api/v1/bots`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewBot {
    /// A username like a person's: 3–32 of `[a-z0-9_.-]`.
    pub username: String,
    pub display_name: Option<String>,
    /// Public https only (unless the server allows private addresses).
    pub webhook_url: Option<String>,
    /// Default: `message.created`, `conversation.member_added`, `conversation.member_removed`.
    pub events: Option<Vec<String>>,
    #[serde(default)]
    pub public: bool,
}

/// `PATCH /api/v1/bots/{id}`: what is given changes; an empty
/// `webhook_url` or `display_name` removes it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BotChanges {
    pub display_name: Option<String>,
    pub webhook_url: Option<String>,
    pub events: Option<Vec<String>>,
    pub public: Option<bool>,
    /// `false` turns a disabled bot back on.
    pub disabled: Option<bool>,
}

/// A rotated token, shown this once.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BotToken {
    pub token: String,
}

/// One webhook delivery, for `GET /api/v1/bots/{id}/deliveries`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub id: i64,
    /// The event's id (`Tidings-Event-Id`).
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `done` or `dead`.
    pub status: String,
    pub attempts: i64,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// An incoming webhook: a secret URL that posts as the bot into one
/// conversation. Its `url` is shown once, when it is made.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hook {
    pub id: i64,
    pub bot_id: i64,
    pub conversation_id: i64,
    /// `POST` here to post; only in the answer that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// `POST /api/v1/bots/{id}/hooks`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewHook {
    pub conversation_id: i64,
}

/// `POST /api/v1/hooks/{secret}`: `body` (or `text`, as Slack-style senders
/// say it); with `client_id`, a retry posts nothing new.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HookPost {
    pub body: Option<String>,
    pub text: Option<String>,
    /// Any string up to 200 characters, unique per message for this hook.
    pub client_id: Option<String>,
}

/// A bot with its latest failed deliveries, for the Bots settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotSummary {
    pub bot: Bot,
    pub failures: Vec<WebhookDelivery>,
}

pub const DISPLAY_NAME_MAX: usize = 64;

/// Trims; empty is none; at most [`DISPLAY_NAME_MAX`] characters.
pub fn validate_display_name(value: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(name) = value.map(str::trim).filter(|n| !n.is_empty()) else { return Ok(None) };
    if name.chars().count() > DISPLAY_NAME_MAX || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "invalid_display_name",
            format!("a display name has at most {DISPLAY_NAME_MAX} characters, none of them control characters"),
        ));
    }
    Ok(Some(name.to_owned()))
}

/// Known event types, without repeats; an empty list is refused (a bot
/// that wants nothing has no webhook).
pub fn parse_events(values: Option<&[String]>) -> Result<Vec<EventType>, AppError> {
    let Some(values) = values else { return Ok(EventType::DEFAULT.to_vec()) };
    let known: Vec<&str> = EventType::ALL.iter().map(|e| e.as_str()).collect();
    let invalid =
        || AppError::invalid("invalid_events", format!("events is a non-empty list of: {}", known.join(", ")));
    if values.is_empty() {
        return Err(invalid());
    }
    let mut events = Vec::new();
    for value in values {
        let event = EventType::parse(value).ok_or_else(invalid)?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    Ok(events)
}

/// Stored form: space-separated.
pub fn join_events(events: &[EventType]) -> String {
    events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(" ")
}

/// Reads the stored form; unknown words (a newer server's) are ignored.
pub fn split_events(stored: &str) -> Vec<EventType> {
    stored.split_whitespace().filter_map(EventType::parse).collect()
}

/// Whether `body` mentions `@username` as a whole name: `@bobby` and
/// `@bob.smith` are not `@bob`, but "thanks @bob." is.
pub fn mentions(body: &str, username: &str) -> bool {
    let part_of_name = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-');
    let needle = format!("@{username}");
    body.match_indices(&needle).any(|(at, _)| {
        let starts_word =
            !body[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || part_of_name(c) || c == '@');
        let rest = &body[at + needle.len()..];
        let continues_name = match rest.chars().next() {
            None => false,
            // A full stop ends a sentence; a dot inside a name goes on.
            Some('.') => rest[1..].chars().next().is_some_and(|c| !c.is_whitespace()),
            Some(c) => part_of_name(c),
        };
        starts_word && !continues_name
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_whole_names() {
        assert!(mentions("@echo hi", "echo"));
        assert!(mentions("hi @echo", "echo"));
        assert!(mentions("hi @echo, how are you", "echo"));
        assert!(mentions("thanks @echo.", "echo"));
        assert!(!mentions("hi @echobot", "echo"));
        assert!(!mentions("mail me at me@echo", "echo"));
        assert!(!mentions("hi @echo.bot", "echo"));
        assert!(mentions("@echo.bot hi", "echo.bot"));
        assert!(!mentions("echo", "echo"));
    }

    #[test]
    fn events_default_parse_and_round_trip() {
        assert_eq!(parse_events(None).unwrap(), EventType::DEFAULT.to_vec());
        let asked = vec!["message.created.all".to_owned(), "message.created.all".to_owned()];
        let events = parse_events(Some(&asked)).unwrap();
        assert_eq!(events, vec![EventType::MessageCreatedAll]);
        assert_eq!(split_events(&join_events(&events)), events);
        assert_eq!(parse_events(Some(&[])).unwrap_err().code(), "invalid_events");
        assert_eq!(parse_events(Some(&["message.deleted".to_owned()])).unwrap_err().code(), "invalid_events");
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(validate_display_name(Some("  Echo  ")).unwrap(), Some("Echo".into()));
        assert_eq!(validate_display_name(Some("   ")).unwrap(), None);
        assert!(validate_display_name(Some(&"x".repeat(65))).is_err());
        assert!(validate_display_name(Some("a\nb")).is_err());
    }
}
