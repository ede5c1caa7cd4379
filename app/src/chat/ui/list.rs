//! The list of conversations with previews and unread badges.

use leptos::prelude::*;
use leptos_router::components::A;

use super::new_conversation::NewConversation;
use super::state::use_chat;
use super::use_chat_resources;
use crate::chat::Conversation;
use crate::i18n::*;
use crate::ui::ErrorText;

#[component]
pub fn ConversationList() -> impl IntoView {
    let state = use_chat();
    let list = use_chat_resources().list;
    view! {
        <nav class="conversation-list" aria-label=tr(|l| td_string!(l, chat.conversations))>
            <div class="list-header">
                <h2>{tr(|l| td_string!(l, chat.conversations))}</h2>
                <NewConversation/>
            </div>
            <Transition>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) => {
                            state.conversations.set(items);
                            view! { <Rows/> }.into_any()
                        }
                        // Offline: the rows come from this device's cache.
                        Err(crate::error::AppError::Transport(_)) => view! { <Rows/> }.into_any(),
                        Err(err) => view! { <ErrorText error=Some(err)/> }.into_any(),
                    }
                })}
            </Transition>
        </nav>
    }
}

#[component]
fn Rows() -> impl IntoView {
    let state = use_chat();
    let current = move || state.active.get();
    view! {
        <Show
            when=move || state.conversations.with(|l| !l.is_empty())
            fallback=move || view! { <p class="list-empty">{tr(|l| td_string!(l, chat.no_conversations))}</p> }
        >
            <ul class="rows">
                <For
                    each=move || state.conversations.get()
                    key=|c| (c.id, c.unread, c.last_message.as_ref().map(|m| m.id), c.members.len())
                    children=move |conversation| {
                        let id = conversation.id;
                        view! { <Row conversation active=Signal::derive(move || current() == Some(id))/> }
                    }
                />
            </ul>
        </Show>
    }
}

#[component]
fn Row(conversation: Conversation, active: Signal<bool>) -> impl IntoView {
    let state = use_chat();
    let me = state.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let id = conversation.id;
    let name = conversation.display_name(me);
    let preview = conversation.last_message.as_ref().map(|m| {
        let who = if m.author.id == me { String::new() } else { format!("{}: ", m.author.username) };
        format!("{who}{}", first_line(&m.body, 80))
    });
    let unread = conversation.unread;
    let is_active = move || active.get();
    view! {
        <li>
            <A
                href=format!("/c/{id}")
                attr:class=move || if is_active() { "conversation-row active" } else { "conversation-row" }
                attr:data-conversation=id.to_string()
            >
                <span class="avatar" aria-hidden="true">{crate::ui::avatar_initial(&name)}</span>
                <span class="row-text">
                    <span class="row-name">{name.clone()}</span>
                    <span class="row-preview">{preview}</span>
                </span>
                {(unread > 0).then(|| view! { <span class="badge" data-testid="unread">{unread}</span> })}
            </A>
        </li>
    }
}

/// The first line of a message, cut to `max` characters on a character boundary.
pub fn first_line(body: &str, max: usize) -> String {
    let line = body.lines().next().unwrap_or_default();
    if line.chars().count() <= max {
        line.to_owned()
    } else {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}
