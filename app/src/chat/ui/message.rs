//! One message bubble. Bodies are text nodes, never HTML.

use leptos::prelude::*;

use super::message_actions::{EditForm, MessageActions};
use super::reactions::ReactionChips;
use crate::chat::mention::{Segment, segments};
use crate::chat::model::quote;
use crate::chat::{Mention, ReplyTo};
use super::state::{ChatState, Command, Entry, Status};
use crate::i18n::*;
use crate::ui::icons::{Icon, IconKind};

/// Built by the thread's keyed list, which Leptos may run after the
/// thread's owner is gone: it gets the state and language as props rather
/// than looking them up (see `chat::ui`).
#[component]
pub fn MessageItem(
    entry: Entry,
    me: i64,
    group: bool,
    /// The first message "New messages" stands above.
    new_from: Option<i64>,
    /// My last message and how many others have read it (groups).
    seen: ArcMemo<Option<(i64, usize)>>,
    conversation_id: i64,
    state: ChatState,
    locale: UiLocale,
) -> impl IntoView {
    let own = entry.author.id == me;
    let status = match &entry.status {
        Status::Pending => "pending",
        Status::Sent => "sent",
        Status::Failed(_) => "failed",
    };
    let failed = matches!(entry.status, Status::Failed(_));
    let stored = entry.status == Status::Sent && !entry.deleted;
    let changeable = own && stored && !entry.streaming;
    let actions = entry
        .id
        .filter(|_| stored)
        .map(|id| {
            let quote = ReplyTo { id, author: entry.author.username.clone(), body: quote(&entry.body), deleted: false };
            view! { <MessageActions id conversation_id own=changeable quote state locale/> }
        });
    let quoted = entry.reply_to.clone().map(|original| view! { <Quote original state locale/> });
    let chips = entry.id.map(|id| {
        let reactions = entry.reactions.clone();
        view! { <ReactionChips id conversation_id reactions state locale/> }
    });
    let client_id = entry.client_id.clone();
    let retry_id = client_id.clone();
    let discard_id = client_id.clone();
    let time = clock(entry.created_at);
    let mentions_me = !own && entry.mentions.iter().any(|m| m.user_id == me);
    let divider = (entry.id.is_some() && entry.id == new_from).then(|| view! {
        <li class="new-divider" role="separator" aria-label=tr_in(locale, |l| td_string!(l, chat.new_messages))>
            <span>{tr_in(locale, |l| td_string!(l, chat.new_messages))}</span>
        </li>
    });
    let entry_id = entry.id;
    let seen_by = move || {
        seen.get().filter(|(id, n)| Some(*id) == entry_id && *n > 0).map(|(_, n)| view! {
            <span class="seen-by">{tr_in(locale, |l| td_string!(l, chat.seen_by))}" "{n}</span>
        })
    };
    view! {
        {divider}
        <li
            class=match (own, mentions_me) {
                (true, _) => "message own",
                (false, true) => "message mentions-me",
                (false, false) => "message",
            }
            data-client-id=client_id
            data-id=entry.id.map(|id| id.to_string())
            data-status=status
            data-streaming=entry.streaming.then_some("true")
            aria-busy=entry.streaming.then_some("true")
        >
            {(group && !own).then(|| view! {
                <span class="author">
                    {entry.author.username.clone()}
                    {entry.author.is_bot.then(|| view! { <BotBadge locale/> })}
                </span>
            })}
            {quoted}
            {match entry.id.filter(|_| entry.streaming) {
                _ if entry.deleted => view! {
                    <p class="body deleted">{tr_in(locale, |l| td_string!(l, chat.message_deleted))}</p>
                }.into_any(),
                // A streamed reply: its text grows in place, with a caret.
                Some(id) => {
                    let text = state.draft_text(id, &entry.body);
                    let body_ref = NodeRef::<leptos::html::P>::new();
                    let grown = text.clone();
                    // Keep the growing reply in view, unless the reader scrolled up.
                    Effect::new(move |_| {
                        grown.track();
                        let list = body_ref.get_untracked().and_then(|p| p.closest(".messages").ok().flatten());
                        if let Some(list) = list
                            && list.scroll_height() - list.scroll_top() - list.client_height() < 120
                        {
                            list.set_scroll_top(list.scroll_height());
                        }
                    });
                    view! {
                        <p class="body streaming" node_ref=body_ref>
                            {move || text.get()}
                            <span class="caret" aria-hidden="true"></span>
                        </p>
                    }.into_any()
                }
                None => {
                    let (id, body, mentions) = (entry.id, entry.body.clone(), entry.mentions.clone());
                    (move || match id.filter(|id| state.editing.get() == Some(*id)) {
                        Some(id) => view! { <EditForm id body=body.clone() state locale/> }.into_any(),
                        None => view! { <p class="body">{marked(&body, &mentions, me)}</p> }.into_any(),
                    }).into_any()
                }
            }}
            {chips}
            <span class="meta">
                {actions}
                {entry.edited.then(|| view! { <span class="edited">{tr_in(locale, |l| td_string!(l, chat.edited))}</span> })}
                <time>{time}</time>
                {own.then(|| match status {
                    "pending" => view! {
                        <span class="status" role="img" title=tr_in(locale, |l| td_string!(l, chat.pending)) aria-label=tr_in(locale, |l| td_string!(l, chat.pending))>
                            <Icon kind=IconKind::Clock/>
                        </span>
                    }.into_any(),
                    "sent" => view! {
                        <span class="status" role="img" title=tr_in(locale, |l| td_string!(l, chat.sent)) aria-label=tr_in(locale, |l| td_string!(l, chat.sent))>
                            <Icon kind=IconKind::Check/>
                        </span>
                    }.into_any(),
                    _ => view! { <span class="status failed">{tr_in(locale, |l| td_string!(l, chat.failed))}</span> }.into_any(),
                })}
                {seen_by}
            </span>
            {failed.then(|| view! {
                <span class="failed-actions">
                    <button type="button" class="button ghost small" on:click=move |_| state.command(Command::Retry { client_id: retry_id.clone() })>
                        {tr_in(locale, |l| td_string!(l, chat.retry))}
                    </button>
                    <button type="button" class="button ghost small" on:click=move |_| state.command(Command::Discard { client_id: discard_id.clone() })>
                        {tr_in(locale, |l| td_string!(l, chat.delete))}
                    </button>
                </span>
            })}
        </li>
    }
}

