//! SQL for conversations and their members.

use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};

use super::messages::message_from_row;
use crate::auth::User;
use crate::auth::store::user_from_row;
use crate::chat::level::{EFFECTIVE_LEVEL_SQL, NotifyLevel};
use crate::chat::model::{Conversation, ConversationKind, Message, ReadPointer};
use crate::db::{Db, now_ms};
use crate::error::AppError;

/// `Some(is_member)` when the conversation exists.
pub async fn membership(db: &Db, conversation_id: i64, user_id: i64) -> Result<Option<bool>, AppError> {
    let row = sqlx::query(
        "SELECT c.id, mb.user_id FROM conversations c \
         LEFT JOIN members mb ON mb.conversation_id = c.id AND mb.user_id = $2 WHERE c.id = $1",
    )
    .bind(conversation_id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.try_get::<Option<i64>, _>("user_id").ok().flatten().is_some()))
}

/// The user ids of a conversation's members.
pub async fn member_ids<'c>(
    exec: impl Executor<'c, Database = Any>,
    conversation_id: i64,
) -> Result<Vec<i64>, AppError> {
    let rows = sqlx::query("SELECT user_id FROM members WHERE conversation_id = $1 ORDER BY user_id")
        .bind(conversation_id)
        .fetch_all(exec)
        .await?;
    Ok(rows.iter().map(|r| r.try_get("user_id")).collect::<Result<_, _>>()?)
}

/// Creates a conversation with its members in one transaction. For a direct
/// pair that already exists, returns `(existing id, false)`.
pub async fn create_conversation(
    db: &Db,
    kind: ConversationKind,
    title: Option<&str>,
    owner_id: i64,
    direct_key: Option<&str>,
    member_ids: &[i64],
) -> Result<(i64, bool), AppError> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO conversations (kind, title, owner_id, direct_key, created_at, last_activity_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (direct_key) DO NOTHING RETURNING id",
    )
    .bind(kind.as_str())
    .bind(title)
    .bind((kind == ConversationKind::Group).then_some(owner_id))
    .bind(direct_key)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = inserted else {
        drop(tx);
        let row = sqlx::query("SELECT id FROM conversations WHERE direct_key = $1")
            .bind(direct_key)
            .fetch_one(db.pool())
            .await?;
        return Ok((row.try_get("id")?, false));
    };
    let id: i64 = row.try_get("id")?;
    for user_id in member_ids {
        sqlx::query("INSERT INTO members (conversation_id, user_id, joined_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok((id, true))
}

/// The caller's conversations, most recent activity first.
pub async fn list_for_user(db: &Db, user_id: i64) -> Result<Vec<Conversation>, AppError> {
    load_conversations(db, user_id, None).await
}

/// One conversation as `user_id` sees it (caller checked membership).
pub async fn get_for_user(db: &Db, user_id: i64, conversation_id: i64) -> Result<Conversation, AppError> {
    load_conversations(db, user_id, Some(conversation_id))
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound("conversation".into()))
}

