//! The page's language and its translated text.
//!
//! The server picks the language (leptos_i18n: the `i18n_pref_locale`
//! cookie, else Accept-Language) and renders `<html lang>`. The browser reads
//! it back from there instead of running leptos_i18n's context, which would
//! bring locale negotiation (ICU parsing, cookie and `navigator.languages`
//! watchers) into the main WASM chunk for a value the server already chose.
//!
//! `tr` exists for size too: `t!(i18n, key)` expands to a new closure at
//! every call site, and Leptos compiles its renderer (hydrate, build,
//! rebuild…) once per closure type. `tr` takes a plain `fn`, so every call
//! site shares one closure type.

use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use leptos_i18n::Locale as _;

use crate::i18n_gen::i18n::Locale;

/// Looks a text up for a locale; call sites pass `|l| td_string!(l, key)`.
pub type TextKey = fn(Locale) -> &'static str;

/// The language the page is shown in.
#[derive(Clone, Copy)]
pub struct UiLocale(RwSignal<Locale>);

impl UiLocale {
    pub fn get(&self) -> Locale {
        self.0.get()
    }

    /// Switches the page's language and remembers it for the server.
    pub fn set(&self, locale: Locale) {
        self.0.set(locale);
        #[cfg(feature = "hydrate")]
        crate::client::remember_locale(locale.as_str());
    }
}

pub fn use_locale() -> UiLocale {
    expect_context::<UiLocale>()
}

/// The text for `key` in the current language, following language changes.
/// Works as a view child and as an attribute value.
pub fn tr(key: TextKey) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    tr_in(use_locale(), key)
}

/// `tr` with the language given, for views that must not look up context
/// (see `chat::ui`); the same closure type as `tr`'s.
pub fn tr_in(locale: UiLocale, key: TextKey) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || key(locale.get())
}

// The language comes from different places on each side.
#[cfg(not(feature = "ssr"))]
mod browser;
#[cfg(feature = "ssr")]
mod server;
#[cfg(not(feature = "ssr"))]
pub use browser::LocaleProvider;
#[cfg(feature = "ssr")]
pub use server::LocaleProvider;
