//! Small helpers for calling browser APIs by name through `js_sys::Reflect`
//! (fewer generated bindings than enabling a web-sys feature per API).

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub fn global() -> JsValue {
    js_sys::global().into()
}

pub fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

pub fn has(target: &JsValue, key: &str) -> bool {
    Reflect::has(target, &JsValue::from_str(key)).unwrap_or(false)
}

pub fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

pub fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let function: Function = get(target, method).ok_or_else(|| JsValue::from_str(method))?.dyn_into()?;
    let list = js_sys::Array::new();
    for arg in args {
        list.push(arg);
    }
    function.apply(target, &list)
}

/// Calls a method that returns a promise, and awaits it.
pub async fn call_async(target: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let promise: Promise = call(target, method, args)?.dyn_into()?;
    JsFuture::from(promise).await
}

pub fn navigator() -> JsValue {
    get(&global(), "navigator").unwrap_or(JsValue::UNDEFINED)
}

/// `localStorage` get/set; silently absent in private modes that block it.
pub fn storage_get(key: &str) -> Option<String> {
    web_sys::window()?.local_storage().ok()??.get_item(key).ok()?
}

pub fn storage_set(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

/// True the first time it is called for `key` in this tab's session
/// (sessionStorage: kept across reloads, gone when the tab closes).
pub fn first_in_tab(key: &str) -> bool {
    let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else { return true };
    let first = storage.get_item(key).ok().flatten().is_none();
    let _ = storage.set_item(key, "1");
    first
}