async fn load_conversations(db: &Db, user_id: i64, only: Option<i64>) -> Result<Vec<Conversation>, AppError> {
    let sql = format!(
        "SELECT c.id, c.kind, c.title, c.owner_id, c.created_at, c.last_activity_at, mb.last_read_id, \
           mb.notify_level AS chosen_level, {EFFECTIVE_LEVEL_SQL} AS notify_level, \
           (SELECT COUNT(*) FROM messages x WHERE x.conversation_id = c.id AND x.id > mb.last_read_id AND x.author_id <> $1) AS unread, \
           (SELECT COUNT(*) FROM mentions mn WHERE mn.user_id = $1 AND mn.conversation_id = c.id \
              AND mn.message_id > mb.last_read_id) AS unread_mentions \
         FROM members mb JOIN conversations c ON c.id = mb.conversation_id \
         WHERE mb.user_id = $1 AND ($2 = 0 OR c.id = $2) \
         ORDER BY c.last_activity_at DESC, c.id DESC"
    );
    // Only fixed text went into `sql`.
    let rows = sqlx::query(AssertSqlSafe(sql))
    .bind(user_id)
    .bind(only.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let members = sqlx::query(
        "SELECT mm.conversation_id, mm.last_read_id, u.id, u.username, u.is_bot FROM members mm JOIN users u ON u.id = mm.user_id \
         WHERE mm.conversation_id IN (SELECT conversation_id FROM members WHERE user_id = $1) \
         AND ($2 = 0 OR mm.conversation_id = $2) ORDER BY u.username",
    )
    .bind(user_id)
    .bind(only.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    let last = sqlx::query(select_messages!(
        "JOIN conversations c ON c.id = m.conversation_id AND m.seq = c.last_seq \
         JOIN members mb ON mb.conversation_id = c.id WHERE mb.user_id = $1 AND ($2 = 0 OR c.id = $2)"
    ))
    .bind(user_id)
    .bind(only.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    let last: Vec<Message> = last.iter().map(message_from_row).collect::<Result<_, _>>()?;

    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let kind: String = row.try_get("kind")?;
        let mine: Vec<&AnyRow> =
            members.iter().filter(|m| m.try_get::<i64, _>("conversation_id").ok() == Some(id)).collect();
        let level = NotifyLevel::parse(&row.try_get::<String, _>("notify_level")?).unwrap_or_default();
        out.push(Conversation {
            id,
            kind: if kind == "group" { ConversationKind::Group } else { ConversationKind::Direct },
            title: row.try_get("title")?,
            owner_id: row.try_get("owner_id")?,
            members: mine
                .iter()
                .map(|m| user_from_row(m, "id", "username", "is_bot"))
                .collect::<Result<_, sqlx::Error>>()?,
            reads: mine
                .iter()
                .map(|m| Ok(ReadPointer { user_id: m.try_get("id")?, last_read_id: m.try_get("last_read_id")? }))
                .collect::<Result<_, sqlx::Error>>()?,
            created_at: row.try_get("created_at")?,
            last_activity_at: row.try_get("last_activity_at")?,
            last_message: last.iter().find(|m| m.conversation_id == id).cloned(),
            unread: row.try_get("unread")?,
            last_read_id: row.try_get("last_read_id")?,
            notify_level: level,
            notify_default: row.try_get::<Option<String>, _>("chosen_level")?.is_none(),
            unread_mentions: row.try_get("unread_mentions")?,
            muted: level == NotifyLevel::None,
        });
    }
    Ok(out)
}

/// A member's chosen notification level (`None`: the default).
pub async fn set_notify_level(
    db: &Db,
    conversation_id: i64,
    user_id: i64,
    level: Option<NotifyLevel>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE members SET notify_level = $3 WHERE conversation_id = $1 AND user_id = $2")
        .bind(conversation_id)
        .bind(user_id)
        .bind(level.map(NotifyLevel::as_str))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Adds a member; false if they already were one.
pub async fn add_member(db: &Db, conversation_id: i64, user_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO members (conversation_id, user_id, joined_at) VALUES ($1, $2, $3) \
         ON CONFLICT (conversation_id, user_id) DO NOTHING",
    )
    .bind(conversation_id)
    .bind(user_id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Removes a member; false if they were not one.
pub async fn remove_member(db: &Db, conversation_id: i64, user_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query("DELETE FROM members WHERE conversation_id = $1 AND user_id = $2")
        .bind(conversation_id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Everyone who shares a conversation with `user_id` (for presence).
pub async fn contacts(db: &Db, user_id: i64) -> Result<Vec<i64>, AppError> {
    let rows = sqlx::query(
        "SELECT DISTINCT o.user_id FROM members me JOIN members o ON o.conversation_id = me.conversation_id \
         WHERE me.user_id = $1 AND o.user_id <> $1",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(|r| r.try_get("user_id")).collect::<Result<_, _>>()?)
}

/// Resolves usernames to users; returns the names that do not exist as `Err`.
pub async fn users_by_name(db: &Db, names: &[String]) -> Result<Result<Vec<User>, Vec<String>>, AppError> {
    let mut found = Vec::with_capacity(names.len());
    let mut missing = Vec::new();
    for name in names {
        match crate::auth::store::find_user(db, name).await? {
            Some(user) => found.push(user),
            None => missing.push(name.clone()),
        }
    }
    Ok(if missing.is_empty() { Ok(found) } else { Err(missing) })
}

/// Of these bots, those `user_id` may not bring into a conversation (not
/// theirs, not public). The one query of chat into the bots' table: who
/// may talk to a bot is a rule of conversations.
pub async fn bots_not_open_to(db: &Db, user_id: i64, bot_ids: &[i64]) -> Result<Vec<i64>, AppError> {
    if bot_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT user_id FROM bots WHERE owner_id <> $1 AND public = 0 AND user_id IN ({}) ORDER BY user_id",
        crate::db::placeholders(2, bot_ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user_id);
    for id in bot_ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows.iter().map(|r| r.try_get("user_id")).collect::<Result<_, _>>()?)
}
