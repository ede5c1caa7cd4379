//! Sign-in and sign-up pages. Plain forms that post to their server
//! function, so they work before (or without) the WASM too; once hydrated,
//! the browser sends them itself and shows errors in place.
//!
//! Not `ActionForm`: its form-data decoding would be most of these pages'
//! WASM, and the first page a new visitor sees should load little.

use std::future::Future;

use leptos::ev::SubmitEvent;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::server::ServerActionError;
use server_fn::ServerFn;
use server_fn::error::ServerFnUrlError;

use super::User;
use super::api::{Login, Register, login, register};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::ErrorText;
use crate::ui::session::{CurrentUser, use_current_user};

#[component]
pub fn SignInPage() -> impl IntoView {
    let form = CredentialsForm::new::<Login>();
    view! {
        <section class="card auth">
            <h1>{tr(|l| td_string!(l, auth.sign_in_title))}</h1>
            <form method="post" action=Login::url() class="form" data-testid="signin-form" on:submit=move |ev| form.submit(ev, login)>
                <UsernameField node=form.username/>
                <PasswordField node=form.password autocomplete="current-password"/>
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
            <form method="post" action=Register::url() class="form" data-testid="signup-form" on:submit=move |ev| form.submit(ev, register)>
                <UsernameField node=form.username/>
                <small class="hint">{tr(|l| td_string!(l, auth.username_hint))}</small>
                <PasswordField node=form.password autocomplete="new-password"/>
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
    username: NodeRef<Input>,
    password: NodeRef<Input>,
    pending: RwSignal<bool>,
    error: RwSignal<Option<AppError>>,
    session: CurrentUser,
}

impl CredentialsForm {
    /// Starts with the error of a post made without the WASM: the server
    /// redirects back with it in the URL, and the router provides it.
    fn new<S: ServerFn<Error = AppError>>() -> Self {
        let from_url = use_context::<ServerActionError>()
            .filter(|e| e.path() == S::PATH)
            .map(|e| ServerFnUrlError::<AppError>::decode_err(e.err()));
        Self {
            username: NodeRef::new(),
            password: NodeRef::new(),
            pending: RwSignal::new(false),
            error: RwSignal::new(from_url),
            session: use_current_user(),
        }
    }

    /// Sends the fields with `call`. On success the server function sets
    /// the session cookie and redirects to `/` (the router follows); the
    /// app bar must learn about the new session too.
    fn submit<F: Future<Output = Result<User, AppError>> + 'static>(
        self,
        ev: SubmitEvent,
        call: fn(String, String) -> F,
    ) {
        ev.prevent_default();
        let (Some(username), Some(password)) = (self.username.get_untracked(), self.password.get_untracked()) else {
            return;
        };
        self.pending.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            let result = call(username.value(), password.value()).await;
            self.pending.set(false);
            match result {
                Ok(_) => self.session.refresh(),
                Err(err) => self.error.set(Some(err)),
            }
        });
    }
}

#[component]
fn UsernameField(node: NodeRef<Input>) -> impl IntoView {
    view! {
        <label class="field">
            <span>{tr(|l| td_string!(l, auth.username))}</span>
            <input
                node_ref=node
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
fn PasswordField(node: NodeRef<Input>, autocomplete: &'static str) -> impl IntoView {
    let locale = use_locale();
    let visible = RwSignal::new(false);
    view! {
        <label class="field">
            <span>{tr(|l| td_string!(l, auth.password))}</span>
            <span class="password">
                <input
                    node_ref=node
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
