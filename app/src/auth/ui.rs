//! Sign-in and sign-up pages. Forms post to server functions, so they work
//! before hydration too.

use leptos::prelude::*;
use leptos_router::components::A;

use super::api::{Login, Register};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::ErrorText;
use crate::ui::session::use_current_user;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    refresh_on_success(action.value());
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="card auth">
            <h1>{tr(|l| td_string!(l, auth.sign_in_title))}</h1>
            <ActionForm action=action attr:class="form" attr:data-testid="signin-form">
                <UsernameField/>
                <PasswordField autocomplete="current-password"/>
                <ErrorText error/>
                <button type="submit" class="button wide" disabled=move || action.pending().get()>
                    {tr(|l| td_string!(l, auth.sign_in_submit))}
                </button>
            </ActionForm>
            <p class="switch">
                {tr(|l| td_string!(l, auth.no_account))} " " <A href="/signup">{tr(|l| td_string!(l, nav.sign_up))}</A>
            </p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    refresh_on_success(action.value());
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="card auth">
            <h1>{tr(|l| td_string!(l, auth.sign_up_title))}</h1>
            <ActionForm action=action attr:class="form" attr:data-testid="signup-form">
                <UsernameField/>
                <small class="hint">{tr(|l| td_string!(l, auth.username_hint))}</small>
                <PasswordField autocomplete="new-password"/>
                <small class="hint">{tr(|l| td_string!(l, auth.password_hint))}</small>
                <ErrorText error/>
                <button type="submit" class="button wide" disabled=move || action.pending().get()>
                    {tr(|l| td_string!(l, auth.sign_up_submit))}
                </button>
            </ActionForm>
            <p class="switch">
                {tr(|l| td_string!(l, auth.have_account))} " " <A href="/signin">{tr(|l| td_string!(l, nav.sign_in))}</A>
            </p>
        </section>
    }
}

/// After a successful sign-in the server redirects to `/`; the header must
/// learn about the new session too.
fn refresh_on_success<T: Send + Sync + 'static>(value: impl Get<Value = Option<Result<T, AppError>>> + 'static) {
    let session = use_current_user();
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            session.refresh();
        }
    });
}

#[component]
fn UsernameField() -> impl IntoView {
    view! {
        <label class="field">
            <span>{tr(|l| td_string!(l, auth.username))}</span>
            <input
                name="username"
                required
                minlength="3"
                maxlength="32"
                autocomplete="username"
                autocapitalize="none"
                spellcheck="false"
            />
        </label>
    }
}

/// A password input with a show/hide toggle (a purely client-side control).
#[component]
fn PasswordField(autocomplete: &'static str) -> impl IntoView {
    let locale = use_locale();
    let visible = RwSignal::new(false);
    view! {
        <label class="field">
            <span>{tr(|l| td_string!(l, auth.password))}</span>
            <span class="password">
                <input
                    name="password"
                    required
                    minlength="8"
                    autocomplete=autocomplete
                    type=move || if visible.get() { "text" } else { "password" }
                />
                <button
                    type="button"
                    class="button ghost small"
                    data-testid="toggle-password"
                    aria-pressed=move || visible.get().to_string()
                    on:click=move |_| visible.update(|v| *v = !*v)
                >
                    {move || if visible.get() {
                        td_string!(locale.get(), auth.hide_password)
                    } else {
                        td_string!(locale.get(), auth.show_password)
                    }}
                </button>
            </span>
        </label>
    }
}
