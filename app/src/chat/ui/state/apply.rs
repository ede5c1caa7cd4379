//! Folding the server's frames into the chat state.

use leptos::prelude::*;

use super::{ChatState, Entry, Status, TYPING_TTL_MS, is_transient};
use crate::chat::{Message, Reaction};
use crate::live::frames::ServerFrame;

impl ChatState {
    /// Folds one server frame into the state. `now_ms` is the clock, for typing expiry.
    pub fn apply(&self, frame: ServerFrame, now_ms: f64) {
        match frame {
            ServerFrame::Hello { online, .. } => self.online.set(online.into_iter().collect()),
            ServerFrame::Message { message } => self.on_message(message),
            ServerFrame::MessageDelta { id, conversation_id, seq, text } => {
                self.on_delta(id, conversation_id, seq, &text)
            }
            ServerFrame::MessageFinished { message } => self.replace(message, true),
            ServerFrame::MessageEdited { message } => {
                self.saw_rev(message.conversation_id, message.rev);
                self.replace(message, false);
            }
            ServerFrame::MessageDeleted { conversation_id, id, rev } => self.on_deleted(conversation_id, id, rev),
            ServerFrame::Reaction { conversation_id, message_id, rev, reactions } => {
                self.on_reaction(conversation_id, message_id, rev, reactions)
            }
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
                self.saw_read(conversation_id, user_id, message_id);
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
                // A replay may be older than the deltas already shown.
                if !(entry.streaming && message.streaming && message.deltas < entry.deltas) {
                    *entry = Entry::from(message.clone());
                }
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
        if message.streaming {
            self.show_draft(message.id, &message.body);
        }
        let active = self.active.get_untracked() == Some(conversation_id);
        let mut known = true;
        self.conversations.update(|list| {
            if let Some(pos) = list.iter().position(|c| c.id == conversation_id) {
                // A streamed reply's refill is the same message again: not unread twice.
                let newer = list[pos].last_message.as_ref().is_none_or(|m| m.id < message.id);
                let latest = newer || list[pos].last_message.as_ref().is_some_and(|m| m.id == message.id);
                if !latest {
                    return;
                }
                let mut conversation = list.remove(pos);
                conversation.last_activity_at = conversation.last_activity_at.max(message.created_at);
                if newer && !mine && !active {
                    conversation.unread += 1;
                    if message.mentions.iter().any(|m| Some(m.user_id) == me) {
                        conversation.unread_mentions += 1;
                    }
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

    /// The next piece of a streamed reply. Changes the entry quietly and
    /// the reply's own text signal, so one text node grows and the thread
    /// is not re-rendered; the offline copy catches up at the finish.
    fn on_delta(&self, id: i64, conversation_id: i64, seq: i64, text: &str) {
        let mut grown = None;
        let mut gap = false;
        self.threads.update_untracked(|threads| {
            let Some(entry) = threads.get_mut(&conversation_id).and_then(|t| t.iter_mut().find(|e| e.id == Some(id)))
            else {
                return;
            };
            if !entry.streaming || seq <= entry.deltas {
                return;
            }
            if seq > entry.deltas + 1 {
                gap = true;
                return;
            }
            entry.body.push_str(text);
            entry.deltas = seq;
            grown = Some(entry.body.clone());
        });
        if let Some(body) = grown {
            self.show_draft(id, &body);
        } else if gap {
            // This copy came from history older than the socket's: ask for the whole.
            self.command(super::Command::Resume { conversation_id, after_id: id - 1 });
        }
    }

    /// A message became a tombstone: its text leaves the screen, the list
    /// preview and (with the next save) the device's copy.
    fn on_deleted(&self, conversation_id: i64, id: i64, rev: i64) {
        self.saw_rev(conversation_id, rev);
        self.threads.update(|threads| {
            let Some(entry) = threads.get_mut(&conversation_id).and_then(|t| t.iter_mut().find(|e| e.id == Some(id)))
            else {
                return;
            };
            entry.body.clear();
            (entry.deleted, entry.edited, entry.streaming, entry.rev) = (true, false, false, entry.rev.max(rev));
        });
        self.drafts.update_value(|drafts| {
            drafts.remove(&id);
        });
        self.conversations.update(|list| {
            if let Some(last) = list.iter_mut().find(|c| c.id == conversation_id).and_then(|c| c.last_message.as_mut())
                && last.id == id
            {
                last.body.clear();
                (last.deleted, last.streaming, last.rev) = (true, false, rev);
            }
        });
    }

    /// A message's reactions changed. An older change (the answer to my
    /// own toggle after another's frame) does not undo a newer one.
    pub fn on_reaction(&self, conversation_id: i64, id: i64, rev: i64, reactions: Vec<Reaction>) {
        self.saw_rev(conversation_id, rev);
        self.threads.update(|threads| {
            let Some(entry) = threads.get_mut(&conversation_id).and_then(|t| t.iter_mut().find(|e| e.id == Some(id)))
            else {
                return;
            };
            if rev == 0 || rev >= entry.rev {
                entry.reactions = reactions;
                entry.rev = entry.rev.max(rev);
            }
        });
    }

    /// A streamed reply is complete, or a message was edited: its entry
    /// takes the new text (and renders once more).
    /// `insert`: a finished reply this thread never saw joins it; an edit
    /// of a message outside the loaded pages does not.
    fn replace(&self, message: Message, insert: bool) {
        let conversation_id = message.conversation_id;
        self.threads.update(|threads| {
            let Some(thread) = threads.get_mut(&conversation_id) else { return };
            match thread.iter_mut().find(|e| e.id == Some(message.id)) {
                Some(entry) => *entry = Entry::from(message.clone()),
                None if !insert => {}
                None => {
                    let at = thread.iter().position(|e| e.id.is_some_and(|i| i > message.id)).unwrap_or(thread.len());
                    thread.insert(at, Entry::from(message.clone()));
                }
            }
        });
        self.drafts.update_value(|drafts| {
            drafts.remove(&message.id);
        });
        self.conversations.update(|list| {
            if let Some(c) = list.iter_mut().find(|c| c.id == conversation_id) {
                if c.last_message.as_ref().is_none_or(|m| m.id <= message.id) {
                    c.last_message = Some(message);
                }
            }
        });
    }

    fn show_draft(&self, id: i64, body: &str) {
        if let Some(text) = self.drafts.with_value(|drafts| drafts.get(&id).cloned()) {
            if text.with_untracked(|t| t != body) {
                text.set(body.to_owned());
            }
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
                    c.unread_mentions = 0;
                }
            }
        });
    }

    /// A member's read pointer moved (for "Seen by").
    fn saw_read(&self, conversation_id: i64, user_id: i64, message_id: i64) {
        self.conversations.update(|list| {
            let Some(c) = list.iter_mut().find(|c| c.id == conversation_id) else { return };
            match c.reads.iter_mut().find(|r| r.user_id == user_id) {
                Some(r) => r.last_read_id = r.last_read_id.max(message_id),
                None => c.reads.push(crate::chat::ReadPointer { user_id, last_read_id: message_id }),
            }
        });
    }

    /// I chose what pushes me in a conversation.
    pub fn set_level(&self, conversation_id: i64, level: crate::chat::NotifyLevel) {
        self.conversations.update(|list| {
            if let Some(c) = list.iter_mut().find(|c| c.id == conversation_id) {
                (c.notify_level, c.notify_default) = (level, false);
                c.muted = level == crate::chat::NotifyLevel::None;
            }
        });
    }
}
