//! The notification centre: an inbox per person that apps, bots and
//! reminders post to, delivered live and by push (held in quiet hours),
//! with schedules for later and recurring ones.

pub mod api;
pub mod inbox_api;
pub mod model;
mod settings;
pub mod ui;

#[cfg(feature = "hydrate")]
pub mod client;

#[cfg(feature = "ssr")]
pub mod deliver;
#[cfg(feature = "ssr")]
pub mod frames;
#[cfg(feature = "ssr")]
pub mod publish;
#[cfg(feature = "ssr")]
pub mod quiet;
#[cfg(feature = "ssr")]
pub mod recurrence;
#[cfg(feature = "ssr")]
pub mod remind;
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

pub use model::{Notification, Preferences, Priority, PushPreview, UnreadCount};
pub use settings::NotificationPreferences;
