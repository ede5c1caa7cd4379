//! Sign-in and sign-up pages: plain forms that the browser posts to their
//! server function, with or without the WASM. The server answers with the
//! session cookie and a redirect to `/`, or back to the form with the error
//! in the URL, which the page shows.
//!
//! The WASM only adds the password toggle and a pending state. It does not
//! send the form itself: that would bring the server-function client and
//! its JSON decoding into the first page a new visitor is likely to open,
//! and a full page load after signing in starts the app fresh anyway.

use leptos::prelude::*;
use leptos::server::ServerActionError;
use server_fn::ServerFn;

use super::api::{Login, Register};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::ErrorText;

#[component]
pub fn SignInPage() -> impl IntoView {
    let form = CredentialsForm::new::<Login>();
    // Where to go afterwards, if a page sent the visitor here (the server
    // checks that it is a page of this site).
    let next = query_param("next").unwrap_or_default();
    view! {
        <section class="card auth">
            <h1>{tr(|l| td_string!(l, auth.sign_in_title))}</h1>
            <form method="post" action=Login::url() class="form" data-testid="signin-form" on:submit=move |ev| form.submit(ev)>
                <input type="hidden" name="next" value=next/>
                <UsernameField/>
                <PasswordField autocomplete="current-password"/>
                <ErrorText error=form.error/>
                <button type="submit" class="button wide" disabled=move || form.pending.get()>
                    {tr(|l| td_string!(l, auth.sign_in_submit))}
                </button>
            </form>
            <p class="switch">
                {tr(|l| td_string!(l, auth.no_account))} " " <a href="/signup">{tr(|l| td_string!(l, nav.sign_up))}</a>
            </p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let form = CredentialsForm::new::<Register>();
    view! {
        <section class="card auth">
            <h1>{tr(|l| td_string!(l, auth.sign_up_title))}</h1>
            <form method="post" action=Register::url() class="form" data-testid="signup-form" on:submit=move |ev| form.submit(ev)>
                <UsernameField/>
                <small class="hint">{tr(|l| td_string!(l, auth.username_hint))}</small>
                <PasswordField autocomplete="new-password"/>
                <small class="hint">{tr(|l| td_string!(l, auth.password_hint))}</small>
                <ErrorText error=form.error/>
                <button type="submit" class="button wide" disabled=move || form.pending.get()>
                    {tr(|l| td_string!(l, auth.sign_up_submit))}
                </button>
            </form>
            <p class="switch">
                {tr(|l| td_string!(l, auth.have_account))} " " <a href="/signin">{tr(|l| td_string!(l, nav.sign_in))}</a>
            </p>
        </section>
    }
}

/// A username-and-password form's state.
#[derive(Clone, Copy)]
struct CredentialsForm {
    /// Posted, waiting for the server's answer (a new page).
    pending: RwSignal<bool>,
    error: RwSignal<Option<AppError>>,
}

impl CredentialsForm {
    /// Starts with the error of the last post, if it failed: the server
    /// redirects back with it in the URL, and the router provides it.
    fn new<S: ServerFn<Error = AppError>>() -> Self {
        let from_url = use_context::<ServerActionError>()
            .filter(|e| e.path() == S::PATH)
            .map(|e| crate::error::wire::from_url(e.err()));
        let pending = RwSignal::new(false);
        // Back to this page from the next one, which the back/forward cache
        // kept as it was: it may show the wrong session, so load it afresh.
        let on_show = window_event_listener(leptos::ev::pageshow, move |ev| {
            pending.set(false);
            if ev.persisted() {
                let _ = window().location().reload();
            }
        });
        on_cleanup(move || on_show.remove());
        Self { pending, error: RwSignal::new(from_url) }
    }

    /// Lets the browser post the form, unless it is offline: then the
    /// installed app would land on the browser's network-error page.
    fn submit(self, ev: leptos::ev::SubmitEvent) {
        if !window().navigator().on_line() {
            ev.prevent_default();
            // A code only this page uses; the server never sends it.
            self.error.set(Some(AppError::invalid("offline", "you are offline")));
            return;
        }
        self.error.set(None);
        self.pending.set(true);
    }
}

/// A query parameter of the page's URL. From the router's location, which
/// follows in-app navigation, but parsed without its query map, which
/// would add 4 KB to the main module.
fn query_param(name: &str) -> Option<String> {
    let search = leptos_router::hooks::use_location().search.get_untracked();
    #[cfg(feature = "ssr")]
    {
        url::form_urlencoded::parse(search.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
    }
    #[cfg(feature = "hydrate")]
    {
        crate::client::query_param(&search, name)
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        let _ = (search, name);
        None
    }
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
    // The toggle sits beside the label, not inside it: a label names one
    // control, and a button inside it would join the input's name.
    view! {
        <div class="field">
            <label for="password">{tr(|l| td_string!(l, auth.password))}</label>
            <span class="password">
                <input
                    id="password"
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
        </div>
    }
}
