//! Notification opt-in: every state explained, and the gentle prompt shown
//! after someone has a conversation (never on first load).

use leptos::prelude::*;

use super::{PushStatus, PwaCommand, hydrated, use_pwa};
use crate::i18n::*;

/// The full panel (settings).
#[component]
pub fn PushOptIn() -> impl IntoView {
    let pwa = use_pwa();
    let test = ServerAction::<crate::push::api::SendTestPush>::new();
    let hydrated = hydrated();
    let status = move || if hydrated.get() { pwa.push.get() } else { PushStatus::Unknown };
    let status_name = move || status().as_str();
    view! {
        <section class="card push-opt-in" data-testid="push-opt-in" data-state=status_name>
            <h2>{tr(|l| td_string!(l, pwa.push_title))}</h2>
            {move || match status() {
                PushStatus::Unknown => view! { <p class="muted">{tr(|l| td_string!(l, pwa.checking))}</p> }.into_any(),
                PushStatus::Unsupported => view! { <p>{tr(|l| td_string!(l, pwa.push_unsupported))}</p> }.into_any(),
                PushStatus::NeedsInstall => view! {
                    <p data-testid="push-needs-install">{tr(|l| td_string!(l, pwa.push_ios_install))}</p>
                }
                .into_any(),
                PushStatus::Default => view! {
                    <p>{tr(|l| td_string!(l, pwa.push_explain))}</p>
                    <button type="button" class="button" data-testid="enable-push" on:click=move |_| pwa.command(PwaCommand::EnablePush)>
                        {tr(|l| td_string!(l, pwa.enable))}
                    </button>
                }
                .into_any(),
                PushStatus::Granted => view! {
                    <p data-testid="push-on">{tr(|l| td_string!(l, pwa.push_on))}</p>
                    <button
                        type="button"
                        class="button ghost"
                        data-testid="test-push"
                        disabled=move || test.pending().get() || !pwa.subscribed.get()
                        on:click=move |_| {
                            test.dispatch(crate::push::api::SendTestPush {});
                        }
                    >
                        {tr(|l| td_string!(l, pwa.send_test))}
                    </button>
                    {move || test.value().get().map(|r| match r {
                        Ok(_) => view! { <p class="muted" role="status">{tr(|l| td_string!(l, pwa.test_sent))}</p> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">{tr(|l| td_string!(l, errors.generic))}</p> }.into_any(),
                    })}
                }
                .into_any(),
                PushStatus::Denied => view! { <p data-testid="push-denied">{tr(|l| td_string!(l, pwa.push_denied))}</p> }.into_any(),
            }}
            {move || pwa.push_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}

/// A one-line nudge in the conversation view, for people who have not
/// decided yet. Dismissal is remembered.
#[component]
pub fn PushPrompt() -> impl IntoView {
    let pwa = use_pwa();
    let hydrated = hydrated();
    let show = move || hydrated.get() && pwa.push.get() == PushStatus::Default && !pwa.push_prompt_dismissed.get();
    view! {
        <Show when=show>
            <div class="push-prompt" data-testid="push-prompt">
                <span>{tr(|l| td_string!(l, pwa.push_nudge))}</span>
                <button type="button" class="button small" on:click=move |_| pwa.command(PwaCommand::EnablePush)>
                    {tr(|l| td_string!(l, pwa.enable))}
                </button>
                <button type="button" class="button ghost small" on:click=move |_| pwa.command(PwaCommand::DismissPushPrompt)>
                    {tr(|l| td_string!(l, pwa.not_now))}
                </button>
            </div>
        </Show>
    }
}
