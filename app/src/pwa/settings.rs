//! `/settings`: notifications, this account's devices, installing.

use leptos::prelude::*;

use super::{InstallPrompt, PushOptIn};
use crate::i18n::*;
use crate::push::api::{RevokeDevice, list_devices};
use crate::push::model::Device;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <div class="settings">
            <h1>{tr(|l| td_string!(l, pwa.settings))}</h1>
            <PushOptIn/>
            <crate::notify::NotificationPreferences/>
            <Devices/>
            <crate::auth::settings::Sessions/>
            <crate::bots::ui::BotsSettings/>
            <InstallPrompt/>
        </div>
    }
}

#[component]
fn Devices() -> impl IntoView {
    let revoke = ServerAction::<RevokeDevice>::new();
    let pwa = super::use_pwa();
    let locale = use_locale();
    // Loaded in the browser only: nothing here needs to be server-rendered.
    let devices = LocalResource::new(move || {
        let _ = (revoke.version().get(), pwa.subscribed.get());
        list_devices()
    });
    view! {
        <section class="card devices">
            <h2>{tr(|l| td_string!(l, pwa.devices))}</h2>
            <Transition>
                {move || Suspend::new(async move {
                    let list = devices.await.unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p class="muted">{tr_in(locale, |l| td_string!(l, pwa.no_devices))}</p> }.into_any();
                    }
                    view! {
                        <ul class="device-list" data-testid="devices">
                            {list.into_iter().map(|d| view! { <DeviceRow device=d revoke locale/> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                })}
            </Transition>
        </section>
    }
}

/// Built in a `Suspend`: the language comes as a prop (see `chat::ui`).
#[component]
fn DeviceRow(device: Device, revoke: ServerAction<RevokeDevice>, locale: UiLocale) -> impl IntoView {
    let id = device.id;
    let name = device.label.clone().unwrap_or_else(|| device.origin.clone());
    view! {
        <li class="device">
            <span class="device-name">{name}</span>
            <span class="muted">{device.origin}</span>
            <button
                type="button"
                class="button ghost small"
                on:click=move |_| {
                    revoke.dispatch(RevokeDevice { id: Some(id), endpoint: None });
                }
            >
                {tr_in(locale, |l| td_string!(l, pwa.revoke))}
            </button>
        </li>
    }
}
