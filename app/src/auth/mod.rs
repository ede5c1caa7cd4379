//! Accounts: sign-up, sign-in, sessions and personal access tokens.

pub mod api;
#[cfg(feature = "hydrate")]
pub mod client;
pub mod current;
#[cfg(feature = "ssr")]
pub mod device;
pub mod model;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod return_to;
pub mod scope;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
pub mod settings;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;

pub use model::User;
