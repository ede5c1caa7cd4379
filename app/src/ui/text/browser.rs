//! The language in the browser: the one the server rendered (`<html lang>`).

use leptos::prelude::*;
use leptos_i18n::Locale as _;

use super::UiLocale;

/// Provides `UiLocale` to `children`. In the browser, the language is the
/// one the server rendered (`<html lang>`); changing it updates that too.
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
