//! "New conversation": pick usernames (and a title for a group).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::state::use_chat;
use crate::chat::api::StartConversation;
use crate::i18n::*;
use crate::ui::ErrorText;

#[component]
pub fn NewConversation() -> impl IntoView {
    let state = use_chat();
    let open = RwSignal::new(false);
    let action = ServerAction::<StartConversation>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(conversation)) = action.value().get() {
            open.set(false);
            state.list_version.update(|v| *v += 1);
            navigate(&format!("/c/{}", conversation.id), Default::default());
        }
    });
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <button
            type="button"
            class="button small"
            data-testid="new-conversation"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {tr(|l| td_string!(l, chat.new))}
        </button>
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)></div>
            <div class="dialog card" role="dialog" aria-modal="true" aria-labelledby="new-conversation-title">
                <h2 id="new-conversation-title">{tr(|l| td_string!(l, chat.new_title))}</h2>
                <ActionForm action=action attr:class="form">
                    <label class="field">
                        <span>{tr(|l| td_string!(l, chat.usernames))}</span>
                        <input name="usernames" required autocapitalize="none" spellcheck="false" autocomplete="off"/>
                    </label>
                    <small class="hint">{tr(|l| td_string!(l, chat.usernames_hint))}</small>
                    <label class="field">
                        <span>{tr(|l| td_string!(l, chat.group_title))}</span>
                        <input name="title" maxlength="100"/>
                    </label>
                    <ErrorText error/>
                    <div class="actions end">
                        <button type="button" class="button ghost" on:click=move |_| open.set(false)>
                            {tr(|l| td_string!(l, chat.cancel))}
                        </button>
                        <button type="submit" class="button" disabled=move || action.pending().get()>
                            {tr(|l| td_string!(l, chat.start))}
                        </button>
                    </div>
                </ActionForm>
            </div>
        </Show>
    }
}