/// A body with its mentions marked: text nodes, never HTML.
fn marked(body: &str, mentions: &[Mention], me: i64) -> AnyView {
    if mentions.is_empty() {
        return body.to_owned().into_any();
    }
    segments(body, mentions)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.to_owned().into_any(),
            Segment::Mention { text, user_id } => {
                let class = if user_id == me { "mention me" } else { "mention" };
                view! { <span class=class>{text.to_owned()}</span> }.into_any()
            }
        })
        .collect_view()
        .into_any()
}

/// The message a reply answers, above it; tapping it goes there.
#[component]
fn Quote(original: ReplyTo, state: ChatState, locale: UiLocale) -> impl IntoView {
    let target = original.id;
    view! {
        <button type="button" class="quote" on:click=move |_| state.jump.set(Some(target))>
            <span class="quote-author">{original.author}</span>
            {if original.deleted {
                view! { <span class="quote-body deleted">{tr_in(locale, |l| td_string!(l, chat.message_deleted))}</span> }.into_any()
            } else {
                view! { <span class="quote-body">{original.body}</span> }.into_any()
            }}
        </button>
    }
}

/// "bot", beside the name of an account a program drives.
#[component]
pub fn BotBadge(locale: UiLocale) -> impl IntoView {
    view! { <span class="bot-badge">{tr_in(locale, |l| td_string!(l, chat.bot))}</span> }
}

/// `HH:MM`: UTC while server rendering (the server cannot know the reader's
/// zone), then the browser's local time once hydrated.
fn clock(ms: i64) -> impl Fn() -> String + Send + Sync + 'static {
    let minutes = ms.div_euclid(60_000);
    let utc = format!("{:02}:{:02}", minutes.div_euclid(60).rem_euclid(24), minutes.rem_euclid(60));
    // Reference-counted: see `chat::ui` on views in a `Suspend`.
    let text = ArcRwSignal::new(utc);
    let local = text.clone();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        local.set(crate::client::local_clock(ms));
        #[cfg(not(feature = "hydrate"))]
        let _ = &local;
    });
    move || text.get()
}
