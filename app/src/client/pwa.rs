//! Browser side of the installable app: service worker registration and
//! updates, notification permission, the install prompt, the visit counter,
//! the app badge and online/offline state. The push subscription (re-synced
//! on every start) is in `push`, its own chunk: it talks JSON to the server,
//! and a first visit needs none of it.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::js;
use crate::chat::ui::state::ChatState;
use crate::pwa::{InstallOffer, PushStatus, PwaCommand, PwaState};

const VISITS: &str = "tidings.visits";
/// In sessionStorage: this tab's visit is counted.
const VISIT_COUNTED: &str = "tidings.visit-counted";
const INSTALL_DISMISSED: &str = "tidings.install-dismissed";
const PUSH_PROMPT_DISMISSED: &str = "tidings.push-prompt-dismissed";

pub fn start(pwa: PwaState, chat: ChatState) {
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
    pwa.online.set(super::is_online());
    let online = window_event_listener(leptos::ev::online, move |_| pwa.online.set(true));
    let offline = window_event_listener(leptos::ev::offline, move |_| pwa.online.set(false));
    std::mem::forget((online, offline));

    watch_install(pwa);
    leptos::task::spawn_local(async move {
        register_worker(pwa).await;
        pwa.push.set(push_status());
        if pwa.push.get_untracked() == PushStatus::Granted {
            // Chrome never fires `pushsubscriptionchange`: re-sync at start.
            super::runtime::sync_push(pwa, false).await;
        }
    });
    // The home-screen badge follows the unread total.
    Effect::new(move |_| set_badge(chat.total_unread()));
    keep_pages_for_offline();
}

/// Asks the worker to keep a copy of each page the person reaches inside
/// the app, so reopening it offline shows the app, not the offline page:
/// the worker only sees full page loads, and a tap on the list is not one.
fn keep_pages_for_offline() {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        let search = location.search.get();
        let url = if search.is_empty() { path } else { format!("{path}?{search}") };
        if previous.as_ref() != Some(&url) {
            // The page this load started on was cached by the worker if it
            // handled the load (not on the very first, or after a form post):
            // fetch it only if it is missing.
            let if_missing = if previous.is_none() { "1" } else { "" };
            let message = message("cache-page", &[("url", &url), ("if_missing", if_missing)]);
            // The active worker, even before it controls this page.
            leptos::task::spawn_local(async move {
                if let Some(worker) = registration().await.and_then(|r| js::get(&r, "active")) {
                    let _ = js::call(&worker, "postMessage", &[&message]);
                }
            });
        }
        url
    });
}

/// `{type, ...fields}`, for the worker.
fn message(kind: &str, fields: &[(&str, &str)]) -> JsValue {
    let message = js_sys::Object::new();
    js::set(&message, "type", &kind.into());
    for (key, value) in fields {
        js::set(&message, key, &(*value).into());
    }
    message.into()
}

/// Posts a message to the worker controlling this page, if any.
fn post_to_worker(kind: &str, fields: &[(&str, &str)]) {
    let Some(controller) = js::get(&js::navigator(), "serviceWorker").and_then(|c| js::get(&c, "controller")) else {
        return;
    };
    let _ = js::call(&controller, "postMessage", &[&message(kind, fields)]);
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
        PwaCommand::ApplyUpdate => leptos::task::spawn_local(async {
            if let Some(waiting) = registration().await.and_then(|r| js::get(&r, "waiting")) {
                let message = js_sys::Object::new();
                js::set(&message, "type", &"skip-waiting".into());
                let _ = js::call(&waiting, "postMessage", &[&message]);
            }
        }),
    }
}

/// iOS Safari allows web push only to Home Screen apps.
fn is_ios() -> bool {
    let navigator = js::navigator();
    let agent = js::get(&navigator, "userAgent").and_then(|v| v.as_string()).unwrap_or_default();
    let touch_mac = agent.contains("Macintosh")
        && js::get(&navigator, "maxTouchPoints").and_then(|v| v.as_f64()).unwrap_or(0.0) > 1.0;
    agent.contains("iPhone") || agent.contains("iPad") || agent.contains("iPod") || touch_mac
}

