//! The browser runtime, loaded as its own WASM chunk after hydration:
//! the live socket with its outbox and offline cache (for signed-in users),
//! and the service worker, push and install handling (for everyone).
//!
//! Also the session refetch (`CurrentUser`) and the app bar's sign-out:
//! their JSON decoding would otherwise be in the main module.
//!
//! Keeping them out of the first chunk means a page becomes interactive on
//! the shared core; each `#[lazy]` function below is fetched on first call.
//! Both run their effects under the component's owner, passed in, because
//! they resume in a task rather than inside the component.

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;

use crate::chat::ui::state::ChatState;
use crate::pwa::PwaState;
use crate::ui::session::Session;

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

/// The session, asked of the server again after a sign-in or sign-out.
#[lazy]
pub async fn fetch_session() -> Session {
    crate::auth::api::current_user().await.into()
}

/// Signs out; true when the server ended the session.
#[lazy]
pub async fn sign_out() -> bool {
    crate::auth::api::logout().await.is_ok()
}

/// Makes sure this browser's push subscription exists and the server has it;
/// `report` shows failures in the opt-in (after a click, not at start-up).
#[lazy]
pub async fn sync_push(pwa: PwaState, report: bool) {
    super::push::sync_subscription(pwa, report).await;
}

#[lazy]
fn pwa_runtime(owner: Owner, pwa: PwaState, chat: ChatState) {
    owner.with(|| super::pwa::start(pwa, chat));
}
