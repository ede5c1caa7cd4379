//! `/welcome`: what a signed-out visitor sees first. Its own route (the
//! server redirects signed-out visitors of `/` here), in the main module,
//! so that a first visit never loads the chat screens' WASM.

use leptos::prelude::*;

use crate::i18n::*;

#[component]
pub fn Welcome() -> impl IntoView {
    view! {
        <section class="hero" data-testid="welcome">
            <h1>{tr(|l| td_string!(l, home.welcome))}</h1>
            <p class="tagline">{tr(|l| td_string!(l, tagline))}</p>
            <p>{tr(|l| td_string!(l, home.signed_out_body))}</p>
            <div class="actions">
                <a href="/signup" class="button">{tr(|l| td_string!(l, nav.sign_up))}</a>
                <a href="/signin" class="button ghost">{tr(|l| td_string!(l, nav.sign_in))}</a>
            </div>
        </section>
    }
}
