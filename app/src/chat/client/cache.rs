//! The offline copy of recent conversations and messages: written to
//! IndexedDB as they change, read back when the network is not there.
//!
//! Nothing is written until the copy has been read back (`restore`): the
//! state at start-up holds only what this page loaded, and writing it first
//! would replace the saved copy of every other conversation with nothing.
//! A thread is saved only with messages the server has stored, and the
//! threads this page never loaded keep their saved copy. Each account has
//! its own copy: the next person on a shared browser never reads another's.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;

use crate::chat::Conversation;
use crate::chat::ui::state::{ChatState, Entry, Status};
use crate::client::idb::{self, CACHE};

/// Messages kept per conversation.
const KEEP: usize = 100;

thread_local! {
    /// The saved threads, once read back; `None` until then.
    static SAVED: RefCell<Option<HashMap<i64, Vec<Entry>>>> = const { RefCell::new(None) };
}

/// Keeps IndexedDB in step with the chat state (browser only).
pub fn persist(state: ChatState) {
    let restored = RwSignal::new(false);
    Effect::new(move |_| {
        let list = state.conversations.get();
        if restored.get()
            && !list.is_empty()
            && let Some(key) = key(state, "conversations")
        {
            leptos::task::spawn_local(async move {
                idb::put_json(CACHE, &key, &list).await;
            });
        }
    });
    Effect::new(move |_| {
        let changed: Vec<(i64, Vec<Entry>)> = state.threads.with(|threads| {
            threads
                .iter()
                .filter_map(|(id, entries)| {
                    let sent: Vec<Entry> = entries.iter().filter(|e| e.status == Status::Sent).cloned().collect();
                    (!sent.is_empty()).then(|| (*id, sent[sent.len().saturating_sub(KEEP)..].to_vec()))
                })
                .collect()
        });
        if !restored.get() || changed.is_empty() {
            return;
        }
        let Some(key) = key(state, "threads") else { return };
        let snapshot = SAVED.with_borrow_mut(|saved| {
            let saved = saved.get_or_insert_with(HashMap::new);
            saved.extend(changed);
            saved.clone()
        });
        leptos::task::spawn_local(async move {
            idb::put_json(CACHE, &key, &snapshot).await;
        });
    });
    RESTORED.with_borrow_mut(|slot| *slot = Some(restored));
}

thread_local! {
    static RESTORED: RefCell<Option<RwSignal<bool>>> = const { RefCell::new(None) };
}

/// Fills the state from the saved copy where the server has not, then
/// lets `persist` write.
pub async fn restore(state: ChatState) {
    let (Some(list_key), Some(threads_key)) = (key(state, "conversations"), key(state, "threads")) else { return };
    let list: Vec<Conversation> = idb::get_json(CACHE, &list_key).await.unwrap_or_default();
    let threads: HashMap<i64, Vec<Entry>> = idb::get_json(CACHE, &threads_key).await.unwrap_or_default();
    SAVED.with_borrow_mut(|saved| *saved = Some(threads.clone()));
    if !list.is_empty() || !threads.is_empty() {
        state.restore_cached(list, threads);
    }
    if let Some(restored) = RESTORED.with_borrow(|slot| *slot) {
        restored.set(true);
    }
}

/// The signed-in account's key for `what`; `None` when signed out.
fn key(state: ChatState, what: &str) -> Option<String> {
    state.me.with_untracked(|me| me.as_ref().map(|me| format!("{what}:{}", me.id)))
}

/// Forgets the saved copy (sign-out).
pub fn forget() {
    SAVED.with_borrow_mut(|saved| *saved = Some(HashMap::new()));
}
