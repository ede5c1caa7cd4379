//! Conversations and messages: the chat domain. Live delivery is `crate::live`.

pub mod api;
#[cfg(feature = "hydrate")]
pub mod client;
pub mod level;
pub mod mention;
pub mod model;
pub mod search;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod edit;
#[cfg(feature = "ssr")]
pub mod fanout;
#[cfg(feature = "ssr")]
mod find;
#[cfg(feature = "ssr")]
mod members;
#[cfg(feature = "ssr")]
mod read;
#[cfg(feature = "ssr")]
pub mod react;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod stream;
#[cfg(feature = "ssr")]
pub mod writer;

pub use level::NotifyLevel;
pub use model::{Conversation, ConversationKind, Mention, Message, Reaction, Reactions, ReadPointer, ReplyTo};
