//! Notification levels: per conversation, each member chooses what pushes
//! them: every message, only mentions of them, or nothing. Until they
//! choose, the conversation decides (see [`MENTIONS_ONLY_ABOVE`]).

use serde::{Deserialize, Serialize};

/// A group with more members than this defaults to mentions only (the
/// rule is `EFFECTIVE_LEVEL_SQL`, so lists and pushes read it alike).
pub const MENTIONS_ONLY_ABOVE: usize = 10;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyLevel {
    #[default]
    All,
    Mentions,
    None,
}

impl NotifyLevel {
    pub const ALL: [Self; 3] = [Self::All, Self::Mentions, Self::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Mentions => "mentions",
            Self::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == text)
    }

    /// Whether a message pushes a member at this level.
    pub fn pushes(self, mentioned: bool) -> bool {
        match self {
            Self::All => true,
            Self::Mentions => mentioned,
            Self::None => false,
        }
    }
}

/// The body of `PUT /api/v1/conversations/{id}/notify`: a level, or
/// `null` to go back to the conversation's default.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifySetting {
    pub level: Option<NotifyLevel>,
}

/// The member's effective level in SQL, for a query that has the member
/// row as `mb` and the conversation as `c` (one copy of the rule above).
#[cfg(feature = "ssr")]
pub const EFFECTIVE_LEVEL_SQL: &str = "COALESCE(mb.notify_level, CASE WHEN c.kind = 'group' AND \
     (SELECT COUNT(*) FROM members lm WHERE lm.conversation_id = c.id) > 10 THEN 'mentions' ELSE 'all' END)";

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn the_sql_rule_uses_the_same_threshold() {
        assert!(EFFECTIVE_LEVEL_SQL.contains(&format!("> {MENTIONS_ONLY_ABOVE} ")));
    }

    #[test]
    fn a_mention_pushes_at_mentions_but_not_at_none() {
        assert!(NotifyLevel::Mentions.pushes(true));
        assert!(!NotifyLevel::Mentions.pushes(false));
        assert!(!NotifyLevel::None.pushes(true));
        assert!(NotifyLevel::All.pushes(false));
    }
}
