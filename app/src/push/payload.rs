//! The push JSON: a notification cut to what the person's preview level
//! allows and to fit one encrypted push (≤ 4096 bytes), the tags that let
//! a device replace or close one, and a dismissal.

use serde::Serialize;

use super::encrypt::MAX_PLAINTEXT;
use super::model::Notification;
use crate::notify::PushPreview;

/// A body this short always fits, whatever the title (used after a 413).
pub const SHRUNK_BODY_CHARS: usize = 120;

/// Serialises `notification`, shortening its body on a character boundary
/// (with "…") until the JSON fits in one encrypted push. With `max_body`,
/// the body is first cut to that many characters.
pub fn render(notification: &Notification, max_body: Option<usize>) -> Vec<u8> {
    let mut n = notification.clone();
    if let Some(max) = max_body {
        n.body = cut(&n.body, max);
    }
    n.title = cut(&n.title, 200);
    let mut json = serde_json::to_vec(&n).unwrap_or_default();
    if json.len() <= MAX_PLAINTEXT {
        return json;
    }
    // Binary search the longest body prefix that fits; JSON escaping makes
    // the byte size of a character vary, so measure rather than compute.
    let chars: Vec<char> = n.body.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        n.body = with_ellipsis(&chars[..mid]);
        if serde_json::to_vec(&n).map(|j| j.len()).unwrap_or(usize::MAX) <= MAX_PLAINTEXT {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    n.body = with_ellipsis(&chars[..lo]);
    json = serde_json::to_vec(&n).unwrap_or_default();
    json
}

fn cut(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max { text.to_owned() } else { with_ellipsis(&chars[..max.saturating_sub(1)]) }
}

fn with_ellipsis(chars: &[char]) -> String {
    let mut s: String = chars.iter().collect();
    s.push('…');
    s
}

/// The tag a conversation's message pushes carry.
pub fn conversation_tag(conversation_id: i64) -> String {
    format!("conversation-{conversation_id}")
}

/// The tag an inbox item's push carries. A publisher's collapse key is
/// words ("feeding"), and a tag also leaves in the clear as the push's
/// `Topic`: so a tagged item goes out as the id of the first notification
/// that carried the key (`anchor`), the same for every later one; else as its own id.
pub fn notification_tag(id: i64, anchor: Option<i64>) -> String {
    anchor.map(|a| format!("n-{a}")).unwrap_or_else(|| format!("notification-{id}"))
}

/// What the service worker gets.
#[derive(Serialize)]
struct Dismissal<'a> {
    r#type: &'static str,
    tags: &'a [String],
    unread: i64,
}

/// `{"type":"dismiss","tags":[…],"unread":n}`: no text at all.
pub fn dismissal(tags: &[String], unread: i64) -> Vec<u8> {
    serde_json::to_vec(&Dismissal { r#type: "dismiss", tags, unread }).unwrap_or_default()
}

/// Cuts a notification down to what the person's preview level lets
/// leave the server. `private`: ids, the unread count and a same-origin
/// path only; even a push service that broke the encryption reads nothing.
pub fn preview(mut note: Notification, level: PushPreview) -> Notification {
    match level {
        PushPreview::Full => note,
        PushPreview::Sender => {
            note.body = String::new();
            note
        }
        PushPreview::Private => {
            note.private = true;
            note.title = String::new();
            note.body = String::new();
            if !note.url.starts_with('/') || note.url.starts_with("//") {
                note.url = "/".into();
            }
            note
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(body: String) -> Notification {
        Notification {
            private: false,
            notification_id: None,
            title: "alice".into(),
            body,
            url: "/c/1".into(),
            conversation_id: Some(1),
            message_id: Some(9),
            tag: "conversation-1".into(),
            unread: 3,
        }
    }

    #[test]
    fn short_bodies_are_untouched() {
        let json = render(&note("Hi Bob".into()), None);
        let back: Notification = serde_json::from_slice(&json).unwrap();
        assert_eq!(back, note("Hi Bob".into()));
    }

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary_to_fit() {
        // 4000 characters that each need several bytes (and escapes).
        for body in ["я".repeat(4000), "\"".repeat(4000), "😀".repeat(4000)] {
            let json = render(&note(body.clone()), None);
            assert!(json.len() <= MAX_PLAINTEXT, "{} bytes", json.len());
            let back: Notification = serde_json::from_slice(&json).unwrap();
            assert!(back.body.ends_with('…'));
            assert!(body.starts_with(back.body.trim_end_matches('…')));
        }
    }

    #[test]
    fn private_keeps_only_ids_and_a_path_here() {
        let mut external = note("the secret plan".into());
        external.url = "https://lab.example/r/7".into();
        let out = preview(external, PushPreview::Private);
        assert!(out.private && out.title.is_empty() && out.body.is_empty());
        assert_eq!((out.url.as_str(), out.message_id, out.unread), ("/", Some(9), 3));
        let sender = preview(note("the secret plan".into()), PushPreview::Sender);
        assert_eq!((sender.title.as_str(), sender.body.as_str()), ("alice", ""));
        assert_eq!(preview(note("hi".into()), PushPreview::Full), note("hi".into()));
    }

    #[test]
    fn shrinking_caps_the_body() {
        let json = render(&note("x".repeat(1000)), Some(SHRUNK_BODY_CHARS));
        let back: Notification = serde_json::from_slice(&json).unwrap();
        assert_eq!(back.body.chars().count(), SHRUNK_BODY_CHARS);
    }
}
