//! The list of conversations with previews and unread badges.

use leptos::prelude::*;

use super::message::BotBadge;
use super::new_conversation::NewConversation;
use super::search::{SearchBox, SearchResults};
use super::state::{ChatState, use_chat};
use super::use_chat_resources;
use crate::chat::Conversation;
use crate::i18n::*;
use crate::ui::ErrorText;

#[component]
pub fn ConversationList() -> impl IntoView {
    let state = use_chat();
    let list = use_chat_resources().list;
    // Reference-counted: the rows read it after rebuilds (see `chat::ui`).
    let mentions_only = ArcRwSignal::new(false);
    let (all_pressed, mentions_pressed, shown) = (mentions_only.clone(), mentions_only.clone(), mentions_only.clone());
    let set_all = mentions_only.clone();
    // While the search box holds words, the messages found stand in for the rows.
    let searching = ArcMemo::new(move |_| !state.search.with(|q| q.trim().is_empty()));
    let (hide_rows, show_results) = (searching.clone(), searching);
    let locale = use_locale();
    view! {
        <nav class="conversation-list" aria-label=tr(|l| td_string!(l, chat.conversations))>
            <div class="list-header">
                <h2>{tr(|l| td_string!(l, chat.conversations))}</h2>
                <NewConversation/>
            </div>
            <SearchBox state/>
            {move || show_results.get().then(|| view! { <SearchResults state locale/> })}
            <div class="list-rows" hidden=move || hide_rows.get()>
            <div class="list-filter" role="group" aria-label=tr(|l| td_string!(l, chat.conversations))>
                <button
                    type="button"
                    class="chip"
                    aria-pressed=move || (!all_pressed.get()).to_string()
                    on:click=move |_| set_all.set(false)
                >{tr(|l| td_string!(l, chat.filter_all))}</button>
                <button
                    type="button"
                    class="chip"
                    aria-pressed=move || mentions_pressed.get().to_string()
                    on:click=move |_| mentions_only.set(true)
                >{tr(|l| td_string!(l, chat.filter_mentions))}</button>
            </div>
            <Transition>
                {move || {
                    let shown = shown.clone();
                    Suspend::new(async move {
                    match list.await {
                        Ok(items) => {
                            // Written once per fetch (a view built again
                            // awaits the same, now stale, fetch), and only
                            // when it changed: a write while the new route
                            // renders reaches the old route's views.
                            let version = Some(state.list_version.get_untracked());
                            if state.list_applied.get_value() != version {
                                state.list_applied.set_value(version);
                                if state.conversations.with_untracked(|current| *current != items) {
                                    state.conversations.set(items);
                                }
                            }
                            view! { <Rows mentions_only=shown.clone()/> }.into_any()
                        }
                        // Offline: the rows come from this device's cache.
                        Err(crate::error::AppError::Transport(_)) => view! { <Rows mentions_only=shown.clone()/> }.into_any(),
                        Err(err) => view! { <ErrorText error=Some(err)/> }.into_any(),
                    }
                })}}
            </Transition>
            </div>
        </nav>
    }
}

/// The rows; with `mentions_only`, those with unread mentions of me.
#[component]
fn Rows(mentions_only: ArcRwSignal<bool>) -> impl IntoView {
    // Taken here, while the route's owner is alive, and handed to the rows
    // (see `chat::ui` on views Leptos may rebuild after their owner is gone).
    let state = use_chat();
    let locale = use_locale();
    let (when, each, empty) = (mentions_only.clone(), mentions_only.clone(), mentions_only);
    view! {
        <Show
            when=move || {
                let only = when.get();
                state.conversations.with(|l| l.iter().any(|c| !only || c.unread_mentions > 0))
            }
            fallback=move || {
                let text = if empty.get() {
                    tr_in(locale, |l| td_string!(l, chat.no_mentions))
                } else {
                    tr_in(locale, |l| td_string!(l, chat.no_conversations))
                };
                view! { <p class="list-empty">{text}</p> }
            }
        >
            <ul class="rows">
                <For
                    each={
                        let each = each.clone();
                        move || {
                            let only = each.get();
                            state.conversations.with(|l| l.iter().filter(|c| !only || c.unread_mentions > 0).cloned().collect::<Vec<_>>())
                        }
                    }
                    key=|c| (c.id, c.unread, c.unread_mentions, c.last_message.as_ref().map(|m| (m.id, m.streaming, m.rev)), c.members.len())
                    children=move |conversation| view! { <Row conversation state locale/> }
                />
            </ul>
        </Show>
    }
}

/// One conversation. A plain link (the router takes its clicks): `A` looks
/// up the router's context, which a row built late cannot reach.
#[component]
fn Row(conversation: Conversation, state: ChatState, locale: UiLocale) -> impl IntoView {
    let me = state.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let id = conversation.id;
    let name = conversation.display_name(me);
    let bot = conversation.with_bot(me);
    let preview = conversation.last_message.as_ref().map(|m| {
        let who = if m.author.id == me { String::new() } else { format!("{}: ", m.author.username) };
        // A streamed reply's preview is its final text; until then, "…".
        let text = if m.deleted {
            tr_in(locale, |l| td_string!(l, chat.message_deleted))().to_owned()
        } else if m.streaming {
            "…".to_owned()
        } else {
            first_line(&m.body, 80)
        };
        format!("{who}{text}")
    });
    let unread = conversation.unread;
    let mentioned = conversation.unread_mentions > 0;
    // The provider's signal, never one of the row's own: a row's class can
    // be re-evaluated after the row's owner has been disposed.
    let is_active = move || state.active.get() == Some(id);
    view! {
        <li>
            <a
                href=format!("/c/{id}")
                class=move || if is_active() { "conversation-row active" } else { "conversation-row" }
                aria-current=move || is_active().then_some("page")
                data-conversation=id.to_string()
            >
                <span class="avatar" aria-hidden="true">{crate::ui::avatar_initial(&name)}</span>
                <span class="row-text">
                    <span class="row-name">
                        {name.clone()}
                        {bot.then(|| view! { <BotBadge locale/> })}
                    </span>
                    <span class="row-preview">{preview}</span>
                </span>
                {mentioned.then(|| view! {
                    <span class="badge mention-badge" role="img" aria-label=tr_in(locale, |l| td_string!(l, chat.mentions_badge))>"@"</span>
                })}
                {(unread > 0).then(|| view! { <span class="badge" data-testid="unread">{unread}</span> })}
            </a>
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
