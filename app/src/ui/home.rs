//! The signed-in frame: the conversation list beside the open conversation.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::welcome::Welcome;
use crate::auth::current::use_current_user;
use crate::chat::ui::{ConversationList, ConversationView, NoConversation, use_chat_resources};
use crate::i18n::*;
use crate::pwa::InstallPrompt;

// `/` and `/c/{id}` are sibling routes rather than an `Outlet` inside a
// parent: on the server, resources created under a nested `Outlet` or a
// `Suspend` future lose the request context that server functions need
// (leptos-rs/leptos#3024, #4527). For the same reason the chat data belongs
// to `ChatProvider`; both pages create it first thing (`use_chat_resources`),
// at the same point on the server and in the browser, whoever is signed in:
// hydration matches resources by the order they were created in.

/// `/`: the conversation list (and, on wide screens, an empty pane).
#[component]
pub fn HomePage() -> impl IntoView {
    use_chat_resources();
    view! { <SignedInOnly><ChatLayout conversation=None/></SignedInOnly> }
}

/// `/c/{id}`: one conversation (beside the list on wide screens).
#[component]
pub fn ConversationPage() -> impl IntoView {
    use_chat_resources();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    view! { <SignedInOnly><ChatLayout conversation=Some(id)/></SignedInOnly> }
}

/// Its children for a signed-in user, the welcome page otherwise. The server
/// sends signed-out visitors to `/welcome` instead (so their first load skips
/// the chat screens); this covers reaching `/` inside the app (the brand
/// link) while signed out, and a session the server could not look up.
#[component]
fn SignedInOnly(children: ChildrenFn) -> impl IntoView {
    let session = use_current_user();
    let signed_in = move || session.signed_in().is_some();
    view! {
        <Transition>
            <Show when=signed_in fallback=|| view! { <Welcome/> }>
                {children()}
            </Show>
        </Transition>
    }
}

#[component]
fn ChatLayout(conversation: Option<Memo<i64>>) -> impl IntoView {
    // On phones the list and the conversation are separate screens.
    let class = if conversation.is_some() { "chat-layout show-thread" } else { "chat-layout" };
    let state = crate::chat::ui::state::use_chat();
    // "connecting", "online" or "offline": for CSS, and for tests to wait on.
    let connection = move || state.connection.get().as_str();
    view! {
        <div class=class data-connection=connection>
            <div class="list-column">
                <InstallPrompt/>
                <ConversationList/>
            </div>
            <section class="thread-pane">
                {match conversation {
                    Some(id) => view! { <ConversationView id/> }.into_any(),
                    None => view! { <NoConversation/> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="empty-state">
            <h1>"404"</h1>
            <p>{tr(|l| td_string!(l, errors.not_found))}</p>
        </section>
    }
}
