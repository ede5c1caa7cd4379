//! The notification centre's frames on the live socket (server only, for
//! now): the same `{"type": …}` shape as `live::frames`, in a type of their
//! own, so the chat client's decoder does not carry them until a screen of
//! the notification centre reads them.

use serde::Serialize;

use super::model::Notification;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotifyFrame {
    /// A new item in the user's inbox.
    Notification { notification: Notification },
    /// These were read (or archived), maybe on another device.
    NotificationRead { ids: Vec<i64> },
}
