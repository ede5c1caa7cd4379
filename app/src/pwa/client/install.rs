//! Installing the app: Chromium's captured prompt, iOS's instructions,
//! and whether it already runs installed.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::client::js;
use crate::pwa::{InstallOffer, PwaState};

/// iOS Safari allows web push only to Home Screen apps.
pub(super) fn is_ios() -> bool {
    let navigator = js::navigator();
    let agent = js::get(&navigator, "userAgent").and_then(|v| v.as_string()).unwrap_or_default();
    let touch_mac = agent.contains("Macintosh")
        && js::get(&navigator, "maxTouchPoints").and_then(|v| v.as_f64()).unwrap_or(0.0) > 1.0;
    agent.contains("iPhone") || agent.contains("iPad") || agent.contains("iPod") || touch_mac
}

pub(super) fn is_standalone() -> bool {
    let standalone_ios = js::get(&js::navigator(), "standalone").and_then(|v| v.as_bool()).unwrap_or(false);
    let display_mode = web_sys::window()
        .and_then(|w| w.match_media("(display-mode: standalone)").ok().flatten())
        .is_some_and(|m| m.matches());
    standalone_ios || display_mode
}

/// `beforeinstallprompt` can fire before the WASM loads; an inline script
/// in the page keeps the event in `window.__tidingsInstall`.
pub(super) fn watch_install(pwa: PwaState) {
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
