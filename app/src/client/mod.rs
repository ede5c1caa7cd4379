//! Generic browser wrappers (feature `hydrate`): IndexedDB, calling browser
//! APIs by name, and small helpers. A leaf: it imports nothing from the
//! app. Each concept's browser half lives with its concept (`chat::client`,
//! `pwa::client`), and components never touch `web_sys` directly.

pub mod idb;
pub mod js;

/// Milliseconds since the epoch, from the browser clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A fresh client id (UUID v4) for a message.
pub fn new_client_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether the browser believes it is online.
pub fn is_online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

/// A parameter of a URL's query (`search`, with or without its `?`).
pub fn query_param(search: &str, name: &str) -> Option<String> {
    web_sys::UrlSearchParams::new_with_str(search).ok()?.get(name)
}

/// Decodes base64url, padded or not, with the browser's `atob` (no
/// base64 crate in the WASM).
pub fn base64url_bytes(value: &str) -> Option<Vec<u8>> {
    let standard: String = value
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let padded = format!("{standard}{}", "=".repeat((4 - standard.len() % 4) % 4));
    let binary = web_sys::window()?.atob(&padded).ok()?;
    // `atob` gives one char per byte.
    binary.chars().map(|c| u8::try_from(c).ok()).collect()
}

/// Whether this tab is currently visible.
pub fn is_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
        .unwrap_or(true)
}

/// `HH:MM` in the browser's time zone.
pub fn local_clock(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// A date and time in the browser's zone, written the page language's way
/// ("1 Dec 2026, 21:38").
pub fn local_date_time(ms: i64) -> String {
    use wasm_bindgen::JsValue;
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let lang = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "en".into());
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(&lang, &options).into()
}

/// The browser's IANA time zone (`Europe/Madrid`).
pub fn time_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::default().resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
}

/// Stores the chosen language where the server looks for it
/// (leptos_i18n's `i18n_pref_locale` cookie), for a year.
pub fn remember_locale(locale: &str) {
    use wasm_bindgen::JsCast;
    if let Some(document) = web_sys::window().and_then(|w| w.document())
        && let Ok(html) = document.dyn_into::<web_sys::HtmlDocument>()
    {
        let _ = html.set_cookie(&format!("i18n_pref_locale={locale}; path=/; max-age=31536000; samesite=lax"));
    }
}
