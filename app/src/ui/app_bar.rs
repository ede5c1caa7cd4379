//! The bar across the top: name, language, and who is signed in.
//!
//! Plain `<a>` links (the router handles their clicks) and a plain form:
//! `A` and `ActionForm` would each add their own code to the main WASM
//! chunk, which every page loads.

use leptos::prelude::*;
use server_fn::ServerFn;

use super::avatar_initial;
use super::language::LanguagePicker;
use super::session::{Session, use_current_user};
use crate::auth::api::Logout;
use crate::i18n::*;

#[component]
pub fn AppBar() -> impl IntoView {
    let session = use_current_user();
    view! {
        <header class="app-bar">
            <a href="/" class="brand">
                <img src="/icons/icon.svg" alt="" width="28" height="28"/>
                <span>{tr(|l| td_string!(l, app_name))}</span>
            </a>
            <nav class="app-bar-actions">
                <LanguagePicker/>
                <Transition>
                    {move || Suspend::new(async move {
                        match session.user.await {
                            Session::SignedIn(user) => view! { <SignedIn username=user.username/> }.into_any(),
                            _ => view! { <SignedOut/> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

#[component]
fn SignedIn(username: String) -> impl IntoView {
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let session = use_current_user();
    // Not a `ServerAction`, whose URL-error handling would join the main
    // chunk; the call itself is in a lazy chunk too (see `session`).
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let sign_out = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if crate::client::runtime::sign_out().await {
                session.refresh();
            }
        });
    };
    view! {
        <a href="/settings" class="icon-button settings-link" aria-label=tr(|l| td_string!(l, pwa.settings)) data-testid="settings-link">
            "⚙"
        </a>
        <span class="who" title=tr(|l| td_string!(l, nav.signed_in_as))>
            <span class="avatar" aria-hidden="true">{avatar_initial(&username)}</span>
            <span class="username" data-testid="username">{username.clone()}</span>
        </span>
        // Posts to the server function without the WASM too (it redirects back).
        <form class="inline" method="post" action=Logout::url() on:submit=sign_out>
            <button type="submit" class="button ghost">{tr(|l| td_string!(l, nav.sign_out))}</button>
        </form>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    view! {
        <a href="/signin" class="button ghost">{tr(|l| td_string!(l, nav.sign_in))}</a>
        <a href="/signup" class="button">{tr(|l| td_string!(l, nav.sign_up))}</a>
    }
}
