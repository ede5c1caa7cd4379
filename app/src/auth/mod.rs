//! Accounts: sign-up, sign-in, sessions and personal access tokens.

pub mod api;
#[cfg(feature = "hydrate")]
pub mod client;
pub mod current;
pub mod model;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod device;
#[cfg(feature = "ssr")]
pub mod return_to;
pub mod scope;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;
pub mod settings;
pub mod ui;

pub use model::User;
