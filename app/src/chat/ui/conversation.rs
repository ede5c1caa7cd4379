//! One conversation: header, history (older pages load on scroll up),
//! typing indicator and composer.

use leptos::html::Ol;
use leptos::prelude::*;
use leptos_router::components::A;

use super::composer::Composer;
use super::message::MessageItem;
use super::state::{Command, use_chat};
use super::typing::TypingIndicator;
use super::use_chat_resources;
use crate::chat::api::load_messages;
use crate::chat::{Conversation, ConversationKind};
use crate::i18n::*;
use crate::pwa::PushPrompt;
use crate::ui::ErrorText;

/// Shown beside the list when no conversation is open (desktop).
#[component]
pub fn NoConversation() -> impl IntoView {
    view! {
        <div class="thread-empty">
            <p>{tr(|l| td_string!(l, chat.pick_one))}</p>
        </div>
    }
}

/// The open conversation; its data comes from `ChatResources::thread`.
#[component]
pub fn ConversationView(id: Memo<i64>) -> impl IntoView {
    let state = use_chat();
    Effect::new(move |_| state.active.set(Some(id.get())));
    on_cleanup(move || state.active.set(None));
    let data = use_chat_resources().thread;
    view! {
        <Transition>
            {move || Suspend::new(async move {
                match data.await.unwrap_or(Err(crate::error::AppError::NotFound("conversation".into()))) {
                    Ok((conversation, messages)) => {
                        let full_page = messages.len() >= 50;
                        state.seed(conversation.id, messages);
                        view! { <Thread conversation full_page/> }.into_any()
                    }
                    // Offline: show what this device has cached, if anything.
                    Err(crate::error::AppError::Transport(_))
                        if state.conversations.with_untracked(|l| l.iter().any(|c| c.id == id.get_untracked())) =>
                    {
                        let conversation = state
                            .conversations
                            .with_untracked(|l| l.iter().find(|c| c.id == id.get_untracked()).cloned())
                            .expect("checked above");
                        view! { <Thread conversation full_page=false/> }.into_any()
                    }
                    Err(err) => view! {
                        <div class="thread-empty"><ErrorText error=Some(err)/></div>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Thread(conversation: Conversation, full_page: bool) -> impl IntoView {
    let locale = use_locale();
    let state = use_chat();
    let id = conversation.id;
    let me = state.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let name = conversation.display_name(me);
    let group = conversation.kind == ConversationKind::Group;
    let others: Vec<i64> = conversation.members.iter().map(|m| m.id).filter(|m| *m != me).collect();
    let online = move || state.online.with(|set| others.iter().any(|o| set.contains(o)));
    let muted = RwSignal::new(conversation.muted);
    let toggle_mute = move |_| {
        let next = !muted.get_untracked();
        muted.set(next);
        leptos::task::spawn_local(async move {
            if crate::push::api::set_muted(id, next).await.is_err() {
                muted.set(!next);
            }
        });
    };
    let list_ref = NodeRef::<Ol>::new();
    let has_more = RwSignal::new(full_page);
    let loading = RwSignal::new(false);

    let entries = move || state.threads.with(|t| t.get(&id).cloned().unwrap_or_default());

    // Keep the newest message in view when something arrives.
    Effect::new(move |_| {
        let count = state.threads.with(|t| t.get(&id).map(Vec::len).unwrap_or_default());
        if let Some(list) = list_ref.get()
            && count > 0
            && !loading.get_untracked()
        {
            list.set_scroll_top(list.scroll_height());
        }
    });

    // Everything on screen in a visible tab counts as read.
    Effect::new(move |_| {
        let newest = state.threads.with(|t| t.get(&id).and_then(|e| e.iter().filter_map(|e| e.id).max()));
        let read = state.conversations.with(|l| l.iter().find(|c| c.id == id).map(|c| (c.last_read_id, c.unread)));
        if let (Some(newest), Some((last_read, unread))) = (newest, read)
            && (newest > last_read || unread > 0)
        {
            state.command(Command::Read { conversation_id: id, message_id: newest });
        }
    });

    let load_older = move || {
        if loading.get_untracked() || !has_more.get_untracked() {
            return;
        }
        let Some(oldest) =
            state.threads.with_untracked(|t| t.get(&id).and_then(|e| e.iter().filter_map(|e| e.id).min()))
        else {
            return;
        };
        loading.set(true);
        let list = list_ref.get_untracked();
        let before_height = list.as_ref().map(|l| l.scroll_height()).unwrap_or_default();
        leptos::task::spawn_local(async move {
            if let Ok(older) = load_messages(id, Some(oldest)).await {
                has_more.set(older.len() >= 50);
                state.prepend(id, older);
                // Keep the reader's place: shift by what was added above.
                if let Some(list) = list_ref.get_untracked() {
                    list.set_scroll_top(list.scroll_height() - before_height);
                }
            }
            loading.set(false);
        });
    };

    view! {
        <header class="thread-header">
            <A href="/" attr:class="back icon-button" attr:aria-label=tr(|l| td_string!(l, chat.back))>"‹"</A>
            <div class="thread-title">
                <h1>{name}</h1>
                <span class="thread-meta">
                    {move || online().then(|| td_string!(locale.get(), chat.online))}
                </span>
            </div>
            <button
                type="button"
                class="icon-button mute"
                data-testid="mute"
                aria-pressed=move || muted.get().to_string()
                title=move || if muted.get() { td_string!(locale.get(), pwa.unmute) } else { td_string!(locale.get(), pwa.mute) }
                on:click=toggle_mute
            >
                {move || if muted.get() { "🔕" } else { "🔔" }}
            </button>
        </header>
        <PushPrompt/>
        <ol
            class="messages"
            node_ref=list_ref
            data-testid="messages"
            on:scroll=move |_| {
                if list_ref.get_untracked().is_some_and(|l| l.scroll_top() < 40) {
                    load_older();
                }
            }
        >
            <Show when=move || has_more.get()>
                <li class="load-older">
                    <button type="button" class="button ghost small" on:click=move |_| load_older()>
                        {tr(|l| td_string!(l, chat.load_older))}
                    </button>
                </li>
            </Show>
            <For
                each=entries
                key=|e| (e.client_id.clone(), e.id, format!("{:?}", e.status))
                children=move |entry| view! { <MessageItem entry me group/> }
            />
        </ol>
        <TypingIndicator conversation_id=id/>
        <Composer conversation_id=id/>
    }
}
