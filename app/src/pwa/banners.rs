//! Thin banners: offline, "a new version is ready", and "something went wrong".

use leptos::prelude::*;

use super::{PwaCommand, use_pwa};
use crate::i18n::*;

#[component]
pub fn OfflineBanner() -> impl IntoView {
    let pwa = use_pwa();
    view! {
        <Show when=move || !pwa.online.get()>
            <div class="banner offline" role="status" data-testid="offline-banner">{tr(|l| td_string!(l, pwa.offline))}</div>
        </Show>
    }
}

#[component]
pub fn UpdateBanner() -> impl IntoView {
    let pwa = use_pwa();
    view! {
        <Show when=move || pwa.update_ready.get()>
            <div class="banner update" role="status" data-testid="update-banner">
                <span>{tr(|l| td_string!(l, pwa.update_ready))}</span>
                " "
                <button type="button" class="button small" on:click=move |_| pwa.command(PwaCommand::ApplyUpdate)>
                    {tr(|l| td_string!(l, pwa.reload))}
                </button>
            </div>
        </Show>
    }
}

/// Shown by the page's own script (see `ui::shell`) when the WASM traps: a
/// panic aborts it, and nothing in it runs again. The link reloads without
/// the router (`rel=external`), whose click handler is WASM too.
#[component]
pub fn CrashBanner() -> impl IntoView {
    view! {
        <div id="crash-banner" class="banner crash" role="alert" hidden>
            <span>{tr(|l| td_string!(l, pwa.crashed))}</span>
            " "
            <a href="" rel="external" class="button small">{tr(|l| td_string!(l, pwa.reload))}</a>
        </div>
    }
}
