//! "Install Tidings": from the second visit, dismissable, never when installed.

use leptos::prelude::*;

use super::{InstallOffer, PwaCommand, hydrated, use_pwa};
use crate::i18n::*;

#[component]
pub fn InstallPrompt() -> impl IntoView {
    let pwa = use_pwa();
    let hydrated = hydrated();
    view! {
        <Show when=move || hydrated.get() && pwa.offer_install()>
            <aside class="install-prompt card" data-testid="install-prompt" aria-labelledby="install-title">
                <img src="/icons/icon-192.png" alt="" width="48" height="48"/>
                <div class="install-text">
                    <strong id="install-title">{tr(|l| td_string!(l, pwa.install_title))}</strong>
                    {move || match pwa.install.get() {
                        InstallOffer::IosInstructions => view! { <p>{tr(|l| td_string!(l, pwa.install_ios))}</p> }.into_any(),
                        _ => view! { <p>{tr(|l| td_string!(l, pwa.install_body))}</p> }.into_any(),
                    }}
                </div>
                <div class="install-actions">
                    <Show when=move || pwa.install.get() == InstallOffer::Native>
                        <button type="button" class="button small" data-testid="install" on:click=move |_| pwa.command(PwaCommand::Install)>
                            {tr(|l| td_string!(l, pwa.install))}
                        </button>
                    </Show>
                    <button
                        type="button"
                        class="button ghost small"
                        data-testid="install-dismiss"
                        on:click=move |_| pwa.command(PwaCommand::DismissInstall)
                    >
                        {tr(|l| td_string!(l, pwa.not_now))}
                    </button>
                </div>
            </aside>
        </Show>
    }
}
