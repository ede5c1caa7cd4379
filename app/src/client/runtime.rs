//! The browser runtime, loaded as its own WASM chunk after hydration:
//! the live socket with its outbox and offline cache (for signed-in users),
//! and the service worker, push and install handling (for everyone).
//!
//! Keeping them out of the first chunk means a page becomes interactive on
//! the shared core; each `#[lazy]` function below is fetched on first call.
//! Both run their effects under the component's owner, passed in, because
//! they resume in a task rather than inside the component.

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;

use crate::chat::ui::state::ChatState;
use crate::pwa::PwaState;

/// Starts the live connection and keeps the offline cache in step.
/// `owner` is the provider's: what it starts lives as long as the provider.
pub fn start_chat(owner: Owner, state: ChatState) {
    leptos::task::spawn_local(chat_runtime(owner, state));
}

/// Registers the service worker; watches push permission, install and online state.
pub fn start_pwa(owner: Owner, pwa: PwaState, chat: ChatState) {
    leptos::task::spawn_local(pwa_runtime(owner, pwa, chat));
}

#[lazy]
fn chat_runtime(owner: Owner, state: ChatState) {
    // Signing out and in again restarts the socket; the cache writer runs once.
    static PERSISTING: AtomicBool = AtomicBool::new(false);
    owner.with(|| {
        if !PERSISTING.swap(true, Ordering::Relaxed) {
            super::cache::persist(state);
        }
        super::socket::start(state);
    });
}

#[lazy]
fn pwa_runtime(owner: Owner, pwa: PwaState, chat: ChatState) {
    owner.with(|| super::pwa::start(pwa, chat));
}
