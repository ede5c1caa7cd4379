//! The notification centre's screens: the bell in the app bar, the inbox
//! at `/notifications` and the "Remind me" form, over `Inbox`.

mod bell;
mod page;
mod remind;

pub use bell::{Bell, LATEST};
pub use page::NotificationsPage;

use leptos::prelude::*;

/// What the bell and the inbox screen follow. Plain counters: the browser
/// half (`notify::client`) asks the server for the numbers, on start, on
/// each reconnect and on each of the notification centre's frames.
#[derive(Clone, Copy)]
pub struct Inbox {
    /// Unread notifications (the app badge adds unread messages).
    pub unread: RwSignal<u32>,
    /// Bumped whenever the inbox changed, here or on another device.
    pub version: RwSignal<u32>,
}

impl Inbox {
    pub fn provide() -> Self {
        let inbox = Self { unread: RwSignal::new(0), version: RwSignal::new(0) };
        provide_context(inbox);
        inbox
    }

    /// Something changed: the screen reloads its list, the bell its count.
    pub fn changed(&self) {
        self.version.update(|v| *v = v.wrapping_add(1));
    }
}

pub fn use_inbox() -> Inbox {
    expect_context::<Inbox>()
}
