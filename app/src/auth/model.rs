//! Account types and input rules shared by the browser and the server, so the
//! UI can say what is wrong before a round trip.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A signed-up person (or bot account).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    /// A bot account (driven by a program, owned by a person). Absent in
    /// what older clients cached: a person.
    #[serde(default)]
    pub is_bot: bool,
}

impl User {
    /// A person (not a bot).
    pub fn person(id: i64, username: impl Into<String>) -> Self {
        Self { id, username: username.into(), is_bot: false }
    }
}

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
/// Argon2 cost grows with input; cap it so a huge password cannot stall a core.
pub const PASSWORD_MAX: usize = 1024;

/// 3–32 characters of `[a-z0-9_.-]`.
pub fn validate_username(username: &str) -> Result<(), AppError> {
    let len = username.chars().count();
    let charset_ok =
        username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'));
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&len) || !charset_ok {
        return Err(AppError::invalid(
            "invalid_username",
            format!(
                "a username is {USERNAME_MIN}–{USERNAME_MAX} characters of lowercase letters, digits, '_', '.' or '-'"
            ),
        ));
    }
    Ok(())
}

/// At least 8 characters (and at most 1024).
pub fn validate_password(password: &str) -> Result<(), AppError> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        return Err(AppError::invalid(
            "invalid_password",
            format!("a password has at least {PASSWORD_MIN} characters"),
        ));
    }
    if len > PASSWORD_MAX {
        return Err(AppError::invalid("invalid_password", format!("a password has at most {PASSWORD_MAX} characters")));
    }
    Ok(())
}

/// A personal access token as listed to its owner (never the secret).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// What it may do.
    #[serde(default)]
    pub scopes: Vec<crate::auth::scope::Scope>,
}

/// One of my signed-in sessions, as listed in the settings.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionInfo {
    pub id: i64,
    /// "Chrome on Android", from the browser at sign-in.
    pub device: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: i64,
    /// The session this request came with.
    pub current: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_documented_charset_and_length() {
        for ok in ["bob", "alice_1", "a.b-c", &"x".repeat(32)] {
            assert!(validate_username(ok).is_ok(), "{ok} should be accepted");
        }
        for bad in ["ab", "Alice", "bob smith", "bób", "", &"x".repeat(33), "a/b"] {
            let err = validate_username(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_username", "{bad} should be rejected");
            assert_eq!(err.status(), 422);
        }
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert!(validate_password("12345678").is_ok());
        assert_eq!(validate_password("1234567").unwrap_err().code(), "invalid_password");
        assert!(validate_password(&"p".repeat(PASSWORD_MAX + 1)).is_err());
    }
}
