//! Bots: accounts that a person owns and a program drives. A bot is a user
//! (a member of conversations, an author of messages) with an API token
//! instead of a password, and optionally a webhook: what happens in its
//! conversations is POSTed there, signed, through the one delivery queue.

pub mod api;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod hooks;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod signature;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod webhook;
