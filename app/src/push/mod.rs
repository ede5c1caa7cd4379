//! Web Push: VAPID keys, subscriptions, push jobs (a kind of the one job
//! queue), the message fan-out step that writes them, and the sender.

pub mod api;
pub mod model;

#[cfg(feature = "ssr")]
mod content;
#[cfg(feature = "ssr")]
pub mod deliver;
#[cfg(feature = "ssr")]
pub mod dismiss;
#[cfg(feature = "ssr")]
pub mod encrypt;
#[cfg(feature = "ssr")]
pub mod fanout;
#[cfg(feature = "ssr")]
pub mod jwt;
#[cfg(feature = "ssr")]
pub mod payload;
#[cfg(feature = "ssr")]
pub mod sender;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod validate;
#[cfg(feature = "ssr")]
pub mod vapid;
#[cfg(feature = "ssr")]
mod words;
