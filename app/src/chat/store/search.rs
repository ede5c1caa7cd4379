//! Full-text search over the messages a person can read: SQLite's FTS5
//! index (`messages_fts`) or PostgreSQL's `search` tsvector, both kept by
//! the database itself (triggers, a generated column) and both leaving out
//! deleted messages and replies still streaming.

use sqlx::{AssertSqlSafe, Row};

use crate::chat::search::{MARK_END, MARK_START, SearchHit, fts5_query, tsquery, unmark};
use crate::db::{Backend, Db};
use crate::error::AppError;

/// `user_id`'s messages matching `words`, newest first, optionally in one
/// conversation and before a message id.
pub async fn search(
    db: &Db,
    user_id: i64,
    words: &[String],
    conversation_id: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<SearchHit>, AppError> {
    let (from, matched, snippet, query, id) = match db.backend() {
        Backend::Sqlite => (
            "messages_fts JOIN messages m ON m.id = messages_fts.rowid",
            "messages_fts MATCH $2",
            "snippet(messages_fts, 0, $3, $4, '…', 16)",
            fts5_query(words),
            // FTS5 then walks its index newest first and stops at the limit.
            "messages_fts.rowid",
        ),
        Backend::Postgres => (
            "messages m",
            "m.search @@ to_tsquery('simple', $2)",
            "ts_headline('simple', m.body, to_tsquery('simple', $2), \
             'StartSel=' || $3 || ', StopSel=' || $4 || ', MaxWords=24, MinWords=10, ShortWord=1')",
            tsquery(words),
            "m.id",
        ),
    };
    // Numbered as bound: $1–$5 always, then the optional filters.
    let mut filters = String::new();
    let mut next = 6;
    let before_column = format!("{id} <");
    for (value, column) in [(conversation_id, "m.conversation_id ="), (before, before_column.as_str())] {
        if value.is_some() {
            filters.push_str(&format!(" AND {column} ${next}"));
            next += 1;
        }
    }
    // Only the fixed fragments above went into the statement.
    let sql = format!(
        "SELECT m.id, m.conversation_id, m.seq, u.username, m.created_at, {snippet} AS snippet \
         FROM {from} JOIN members me ON me.conversation_id = m.conversation_id AND me.user_id = $1 \
         JOIN users u ON u.id = m.author_id \
         WHERE {matched}{filters} ORDER BY {id} DESC LIMIT $5"
    );
    let mut statement = sqlx::query(AssertSqlSafe(sql))
        .bind(user_id)
        .bind(query)
        .bind(MARK_START.to_string())
        .bind(MARK_END.to_string())
        .bind(limit);
    for value in [conversation_id, before].into_iter().flatten() {
        statement = statement.bind(value);
    }
    let rows = statement.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            let (snippet, highlights) = unmark(&r.try_get::<String, _>("snippet")?);
            Ok(SearchHit {
                message_id: r.try_get("id")?,
                conversation_id: r.try_get("conversation_id")?,
                seq: r.try_get("seq")?,
                author: r.try_get("username")?,
                created_at: r.try_get("created_at")?,
                snippet,
                highlights,
            })
        })
        .collect()
}
