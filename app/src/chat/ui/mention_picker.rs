//! `@` in the composer: the conversation's members whose names start with
//! what follows it, as a listbox under the box. Arrows move, Enter or Tab
//! takes one, Escape closes; a tap takes one too.

use leptos::html::Textarea;
use leptos::prelude::*;

use crate::auth::User;
use crate::chat::mention::typing_at;
use crate::i18n::*;

/// Suggestions shown at once.
const SHOWN: usize = 6;

/// What the picker shows: where the `@` is (bytes), the caret, the
/// members that match and the one highlighted.
#[derive(Debug, Clone, PartialEq)]
struct Open {
    at: usize,
    caret: usize,
    matches: Vec<User>,
    selected: usize,
}

/// The picker of one composer. Reference-counted: see `chat::ui` on views
/// in a `Suspend`.
#[derive(Clone)]
pub struct MentionPicker {
    members: Vec<User>,
    open: ArcRwSignal<Option<Open>>,
    input: NodeRef<Textarea>,
    list_id: String,
}

/// The byte offset of a UTF-16 offset (what `selectionStart` counts).
fn byte_offset(text: &str, utf16: u32) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= utf16 as usize {
            return i;
        }
        units += c.len_utf16();
    }
    text.len()
}

impl MentionPicker {
    /// `members`: everyone I can mention here (not me).
    pub fn new(conversation_id: i64, members: Vec<User>, input: NodeRef<Textarea>) -> Self {
        let list_id = format!("mentions-{conversation_id}");
        Self { members, open: ArcRwSignal::new(None), input, list_id }
    }

    /// After each keystroke: what is typed before the caret decides.
    pub fn refresh(&self) {
        let Some(textarea) = self.input.try_get_untracked().flatten() else { return };
        let text = textarea.value();
        let caret = byte_offset(&text, textarea.selection_start().ok().flatten().unwrap_or_default());
        let next = typing_at(&text, caret).and_then(|(at, partial)| {
            let matches: Vec<User> =
                self.members.iter().filter(|m| m.username.starts_with(&partial)).take(SHOWN).cloned().collect();
            (!matches.is_empty()).then_some(Open { at, caret, matches, selected: 0 })
        });
        if self.open.with_untracked(|open| *open != next) {
            self.open.set(next);
        }
    }

    /// A key in the box; true if the picker used it.
    pub fn key(&self, ev: &leptos::ev::KeyboardEvent) -> bool {
        let Some(open) = self.open.get_untracked() else { return false };
        let count = open.matches.len();
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" => {
                let step = if ev.key() == "ArrowDown" { 1 } else { count - 1 };
                self.open.update(|o| {
                    if let Some(o) = o {
                        o.selected = (o.selected + step) % count;
                    }
                });
            }
            "Enter" | "Tab" if !ev.shift_key() => self.take(open.selected),
            "Escape" => self.open.set(None),
            _ => return false,
        }
        ev.prevent_default();
        true
    }

    pub fn close(&self) {
        if self.open.with_untracked(Option::is_some) {
            self.open.set(None);
        }
    }

    /// Puts `@name ` in place of what was typed, the caret after it.
    fn take(&self, index: usize) {
        let Some(open) = self.open.get_untracked() else { return };
        let (Some(user), Some(textarea)) = (open.matches.get(index), self.input.try_get_untracked().flatten()) else {
            return;
        };
        let text = textarea.value();
        let (Some(before), Some(after)) = (text.get(..open.at), text.get(open.caret..)) else { return };
        let inserted = format!("{before}@{} ", user.username);
        textarea.set_value(&format!("{inserted}{after}"));
        let caret = inserted.encode_utf16().count() as u32;
        let _ = textarea.set_selection_range(caret, caret);
        let _ = textarea.focus();
        self.open.set(None);
    }

    /// The attributes the box takes: which list it drives, and which
    /// option is highlighted (for screen readers).
    pub fn controls(&self) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let (open, id) = (self.open.clone(), self.list_id.clone());
        move || open.with(Option::is_some).then(|| id.clone())
    }

    pub fn active(&self) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let (open, id) = (self.open.clone(), self.list_id.clone());
        move || open.with(|o| o.as_ref().map(|o| format!("{id}-{}", o.selected)))
    }

    pub fn view(&self, locale: UiLocale) -> impl IntoView + use<> {
        let picker = self.clone();
        move || {
            let open = picker.open.get()?;
            let list_id = picker.list_id.clone();
            let options = open.matches.iter().enumerate().map(|(i, user)| {
                let picker = picker.clone();
                let selected = i == open.selected;
                view! {
                    <li
                        id=format!("{list_id}-{i}")
                        role="option"
                        class="mention-option"
                        aria-selected=selected.to_string()
                        // Before the box loses focus to the tap.
                        on:mousedown=move |ev| {
                            ev.prevent_default();
                            picker.take(i);
                        }
                    >
                        <span class="avatar small" aria-hidden="true">{crate::ui::avatar_initial(&user.username)}</span>
                        {user.username.clone()}
                    </li>
                }
            });
            Some(view! {
                <ul
                    id=picker.list_id.clone()
                    class="mention-picker"
                    role="listbox"
                    aria-label=tr_in(locale, |l| td_string!(l, chat.suggestions))
                >
                    {options.collect_view()}
                </ul>
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::byte_offset;

    #[test]
    fn utf16_offsets_become_byte_offsets() {
        assert_eq!(byte_offset("abc", 2), 2);
        assert_eq!(byte_offset("é@b", 2), 3, "é is one UTF-16 unit, two bytes");
        assert_eq!(byte_offset("😀@b", 3), 5, "an emoji is two units, four bytes");
        assert_eq!(byte_offset("ab", 9), 2);
    }
}
