//! The bar across the top: name, language, and who is signed in.

use leptos::prelude::*;
use leptos_router::components::A;

use super::language::LanguagePicker;
use super::session::use_current_user;
use crate::auth::api::Logout;
use crate::i18n::*;

#[component]
pub fn AppBar() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_current_user();
    view! {
        <header class="app-bar">
            <A href="/" attr:class="brand">
                <img src="/icons/icon.svg" alt="" width="28" height="28"/>
                <span>{t!(i18n, app_name)}</span>
            </A>
            <nav class="app-bar-actions">
                <LanguagePicker/>
                <Transition>
                    {move || Suspend::new(async move {
                        match session.user.await {
                            Ok(Some(user)) => view! { <SignedIn username=user.username/> }.into_any(),
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
    let i18n = use_i18n();
    let session = use_current_user();
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if matches!(logout.value().get(), Some(Ok(()))) {
            session.refresh();
        }
    });
    view! {
        <A href="/settings" attr:class="icon-button settings-link" attr:aria-label=move || t_string!(i18n, pwa.settings) attr:data-testid="settings-link">
            "⚙"
        </A>
        <span class="who" title=move || t_string!(i18n, nav.signed_in_as)>
            <span class="avatar" aria-hidden="true">{initial(&username)}</span>
            <span class="username" data-testid="username">{username.clone()}</span>
        </span>
        <ActionForm action=logout attr:class="inline">
            <button type="submit" class="button ghost">{t!(i18n, nav.sign_out)}</button>
        </ActionForm>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <A href="/signin" attr:class="button ghost">{t!(i18n, nav.sign_in)}</A>
        <A href="/signup" attr:class="button">{t!(i18n, nav.sign_up)}</A>
    }
}

fn initial(username: &str) -> String {
    username.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default()
}
