//! The message box: Enter sends, Shift+Enter makes a new line, `@`
//! suggests members to mention.

use leptos::html::Textarea;
use leptos::prelude::*;

use super::mention_picker::MentionPicker;
use super::state::{ChatState, Command};
use crate::auth::User;
use crate::chat::model::BODY_MAX_CHARS;
use crate::i18n::*;
use crate::ui::icons::{Icon, IconKind};

/// At most one "typing" frame per this many ms.
const TYPING_EVERY_MS: f64 = 3000.0;

/// Part of the thread: state and language come as props (see `chat::ui`).
#[component]
pub fn Composer(conversation_id: i64, members: Vec<User>, state: ChatState, locale: UiLocale) -> impl IntoView {
    let input = NodeRef::<Textarea>::new();
    let picker = MentionPicker::new(conversation_id, members, input);
    // Reference-counted: see `chat::ui` on views in a `Suspend`.
    let too_long = ArcRwSignal::new(false);
    let last_typing = ArcStoredValue::new(f64::NEG_INFINITY);

    let submit = {
        let (too_long, last_typing) = (too_long.clone(), last_typing.clone());
        move || {
            let Some(textarea) = input.try_get_untracked().flatten() else { return };
            let body = textarea.value();
            if body.trim().is_empty() {
                return;
            }
            if body.chars().count() > BODY_MAX_CHARS {
                too_long.set(true);
                return;
            }
            let reply_to = state.replying.get_untracked().filter(|(c, _)| *c == conversation_id).map(|(_, r)| r);
            state.replying.set(None);
            state.command(Command::Send { conversation_id, body: body.trim_end().to_owned(), reply_to });
            textarea.set_value("");
            too_long.set(false);
            last_typing.set_value(f64::NEG_INFINITY);
        }
    };

    let on_keydown = {
        let (submit, picker) = (submit.clone(), picker.clone());
        move |ev: leptos::ev::KeyboardEvent| {
            if picker.key(&ev) {
                return;
            }
            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                ev.prevent_default();
                submit();
            } else if ev.key() == "Escape" && state.replying.with_untracked(Option::is_some) {
                state.replying.set(None);
            } else if ev.key() == "ArrowUp"
                && input.get_untracked().is_some_and(|t| t.value().is_empty())
                && let Some(id) = state.last_editable(conversation_id)
            {
                // Up in an empty box edits my last message, as in other chats.
                ev.prevent_default();
                state.editing.set(Some(id));
            }
        }
    };
    let on_input = {
        let (too_long, picker) = (too_long.clone(), picker.clone());
        move |ev: leptos::ev::Event| {
            picker.refresh();
            too_long.set(event_target_value(&ev).chars().count() > BODY_MAX_CHARS);
            let now = ev.time_stamp();
            if now - last_typing.get_value() > TYPING_EVERY_MS {
                last_typing.set_value(now);
                state.command(Command::Typing { conversation_id });
            }
        }
    };

    // Choosing "Reply" puts the caret here.
    Effect::new(move |_| {
        if state.replying.with(|r| r.as_ref().is_some_and(|(c, _)| *c == conversation_id))
            && let Some(textarea) = input.try_get_untracked().flatten()
        {
            let _ = textarea.focus();
        }
    });
    let replying = move || state.replying.get().filter(|(c, _)| *c == conversation_id).map(|(_, r)| r);

    view! {
        {move || replying().map(|quote| view! {
            <div class="replying" role="status">
                <span class="replying-text">
                    <strong>{tr_in(locale, |l| td_string!(l, chat.replying_to))}" "{quote.author.clone()}</strong>
                    <span class="quote-body">{quote.body.clone()}</span>
                </span>
                <button
                    type="button"
                    class="icon-button small"
                    aria-label=tr_in(locale, |l| td_string!(l, chat.cancel_reply))
                    on:click=move |_| state.replying.set(None)
                ><Icon kind=IconKind::Close/></button>
            </div>
        })}
        <form class="composer" on:submit=move |ev| {
            ev.prevent_default();
            submit();
        }>
            <textarea
                node_ref=input
                name="body"
                rows="1"
                data-testid="composer"
                placeholder=tr_in(locale, |l| td_string!(l, chat.placeholder))
                aria-label=tr_in(locale, |l| td_string!(l, chat.placeholder))
                aria-autocomplete="list"
                aria-controls=picker.controls()
                aria-activedescendant=picker.active()
                on:keydown=on_keydown
                on:input=on_input
                on:blur={
                    let picker = picker.clone();
                    move |_| picker.close()
                }
            ></textarea>
            {picker.view(locale)}
            <button type="submit" class="button" aria-label=tr_in(locale, |l| td_string!(l, chat.send))><Icon kind=IconKind::Send/></button>
            <Show when=move || too_long.get()>
                <p class="error" role="alert">{tr_in(locale, |l| td_string!(l, errors.message_too_long))}</p>
            </Show>
        </form>
    }
}
