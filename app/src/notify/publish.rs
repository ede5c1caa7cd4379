//! What a publisher sends (`POST /api/v1/notifications`), checked before
//! anything is stored.

use serde::{Deserialize, Serialize};

use super::model::{Priority, validate_kind, validate_tag, validate_text, validate_url};
use crate::error::AppError;

/// Recipients at once without `notify:any` (which allows [`MAX_ANY`]).
pub const MAX_RECIPIENTS: usize = 100;
pub const MAX_ANY: usize = 10_000;
const DEDUPE_MAX_CHARS: usize = 128;

/// One username, or several.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum To {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    pub to: To,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// `reminder`, `system`, `app.<name>`; default `app`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Collapse key: a newer notification with the same tag replaces the
    /// older one on the device.
    #[serde(default)]
    pub tag: Option<String>,
    /// The same key from the same actor within 24 h answers with the first
    /// result; nothing new is stored or pushed.
    #[serde(default)]
    pub dedupe_key: Option<String>,
    /// Milliseconds since the Unix epoch; from now up to a year ahead.
    #[serde(default)]
    pub send_at: Option<i64>,
    /// An RFC 5545 RRULE, e.g. `FREQ=DAILY;BYHOUR=8;BYMINUTE=0`.
    #[serde(default)]
    pub recurrence: Option<String>,
    /// IANA zone the rule is read in; default the recipient's.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// The answer: what was stored (one id per recipient, by username) and when
/// it goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Published {
    /// The first recipient's notification (or schedule) id.
    pub id: i64,
    pub ids: Vec<i64>,
    /// `sent` or `scheduled`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_at: Option<i64>,
}

impl PublishRequest {
    /// Checks every field; returns the recipients' names, deduplicated.
    pub fn validate(&self, max_recipients: usize) -> Result<Vec<String>, AppError> {
        validate_text(&self.title, self.body.as_deref().unwrap_or_default())?;
        validate_kind(self.kind())?;
        if let Some(url) = &self.url {
            validate_url(url)?;
        }
        if let Some(tag) = &self.tag {
            validate_tag(tag)?;
        }
        if let Some(key) = &self.dedupe_key
            && (key.is_empty() || key.chars().count() > DEDUPE_MAX_CHARS || key.chars().any(char::is_control))
        {
            return Err(AppError::invalid(
                "invalid_dedupe_key",
                format!("dedupe_key has 1 to {DEDUPE_MAX_CHARS} characters"),
            ));
        }
        let mut names: Vec<String> = match &self.to {
            To::One(name) => vec![name.clone()],
            To::Many(names) => names.clone(),
        };
        names.sort();
        names.dedup();
        if names.is_empty() || names.len() > max_recipients {
            return Err(AppError::invalid(
                "invalid_recipients",
                format!("to is a username or a list of 1 to {max_recipients} usernames"),
            ));
        }
        Ok(names)
    }

    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("app")
    }

    pub fn body(&self) -> &str {
        self.body.as_deref().unwrap_or_default()
    }

    pub fn priority(&self) -> Priority {
        self.priority.unwrap_or_default()
    }

    pub fn scheduled(&self) -> bool {
        self.send_at.is_some() || self.recurrence.is_some()
    }
}
