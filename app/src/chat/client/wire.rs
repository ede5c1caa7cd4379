//! The tab's open socket, and sending a frame on it. Held apart from the
//! connection logic (`socket`) so the outbox can send without depending on
//! what reconnects.

use std::cell::RefCell;

use web_sys::WebSocket;

use crate::live::frames::ClientFrame;

thread_local! {
    static OPEN: RefCell<Option<WebSocket>> = const { RefCell::new(None) };
}

/// Sends a frame if the socket is open; otherwise drops it (our messages
/// stay pending in the outbox and go out on the next connection).
pub fn send(frame: &ClientFrame) -> bool {
    let Ok(text) = serde_json::to_string(frame) else { return false };
    OPEN.with_borrow(|open| match open {
        Some(ws) if ws.ready_state() == WebSocket::OPEN => ws.send_with_str(&text).is_ok(),
        _ => false,
    })
}

/// Makes `ws` the tab's socket; returns the one it replaces.
pub fn replace(ws: WebSocket) -> Option<WebSocket> {
    OPEN.with_borrow_mut(|open| open.replace(ws))
}

/// Forgets the socket; returns it.
pub fn take() -> Option<WebSocket> {
    OPEN.with_borrow_mut(Option::take)
}

/// Whether `ws` is the tab's current socket.
pub fn is_current(ws: &WebSocket) -> bool {
    OPEN.with_borrow(|open| open.as_ref().is_some_and(|w| w == ws))
}
