//! What a notification is, on both sides: the inbox item, what a publisher
//! sends, and the checks on each field.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub const TITLE_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 2000;
const KIND_MAX_CHARS: usize = 64;
const TAG_MAX_CHARS: usize = 128;
const URL_MAX_CHARS: usize = 2048;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    /// Passes through quiet hours.
    High,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
        }
    }

    pub fn parse(value: &str) -> Priority {
        match value {
            "low" => Priority::Low,
            "high" => Priority::High,
            _ => Priority::Normal,
        }
    }
}

/// One item of a person's inbox.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    /// A same-origin path, or an https URL.
    pub url: Option<String>,
    pub priority: Priority,
    pub tag: Option<String>,
    /// The username of whoever created it (a person or a bot).
    pub actor: Option<String>,
    /// Fired after its time, because the server was down then.
    pub late: bool,
    /// Milliseconds since the Unix epoch, as every time here.
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub read_at: Option<i64>,
    pub archived_at: Option<i64>,
}

/// Kinds are anyone's slugs: the metric label keeps to a few values, so a
/// publisher cannot grow the metrics without bound.
pub fn metric_kind(kind: &str) -> &'static str {
    match kind.split('.').next() {
        Some("reminder") => "reminder",
        Some("system") => "system",
        Some("app") => "app",
        _ => "other",
    }
}

/// Unread counts, for the bell and the app badge.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UnreadCount {
    pub notifications: i64,
    pub messages: i64,
}

/// How much of a push's text leaves the server (through Google's, Apple's
/// or Mozilla's push service, encrypted).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PushPreview {
    /// Sender and text.
    #[default]
    Full,
    /// The sender's name only.
    Sender,
    /// Only ids and the unread count; the device fetches the rest from here.
    Private,
}

impl PushPreview {
    pub fn as_str(self) -> &'static str {
        match self {
            PushPreview::Full => "full",
            PushPreview::Sender => "sender",
            PushPreview::Private => "private",
        }
    }

    pub fn parse(value: &str) -> PushPreview {
        match value {
            "sender" => PushPreview::Sender,
            "private" => PushPreview::Private,
            _ => PushPreview::Full,
        }
    }
}

/// Quiet hours as a person sets them: local "HH:MM" times in an IANA zone;
/// `start` after `end` spans midnight.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHoursSpec {
    pub start: String,
    pub end: String,
    pub timezone: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Preferences {
    /// `null`: pushes are never held.
    pub quiet_hours: Option<QuietHoursSpec>,
    #[serde(default)]
    pub push_preview: PushPreview,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A notification waiting for its time, once or by a rule.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: i64,
    /// The recipient's username.
    pub to: String,
    pub kind: String,
    pub title: String,
    /// The RRULE, for a recurring one.
    pub recurrence: Option<String>,
    pub timezone: String,
    pub next_at: i64,
}

/// `kind` is a short slug: `reminder`, `system`, `app.<name>`.
pub fn validate_kind(kind: &str) -> Result<(), AppError> {
    let ok = !kind.is_empty()
        && kind.len() <= KIND_MAX_CHARS
        && kind.split('.').all(|part| {
            !part.is_empty()
                && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "invalid_kind",
            format!("kind is a lowercase slug of at most {KIND_MAX_CHARS} characters, such as reminder or app.feeder"),
        ))
    }
}

pub fn validate_text(title: &str, body: &str) -> Result<(), AppError> {
    if title.trim().is_empty() {
        return Err(AppError::invalid("empty_title", "a notification needs a title"));
    }
    if title.chars().count() > TITLE_MAX_CHARS {
        return Err(AppError::invalid("title_too_long", format!("a title has at most {TITLE_MAX_CHARS} characters")));
    }
    if body.chars().count() > BODY_MAX_CHARS {
        return Err(AppError::invalid("body_too_long", format!("a body has at most {BODY_MAX_CHARS} characters")));
    }
    // Line breaks and tabs belong in a body; other control characters
    // (NUL, escapes) in neither, and PostgreSQL cannot store NUL at all.
    if title.chars().any(char::is_control) || body.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(AppError::invalid("invalid_text", "titles and bodies cannot hold control characters"));
    }
    Ok(())
}

/// A same-origin path (`/c/3`, not `//evil.example`) or an `https` URL.
pub fn validate_url(url: &str) -> Result<(), AppError> {
    let path = url.starts_with('/') && !url.starts_with("//") && !url.contains('\\');
    let https = url.strip_prefix("https://").is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.contains('@')
    });
    let clean = !url.chars().any(|c| c.is_control() || c.is_whitespace());
    if url.len() <= URL_MAX_CHARS && clean && (path || https) {
        Ok(())
    } else {
        Err(AppError::invalid("invalid_url", "url is a path on this server (/c/3) or an https URL"))
    }
}

pub fn validate_tag(tag: &str) -> Result<(), AppError> {
    if tag.is_empty() || tag.chars().count() > TAG_MAX_CHARS || tag.chars().any(char::is_control) {
        return Err(AppError::invalid("invalid_tag", format!("a tag has 1 to {TAG_MAX_CHARS} characters")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_slugs() {
        for good in ["reminder", "system", "app.feeder", "app.my-bot_2"] {
            assert!(validate_kind(good).is_ok(), "{good}");
        }
        for bad in ["", "Reminder", "app.", ".x", "a b", "app..x", &"x".repeat(65)] {
            assert_eq!(validate_kind(bad).unwrap_err().code(), "invalid_kind", "{bad}");
        }
    }

    #[test]
    fn urls_stay_on_this_server_or_use_https() {
        for good in ["/c/3", "/notifications?x=1", "https://example.com/report"] {
            assert!(validate_url(good).is_ok(), "{good}");
        }
        for bad in [
            "//evil.example",
            "http://example.com",
            "javascript:alert(1)",
            "https://",
            "/a b",
            "/\\evil",
            "https://u@evil",
        ] {
            assert_eq!(validate_url(bad).unwrap_err().code(), "invalid_url", "{bad}");
        }
    }

    #[test]
    fn titles_and_bodies_are_bounded_in_characters() {
        assert!(validate_text(&"é".repeat(200), &"é".repeat(2000)).is_ok());
        assert_eq!(validate_text(&"a".repeat(201), "").unwrap_err().code(), "title_too_long");
        assert_eq!(validate_text("t", &"a".repeat(2001)).unwrap_err().code(), "body_too_long");
        assert_eq!(validate_text(" ", "").unwrap_err().code(), "empty_title");
        assert!(validate_text("t", "two\nlines\tand a tab").is_ok());
        assert_eq!(validate_text("a\u{0}b", "").unwrap_err().code(), "invalid_text");
        assert_eq!(validate_text("t", "\u{1b}[31m").unwrap_err().code(), "invalid_text");
    }
}
