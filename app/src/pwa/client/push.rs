//! This browser's push subscription: made (or found) with the server's VAPID
//! key and registered with the server. Loaded as its own chunk when
//! notifications are on (see `runtime::sync_push`).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::registration;
use crate::client::js;
use crate::push::api::{register_device, vapid_public_key};
use crate::push::model::NewSubscription;
use crate::pwa::PwaState;

/// Makes sure this browser has a subscription and the server knows it.
pub async fn sync_subscription(pwa: PwaState, report: bool) {
    match subscription().await {
        Ok(subscription) => match register_device(subscription).await {
            Ok(_) => pwa.subscribed.set(true),
            Err(err) if report => pwa.push_error.set(Some(err.to_string())),
            Err(_) => {}
        },
        Err(err) if report => pwa.push_error.set(Some(err)),
        Err(_) => {}
    }
}

async fn subscription() -> Result<NewSubscription, String> {
    let registration = registration().await.ok_or("no service worker")?;
    let manager = js::get(&registration, "pushManager").ok_or("no push manager")?;
    let mut current = js::call_async(&manager, "getSubscription", &[]).await.map_err(|_| "getSubscription failed")?;
    if current.is_null() || current.is_undefined() {
        let key = vapid_public_key().await.map_err(|e| e.to_string())?;
        let options = js_sys::Object::new();
        js::set(&options, "userVisibleOnly", &JsValue::TRUE);
        let key = crate::client::base64url_bytes(&key).ok_or("bad VAPID key")?;
        js::set(&options, "applicationServerKey", &js_sys::Uint8Array::from(key.as_slice()).into());
        current = js::call_async(&manager, "subscribe", &[&options]).await.map_err(|e| format!("{e:?}"))?;
    }
    let json = js_sys::JSON::stringify(&current).map_err(|_| "cannot read the subscription")?;
    let mut parsed: NewSubscription =
        serde_json::from_str(&String::from(json)).map_err(|_| "unexpected subscription shape".to_owned())?;
    // The server names the device after the session's browser.
    parsed.label = None;
    Ok(parsed)
}

/// Signed out: this browser stops receiving pushes for the account (the
/// server has already forgotten the device with the session).
pub async fn unsubscribe(pwa: PwaState) {
    let Some(registration) = registration().await else { return };
    let Some(manager) = js::get(&registration, "pushManager") else { return };
    if let Ok(current) = js::call_async(&manager, "getSubscription", &[]).await
        && !current.is_null()
        && !current.is_undefined()
    {
        let _ = js::call_async(&current, "unsubscribe", &[]).await;
    }
    pwa.subscribed.set(false);
}
