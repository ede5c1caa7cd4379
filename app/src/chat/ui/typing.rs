//! "alice is typing…"

use leptos::prelude::*;

use super::state::use_chat;
use crate::i18n::*;

#[component]
pub fn TypingIndicator(conversation_id: i64) -> impl IntoView {
    let locale = use_locale();
    let state = use_chat();
    // Re-evaluate expiry once a second while mounted (browser only).
    let now = RwSignal::new(0.0_f64);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            now.set(crate::client::now_ms());
            if let Ok(handle) =
                set_interval_with_handle(move || now.set(crate::client::now_ms()), std::time::Duration::from_secs(1))
            {
                on_cleanup(move || handle.clear());
            }
        }
    });
    let names = move || {
        let now = now.get();
        state.typing.with(|typing| {
            typing
                .get(&conversation_id)
                .map(|list| {
                    list.iter().filter(|(_, until)| *until > now).map(|(u, _)| u.username.clone()).collect::<Vec<_>>()
                })
                .unwrap_or_default()
                .join(", ")
        })
    };
    view! {
        <div class="typing" aria-live="polite" data-testid="typing">
            {move || {
                let who = names();
                (!who.is_empty()).then(|| td!(locale.get(), chat.typing, name = move || who.clone()))
            }}
        </div>
    }
}
