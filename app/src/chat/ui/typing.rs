//! "alice is typing…"

use leptos::prelude::*;

use super::state::ChatState;
use crate::i18n::*;

/// Part of the thread: state and language come as props (see `chat::ui`).
#[component]
pub fn TypingIndicator(conversation_id: i64, state: ChatState, locale: UiLocale) -> impl IntoView {
    // Re-evaluate expiry once a second while mounted (browser only).
    // Reference-counted, not arena-owned: see `chat::ui` on views in a `Suspend`.
    let now = ArcRwSignal::new(0.0_f64);
    let tick = now.clone();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            tick.set(crate::client::now_ms());
            let tick = tick.clone();
            if let Ok(handle) =
                set_interval_with_handle(move || tick.set(crate::client::now_ms()), std::time::Duration::from_secs(1))
            {
                on_cleanup(move || handle.clear());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &tick;
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
