//! The bar across the top: name, language, and who is signed in. On a
//! narrow screen the language, settings and sign-out fold into a menu, so
//! nothing wraps or runs off the edge at 360 px.
//!
//! Plain `<a>` links (the router handles their clicks) and a plain form:
//! `A` and `ActionForm` would each add their own code to the main WASM
//! chunk, which every page loads.

use leptos::prelude::*;
use server_fn::ServerFn;

use super::avatar_initial;
use super::icons::{Icon, IconKind};
use super::language::LanguagePicker;
use crate::auth::api::Logout;
use crate::auth::current::{Session, use_current_user};
use crate::i18n::*;

#[component]
pub fn AppBar() -> impl IntoView {
    let session = use_current_user();
    // The narrow-screen menu (CSS shows it inline on wide screens).
    let open = RwSignal::new(false);
    view! {
        <header class="app-bar">
            <a href="/" class="brand">
                <img src="/icons/icon.svg" alt="" width="28" height="28"/>
                <span>{tr(|l| td_string!(l, app_name))}</span>
            </a>
            <nav class="app-bar-actions">
                <Transition>
                    {move || Suspend::new(async move {
                        match session.user.await {
                            Session::SignedIn(user) => view! { <SignedIn username=user.username open/> }.into_any(),
                            _ => view! { <SignedOut open/> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

/// The button that opens the menu on narrow screens, and the menu itself:
/// a click on anything in it (a link, sign out) closes it again.
#[component]
fn Menu(open: RwSignal<bool>, children: Children) -> impl IntoView {
    view! {
        <button
            type="button"
            class="icon-button menu-toggle"
            aria-label=tr(|l| td_string!(l, nav.menu))
            aria-expanded=move || open.get().to_string()
            aria-controls="app-menu"
            on:click=move |_| open.update(|o| *o = !*o)
        >
            <Icon kind=IconKind::Menu/>
        </button>
        <div
            id="app-menu"
            class="app-menu"
            data-open=move || open.get().to_string()
            on:click=move |ev| {
                // Choosing a language keeps the menu open; anything else is done.
                let tag = event_target::<leptos::web_sys::Element>(&ev).tag_name();
                if !matches!(tag.to_ascii_lowercase().as_str(), "select" | "option") {
                    open.set(false);
                }
            }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    open.set(false);
                }
            }
        >
            {children()}
        </div>
    }
}

#[component]
fn SignedIn(username: String, open: RwSignal<bool>) -> impl IntoView {
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let session = use_current_user();
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let pwa = crate::pwa::use_pwa();
    // Not a `ServerAction`, whose URL-error handling would join the main
    // chunk; the call itself is in a lazy chunk too (see `session`).
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let sign_out = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            if crate::auth::client::sign_out().await {
                pwa.command(crate::pwa::PwaCommand::SignedOut);
                session.refresh();
            }
        });
    };
    view! {
        <crate::notify::ui::Bell/>
        <Menu open>
            <span class="who" title=tr(|l| td_string!(l, nav.signed_in_as))>
                <span class="avatar" aria-hidden="true">{avatar_initial(&username)}</span>
                <span class="username" data-testid="username">{username.clone()}</span>
            </span>
            <a href="/settings" class="icon-button settings-link" aria-label=tr(|l| td_string!(l, pwa.settings)) data-testid="settings-link">
                <Icon kind=IconKind::Settings/>
                <span class="menu-label" aria-hidden="true">{tr(|l| td_string!(l, pwa.settings))}</span>
            </a>
            <LanguagePicker/>
            // Posts to the server function without the WASM too (it redirects back).
            <form class="inline" method="post" action=Logout::url() on:submit=sign_out>
                <button type="submit" class="button ghost">{tr(|l| td_string!(l, nav.sign_out))}</button>
            </form>
        </Menu>
    }
}

#[component]
fn SignedOut(open: RwSignal<bool>) -> impl IntoView {
    view! {
        <a href="/signin" class="button ghost small">{tr(|l| td_string!(l, nav.sign_in))}</a>
        <a href="/signup" class="button small">{tr(|l| td_string!(l, nav.sign_up))}</a>
        <Menu open>
            <LanguagePicker/>
        </Menu>
    }
}
