//! Messages on their way to the server, in the order they were written.
//!
//! Every message goes to the IndexedDB outbox *before* the view shows it as
//! pending, and leaves it when the server acknowledges it: so whatever the
//! screen shows as pending survives reloads and closed tabs. The server's
//! client-id deduplication makes resending safe, which gives exactly-once.
//!
//! One message is in flight at a time, oldest first: a transient refusal
//! (rate limit, server busy) of one message then never lets a later one
//! overtake it.

use std::cell::RefCell;
use std::time::Duration;

use leptos::prelude::*;

use crate::auth::User;
use crate::chat::ReplyTo;
use crate::chat::ui::state::{ChatState, Entry, Status, is_transient};
use crate::client::idb;
use crate::live::frames::{ClientFrame, ServerFrame};

/// Shown when this device cannot keep a message (IndexedDB unavailable).
const NOT_SAVED: &str = "This device could not save the message. Retry to try again.";
/// A message unanswered this long is sent again (the server deduplicates).
const ANSWER_WITHIN: Duration = Duration::from_secs(15);
/// Wait before resending after a transient refusal.
const RETRY_AFTER: Duration = Duration::from_secs(3);

/// A message written here and not yet acknowledged by the server, as
/// IndexedDB keeps it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OutboxEntry {
    pub client_id: String,
    pub conversation_id: i64,
    pub author: User,
    pub body: String,
    pub created_at: i64,
    /// Set when the server refused it for good (4xx).
    #[serde(default)]
    pub failed: Option<String>,
    /// The message it answers.
    #[serde(default)]
    pub reply_to: Option<ReplyTo>,
}

async fn stored() -> Vec<OutboxEntry> {
    let mut entries: Vec<OutboxEntry> = idb::all_json(idb::OUTBOX).await;
    entries.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.client_id.cmp(&b.client_id)));
    entries
}

async fn store(entry: &OutboxEntry) -> bool {
    idb::put_json(idb::OUTBOX, &entry.client_id, entry).await
}

async fn unstore(client_id: &str) {
    idb::remove(idb::OUTBOX, client_id).await;
}

#[derive(Default)]
struct Outbox {
    /// The client id sent on the current socket and not yet answered.
    in_flight: Option<String>,
    /// The last `created_at` handed out: strictly increasing, so two
    /// messages written in the same millisecond keep their order.
    last_created: i64,
}

thread_local! {
    static OUTBOX: RefCell<Outbox> = RefCell::new(Outbox::default());
}

/// Puts what the outbox holds back on screen (at start-up): the signed-in
/// person's messages only. Another account's, written on this browser,
/// stay stored for when that account signs in again; they are never shown
/// or sent as this one.
pub async fn restore(state: ChatState) {
    let Some(me) = state.me.get_untracked() else { return };
    for entry in stored().await.into_iter().filter(|e| e.author.id == me.id) {
        OUTBOX.with_borrow_mut(|o| o.last_created = o.last_created.max(entry.created_at));
        let status = match &entry.failed {
            Some(reason) => Status::Failed(reason.clone()),
            None => Status::Pending,
        };
        state.restore_pending(entry.conversation_id, entry.into_view(status));
    }
}

/// A message the person just wrote: stored, then shown, then sent.
pub fn write(state: ChatState, conversation_id: i64, body: String, reply_to: Option<ReplyTo>) {
    let Some(author) = state.me.get_untracked() else { return };
    let created_at = OUTBOX.with_borrow_mut(|o| {
        o.last_created = (crate::client::now_ms() as i64).max(o.last_created + 1);
        o.last_created
    });
    let entry = OutboxEntry {
        client_id: crate::client::new_client_id(),
        conversation_id,
        author,
        body,
        created_at,
        failed: None,
        reply_to,
    };
    leptos::task::spawn_local(async move {
        if store(&entry).await {
            state.add_pending(conversation_id, entry.into_view(Status::Pending));
            pump(state);
        } else {
            // Not kept on the device: say so, rather than pretend it is safe.
            state.add_pending(conversation_id, entry.into_view(Status::Failed(NOT_SAVED.into())));
        }
    });
}

/// The person asked to try a failed message again.
pub fn retry(state: ChatState, client_id: String) {
    leptos::task::spawn_local(async move {
        let stored = stored().await.into_iter().find(|e| e.client_id == client_id);
        let kept = match stored {
            Some(mut entry) => {
                entry.failed = None;
                store(&entry).await
            }
            // Never stored (IndexedDB failed at the time): store it now.
            None => match unsaved(state, &client_id) {
                Some(entry) => store(&entry).await,
                None => false,
            },
        };
        if kept {
            state.mark_pending(&client_id);
            pump(state);
        }
    });
}

