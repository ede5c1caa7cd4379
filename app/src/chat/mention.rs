//! `@username` mentions, shared by the server (which resolves them to
//! members when a message is stored) and the browser (which highlights
//! them and completes them in the composer).

use serde::{Deserialize, Serialize};

/// Mentions one message may carry: past that it is a broadcast, not a mention.
pub const MAX_MENTIONS: usize = 50;

/// A member a message mentions.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub user_id: i64,
    pub username: String,
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// Where `@name` tokens are, as byte ranges of `body` (the `@` included),
/// with the name lowercased. An `@` inside a word (`bob@example.com`) is
/// not one; a name's trailing `.` or `-` is punctuation (`@bob.`).
pub fn tokens(body: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'@' || (i > 0 && name_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        while end < bytes.len() && name_byte(bytes[end]) {
            end += 1;
        }
        while end > start + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        if end > start + 1 {
            out.push((start..end, body[start + 1..end].to_ascii_lowercase()));
        }
        i = end.max(start + 1);
    }
    out
}

/// The distinct names a body mentions, at most [`MAX_MENTIONS`].
pub fn names(body: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, name) in tokens(body) {
        if !names.contains(&name) && names.len() < MAX_MENTIONS {
            names.push(name);
        }
    }
    names
}

/// A piece of a message's text: plain, or a mention of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Mention { text: &'a str, user_id: i64 },
}

/// `body` cut into text and the mentions the server resolved (an `@name`
/// that is no member's stays text).
pub fn segments<'a>(body: &'a str, mentions: &[Mention]) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    let mut at = 0;
    for (range, name) in tokens(body) {
        let Some(mention) = mentions.iter().find(|m| m.username == name) else { continue };
        if range.start > at {
            out.push(Segment::Text(&body[at..range.start]));
        }
        out.push(Segment::Mention { text: &body[range.clone()], user_id: mention.user_id });
        at = range.end;
    }
    if at < body.len() {
        out.push(Segment::Text(&body[at..]));
    }
    out
}

/// The name being typed just before the caret (`caret` a byte offset), for
/// the composer's suggestions: `Some((start of the '@', partial name))`.
pub fn typing_at(text: &str, caret: usize) -> Option<(usize, String)> {
    let before = text.get(..caret)?;
    let at = before.rfind('@')?;
    let partial = &before[at + 1..];
    let starts_word = at == 0 || !name_byte(before.as_bytes()[at - 1]);
    (starts_word && partial.bytes().all(name_byte)).then(|| (at, partial.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_but_not_addresses_or_punctuation() {
        assert_eq!(names("hi @Bob and @carol.x, mail bob@example.com"), vec!["bob", "carol.x"]);
        assert_eq!(names("@bob. @bob! (@dave-)"), vec!["bob", "dave"]);
        assert!(names("@ alone, @@").is_empty());
        assert_eq!(names("@é@bob"), vec!["bob"], "after a non-ASCII letter an @ still starts a name");
    }

    #[test]
    fn caps_the_names_of_one_message() {
        let body: String = (0..80).map(|i| format!("@user{i} ")).collect();
        assert_eq!(names(&body).len(), MAX_MENTIONS);
    }

    #[test]
    fn segments_mark_only_resolved_members() {
        let bob = Mention { user_id: 2, username: "bob".into() };
        let got = segments("hey @Bob, ask @nobody", &[bob]);
        assert_eq!(
            got,
            vec![
                Segment::Text("hey "),
                Segment::Mention { text: "@Bob", user_id: 2 },
                Segment::Text(", ask @nobody"),
            ]
        );
    }

    #[test]
    fn the_partial_name_before_the_caret() {
        assert_eq!(typing_at("hi @bo", 6), Some((3, "bo".into())));
        assert_eq!(typing_at("@", 1), Some((0, String::new())));
        assert_eq!(typing_at("hi @bob there", 13), None, "a space ended it");
        assert_eq!(typing_at("me@ex", 5), None, "inside a word");
    }
}
