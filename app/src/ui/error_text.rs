//! Shows an `AppError` in the user's language.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::*;

/// A translated, accessible error line (or nothing).
#[component]
pub fn ErrorText(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|err| {
            let text = match err.code() {
                "invalid_username" => t!(i18n, errors.invalid_username).into_any(),
                "invalid_password" => t!(i18n, errors.invalid_password).into_any(),
                "username_taken" => t!(i18n, errors.username_taken).into_any(),
                "bad_credentials" => t!(i18n, errors.bad_credentials).into_any(),
                "rate_limited" => t!(i18n, errors.rate_limited).into_any(),
                "forbidden" => t!(i18n, errors.forbidden).into_any(),
                "not_found" => t!(i18n, errors.not_found).into_any(),
                "unknown_user" => t!(i18n, errors.unknown_user).into_any(),
                "no_members" => t!(i18n, errors.no_members).into_any(),
                "message_too_long" => t!(i18n, errors.message_too_long).into_any(),
                _ => t!(i18n, errors.generic).into_any(),
            };
            view! { <p class="error" role="alert" data-code=err.code().to_owned()>{text}</p> }
        })
    }
}