/// The person gave up on a failed message.
pub fn discard(state: ChatState, client_id: String) {
    state.remove_entry(&client_id);
    leptos::task::spawn_local(async move { unstore(&client_id).await });
}

/// Sends the oldest pending message, unless one is already on its way.
pub fn pump(state: ChatState) {
    if OUTBOX.with_borrow(|o| o.in_flight.is_some()) {
        return;
    }
    let Some((conversation_id, entry)) = oldest_pending(state) else { return };
    let frame = ClientFrame::Send {
        conversation_id,
        client_id: entry.client_id.clone(),
        body: entry.body,
        reply_to: entry.reply_to.map(|r| r.id),
    };
    if super::wire::send(&frame) {
        let client_id = entry.client_id;
        OUTBOX.with_borrow_mut(|o| o.in_flight = Some(client_id.clone()));
        set_timeout(
            move || {
                if answered(&client_id) {
                    pump(state);
                }
            },
            ANSWER_WITHIN,
        );
    }
}

/// The socket closed: whatever was in flight goes again on the next one.
pub fn connection_lost() {
    OUTBOX.with_borrow_mut(|o| o.in_flight = None);
}

/// Keeps the outbox in step with what the server said about our messages.
pub fn on_frame(state: ChatState, frame: &ServerFrame) {
    let me = state.me.with_untracked(|me| me.as_ref().map(|m| m.id));
    match frame {
        ServerFrame::Ack { client_id, .. } => settled(state, client_id),
        // Our message, stored (maybe sent from another tab): done.
        ServerFrame::Message { message } if me == Some(message.author.id) => settled(state, &message.client_id),
        ServerFrame::Error { client_id: Some(client_id), code, message } => {
            if !answered(client_id) {
                return;
            }
            if is_transient(code) {
                set_timeout(move || pump(state), RETRY_AFTER);
                return;
            }
            let (client_id, reason) = (client_id.clone(), message.clone());
            leptos::task::spawn_local(async move {
                if let Some(mut entry) = stored().await.into_iter().find(|e| e.client_id == client_id) {
                    entry.failed = Some(reason);
                    store(&entry).await;
                }
                pump(state);
            });
        }
        _ => {}
    }
}

fn settled(state: ChatState, client_id: &str) {
    let client_id = client_id.to_owned();
    answered(&client_id);
    leptos::task::spawn_local(async move {
        unstore(&client_id).await;
        pump(state);
    });
}

/// Clears `client_id` from flight; true if it was the one in flight.
fn answered(client_id: &str) -> bool {
    OUTBOX.with_borrow_mut(|o| {
        let was = o.in_flight.as_deref() == Some(client_id);
        if was {
            o.in_flight = None;
        }
        was
    })
}

fn oldest_pending(state: ChatState) -> Option<(i64, Entry)> {
    state.threads.with_untracked(|threads| {
        threads
            .iter()
            .flat_map(|(id, t)| t.iter().filter(|e| e.status == Status::Pending).map(move |e| (*id, e)))
            .min_by(|(_, a), (_, b)| a.created_at.cmp(&b.created_at).then_with(|| a.client_id.cmp(&b.client_id)))
            .map(|(id, e)| (id, e.clone()))
    })
}

/// A message on screen that never reached the outbox.
fn unsaved(state: ChatState, client_id: &str) -> Option<OutboxEntry> {
    state.threads.with_untracked(|threads| {
        threads.iter().find_map(|(id, t)| {
            t.iter().find(|e| e.client_id == client_id).map(|e| OutboxEntry {
                client_id: e.client_id.clone(),
                conversation_id: *id,
                author: e.author.clone(),
                body: e.body.clone(),
                created_at: e.created_at,
                failed: None,
                reply_to: e.reply_to.clone(),
            })
        })
    })
}

impl OutboxEntry {
    fn into_view(self, status: Status) -> Entry {
        Entry {
            client_id: self.client_id,
            id: None,
            author: self.author,
            body: self.body,
            created_at: self.created_at,
            status,
            streaming: false,
            deltas: 0,
            edited: false,
            deleted: false,
            rev: 0,
            reactions: Vec::new(),
            reply_to: self.reply_to,
            mentions: Vec::new(),
        }
    }
}
