//! Folding the server's frames into the chat state.

use leptos::prelude::*;

use super::{ChatState, Entry, Status, TYPING_TTL_MS, is_transient};
use crate::chat::Message;
use crate::live::frames::ServerFrame;

impl ChatState {
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
}
