//! The live connection: one WebSocket per tab, reconnected with backoff,
//! closed on `offline` (browsers may keep a dead socket "open"), resumed
//! from the last ids we hold. Our unsent messages go out through `outbox`.

use std::cell::RefCell;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::wire::send;
use super::{outbox, wire};
use crate::chat::ui::state::{ChatState, Command, Connection};
use crate::client::idb;
use crate::live::frames::{ClientFrame, ServerFrame};

const MAX_BACKOFF_MS: f64 = 30_000.0;

#[derive(Default)]
struct Conn {
    /// Listeners installed (once per page).
    wired: bool,
    /// False after sign-out: no reconnecting.
    enabled: bool,
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
        // What this device saved, then our unsent messages on top, before
        // connecting: the first send after connecting has them all.
        super::cache::restore(state).await;
        outbox::restore(state).await;
        if crate::client::is_online() {
            connect(state);
        } else {
            state.connection.set(Connection::Offline);
        }
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
        send(&ClientFrame::Visibility { visible: crate::client::is_visible() });
    });
    let on_pagehide = window_event_listener(leptos::ev::pagehide, move |_| {
        send(&ClientFrame::Visibility { visible: false });
    });
    // The page lives as long as the app: keep the listeners.
    std::mem::forget((on_offline, on_online, on_visibility, on_pagehide));
}

fn run(state: ChatState, command: Command) {
    match command {
        Command::Send { conversation_id, body, reply_to } => outbox::write(state, conversation_id, body, reply_to),
        Command::Retry { client_id } => outbox::retry(state, client_id),
        Command::Discard { client_id } => outbox::discard(state, client_id),
        Command::Typing { conversation_id } => {
            send(&ClientFrame::Typing { conversation_id });
        }
        Command::Read { conversation_id, message_id } => {
            state.set_read(conversation_id, message_id);
            send(&ClientFrame::Read { conversation_id, message_id });
        }
        Command::Resume { conversation_id, after_id } => {
            let after = std::iter::once((conversation_id.to_string(), after_id)).collect();
            send(&ClientFrame::Resume { after, revs: Default::default() });
        }
        Command::Disconnect => {
            CONN.with_borrow_mut(|c| c.enabled = false);
            close(state);
            // The next person on this device must not see this account's data.
            super::cache::forget();
            leptos::task::spawn_local(idb::clear_all());
        }
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
        send(&ClientFrame::Visibility { visible: crate::client::is_visible() });
        send(&ClientFrame::Resume { after: state.resume_points(), revs: state.resume_revs() });
        state.list_version.update(|v| *v += 1);
        crate::notify::client::refresh();
        outbox::pump(state);
    });
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let Some(text) = event.dyn_ref::<MessageEvent>().and_then(|e| e.data().as_string()) else { return };
        if let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) {
            // The outbox only schedules work here: `apply` updates the view first.
            outbox::on_frame(state, &frame);
            state.apply(frame, crate::client::now_ms());
        } else {
            crate::notify::client::on_frame(&text);
        }
    });
    let socket = ws.clone();
    let on_close = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let _code = event.dyn_ref::<CloseEvent>().map(CloseEvent::code);
        if wire::is_current(&socket) {
            wire::take();
            outbox::connection_lost();
            state.connection.set(Connection::Offline);
            schedule_reconnect(state);
        }
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));

    CONN.with_borrow_mut(|c| {
        if let Some(handle) = c.reconnect.take() {
            handle.clear();
        }
        c.handlers = vec![on_open, on_message, on_close];
    });
    let old = wire::replace(ws);
    if let Some(old) = old {
        detach(&old);
        let _ = old.close();
        outbox::connection_lost();
    }
}

/// Closes the socket at once (on `offline`), without waiting for a timeout.
fn close(state: ChatState) {
    let old = wire::take();
    if let Some(ws) = old {
        detach(&ws);
        let _ = ws.close();
    }
    outbox::connection_lost();
    state.connection.set(Connection::Offline);
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}

fn schedule_reconnect(state: ChatState) {
    if !crate::client::is_online() || !CONN.with_borrow(|c| c.enabled) {
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
