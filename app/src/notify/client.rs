//! The notification centre's browser half (feature `hydrate`): keeps the
//! bell's count and the inbox screen in step with the server. The chat's
//! socket hands over the frames it does not know (`notification`,
//! `notification_read`) and says when it (re)connects; each makes this ask
//! the server for the count again, from a chunk of its own.

use std::cell::Cell;

use leptos::prelude::*;

use super::model::Notification;
use super::ui::Inbox;

thread_local! {
    static INBOX: Cell<Option<Inbox>> = const { Cell::new(None) };
}

/// Called when the live runtime starts; the socket's first `open` asks.
pub fn attach(inbox: Inbox) {
    INBOX.set(Some(inbox));
}

/// The socket (re)connected: anything may have changed meanwhile.
pub fn refresh() {
    if let Some(inbox) = INBOX.get() {
        leptos::task::spawn_local(refresh_count(inbox));
    }
}

/// A frame the chat's decoder did not take. True when it was ours.
pub fn on_frame(text: &str) -> bool {
    // `notification` and `notification_read`: the tag comes first (serde).
    let ours = text.starts_with(r#"{"type":"notification"#);
    if ours && let Some(inbox) = INBOX.get() {
        inbox.changed();
        leptos::task::spawn_local(refresh_count(inbox));
    }
    ours
}

#[lazy]
async fn refresh_count(inbox: Inbox) {
    if let Ok(count) = super::inbox_api::unread_notifications().await {
        inbox.unread.set(u32::try_from(count).unwrap_or(0));
    }
}

/// The bell's dropdown opened (or the inbox changed while it is open).
pub fn load_latest(latest: RwSignal<Option<Vec<Notification>>>) {
    leptos::task::spawn_local(fetch_latest(latest));
}

#[lazy]
async fn fetch_latest(latest: RwSignal<Option<Vec<Notification>>>) {
    if let Ok(mut list) = super::inbox_api::load_inbox().await {
        list.truncate(super::ui::LATEST);
        latest.set(Some(list));
    }
}

/// An item tapped in the dropdown: read, then the count follows.
pub fn read(inbox: Inbox, id: i64) {
    leptos::task::spawn_local(read_one(inbox, id));
}

#[lazy]
async fn read_one(inbox: Inbox, id: i64) {
    let _ = super::inbox_api::read_notification(id).await;
    inbox.changed();
    refresh();
}
