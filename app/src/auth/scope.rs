//! What a personal token may do. A session (a person signed in) may do
//! everything a token may, and more: only a session makes tokens, lists
//! sessions or changes the password. A token may do what it was given.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Read conversations and messages, and hold a live socket.
    #[serde(rename = "messages:read")]
    MessagesRead,
    /// Start conversations, send, schedule, mark read, manage members.
    #[serde(rename = "messages:write")]
    MessagesWrite,
    /// Register devices for Web Push and send test pushes.
    #[serde(rename = "push")]
    Push,
    /// Post notifications (to myself, or people I share a conversation with).
    #[serde(rename = "notify")]
    Notify,
    /// Post notifications to anyone on this server; only an admin issues it.
    #[serde(rename = "notify:any")]
    NotifyAny,
}

impl Scope {
    pub const ALL: [Scope; 5] =
        [Scope::MessagesRead, Scope::MessagesWrite, Scope::Push, Scope::Notify, Scope::NotifyAny];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::MessagesRead => "messages:read",
            Scope::MessagesWrite => "messages:write",
            Scope::Push => "push",
            Scope::Notify => "notify",
            Scope::NotifyAny => "notify:any",
        }
    }

    pub fn parse(value: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// Checks the scopes asked for at token creation: at least one, all known.
pub fn parse_scopes(values: &[String]) -> Result<Vec<Scope>, AppError> {
    let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
    let invalid =
        || AppError::invalid("invalid_scopes", format!("scopes is a non-empty list of: {}", known.join(", ")));
    if values.is_empty() {
        return Err(invalid());
    }
    let mut scopes = Vec::new();
    for value in values {
        let scope = Scope::parse(value).ok_or_else(invalid)?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

/// Stored form: space-separated.
pub fn join(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

/// Reads the stored form; unknown words (a newer server's) are ignored.
pub fn split(stored: &str) -> Vec<Scope> {
    stored.split_whitespace().filter_map(Scope::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_bad_ones_are_refused() {
        let asked = vec!["push".to_owned(), "messages:read".to_owned(), "push".to_owned()];
        let scopes = parse_scopes(&asked).unwrap();
        assert_eq!(scopes, vec![Scope::Push, Scope::MessagesRead]);
        assert_eq!(split(&join(&scopes)), scopes);
        assert!(parse_scopes(&[]).is_err());
        assert!(parse_scopes(&["admin".to_owned()]).is_err());
    }
}
