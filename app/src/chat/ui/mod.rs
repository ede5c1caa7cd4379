//! Chat screens: the conversation list, a conversation, the composer and
//! the new-conversation dialog, over the shared `ChatState`.
//!
//! **Views inside a route's `Suspend` can outlive their owner.** When a tap
//! moves from one chat route to another, Leptos builds the new route (whose
//! `Suspend` writes the chat state), disposes the old route's owner, and
//! only then stops the old route's render effects: a render effect already
//! notified still runs once, in a disposed scope (measured: the old list's
//! keyed rows re-ran after their owner's cleanup). So the views rendered in
//! a `Suspend` here:
//! - read only the provider's long-lived state, or reference-counted
//!   signals of their own (`ArcRwSignal`), never an arena signal created
//!   in that scope (`Signal::derive`, `RwSignal`, `StoredValue`);
//! - take the state and the language as props (`tr_in`) instead of looking
//!   up context, and use plain `<a>` links rather than `A` (the router
//!   handles their clicks): a late rebuild cannot reach the owner's context.

mod composer;
mod conversation;
mod jump;
mod levels;
mod list;
mod message;
mod mention_picker;
mod message_actions;
mod new_conversation;
mod reactions;
mod search;
pub mod state;
mod typing;

pub use conversation::{ConversationView, NoConversation};
pub use list::ConversationList;
pub use message::BotBadge;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::chat::api::{get_conversation, list_conversations, load_messages};
use crate::chat::{Conversation, Message};
use crate::error::AppError;
use state::ChatState;

/// An open conversation and its latest messages.
pub type Thread = (Conversation, Vec<Message>);

/// The data the chat screens load from the server, shared by every chat
/// page: the list survives moving between conversations.
///
/// The resources belong to `ChatProvider`, at the top of the tree, rather
/// than to the screens: on the server, a resource created under a route's
/// `Show`/`Suspend` may run after its owner is gone and lose the request
/// context that server functions need (leptos-rs/leptos#3024). But the first
/// chat page creates them (`use_chat_resources`), so their code, with its
/// deserialisers, loads with the chat pages' WASM chunk instead of with the
/// core every page loads.
#[derive(Clone, Copy)]
pub struct ChatResources {
    pub list: Resource<Result<Vec<Conversation>, AppError>>,
    pub thread: Resource<Option<Result<Thread, AppError>>>,
}

/// The provider's owner, and its resources once a chat page has asked.
#[derive(Clone)]
struct ChatResourceSlot {
    owner: Owner,
    resources: StoredValue<Option<ChatResources>>,
}

/// The chat resources, created under `ChatProvider` on first use.
pub fn use_chat_resources() -> ChatResources {
    let slot = expect_context::<ChatResourceSlot>();
    if let Some(resources) = slot.resources.get_value() {
        return resources;
    }
    let resources = slot.owner.with(|| {
        let state = state::use_chat();
        let location = use_location();
        let open = Memo::new(move |_| conversation_in_path(&location.pathname.get()));
        let list = Resource::new(move || state.list_version.get(), |_| list_conversations());
        let thread = Resource::new(
            move || open.get(),
            |id| async move {
                let id = id?;
                Some(async move { Ok((get_conversation(id).await?, load_messages(id, None).await?)) }.await)
            },
        );
        ChatResources { list, thread }
    });
    slot.resources.set_value(Some(resources));
    resources
}

/// `/c/{id}` → `Some(id)`.
pub fn conversation_in_path(path: &str) -> Option<i64> {
    path.strip_prefix("/c/").and_then(|rest| rest.trim_end_matches('/').parse().ok())
}

/// Provides the chat state (and a home for its data, see `ChatResources`)
/// to its children and, in the browser, starts the live connection once
/// someone is signed in. Must sit inside the `Router`.
#[component]
pub fn ChatProvider(children: Children) -> impl IntoView {
    let session = crate::auth::current::use_current_user();
    let state = ChatState::new(Signal::derive(move || session.signed_in()));
    provide_context(state);
    let owner = Owner::current().unwrap_or_default();
    provide_context(ChatResourceSlot { owner: owner.clone(), resources: StoredValue::new(None) });
    // Effects run only in the browser, once hydrated.
    Effect::new(move |was_signed_in: Option<bool>| {
        let signed_in = session.signed_in().is_some();
        if signed_in && was_signed_in != Some(true) {
            #[cfg(feature = "hydrate")]
            crate::chat::client::start(owner.clone(), state);
        } else if !signed_in && was_signed_in == Some(true) {
            state.command(state::Command::Disconnect);
        }
        signed_in
    });
    children()
}

#[cfg(test)]
mod tests {
    #[test]
    fn conversation_ids_come_from_the_path() {
        assert_eq!(super::conversation_in_path("/c/42"), Some(42));
        assert_eq!(super::conversation_in_path("/c/42/"), Some(42));
        assert_eq!(super::conversation_in_path("/"), None);
        assert_eq!(super::conversation_in_path("/c/x"), None);
    }
}
