//! The account part of `/settings`: where I am signed in (ending any other
//! session), and changing my password, which ends every other session.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::api::{ChangePassword, EndSession, list_sessions};
use super::model::SessionInfo;
use crate::i18n::*;
use crate::ui::ErrorText;

#[component]
pub fn Sessions() -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let change = ServerAction::<ChangePassword>::new();
    let locale = use_locale();
    // Browser only, as the devices: nothing here needs server rendering.
    let sessions = LocalResource::new(move || {
        let _ = (end.version().get(), change.version().get());
        list_sessions()
    });
    view! {
        <section class="card sessions" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{tr(|l| td_string!(l, account.sessions))}</h2>
            <Transition>
                {move || Suspend::new(async move {
                    let list = sessions.await.unwrap_or_default();
                    view! {
                        <ul class="device-list">
                            {list.into_iter().map(|s| view! { <SessionRow session=s end locale/> }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </section>
        <PasswordChange change/>
    }
}

/// Built in a `Suspend`: the language comes as a prop (see `chat::ui`).
#[component]
fn SessionRow(session: SessionInfo, end: ServerAction<EndSession>, locale: UiLocale) -> impl IntoView {
    let id = session.id;
    let name =
        session.device.clone().unwrap_or_else(|| tr_in(locale, |l| td_string!(l, account.unknown_device))().to_owned());
    view! {
        <li class="device">
            <span class="device-name" id=format!("session-{id}")>{name}</span>
            {session.last_used_at.map(|ms| view! {
                <span class="muted session-used">{tr_in(locale, |l| td_string!(l, account.last_used))}" "{crate::ui::when(ms)}</span>
            })}
            {if session.current {
                view! { <span class="muted">{tr_in(locale, |l| td_string!(l, account.this_device))}</span> }.into_any()
            } else {
                view! {
                    <button type="button" class="button ghost small" aria-describedby=format!("session-{id}") on:click=move |_| {
                        end.dispatch(EndSession { id });
                    }>
                        {tr_in(locale, |l| td_string!(l, account.end_session))}
                    </button>
                }
                .into_any()
            }}
        </li>
    }
}

#[component]
fn PasswordChange(change: ServerAction<ChangePassword>) -> impl IntoView {
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let done = move || change.value().get().is_some_and(|r| r.is_ok());
    view! {
        <section class="card password-change" aria-labelledby="password-title">
            <h2 id="password-title">{tr(|l| td_string!(l, account.password_title))}</h2>
            <ActionForm action=change attr:class="form">
                <label class="field">
                    {tr(|l| td_string!(l, account.current_password))}
                    <input type="password" name="current_password" autocomplete="current-password" required/>
                </label>
                <label class="field">
                    {tr(|l| td_string!(l, account.new_password))}
                    <input type="password" name="new_password" autocomplete="new-password" minlength="8" required/>
                </label>
                <ErrorText error/>
                <Show when=done>
                    <p class="muted" role="status">{tr(|l| td_string!(l, account.password_changed))}</p>
                </Show>
                <button type="submit" class="button" disabled=move || change.pending().get()>
                    {tr(|l| td_string!(l, account.change_password))}
                </button>
            </ActionForm>
        </section>
    }
}
