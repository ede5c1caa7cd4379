//! Putting back what this device kept (the outbox, the offline cache).

use std::collections::HashMap;

use leptos::prelude::*;

use super::{ChatState, Entry, Status};
use crate::chat::Conversation;

/// Adds entries loaded from the device (outbox, offline cache) without
/// disturbing what the server already gave us.
impl ChatState {
    pub fn restore_pending(&self, conversation_id: i64, entry: Entry) {
        self.threads.update(|threads| {
            let thread = threads.entry(conversation_id).or_default();
            if !thread.iter().any(|e| e.client_id == entry.client_id) {
                thread.push(entry);
            }
        });
    }

    pub fn restore_cached(&self, conversations: Vec<Conversation>, threads: HashMap<i64, Vec<Entry>>) {
        if self.conversations.with_untracked(Vec::is_empty) {
            self.conversations.set(conversations);
        }
        self.threads.update(|current| {
            for (id, cached) in threads {
                let thread = current.entry(id).or_default();
                if !thread.iter().any(|e| e.status == Status::Sent) {
                    let pending: Vec<Entry> = std::mem::take(thread);
                    *thread = cached;
                    for entry in pending {
                        if !thread.iter().any(|e| e.client_id == entry.client_id) {
                            thread.push(entry);
                        }
                    }
                }
            }
        });
    }
}
