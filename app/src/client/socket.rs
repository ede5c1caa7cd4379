//! The live connection: one WebSocket per tab, reconnected with backoff,
//! closed on `offline` (browsers may keep a dead socket "open"), resumed
//! from the last ids we hold, and draining our unsent messages in order.
//!
//! Every message we write goes to the IndexedDB outbox before it is sent
//! and leaves it when the server acknowledges it, so it survives reloads
//! and closed tabs; the server's client-id deduplication makes resending
//! safe, which gives exactly-once delivery.

use std::cell::RefCell;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::idb::{self, OutboxEntry};
use crate::chat::frames::{ClientFrame, ServerFrame};
use crate::chat::ui::state::{ChatState, Command, Connection, Entry, Status, is_transient};

const MAX_BACKOFF_MS: f64 = 30_000.0;

#[derive(Default)]
struct Conn {
    /// Listeners installed (once per page).
    wired: bool,
    /// False after sign-out: no reconnecting.
    enabled: bool,
    ws: Option<WebSocket>,
    attempt: u32,
    /// Keeps the event handlers of the current socket alive.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    reconnect: Option<TimeoutHandle>,
}

thread_local! {
    static CONN: RefCell<Conn> = RefCell::new(Conn::default());
}

/// Starts the client (again, after a sign-out): wires UI commands and browser
/// events once per page, then connects.
pub fn start(state: ChatState) {
    let first = CONN.with_borrow_mut(|c| {
        c.enabled = true;
        !std::mem::replace(&mut c.wired, true)
    });
    if first {
        wire(state);
    }
    leptos::task::spawn_local(async move {
        // Unsent messages first, so the first drain includes them.
        for entry in idb::outbox_all().await {
            let status = match &entry.failed {
                Some(reason) => Status::Failed(reason.clone()),
                None => Status::Pending,
            };
            let conversation_id = entry.conversation_id;
            state.restore_pending(
                conversation_id,
                Entry {
                    client_id: entry.client_id,
                    id: None,
                    author: entry.author,
                    body: entry.body,
                    created_at: entry.created_at,
                    status,
                },
            );
        }
        if super::is_online() {
            connect(state);
        } else {
            state.connection.set(Connection::Offline);
        }
        super::cache::restore(state).await;
    });
}

fn wire(state: ChatState) {
    state.set_commands(Callback::new(move |command| run(state, command)));
    let on_offline = window_event_listener(leptos::ev::offline, move |_| {
        close(state);
    });
    let on_online = window_event_listener(leptos::ev::online, move |_| {
        if CONN.with_borrow(|c| c.enabled) {
            connect(state);
        }
    });
    // `visibilitychange` is fired at the document and bubbles to the window.
    let on_visibility = window_event_listener(leptos::ev::visibilitychange, move |_| {
        send(&ClientFrame::Visibility { visible: super::is_visible() });
    });
    let on_pagehide = window_event_listener(leptos::ev::pagehide, move |_| {
        send(&ClientFrame::Visibility { visible: false });
    });
    // The page lives as long as the app: keep the listeners.
    std::mem::forget((on_offline, on_online, on_visibility, on_pagehide));
}

fn run(state: ChatState, command: Command) {
    match command {
        Command::Send { conversation_id, body } => {
            let Some(me) = state.me.get_untracked() else { return };
            let entry = Entry {
                client_id: super::new_client_id(),
                id: None,
                author: me,
                body: body.clone(),
                created_at: super::now_ms() as i64,
                status: Status::Pending,
            };
            let outbox = OutboxEntry {
                client_id: entry.client_id.clone(),
                conversation_id,
                author: entry.author.clone(),
                body: body.clone(),
                created_at: entry.created_at,
                failed: None,
            };
            let frame = ClientFrame::Send { conversation_id, client_id: entry.client_id.clone(), body };
            state.add_pending(conversation_id, entry);
            leptos::task::spawn_local(async move {
                // Stored before it is sent: a crash between the two only
                // means a resend, which the server deduplicates.
                idb::outbox_put(&outbox).await;
                send(&frame);
            });
        }
        Command::Retry { client_id } => {
            state.mark_pending(&client_id);
            leptos::task::spawn_local(async move {
                if let Some(mut entry) = idb::outbox_all().await.into_iter().find(|e| e.client_id == client_id) {
                    entry.failed = None;
                    idb::outbox_put(&entry).await;
                }
                drain(state);
            });
        }
        Command::Discard { client_id } => {
            state.remove_entry(&client_id);
            leptos::task::spawn_local(async move { idb::outbox_delete(&client_id).await });
        }
        Command::Typing { conversation_id } => {
            send(&ClientFrame::Typing { conversation_id });
        }
        Command::Read { conversation_id, message_id } => {
            state.set_read(conversation_id, message_id);
            send(&ClientFrame::Read { conversation_id, message_id });
        }
        Command::Disconnect => {
            CONN.with_borrow_mut(|c| c.enabled = false);
            close(state);
            // The next person on this device must not see this account's data.
            leptos::task::spawn_local(idb::clear_all());
            super::pwa::forget_pages();
        }
    }
}

