//! Searching (server only): the checks before the search itself, which is
//! `store::search`; what a query means is `search`.

use super::access::require_member;
use super::search::{SEARCH_DEFAULT, SEARCH_MAX, SearchHit, words};
use super::service::Chat;
use super::store;
use crate::auth::User;
use crate::error::AppError;

impl Chat {
    /// The messages I can read that match `query` (its words, the last a
    /// prefix), newest first; in one conversation if given (403 if not mine).
    pub async fn search(
        &self,
        me: &User,
        query: &str,
        conversation_id: Option<i64>,
        before: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<SearchHit>, AppError> {
        let limit = match limit {
            None => SEARCH_DEFAULT,
            Some(n) if (1..=SEARCH_MAX).contains(&n) => n,
            Some(_) => return Err(AppError::invalid("invalid_limit", format!("limit must be between 1 and {SEARCH_MAX}"))),
        };
        let words = words(query)?;
        self.limits.search.check(&me.id)?;
        if let Some(id) = conversation_id {
            require_member(&self.db, id, me.id).await?;
        }
        store::search(&self.db, me.id, &words, conversation_id, before, limit).await
    }
}

