//! Thin banners: offline, and "a new version is ready".

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
