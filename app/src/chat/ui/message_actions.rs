//! A message's actions: a "Message actions" button opens the reaction
//! picker and, on my own messages, Edit and Delete. Edit puts the text in
//! a box in place (Enter saves, Escape cancels); Delete asks once. What the server answers is folded into the
//! state at once, and the live frame does the same on my other devices.

use leptos::html::Textarea;
use leptos::prelude::*;

use super::reactions::ReactionPicker;
use super::state::ChatState;
use crate::chat::ReplyTo;
use crate::chat::api::{delete_message, edit_message};
use crate::i18n::*;
use crate::live::frames::ServerFrame;
use crate::ui::icons::{Icon, IconKind};

/// What the actions of one message show.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Closed,
    Menu,
    ConfirmDelete,
}

/// The actions of message `id`; `own` adds Edit and Delete (built by the
/// thread's keyed list: state and language come as props, see `chat::ui`).
#[component]
pub fn MessageActions(
    id: i64,
    conversation_id: i64,
    own: bool,
    quote: ReplyTo,
    state: ChatState,
    locale: UiLocale,
) -> impl IntoView {
    let open = ArcRwSignal::new(Open::Closed);
    let error = ArcRwSignal::new(None::<String>);
    let (menu, confirm, shown) = (open.clone(), open.clone(), open.clone());
    let delete = {
        let (open, error) = (open.clone(), error.clone());
        move |_| {
            let (open, error) = (open.clone(), error.clone());
            leptos::task::spawn_local(async move {
                match delete_message(id).await {
                    Ok(()) => {
                        open.set(Open::Closed);
                        // The frame may come later (or not, offline): fold it in now.
                        state.apply(ServerFrame::MessageDeleted { conversation_id, id, rev: 0 }, 0.0);
                    }
                    Err(err) => error.set(Some(err.to_string())),
                }
            });
        }
    };
    view! {
        <span class="message-actions">
            <button
                type="button"
                class="icon-button small"
                aria-label=tr_in(locale, |l| td_string!(l, chat.actions))
                aria-expanded=move || (menu.get() != Open::Closed).to_string()
                on:click=move |_| open.update(|o| *o = if *o == Open::Closed { Open::Menu } else { Open::Closed })
            ><Icon kind=IconKind::More/></button>
            {move || match shown.get() {
                Open::Closed => ().into_any(),
                Open::Menu => {
                    let (confirm, close, replied) = (confirm.clone(), confirm.clone(), confirm.clone());
                    let done = Callback::new(move |()| close.set(Open::Closed));
                    let quote = quote.clone();
                    let reply = move |_| {
                        state.replying.set(Some((conversation_id, quote.clone())));
                        replied.set(Open::Closed);
                    };
                    view! {
                        <span class="action-menu">
                            <ReactionPicker id conversation_id state locale done/>
                            <span class="action-row">
                                <button type="button" class="button ghost small" on:click=reply>
                                    {tr_in(locale, |l| td_string!(l, chat.reply))}
                                </button>
                            </span>
                            {own.then(|| view! {
                                <span class="action-row">
                                    <button type="button" class="button ghost small" on:click=move |_| state.editing.set(Some(id))>
                                        {tr_in(locale, |l| td_string!(l, chat.edit))}
                                    </button>
                                    <button type="button" class="button ghost small" on:click=move |_| confirm.set(Open::ConfirmDelete)>
                                        {tr_in(locale, |l| td_string!(l, chat.delete))}
                                    </button>
                                </span>
                            })}
                        </span>
                    }.into_any()
                }
                Open::ConfirmDelete => {
                    let (delete, cancel) = (delete.clone(), confirm.clone());
                    view! {
                        <span class="action-row" role="group" aria-label=tr_in(locale, |l| td_string!(l, chat.confirm_delete))>
                            <span>{tr_in(locale, |l| td_string!(l, chat.confirm_delete))}</span>
                            <button type="button" class="button danger small" on:click=delete>
                                {tr_in(locale, |l| td_string!(l, chat.delete))}
                            </button>
                            <button type="button" class="button ghost small" on:click=move |_| cancel.set(Open::Closed)>
                                {tr_in(locale, |l| td_string!(l, chat.cancel))}
                            </button>
                        </span>
                    }.into_any()
                }
            }}
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </span>
    }
}

/// My message's text in a box, in place of the bubble's text.
#[component]
pub fn EditForm(id: i64, body: String, state: ChatState, locale: UiLocale) -> impl IntoView {
    let input = NodeRef::<Textarea>::new();
    let error = ArcRwSignal::new(None::<String>);
    let save = {
        let error = error.clone();
        move || {
            let Some(text) = input.get_untracked().map(|t| t.value()) else { return };
            let error = error.clone();
            leptos::task::spawn_local(async move {
                match edit_message(id, text.trim_end().to_owned()).await {
                    Ok(message) => {
                        state.editing.set(None);
                        state.apply(ServerFrame::MessageEdited { message }, 0.0);
                    }
                    Err(err) => error.set(Some(err.to_string())),
                }
            });
        }
    };
    let on_keydown = {
        let save = save.clone();
        move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
            "Enter" if !ev.shift_key() && !ev.is_composing() => {
                ev.prevent_default();
                save();
            }
            "Escape" => state.editing.set(None),
            _ => {}
        }
    };
    // Focused with the caret at the end, ready to type.
    Effect::new(move |_| {
        if let Some(textarea) = input.get() {
            let _ = textarea.focus();
            let end = textarea.value().len() as u32;
            let _ = textarea.set_selection_range(end, end);
        }
    });
    view! {
        <form class="edit-form" on:submit=move |ev| {
            ev.prevent_default();
            save();
        }>
            <textarea node_ref=input rows="2" aria-label=tr_in(locale, |l| td_string!(l, chat.edit_label)) on:keydown=on_keydown>
                {body}
            </textarea>
            <span class="action-row">
                <button type="submit" class="button small">{tr_in(locale, |l| td_string!(l, chat.save))}</button>
                <button type="button" class="button ghost small" on:click=move |_| state.editing.set(None)>
                    {tr_in(locale, |l| td_string!(l, chat.cancel))}
                </button>
            </span>
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </form>
    }
}
