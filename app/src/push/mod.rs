//! Web Push: VAPID keys, subscriptions, the delivery queue and the sender.

pub mod api;
pub mod model;

#[cfg(feature = "ssr")]
pub mod encrypt;
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
pub mod worker;
