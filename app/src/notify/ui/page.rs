//! `/notifications`: the inbox, newest first, with a filter by kind, mark
//! read, mark all read and archive; and the "Remind me" form. A tap on an
//! item marks it read and opens its link.
//!
//! Loaded in the browser only (`LocalResource`): the list follows frames
//! from the socket, and nothing here needs server rendering. The rows are
//! built in a closure that reruns, so they take the language and state as
//! props and keep their own state reference-counted (see `chat::ui`).

use leptos::prelude::*;

use super::remind::RemindForm;
use super::{Inbox, use_inbox};
use crate::i18n::*;
use crate::notify::inbox_api::{archive_notification, load_inbox, read_all_notifications, read_notification};
use crate::notify::model::Notification;
use crate::ui::icons::{Icon, IconKind};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let inbox = use_inbox();
    let locale = use_locale();
    let items = LocalResource::new(move || {
        inbox.version.track();
        load_inbox()
    });
    // "" is every kind.
    let kind = ArcRwSignal::new(String::new());
    let chosen = kind.clone();
    let mark_all = move |_| {
        let kind = chosen.get_untracked();
        act(inbox, async move { read_all_notifications(kind).await });
    };
    let list_kind = kind.clone();
    view! {
        <div class="inbox-page">
            <section class="card inbox" aria-labelledby="inbox-title">
                <header class="inbox-head">
                    <h1 id="inbox-title">{tr(|l| td_string!(l, notify.title))}</h1>
                    <button type="button" class="button ghost small" on:click=mark_all>
                        {tr(|l| td_string!(l, notify.mark_all_read))}
                    </button>
                </header>
                {move || {
                    let list = items.get().map(|r| r.unwrap_or_default());
                    let kind = list_kind.clone();
                    list.map(|list| view! { <InboxList list kind inbox locale/> })
                }}
            </section>
            <RemindForm inbox/>
        </div>
    }
}

/// The filter and the rows (rebuilt whenever the list is loaded again).
#[component]
fn InboxList(list: Vec<Notification>, kind: ArcRwSignal<String>, inbox: Inbox, locale: UiLocale) -> impl IntoView {
    let mut kinds: Vec<String> = list.iter().map(|n| n.kind.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let empty = list.is_empty();
    let set_kind = kind.clone();
    let current = kind.get_untracked();
    let rows = list
        .into_iter()
        .map(|n| {
            let kind = kind.clone();
            let own = n.kind.clone();
            view! { <li class="inbox-row" hidden=move || { let k = kind.get(); !k.is_empty() && k != own }><InboxItem n inbox locale/></li> }
        })
        .collect_view();
    view! {
        <label class="field inline kind-filter">
            {tr_in(locale, |l| td_string!(l, notify.show))}
            <select on:change=move |ev| set_kind.set(event_target_value(&ev))>
                <option value="" selected=current.is_empty()>{tr_in(locale, |l| td_string!(l, notify.all_kinds))}</option>
                {kinds.into_iter().map(|k| view! { <option value=k.clone() selected=k == current>{k.clone()}</option> }).collect_view()}
            </select>
        </label>
        {empty.then(|| view! { <p class="muted">{tr_in(locale, |l| td_string!(l, notify.empty))}</p> })}
        <ul class="inbox-list" data-testid="inbox">{rows}</ul>
    }
}

#[component]
fn InboxItem(n: Notification, inbox: Inbox, locale: UiLocale) -> impl IntoView {
    let id = n.id;
    let unread = n.read_at.is_none();
    // An https link opens beside the app; a path opens in it.
    let external = n.url.as_deref().is_some_and(|u| u.starts_with("https://"));
    let open = move |_| {
        if unread {
            act(inbox, async move { read_notification(id).await });
        }
    };
    let text = view! {
        <span class="inbox-title">{n.title.clone()}</span>
        {(!n.body.is_empty()).then(|| view! { <span class="inbox-body">{n.body.clone()}</span> })}
        <span class="inbox-meta muted">{n.kind.clone()}" · "{crate::ui::when(n.created_at)}</span>
    };
    view! {
        <div class="inbox-item" data-unread=unread.to_string()>
            {match n.url.clone() {
                Some(url) => view! {
                    <a class="inbox-text" href=url target=external.then_some("_blank") rel=external.then_some("noopener") on:click=open>{text}</a>
                }.into_any(),
                None => view! { <div class="inbox-text">{text}</div> }.into_any(),
            }}
            <div class="inbox-actions">
                {unread.then(|| view! {
                    <button type="button" class="icon-button" aria-label=tr_in(locale, |l| td_string!(l, notify.mark_read))
                        on:click=move |_| act(inbox, async move { read_notification(id).await })>
                        <Icon kind=IconKind::Check/>
                    </button>
                })}
                <button type="button" class="icon-button" aria-label=tr_in(locale, |l| td_string!(l, notify.archive))
                    on:click=move |_| act(inbox, async move { archive_notification(id).await })>
                    <Icon kind=IconKind::Archive/>
                </button>
            </div>
        </div>
    }
}

/// Runs an inbox action, then reloads the list and the count (the socket's
/// frame would too, but the socket may be down).
fn act(inbox: Inbox, work: impl Future<Output = Result<(), crate::error::AppError>> + 'static) {
    leptos::task::spawn_local(async move {
        let _ = work.await;
        inbox.changed();
        #[cfg(feature = "hydrate")]
        crate::notify::client::refresh();
    });
}
