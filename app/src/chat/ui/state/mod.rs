//! What the chat screens show, as signals: conversations, loaded messages,
//! typing, presence and connection status. `apply` folds server frames in,
//! `restore` what the device kept; pure state logic, shared by server
//! rendering and the browser.

mod apply;
mod restore;
mod resume;

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;

use crate::auth::User;
use crate::chat::{Conversation, Mention, Message, Reaction, ReplyTo};

/// How long a "typing" notice lasts without a refresh, in ms.
pub const TYPING_TTL_MS: f64 = 5000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Online,
    Offline,
}

impl Connection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Online => "online",
            Self::Offline => "offline",
        }
    }
}

/// Delivery state of a message in the view.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Status {
    /// Written, not yet acknowledged (maybe offline, waiting in the outbox).
    Pending,
    Sent,
    /// Refused by the server; can be retried or deleted.
    Failed(String),
}

/// One line of a conversation: a stored message, or one of ours in flight.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub client_id: String,
    pub id: Option<i64>,
    pub author: User,
    pub body: String,
    pub created_at: i64,
    pub status: Status,
    /// A streamed reply still growing; `deltas` appends are in `body`.
    #[serde(default)]
    pub streaming: bool,
    #[serde(default)]
    pub deltas: i64,
    /// Its author changed the text.
    #[serde(default)]
    pub edited: bool,
    /// A tombstone: the text is gone.
    #[serde(default)]
    pub deleted: bool,
    /// The conversation's change number of its last edit or deletion.
    #[serde(default)]
    pub rev: i64,
    #[serde(default)]
    pub reactions: Vec<Reaction>,
    /// The message it answers, quoted above it.
    #[serde(default)]
    pub reply_to: Option<ReplyTo>,
    #[serde(default)]
    pub mentions: Vec<Mention>,
}

impl From<Message> for Entry {
    fn from(m: Message) -> Self {
        Self {
            client_id: m.client_id,
            id: Some(m.id),
            author: m.author,
            body: m.body,
            created_at: m.created_at,
            status: Status::Sent,
            streaming: m.streaming,
            deltas: m.deltas,
            edited: m.edited_at.is_some(),
            deleted: m.deleted,
            rev: m.rev,
            reactions: m.reactions,
            reply_to: m.reply_to,
            mentions: m.mentions,
        }
    }
}

#[derive(Clone, Copy)]
pub struct ChatState {
    /// The signed-in user (from the session, so it is known while rendering).
    pub me: Signal<Option<User>>,
    pub conversations: RwSignal<Vec<Conversation>>,
    pub threads: RwSignal<HashMap<i64, Vec<Entry>>>,
    /// Conversation id → (typist, expiry in ms since epoch).
    pub typing: RwSignal<HashMap<i64, Vec<(User, f64)>>>,
    pub online: RwSignal<HashSet<i64>>,
    pub connection: RwSignal<Connection>,
    /// The conversation on screen (its messages count as read).
    pub active: RwSignal<Option<i64>>,
    /// The message of mine being edited in place, if any.
    pub editing: RwSignal<Option<i64>>,
    /// The message the composer's next message answers: (conversation, quote).
    pub replying: RwSignal<Option<(i64, ReplyTo)>>,
    /// A quote or a search result was tapped: the thread scrolls to this
    /// message, loading older pages until it is there.
    pub jump: RwSignal<Option<i64>>,
    /// What the list's search box holds: kept while a result is open, so
    /// back finds the results.
    pub search: RwSignal<String>,
    /// Bumped when the conversation list must be fetched again (a message
    /// arrived for a conversation we do not know yet, or we reconnected).
    pub list_version: RwSignal<u32>,
    /// The `list_version` whose fetch is in `conversations`: a list view
    /// built again later (back from a conversation) finds the same fetch,
    /// older than what arrived live since, and must not write it back.
    pub list_applied: StoredValue<Option<u32>>,
    /// The growing text of each streamed reply on screen, by message id:
    /// a delta changes one text node, not the thread.
    drafts: StoredValue<HashMap<i64, ArcRwSignal<String>>>,
    /// The newest change (`rev`) seen per conversation, for `resume`.
    revs: StoredValue<HashMap<i64, i64>>,
    /// Set by the browser client at start-up; absent while server rendering.
    commands: StoredValue<Option<Callback<Command>>>,
}

/// What the UI asks the browser client to do.
#[derive(Debug, Clone)]
pub enum Command {
    Send {
        conversation_id: i64,
        body: String,
        reply_to: Option<ReplyTo>,
    },
    Retry {
        client_id: String,
    },
    Discard {
        client_id: String,
    },
    Typing {
        conversation_id: i64,
    },
    Read {
        conversation_id: i64,
        message_id: i64,
    },
    /// Replay a conversation after `after_id` (a streamed reply skipped ahead).
    Resume {
        conversation_id: i64,
        after_id: i64,
    },
    /// Signed out: close the socket and stop reconnecting.
    Disconnect,
}

