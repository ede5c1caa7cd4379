//! Accounts: sign-up, sign-in, sessions and personal access tokens.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod return_to;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
pub mod ui;

pub use model::User;