/// Sends a frame if the socket is open; otherwise drops it (sends are kept
/// as pending entries and drained on reconnect).
fn send(frame: &ClientFrame) -> bool {
    let Ok(text) = serde_json::to_string(frame) else { return false };
    CONN.with_borrow(|conn| match &conn.ws {
        Some(ws) if ws.ready_state() == WebSocket::OPEN => ws.send_with_str(&text).is_ok(),
        _ => false,
    })
}

/// Re-sends every pending message, oldest first. The server deduplicates
/// by client id, so a repeat is harmless.
fn drain(state: ChatState) {
    let mut pending: Vec<(i64, Entry)> = state.threads.with_untracked(|threads| {
        threads
            .iter()
            .flat_map(|(id, t)| t.iter().filter(|e| e.status == Status::Pending).map(move |e| (*id, e.clone())))
            .collect()
    });
    pending.sort_by_key(|(_, e)| e.created_at);
    for (conversation_id, entry) in pending {
        if !send(&ClientFrame::Send { conversation_id, client_id: entry.client_id, body: entry.body }) {
            break;
        }
    }
}

/// Keeps the IndexedDB outbox in step with what the server said.
fn settle_outbox(state: ChatState, frame: &ServerFrame) {
    match frame {
        ServerFrame::Ack { client_id, .. } => {
            let client_id = client_id.clone();
            leptos::task::spawn_local(async move { idb::outbox_delete(&client_id).await });
        }
        ServerFrame::Message { message }
            if state.me.with_untracked(|me| me.as_ref().map(|m| m.id)) == Some(message.author.id) =>
        {
            // Our message, stored (maybe sent from another tab): done.
            let client_id = message.client_id.clone();
            leptos::task::spawn_local(async move { idb::outbox_delete(&client_id).await });
        }
        ServerFrame::Error { client_id: Some(client_id), code, message } => {
            let (client_id, reason) = (client_id.clone(), message.clone());
            if is_transient(code) {
                // Try again shortly.
                set_timeout(move || drain(state), Duration::from_secs(3));
                return;
            }
            leptos::task::spawn_local(async move {
                if let Some(mut entry) = idb::outbox_all().await.into_iter().find(|e| e.client_id == client_id) {
                    entry.failed = Some(reason);
                    idb::outbox_put(&entry).await;
                }
            });
        }
        _ => {}
    }
}

fn url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/api/v1/ws", location.host().ok()?))
}

fn connect(state: ChatState) {
    let Some(url) = url() else { return };
    let Ok(ws) = WebSocket::new(&url) else {
        schedule_reconnect(state);
        return;
    };
    state.connection.set(Connection::Connecting);

    let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        CONN.with_borrow_mut(|c| c.attempt = 0);
        state.connection.set(Connection::Online);
        send(&ClientFrame::Visibility { visible: super::is_visible() });
        send(&ClientFrame::Resume { after: state.resume_points() });
        state.list_version.update(|v| *v += 1);
        drain(state);
    });
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let Some(text) = event.dyn_ref::<MessageEvent>().and_then(|e| e.data().as_string()) else { return };
        if let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) {
            settle_outbox(state, &frame);
            state.apply(frame, super::now_ms());
        }
    });
    let socket = ws.clone();
    let on_close = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let _code = event.dyn_ref::<CloseEvent>().map(CloseEvent::code);
        let current = CONN.with_borrow(|c| c.ws.as_ref().is_some_and(|w| *w == socket));
        if current {
            CONN.with_borrow_mut(|c| c.ws = None);
            state.connection.set(Connection::Offline);
            schedule_reconnect(state);
        }
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));

    let old = CONN.with_borrow_mut(|c| {
        if let Some(handle) = c.reconnect.take() {
            handle.clear();
        }
        let old = c.ws.replace(ws);
        c.handlers = vec![on_open, on_message, on_close];
        old
    });
    if let Some(old) = old {
        detach(&old);
        let _ = old.close();
    }
}

/// Closes the socket at once (on `offline`), without waiting for a timeout.
fn close(state: ChatState) {
    let old = CONN.with_borrow_mut(|c| c.ws.take());
    if let Some(ws) = old {
        detach(&ws);
        let _ = ws.close();
    }
    state.connection.set(Connection::Offline);
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}

fn schedule_reconnect(state: ChatState) {
    if !super::is_online() || !CONN.with_borrow(|c| c.enabled) {
        return; // the `online` event reconnects
    }
    let attempt = CONN.with_borrow_mut(|c| {
        c.attempt += 1;
        c.attempt
    });
    let base = (500.0 * 2f64.powi(attempt.min(10) as i32)).min(MAX_BACKOFF_MS);
    let delay = base * (0.5 + js_sys::Math::random() / 2.0);
    let handle = set_timeout_with_handle(
        move || {
            if CONN.with_borrow(|c| c.enabled) {
                connect(state);
            }
        },
        Duration::from_millis(delay as u64),
    )
    .ok();
    CONN.with_borrow_mut(|c| c.reconnect = handle);
}