impl ChatState {
    pub fn new(me: Signal<Option<User>>) -> Self {
        Self {
            me,
            conversations: RwSignal::new(Vec::new()),
            threads: RwSignal::new(HashMap::new()),
            typing: RwSignal::new(HashMap::new()),
            online: RwSignal::new(HashSet::new()),
            connection: RwSignal::new(Connection::Connecting),
            active: RwSignal::new(None),
            editing: RwSignal::new(None),
            replying: RwSignal::new(None),
            jump: RwSignal::new(None),
            search: RwSignal::new(String::new()),
            list_version: RwSignal::new(0),
            list_applied: StoredValue::new(None),
            drafts: StoredValue::new(HashMap::new()),
            revs: StoredValue::new(HashMap::new()),
            commands: StoredValue::new(None),
        }
    }

    /// Connects the UI to the browser client.
    pub fn set_commands(&self, handler: Callback<Command>) {
        self.commands.set_value(Some(handler));
    }

    /// Runs a command in the browser client (no-op during server rendering).
    pub fn command(&self, command: Command) {
        if let Some(handler) = self.commands.get_value() {
            handler.run(command);
        }
    }

    /// Replaces a thread with freshly loaded history, keeping our entries
    /// still in flight.
    pub fn seed(&self, conversation_id: i64, messages: Vec<Message>) {
        self.threads.update(|threads| {
            let pending: Vec<Entry> = threads
                .get(&conversation_id)
                .map(|t| t.iter().filter(|e| e.status != Status::Sent).cloned().collect())
                .unwrap_or_default();
            let newest = messages.iter().map(|m| m.rev).max().unwrap_or(0);
            self.saw_rev(conversation_id, newest);
            let mut entries: Vec<Entry> = messages.into_iter().map(Entry::from).collect();
            for entry in pending {
                if !entries.iter().any(|e| e.client_id == entry.client_id) {
                    entries.push(entry);
                }
            }
            threads.insert(conversation_id, entries);
        });
    }

    /// Adds older history in front of a thread.
    pub fn prepend(&self, conversation_id: i64, older: Vec<Message>) {
        self.threads.update(|threads| {
            let thread = threads.entry(conversation_id).or_default();
            let fresh: Vec<Entry> =
                older.into_iter().filter(|m| !thread.iter().any(|e| e.id == Some(m.id))).map(Entry::from).collect();
            thread.splice(0..0, fresh);
        });
    }

    /// Shows a message we just wrote, before the server has it.
    pub fn add_pending(&self, conversation_id: i64, entry: Entry) {
        self.threads.update(|threads| threads.entry(conversation_id).or_default().push(entry));
    }

    pub fn mark_failed(&self, client_id: &str, reason: String) {
        self.update_entry(client_id, |e| e.status = Status::Failed(reason.clone()));
    }

    pub fn mark_pending(&self, client_id: &str) {
        self.update_entry(client_id, |e| e.status = Status::Pending);
    }

    pub fn remove_entry(&self, client_id: &str) {
        self.threads.update(|threads| {
            for thread in threads.values_mut() {
                thread.retain(|e| e.client_id != client_id);
            }
        });
    }

    fn update_entry(&self, client_id: &str, f: impl Fn(&mut Entry)) {
        self.threads.update(|threads| {
            for entry in threads.values_mut().flatten().filter(|e| e.client_id == client_id) {
                f(entry);
            }
        });
    }

    /// My newest message in a conversation that I could edit (Up arrow).
    pub fn last_editable(&self, conversation_id: i64) -> Option<i64> {
        let me = self.me.with_untracked(|me| me.as_ref().map(|m| m.id))?;
        self.threads.with_untracked(|threads| {
            threads
                .get(&conversation_id)?
                .iter()
                .rev()
                .find(|e| e.author.id == me && e.id.is_some())
                .and_then(|e| (e.status == Status::Sent && !e.deleted && !e.streaming).then_some(e.id).flatten())
        })
    }

    /// The live text of streamed reply `id`, starting from `body`.
    pub fn draft_text(&self, id: i64, body: &str) -> ArcRwSignal<String> {
        let existing = self.drafts.with_value(|drafts| drafts.get(&id).cloned());
        existing.unwrap_or_else(|| {
            let text = ArcRwSignal::new(body.to_owned());
            self.drafts.update_value(|drafts| {
                drafts.insert(id, text.clone());
            });
            text
        })
    }

    /// Total unread messages (for the app badge and the title).
    pub fn total_unread(&self) -> i64 {
        self.conversations.with(|list| list.iter().map(|c| c.unread).sum())
    }
}

/// Error codes worth retrying without asking the user.
pub fn is_transient(code: &str) -> bool {
    matches!(code, "rate_limited" | "unavailable" | "internal" | "transport")
}

pub fn use_chat() -> ChatState {
    expect_context::<ChatState>()
}
