//! The language on the server: leptos_i18n negotiates it (cookie, else
//! Accept-Language) and renders `<html lang dir>`.

use leptos::prelude::*;

use super::UiLocale;
use crate::i18n_gen::i18n::Locale;

/// Provides `UiLocale` to `children`. On the server, leptos_i18n's
/// provider negotiates the language and sets `<html lang dir>`.
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

#[component]
fn ProvideNegotiated(children: Children) -> impl IntoView {
    let i18n = crate::i18n_gen::i18n::use_i18n();
    provide_context(UiLocale(RwSignal::new(i18n.get_locale_untracked())));
    children()
}
