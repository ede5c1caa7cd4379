//! Member lists, cached: every message fans out to its conversation's
//! members, and reading a 100-row list per message showed up in profiles.
//!
//! Changes made through `Chat` invalidate their entry at once. Entries also
//! expire, which bounds staleness when another node changed the membership.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::chat::store;
use crate::db::Db;
use crate::error::AppError;

const TTL: Duration = Duration::from_secs(30);
const MAX_ENTRIES: usize = 50_000;

/// Conversation id → (when read, member ids).
type Entries = HashMap<i64, (Instant, Arc<[i64]>)>;

#[derive(Clone, Default)]
pub struct MemberCache {
    entries: Arc<RwLock<Entries>>,
}

impl MemberCache {
    /// The member ids of a conversation (empty if it does not exist).
    pub async fn get(&self, db: &Db, conversation_id: i64) -> Result<Arc<[i64]>, AppError> {
        if let Some((at, ids)) = self.entries.read().expect("member cache lock").get(&conversation_id)
            && at.elapsed() < TTL
        {
            return Ok(ids.clone());
        }
        let ids: Arc<[i64]> = store::member_ids(db.pool(), conversation_id).await?.into();
        let mut entries = self.entries.write().expect("member cache lock");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(conversation_id, (Instant::now(), ids.clone()));
        Ok(ids)
    }

    pub fn invalidate(&self, conversation_id: i64) {
        self.entries.write().expect("member cache lock").remove(&conversation_id);
    }
}
