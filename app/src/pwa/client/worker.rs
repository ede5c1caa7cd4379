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
            // Same-origin only: the worker checks too, but a page must not
            // trust a message to send it elsewhere.
            if let Some(window) = web_sys::window()
                && let Ok(origin) = window.location().origin()
                && let Ok(target) = web_sys::Url::new_with_base(&url, &origin)
                && target.origin() == origin
            {
                let _ = window.location().assign(&target.href());
            }
        }
    });
    js::set(&container, "onmessage", on_message.as_ref());
    on_message.forget();
}

/// Asks the worker to keep a copy of each page the person reaches inside
/// the app, so reopening it offline shows the app, not the offline page:
/// the worker only sees full page loads, and a tap on the list is not one.
/// Each request names the account, so the worker first drops pages it
/// kept for another one.
pub(super) fn keep_pages_for_offline(me: Signal<Option<crate::auth::User>>) {
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
            let Some(user) = me.with_untracked(|me| me.as_ref().map(|me| me.id.to_string())) else { return url };
            let message = message("cache-page", &[("url", &url), ("if_missing", if_missing), ("user", &user)]);
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
