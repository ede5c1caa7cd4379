//! Jumping to a message (a reply's quote, a search result): the thread
//! scrolls to it, loading older pages first when it is not loaded yet,
//! and marks it for a moment so the eye finds it.

use std::time::Duration;

use leptos::prelude::*;

use super::state::ChatState;
use crate::chat::api::load_messages;

/// Older pages loaded at most for one jump (50 messages each).
const MAX_PAGES: usize = 40;
/// How long the original stays marked.
const MARK_FOR: Duration = Duration::from_millis(2000);

/// Follows `state.jump` in conversation `id`. `loading` holds the thread's
/// own scrolling back while pages arrive; `has_more` is its "older pages
/// exist" flag. Both are reference-counted (built inside a `Suspend`).
pub fn follow_jumps(state: ChatState, id: i64, has_more: ArcRwSignal<bool>, loading: ArcRwSignal<bool>) {
    Effect::new(move |_| {
        let Some(target) = state.jump.get() else { return };
        // A search result opens the conversation and jumps at once: wait
        // for its first page (this effect runs again when it arrives).
        if state.threads.with(|t| t.get(&id).is_none_or(Vec::is_empty)) {
            return;
        }
        state.jump.set(None);
        let (has_more, loading) = (has_more.clone(), loading.clone());
        leptos::task::spawn_local(async move {
            loading.set(true);
            for _ in 0..MAX_PAGES {
                let (loaded, oldest) = state.threads.with_untracked(|t| {
                    let entries = t.get(&id).map(Vec::as_slice).unwrap_or_default();
                    (entries.iter().any(|e| e.id == Some(target)), entries.iter().filter_map(|e| e.id).min())
                });
                let Some(oldest) = oldest.filter(|oldest| !loaded && *oldest > target) else { break };
                match load_messages(id, Some(oldest)).await {
                    Ok(older) if !older.is_empty() => {
                        has_more.set(older.len() >= 50);
                        state.prepend(id, older);
                    }
                    _ => break,
                }
            }
            // After the new rows are drawn.
            request_animation_frame(move || {
                loading.set(false);
                mark(target);
            });
        });
    });
}

fn mark(target: i64) {
    let selector = format!(".messages [data-id=\"{target}\"]");
    let Some(row) = document().query_selector(&selector).ok().flatten() else { return };
    row.scroll_into_view();
    let _ = row.set_attribute("data-highlight", "true");
    set_timeout(move || drop(row.remove_attribute("data-highlight")), MARK_FOR);
}
