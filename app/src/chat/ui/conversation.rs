//! One conversation: header, history (older pages load on scroll up),
//! typing indicator and composer.

use leptos::html::Ol;
use leptos::prelude::*;

use super::composer::Composer;
use super::levels::NotifyMenu;
use super::message::{BotBadge, MessageItem};
use super::state::{ChatState, Command, Connection, Status, use_chat};
use super::typing::TypingIndicator;
use super::use_chat_resources;
use crate::auth::User;
use crate::chat::api::load_messages;
use crate::chat::{Conversation, ConversationKind};
use crate::i18n::*;
use crate::pwa::PushPrompt;
use crate::ui::ErrorText;
use crate::ui::icons::{Icon, IconKind};

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
///
/// What the `Suspend` renders takes the state and language as props: Leptos
/// can run a keyed list or re-render inside it after the route's owner has
/// been disposed, and a context lookup or a signal owned there would panic.
#[component]
pub fn ConversationView(id: Memo<i64>) -> impl IntoView {
    let state = use_chat();
    let locale = use_locale();
    Effect::new(move |_| state.active.set(Some(id.get())));
    on_cleanup(move || state.active.set(None));
    let data = use_chat_resources().thread;
    let open = move || id.try_get_untracked().unwrap_or_default();
    view! {
        <PushPrompt/>
        <Transition>
            {move || Suspend::new(async move {
                match data.await.unwrap_or(Err(crate::error::AppError::NotFound("conversation".into()))) {
                    Ok((conversation, messages)) => {
                        let full_page = messages.len() >= 50;
                        state.seed(conversation.id, messages);
                        view! { <Thread conversation full_page state locale/> }.into_any()
                    }
                    // Offline: show what this device has cached, if anything.
                    Err(crate::error::AppError::Transport(_))
                        if state.conversations.with_untracked(|l| l.iter().any(|c| c.id == open())) =>
                    {
                        let conversation = state
                            .conversations
                            .with_untracked(|l| l.iter().find(|c| c.id == open()).cloned())
                            .expect("checked above");
                        view! { <Thread conversation full_page=false state locale/> }.into_any()
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
fn Thread(conversation: Conversation, full_page: bool, state: ChatState, locale: UiLocale) -> impl IntoView {
    let id = conversation.id;
    let me = state.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let name = conversation.display_name(me);
    let bot = conversation.with_bot(me);
    let group = conversation.kind == ConversationKind::Group;
    let others: Vec<i64> = conversation.members.iter().map(|m| m.id).filter(|m| *m != me).collect();
    let online = move || state.online.with(|set| others.iter().any(|o| set.contains(o)));
    // This view is built inside a `Suspend`, which Leptos may keep (and
    // rebuild into) after the route that owned it is gone: its own state is
    // reference-counted, so a late read finds it rather than a disposed slot.
    let level = conversation.notify_level;
    // "New messages" goes above the first message from others I had not
    // read when the conversation opened; it stays while it is open.
    let last_read = conversation.last_read_id;
    let new_from = state.threads.with_untracked(|t| {
        t.get(&id)?.iter().find(|e| e.author.id != me && e.id.is_some_and(|i| i > last_read)).and_then(|e| e.id)
    });
    // In groups, how many others have read my last message.
    let seen = ArcMemo::new(move |_| {
        if !group {
            return None;
        }
        let mine = state.threads.with(|t| {
            t.get(&id)?.iter().rev().find(|e| e.author.id == me && e.status == Status::Sent).and_then(|e| e.id)
        })?;
        state.conversations.with(|l| l.iter().find(|c| c.id == id).map(|c| (mine, c.seen_by(mine, me))))
    });
    let mentionable: Vec<User> = conversation.members.iter().filter(|m| m.id != me).cloned().collect();
    let list_ref = NodeRef::<Ol>::new();
    let has_more = ArcRwSignal::new(full_page);
    let loading = ArcRwSignal::new(false);
    let messages = move || list_ref.try_get_untracked().flatten();

    let entries = move || state.threads.with(|t| t.get(&id).cloned().unwrap_or_default());

    // Opening: at "New messages" if there is one. Then keep the newest
    // message in view when something arrives.
    let scrolling = loading.clone();
    Effect::new(move |opened: Option<bool>| {
        let count = state.threads.with(|t| t.get(&id).map(Vec::len).unwrap_or_default());
        let Some(list) = list_ref.try_get().flatten() else { return opened.unwrap_or(false) };
        if count == 0 || scrolling.get_untracked() {
            return opened.unwrap_or(false);
        }
        match list.query_selector(".new-divider").ok().flatten().filter(|_| opened != Some(true)) {
            Some(divider) => divider.scroll_into_view(),
            None => list.set_scroll_top(list.scroll_height()),
        }
        true
    });

    // Everything on screen in a visible tab counts as read, once the socket
    // can say so (again whenever it reconnects: a read sent while it was
    // down, or before the runtime had started, went nowhere).
    Effect::new(move |_| {
        if state.connection.get() != Connection::Online {
            return;
        }
        let newest = state.threads.with(|t| t.get(&id).and_then(|e| e.iter().filter_map(|e| e.id).max()));
        let read = state.conversations.with(|l| l.iter().find(|c| c.id == id).map(|c| (c.last_read_id, c.unread)));
        if let (Some(newest), Some((last_read, unread))) = (newest, read)
            && (newest > last_read || unread > 0)
        {
            state.command(Command::Read { conversation_id: id, message_id: newest });
        }
    });

    let load_older = {
        let (has_more, loading) = (has_more.clone(), loading.clone());
        move || {
            if loading.get_untracked() || !has_more.get_untracked() {
                return;
            }
            let Some(oldest) =
                state.threads.with_untracked(|t| t.get(&id).and_then(|e| e.iter().filter_map(|e| e.id).min()))
            else {
                return;
            };
            loading.set(true);
            let before_height = messages().map(|l| l.scroll_height()).unwrap_or_default();
            let (has_more, loading) = (has_more.clone(), loading.clone());
            leptos::task::spawn_local(async move {
                if let Ok(older) = load_messages(id, Some(oldest)).await {
                    has_more.set(older.len() >= 50);
                    state.prepend(id, older);
                    // Keep the reader's place: shift by what was added above.
                    if let Some(list) = messages() {
                        list.set_scroll_top(list.scroll_height() - before_height);
                    }
                }
                loading.set(false);
            });
        }
    };
    super::jump::follow_jumps(state, id, has_more.clone(), loading.clone());
    let load_on_scroll = load_older.clone();
    let show_more = has_more.clone();

    view! {
        <header class="thread-header">
            <a href="/" class="back icon-button" aria-label=tr_in(locale, |l| td_string!(l, chat.back))>
                <Icon kind=IconKind::Back/>
            </a>
            <div class="thread-title">
                <h1>{name}{bot.then(|| view! { <BotBadge locale/> })}</h1>
                <span class="thread-meta">
                    {move || online().then(|| td_string!(locale.get(), chat.online))}
                </span>
            </div>
            <NotifyMenu conversation_id=id level state locale/>
        </header>
        <ol
            class="messages"
            node_ref=list_ref
            data-testid="messages"
            aria-label=tr_in(locale, |l| td_string!(l, chat.messages))
            on:scroll=move |_| {
                if messages().is_some_and(|l| l.scroll_top() < 40) {
                    load_on_scroll();
                }
            }
        >
            <Show when=move || show_more.get()>
                <li class="load-older">
                    <button type="button" class="button ghost small" on:click={
                        let load_older = load_older.clone();
                        move |_| load_older()
                    }>
                        {tr_in(locale, |l| td_string!(l, chat.load_older))}
                    </button>
                </li>
            </Show>
            <For
                each=entries
                key=|e| (e.client_id.clone(), e.id, format!("{:?}", e.status), e.streaming, e.rev, e.deleted)
                children=move |entry| {
                    let seen = seen.clone();
                    view! { <MessageItem entry me group new_from seen conversation_id=id state locale/> }
                }
            />
        </ol>
        <TypingIndicator conversation_id=id state locale/>
        <Composer conversation_id=id members=mentionable state locale/>
    }
}
