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
#[cfg(not(feature = "ssr"))]
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

/// Provides `UiLocale` to `children`. On the server, leptos_i18n's
/// provider negotiates the language and sets `<html lang dir>`.
#[cfg(feature = "ssr")]
#[component]
pub fn LocaleProvider(children: Children) -> impl IntoView {
    use crate::i18n_gen::i18n::I18nContextProvider;
    use leptos_i18n::context::CookieOptions;
    /// One year, in milliseconds (leptos-use's unit).
    const COOKIE_MAX_AGE_MS: i64 = 365 * 24 * 3600 * 1000;
    let cookie = CookieOptions::<Locale>::default().path("/").max_age(COOKIE_MAX_AGE_MS);
    view! {
        <I18nContextProvider cookie_options=cookie>
            <ProvideNegotiated children/>
        </I18nContextProvider>
    }
}

#[cfg(feature = "ssr")]
#[component]
fn ProvideNegotiated(children: Children) -> impl IntoView {
    let i18n = crate::i18n_gen::i18n::use_i18n();
    provide_context(UiLocale(RwSignal::new(i18n.get_locale_untracked())));
    children()
}

/// Provides `UiLocale` to `children`. In the browser, the language is the
/// one the server rendered (`<html lang>`); changing it updates that too.
#[cfg(not(feature = "ssr"))]
#[component]
pub fn LocaleProvider(children: Children) -> impl IntoView {
    let root = document().document_element();
    let rendered = root.as_ref().and_then(|html| html.get_attribute("lang")).and_then(|lang| lang.parse().ok());
    let locale = RwSignal::new(rendered.unwrap_or_default());
    provide_context(UiLocale(locale));
    Effect::new(move |_| {
        let locale = locale.get();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", locale.as_str());
            let _ = html.set_attribute("dir", locale.direction().as_str());
        }
    });
    // The server's leptos_i18n provider renders an empty `<script>` after
    // its children; hydration walks the same nodes.
    view! {
        {children()}
        <script></script>
    }
}
