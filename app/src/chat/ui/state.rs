//! What the chat screens show, as signals: conversations, loaded messages,
//! typing, presence and connection status. `apply` folds server frames in;
//! it is pure state logic, shared by server rendering and the browser.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;

use crate::auth::User;
use crate::chat::frames::ServerFrame;
use crate::chat::{Conversation, Message};

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
    /// Bumped when the conversation list must be fetched again (a message
    /// arrived for a conversation we do not know yet, or we reconnected).
    pub list_version: RwSignal<u32>,
    /// Set by the browser client at start-up; absent while server rendering.
    commands: StoredValue<Option<Callback<Command>>>,
}

/// What the UI asks the browser client to do.
#[derive(Debug, Clone)]
pub enum Command {
    Send {
        conversation_id: i64,
        body: String,
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
            list_version: RwSignal::new(0),
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

    /// The newest stored message id of each loaded thread (for `resume`).
    pub fn resume_points(&self) -> HashMap<String, i64> {
        self.threads.with_untracked(|threads| {
            threads.iter().map(|(id, t)| (id.to_string(), t.iter().filter_map(|e| e.id).max().unwrap_or(0))).collect()
        })
    }

    /// Folds one server frame into the state. `now_ms` is the clock, for typing expiry.
    pub fn apply(&self, frame: ServerFrame, now_ms: f64) {
        match frame {
            ServerFrame::Hello { online, .. } => self.online.set(online.into_iter().collect()),
            ServerFrame::Message { message } => self.on_message(message),
            ServerFrame::Ack { client_id, id, .. } => self.update_entry(&client_id, |e| {
                e.id = Some(id);
                e.status = Status::Sent;
            }),
            ServerFrame::Typing { conversation_id, user } => self.typing.update(|typing| {
                let list = typing.entry(conversation_id).or_default();
                list.retain(|(u, until)| u.id != user.id && *until > now_ms);
                list.push((user, now_ms + TYPING_TTL_MS));
            }),
            ServerFrame::Read { conversation_id, user_id, message_id } => {
                if self.me.with_untracked(|me| me.as_ref().map(|m| m.id)) == Some(user_id) {
                    self.set_read(conversation_id, message_id);
                }
            }
            ServerFrame::Presence { user_id, online } => self.online.update(|set| {
                if online {
                    set.insert(user_id);
                } else {
                    set.remove(&user_id);
                }
            }),
            // Transient refusals leave the message pending: it goes out on
            // the next drain. Anything else is final until the user retries.
            ServerFrame::Error { client_id: Some(client_id), code, message } => {
                if !is_transient(&code) {
                    self.mark_failed(&client_id, message);
                }
            }
            ServerFrame::Error { .. } | ServerFrame::Resumed { .. } => {}
        }
    }

    fn on_message(&self, message: Message) {
        let me = self.me.with_untracked(|me| me.as_ref().map(|m| m.id));
        let mine = me == Some(message.author.id);
        let conversation_id = message.conversation_id;
        self.threads.update(|threads| {
            // Only loaded threads hold messages; others refresh when opened.
            let Some(thread) = threads.get_mut(&conversation_id) else { return };
            if let Some(entry) =
                thread.iter_mut().find(|e| e.client_id == message.client_id && e.author.id == message.author.id)
            {
                *entry = Entry::from(message.clone());
            } else if !thread.iter().any(|e| e.id == Some(message.id)) {
                let at = thread.iter().position(|e| e.id.is_some_and(|id| id > message.id)).unwrap_or(thread.len());
                thread.insert(at, Entry::from(message.clone()));
            }
        });
        self.typing.update(|typing| {
            if let Some(list) = typing.get_mut(&conversation_id) {
                list.retain(|(u, _)| u.id != message.author.id);
            }
        });
        let active = self.active.get_untracked() == Some(conversation_id);
        let mut known = true;
        self.conversations.update(|list| {
            if let Some(pos) = list.iter().position(|c| c.id == conversation_id) {
                let mut conversation = list.remove(pos);
                conversation.last_activity_at = message.created_at;
                if !mine && !active {
                    conversation.unread += 1;
                }
                conversation.last_message = Some(message);
                list.insert(0, conversation);
            } else {
                known = false;
            }
        });
        if !known {
            self.list_version.update(|v| *v += 1);
        }
    }

    /// Our read pointer moved (here or on another device).
    pub fn set_read(&self, conversation_id: i64, message_id: i64) {
        self.conversations.update(|list| {
            if let Some(c) = list.iter_mut().find(|c| c.id == conversation_id) {
                if message_id > c.last_read_id {
                    c.last_read_id = message_id;
                }
                if c.last_message.as_ref().is_none_or(|m| m.id <= c.last_read_id) {
                    c.unread = 0;
                }
            }
        });
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

/// Adds entries loaded from the device (outbox, offline cache) without
/// disturbing what the server already gave us.
impl ChatState {
    pub fn restore_pending(&self, conversation_id: i64, entry: Entry) {
        self.threads.update(|threads| {
            let thread = threads.entry(conversation_id).or_default();
            if !thread.iter().any(|e| e.client_id == entry.client_id) {
                thread.push(entry);
            }
        });
    }

    pub fn restore_cached(&self, conversations: Vec<Conversation>, threads: HashMap<i64, Vec<Entry>>) {
        if self.conversations.with_untracked(Vec::is_empty) {
            self.conversations.set(conversations);
        }
        self.threads.update(|current| {
            for (id, cached) in threads {
                let thread = current.entry(id).or_default();
                if !thread.iter().any(|e| e.status == Status::Sent) {
                    let pending: Vec<Entry> = std::mem::take(thread);
                    *thread = cached;
                    for entry in pending {
                        if !thread.iter().any(|e| e.client_id == entry.client_id) {
                            thread.push(entry);
                        }
                    }
                }
            }
        });
    }
}

pub fn use_chat() -> ChatState {
    expect_context::<ChatState>()
}
