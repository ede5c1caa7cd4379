//! The installable app's browser half (feature `hydrate`): service worker
//! registration and updates, notification permission, the install prompt,
//! the visit counter, the app badge and online/offline state. Loaded as its
//! own WASM chunk after hydration. The push subscription (re-synced on
//! every start) is in `push`, a chunk of its own: it talks JSON to the
//! server, and a first visit needs none of it.

mod install;
mod push;
mod worker;

use install::{is_ios, is_standalone, watch_install};
use worker::{forget_pages, keep_pages_for_offline, register_worker, registration};

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::chat::ui::state::ChatState;
use crate::client::js;
use crate::pwa::{InstallOffer, PushStatus, PwaCommand, PwaState};

const VISITS: &str = "tidings.visits";
/// In sessionStorage: this tab's visit is counted.
const VISIT_COUNTED: &str = "tidings.visit-counted";
const INSTALL_DISMISSED: &str = "tidings.install-dismissed";
const PUSH_PROMPT_DISMISSED: &str = "tidings.push-prompt-dismissed";

/// Registers the service worker; watches push permission, install and
/// online state. `owner` is the provider's (the chunk loads in a task).
pub fn start(owner: Owner, pwa: PwaState, chat: ChatState) {
    leptos::task::spawn_local(pwa_runtime(owner, pwa, chat));
}

#[lazy]
fn pwa_runtime(owner: Owner, pwa: PwaState, chat: ChatState) {
    owner.with(|| run_pwa(pwa, chat));
}

/// Makes sure this browser's push subscription exists and the server has it;
/// `report` shows failures in the opt-in (after a click, not at start-up).
#[lazy]
async fn sync_push(pwa: PwaState, report: bool) {
    push::sync_subscription(pwa, report).await;
}

/// Signed out: this browser's subscription goes too (its own chunk, as above).
#[lazy]
async fn unsubscribe_push(pwa: PwaState) {
    push::unsubscribe(pwa).await;
}

fn run_pwa(pwa: PwaState, chat: ChatState) {
    pwa.set_commands(Callback::new(move |command| run(pwa, command)));
    // A visit is a tab's session, not a page load: signing up ends in a
    // new page load, and that is still the first visit.
    let mut visits = js::storage_get(VISITS).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    if js::first_in_tab(VISIT_COUNTED) {
        visits += 1;
        js::storage_set(VISITS, &visits.to_string());
    }
    pwa.visits.set(visits);
    pwa.install_dismissed.set(js::storage_get(INSTALL_DISMISSED).is_some());
    pwa.push_prompt_dismissed.set(js::storage_get(PUSH_PROMPT_DISMISSED).is_some());
    pwa.standalone.set(is_standalone());
    pwa.online.set(crate::client::is_online());
    let online = window_event_listener(leptos::ev::online, move |_| pwa.online.set(true));
    let offline = window_event_listener(leptos::ev::offline, move |_| pwa.online.set(false));
    std::mem::forget((online, offline));

    watch_install(pwa);
    leptos::task::spawn_local(async move {
        register_worker(pwa).await;
        pwa.push.set(push_status());
        if pwa.push.get_untracked() == PushStatus::Granted {
            // Chrome never fires `pushsubscriptionchange`: re-sync at start.
            sync_push(pwa, false).await;
        }
    });
    // The home-screen badge: unread messages and notifications.
    let inbox = use_context::<crate::notify::ui::Inbox>();
    Effect::new(move |_| set_badge(chat.total_unread() + inbox.map_or(0, |i| i64::from(i.unread.get()))));
    keep_pages_for_offline(chat.me);
}

fn run(pwa: PwaState, command: PwaCommand) {
    match command {
        PwaCommand::EnablePush => leptos::task::spawn_local(enable_push(pwa)),
        PwaCommand::Install => {
            if let Some(prompt) = js::get(&js::global(), "__tidingsInstall") {
                let _ = js::call(&prompt, "prompt", &[]);
                js::set(&js::global(), "__tidingsInstall", &JsValue::UNDEFINED);
                pwa.install.set(InstallOffer::None);
            }
        }
        PwaCommand::DismissInstall => {
            js::storage_set(INSTALL_DISMISSED, "1");
            pwa.install_dismissed.set(true);
        }
        PwaCommand::DismissPushPrompt => {
            js::storage_set(PUSH_PROMPT_DISMISSED, "1");
            pwa.push_prompt_dismissed.set(true);
        }
        // The next person on this device must not open this account's pages.
        PwaCommand::SignedOut => {
            forget_pages();
            leptos::task::spawn_local(unsubscribe_push(pwa));
        }
        PwaCommand::ApplyUpdate => leptos::task::spawn_local(async {
            if let Some(waiting) = registration().await.and_then(|r| js::get(&r, "waiting")) {
                let message = js_sys::Object::new();
                js::set(&message, "type", &"skip-waiting".into());
                let _ = js::call(&waiting, "postMessage", &[&message]);
            }
        }),
    }
}

fn push_status() -> PushStatus {
    let global = js::global();
    if is_ios() && !is_standalone() {
        return PushStatus::NeedsInstall;
    }
    if !js::has(&js::navigator(), "serviceWorker")
        || !js::has(&global, "PushManager")
        || !js::has(&global, "Notification")
    {
        return PushStatus::Unsupported;
    }
    let permission =
        js::get(&global, "Notification").and_then(|n| js::get(&n, "permission")).and_then(|p| p.as_string());
    match permission.as_deref() {
        Some("granted") => PushStatus::Granted,
        Some("denied") => PushStatus::Denied,
        _ => PushStatus::Default,
    }
}

/// From a click: ask for permission, then subscribe.
async fn enable_push(pwa: PwaState) {
    pwa.push_error.set(None);
    let Some(notification) = js::get(&js::global(), "Notification") else { return };
    let answer = js::call_async(&notification, "requestPermission", &[]).await.ok().and_then(|a| a.as_string());
    pwa.push.set(push_status());
    if answer.as_deref() == Some("granted") {
        sync_push(pwa, true).await;
    }
}

fn set_badge(unread: i64) {
    let navigator = js::navigator();
    if !js::has(&navigator, "setAppBadge") {
        return;
    }
    let result = if unread > 0 {
        js::call(&navigator, "setAppBadge", &[&JsValue::from_f64(unread as f64)])
    } else {
        js::call(&navigator, "clearAppBadge", &[])
    };
    // The promise rejects where badges are not allowed; nothing to do then.
    if let Ok(promise) = result.and_then(|p| p.dyn_into::<js_sys::Promise>()) {
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}
