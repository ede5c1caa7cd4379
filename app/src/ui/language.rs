//! The language picker. The server reads the choice from leptos_i18n's
//! cookie; the browser writes that cookie itself (leptos_i18n's own cookie
//! support pulls a date-parsing stack of ~30 KB into the WASM).

use leptos::prelude::*;

use crate::i18n::*;

const LANGUAGES: [(Locale, &str); 4] =
    [(Locale::en, "English"), (Locale::es, "Español"), (Locale::pt, "Português"), (Locale::ru, "Русский")];

#[component]
pub fn LanguagePicker() -> impl IntoView {
    let current = use_locale();
    let on_change = move |ev| {
        if let Ok(locale) = event_target_value(&ev).parse::<Locale>() {
            current.set(locale);
        }
    };
    view! {
        <label class="language">
            <span class="visually-hidden">{tr(|l| td_string!(l, nav.language))}</span>
            <select name="language" on:change=on_change>
                {LANGUAGES
                    .into_iter()
                    .map(|(locale, label)| {
                        view! {
                            <option value=locale.as_str() selected=move || current.get() == locale>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
