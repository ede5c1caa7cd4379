//! The chat's browser half (feature `hydrate`): the live socket, the
//! outbox of messages on their way, and the offline copy of recent
//! conversations. Loaded as its own WASM chunk after hydration, for
//! signed-in people only.

mod cache;
mod outbox;
mod socket;
mod wire;

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;

use super::ui::state::ChatState;

/// Starts the live connection and keeps the offline cache in step.
/// `owner` is the provider's: what it starts lives as long as the provider
/// (the chunk loads in a task, outside the component).
pub fn start(owner: Owner, state: ChatState) {
    leptos::task::spawn_local(chat_runtime(owner, state));
}

#[lazy]
fn chat_runtime(owner: Owner, state: ChatState) {
    // Signing out and in again restarts the socket; the cache writer runs once.
    static PERSISTING: AtomicBool = AtomicBool::new(false);
    owner.with(|| {
        if !PERSISTING.swap(true, Ordering::Relaxed) {
            cache::persist(state);
        }
        // The socket also carries the notification centre's frames.
        if let Some(inbox) = use_context::<crate::notify::ui::Inbox>() {
            crate::notify::client::attach(inbox);
        }
        socket::start(state);
    });
}
