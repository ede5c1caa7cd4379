//! The offline copy of recent conversations and messages: written to
//! IndexedDB as they change, read back when the network is not there.

use std::collections::HashMap;

use leptos::prelude::*;

use super::idb;
use crate::chat::Conversation;
use crate::chat::ui::state::{ChatState, Entry, Status};

/// Messages kept per conversation.
const KEEP: usize = 100;

/// Keeps IndexedDB in step with the chat state (browser only).
pub fn persist(state: ChatState) {
    Effect::new(move |_| {
        let list = state.conversations.get();
        if !list.is_empty() {
            leptos::task::spawn_local(async move { idb::cache_put("conversations", &list).await });
        }
    });
    Effect::new(move |_| {
        let threads: HashMap<i64, Vec<Entry>> = state.threads.with(|threads| {
            threads
                .iter()
                .map(|(id, entries)| {
                    let sent: Vec<Entry> = entries.iter().filter(|e| e.status == Status::Sent).cloned().collect();
                    (*id, sent[sent.len().saturating_sub(KEEP)..].to_vec())
                })
                .collect()
        });
        if !threads.is_empty() {
            leptos::task::spawn_local(async move { idb::cache_put("threads", &threads).await });
        }
    });
}

/// Fills the state from the cache where the server has not.
pub async fn restore(state: ChatState) {
    let list: Vec<Conversation> = idb::cache_get("conversations").await.unwrap_or_default();
    let threads: HashMap<i64, Vec<Entry>> = idb::cache_get("threads").await.unwrap_or_default();
    if !list.is_empty() || !threads.is_empty() {
        state.restore_cached(list, threads);
    }
}
