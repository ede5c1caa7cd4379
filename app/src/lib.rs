//! Tidings as a Leptos app: the UI (rendered on the server, hydrated in the
//! browser), the server functions it calls, and — behind the `ssr` feature —
//! the domain services that the server functions and the REST API share.

#![recursion_limit = "256"]

// Translations from `locales/*.json`; see build.rs for why the macro.
#[allow(deprecated)]
mod i18n_gen {
    leptos_i18n::load_locales!();
}
/// The generated translations, plus `tr` (see `ui::text`).
pub mod i18n {
    pub use crate::i18n_gen::i18n::*;
    pub use crate::ui::text::{TextKey, UiLocale, tr, tr_in, use_locale};
}

pub mod auth;
pub mod bots;
pub mod chat;
#[cfg(feature = "hydrate")]
pub mod client;
pub mod error;
pub mod live;
pub mod notify;
#[cfg(feature = "ssr")]
pub mod outbound;
pub mod push;
pub mod pwa;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod net;
#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod rate_limit;
#[cfg(feature = "ssr")]
pub mod server_ctx;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod ticker;

pub use ui::shell::{App, shell};