fn is_standalone() -> bool {
    let standalone_ios = js::get(&js::navigator(), "standalone").and_then(|v| v.as_bool()).unwrap_or(false);
    let display_mode = web_sys::window()
        .and_then(|w| w.match_media("(display-mode: standalone)").ok().flatten())
        .is_some_and(|m| m.matches());
    standalone_ios || display_mode
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
        super::runtime::sync_push(pwa, true).await;
    }
}

/// The service worker registration, once active.
pub(super) async fn registration() -> Option<JsValue> {
    let container = js::get(&js::navigator(), "serviceWorker")?;
    let ready = js::get(&container, "ready")?;
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(ready)).await.ok()
}

async fn register_worker(pwa: PwaState) {
    let Some(container) = js::get(&js::navigator(), "serviceWorker") else { return };
    let Ok(registration) = js::call_async(&container, "register", &[&"/sw.js".into()]).await else { return };
    // A worker already waiting, or one that finishes installing while an
    // older one controls the page, is a new version.
    let controlled = js::get(&container, "controller").is_some();
    if controlled && js::get(&registration, "waiting").is_some() {
        pwa.update_ready.set(true);
    }
    let reg = registration.clone();
    let on_update = Closure::<dyn FnMut()>::new(move || {
        if let Some(installing) = js::get(&reg, "installing") {
            let worker = installing.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                let state = js::get(&worker, "state").and_then(|s| s.as_string());
                let controlled =
                    js::get(&js::navigator(), "serviceWorker").and_then(|c| js::get(&c, "controller")).is_some();
                if state.as_deref() == Some("installed") && controlled {
                    pwa.update_ready.set(true);
                }
            });
            js::set(&installing, "onstatechange", on_state.as_ref());
            on_state.forget();
        }
    });
    js::set(&registration, "onupdatefound", on_update.as_ref());
    on_update.forget();
    // The new worker took over after "Reload": load the new version.
    let on_controller = Closure::<dyn FnMut()>::new(move || {
        if pwa.update_ready.get_untracked() {
            let _ = web_sys::window().map(|w| w.location().reload());
        }
    });
    js::set(&container, "oncontrollerchange", on_controller.as_ref());
    on_controller.forget();
    // Messages from the worker: navigate after a notification click.
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let Some(data) = js::get(&event, "data") else { return };
        if js::get(&data, "type").and_then(|t| t.as_string()).as_deref() == Some("navigate")
            && let Some(url) = js::get(&data, "url").and_then(|u| u.as_string())
        {
            let _ = web_sys::window().map(|w| w.location().assign(&url));
        }
    });
    js::set(&container, "onmessage", on_message.as_ref());
    on_message.forget();
}

/// `beforeinstallprompt` can fire before the WASM loads; an inline script
/// in the page keeps the event in `window.__tidingsInstall`.
fn watch_install(pwa: PwaState) {
    let offer = move || {
        if js::get(&js::global(), "__tidingsInstall").is_some() {
            pwa.install.set(InstallOffer::Native);
        } else if is_ios() && !is_standalone() {
            pwa.install.set(InstallOffer::IosInstructions);
        }
    };
    offer();
    let on_ready = Closure::<dyn FnMut()>::new(offer);
    let on_installed = Closure::<dyn FnMut()>::new(move || {
        pwa.install.set(InstallOffer::None);
        pwa.standalone.set(true);
    });
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("tidings-installable", on_ready.as_ref().unchecked_ref());
        let _ = window.add_event_listener_with_callback("appinstalled", on_installed.as_ref().unchecked_ref());
    }
    on_ready.forget();
    on_installed.forget();
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

/// Tells the worker to forget cached pages (on sign-out).
pub fn forget_pages() {
    post_to_worker("clear-pages", &[]);
}
