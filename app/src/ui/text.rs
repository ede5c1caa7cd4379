//! Translated text as one concrete type.
//!
//! `tr(|l| td_string!(l, key))` expands to a new closure at every call site, and Leptos
//! compiles its renderer (hydrate, build, rebuild…) once per closure type,
//! so ~90 call sites meant ~90 copies of that code in the WASM. `tr` takes a
//! plain `fn` instead: every call site shares one closure type.

use crate::i18n_gen::i18n::{Locale, use_i18n};

/// Looks a text up for a locale; call sites pass `|l| td_string!(l, key)`.
pub type TextKey = fn(Locale) -> &'static str;

/// The text for `key` in the current language, following language changes.
/// Works as a view child and as an attribute value.
pub fn tr(key: TextKey) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || key(i18n.get_locale())
}
