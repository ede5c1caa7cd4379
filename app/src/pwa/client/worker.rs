//! The service worker from the page's side: registering it, noticing a
//! new version, and telling it which pages to keep or forget.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::client::js;
use crate::pwa::PwaState;

/// The service worker registration, once active.
pub(super) async fn registration() -> Option<JsValue> {
    let container = js::get(&js::navigator(), "serviceWorker")?;
    let ready = js::get(&container, "ready")?;
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(ready)).await.ok()
}

pub(super) async fn register_worker(pwa: PwaState) {
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

/// Asks the worker to keep a copy of each page the person reaches inside
/// the app, so reopening it offline shows the app, not the offline page:
/// the worker only sees full page loads, and a tap on the list is not one.
pub(super) fn keep_pages_for_offline() {
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

/// Tells the worker to forget cached pages (on sign-out).
pub(super) fn forget_pages() {
    post_to_worker("clear-pages", &[]);
}
