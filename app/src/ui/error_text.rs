//! Shows an `AppError` in the user's language.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::*;

/// A translated, accessible error line (or nothing).
#[component]
pub fn ErrorText(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|err| {
            let key: TextKey = match err.code() {
                "invalid_username" => |l| td_string!(l, errors.invalid_username),
                "invalid_password" => |l| td_string!(l, errors.invalid_password),
                "username_taken" => |l| td_string!(l, errors.username_taken),
                "bad_credentials" => |l| td_string!(l, errors.bad_credentials),
                "offline" => |l| td_string!(l, errors.offline),
                "rate_limited" => |l| td_string!(l, errors.rate_limited),
                "forbidden" => |l| td_string!(l, errors.forbidden),
                "not_allowed" => |l| td_string!(l, errors.not_allowed),
                "not_found" => |l| td_string!(l, errors.not_found),
                "unknown_user" => |l| td_string!(l, errors.unknown_user),
                "no_members" => |l| td_string!(l, errors.no_members),
                "message_too_long" => |l| td_string!(l, errors.message_too_long),
                "invalid_time" | "invalid_send_at" => |l| td_string!(l, errors.invalid_time),
                _ => |l| td_string!(l, errors.generic),
            };
            view! { <p class="error" role="alert" data-code=err.code().to_owned()>{tr(key)}</p> }
        })
    }
}
