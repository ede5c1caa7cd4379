//! Searching the messages I can read: what a query means (its words, the
//! last one a prefix, as people type), and how a found message is shown
//! (a snippet with its matches marked). The SQL is `store::search`.

use serde::{Deserialize, Serialize};

/// One message found.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub message_id: i64,
    pub conversation_id: i64,
    pub seq: i64,
    /// The author's username.
    pub author: String,
    pub created_at: i64,
    /// Plain text around the matches.
    pub snippet: String,
    /// The matches in `snippet`, as `[start, end)` in characters (code points).
    pub highlights: Vec<[usize; 2]>,
}

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words of a query that count; the rest are ignored.
pub const MAX_WORDS: usize = 8;
/// Results per page by default, and at most.
pub const SEARCH_DEFAULT: i64 = 20;
pub const SEARCH_MAX: i64 = 50;

/// Around a match in a snippet, from the database: characters nobody types
/// (Unicode private use), taken out again by [`unmark`].
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

/// A query's words: runs of letters and digits, lower-cased, at most
/// [`MAX_WORDS`]. Anything else in the query only separates them, so no
/// query syntax of either database can be injected.
#[cfg(feature = "ssr")]
pub fn words(query: &str) -> Result<Vec<String>, crate::error::AppError> {
    use crate::error::AppError;
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid("query_too_long", format!("a search has at most {MAX_QUERY_CHARS} characters")));
    }
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(MAX_WORDS)
        .collect();
    if words.is_empty() {
        return Err(AppError::invalid("empty_query", "search for at least one word (letters or digits)"));
    }
    Ok(words)
}

/// SQLite FTS5: every word, the last one also as a prefix (`"w1" "w2"*`).
pub fn fts5_query(words: &[String]) -> String {
    let last = words.len().saturating_sub(1);
    words.iter().enumerate().map(|(i, w)| if i == last { format!("\"{w}\"*") } else { format!("\"{w}\"") }).collect::<Vec<_>>().join(" ")
}

/// PostgreSQL `to_tsquery`: every word, the last one also as a prefix (`w1 & w2:*`).
pub fn tsquery(words: &[String]) -> String {
    let last = words.len().saturating_sub(1);
    words.iter().enumerate().map(|(i, w)| if i == last { format!("{w}:*") } else { w.clone() }).collect::<Vec<_>>().join(" & ")
}

/// A marked snippet as plain text and the character ranges that were marked.
pub fn unmark(marked: &str) -> (String, Vec<[usize; 2]>) {
    let mut text = String::with_capacity(marked.len());
    let mut highlights = Vec::new();
    let (mut at, mut start) = (0, None);
    for c in marked.chars() {
        match c {
            MARK_START => start = Some(at),
            MARK_END => {
                if let Some(s) = start.take().filter(|s| *s < at) {
                    highlights.push([s, at]);
                }
            }
            _ => {
                text.push(c);
                at += 1;
            }
        }
    }
    (text, highlights)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_its_words_and_nothing_else() {
        assert_eq!(words("Trip: \"Lisbon\" OR *fish* NEAR(x)").unwrap(), ["trip", "lisbon", "or", "fish", "near", "x"]);
        assert_eq!(words("café 2026").unwrap(), ["café", "2026"]);
        assert_eq!(words(&"w ".repeat(20)).unwrap().len(), MAX_WORDS);
        assert_eq!(words(" ?!* ").unwrap_err().code(), "empty_query");
        assert_eq!(words(&"x".repeat(MAX_QUERY_CHARS + 1)).unwrap_err().code(), "query_too_long");
    }

    #[test]
    fn the_last_word_is_a_prefix_in_both_dialects() {
        let w = vec!["fresh".to_owned(), "fi".to_owned()];
        assert_eq!(fts5_query(&w), "\"fresh\" \"fi\"*");
        assert_eq!(tsquery(&w), "fresh & fi:*");
    }

    #[test]
    fn marks_become_character_ranges() {
        let marked = format!("…the {MARK_START}café{MARK_END} on {MARK_START}Rua{MARK_END} Augusta");
        let (text, highlights) = unmark(&marked);
        assert_eq!(text, "…the café on Rua Augusta");
        assert_eq!(highlights, vec![[5, 9], [13, 16]]);
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[5..9].iter().collect::<String>(), "café");
    }
}
