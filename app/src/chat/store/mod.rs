//! SQL for the chat domain (server only). Portable across SQLite and
//! PostgreSQL; callers check access first (see `access`).

// Defined before the modules that use it (macros are textual).
/// `SELECT <message columns> FROM messages m JOIN users u … <rest>` as a static string.
macro_rules! select_messages {
    ($rest:literal) => {
        concat!(
            "SELECT m.id, m.conversation_id, m.seq, m.author_id, u.username AS author_username, u.is_bot AS author_is_bot, ",
            "m.client_id, m.body, m.created_at, m.streaming, m.deltas, m.edited_at, m.deleted_at, m.rev, m.reactions, m.mentions, ",
            "rm.id AS reply_id, ru.username AS reply_author, rm.body AS reply_body, rm.deleted_at AS reply_deleted_at ",
            "FROM messages m JOIN users u ON u.id = m.author_id ",
            "LEFT JOIN messages rm ON rm.id = m.reply_to_id LEFT JOIN users ru ON ru.id = rm.author_id ",
            $rest
        )
    };
}

mod batch;
mod conversations;
mod edits;
mod mentions;
mod messages;
mod reactions;
mod scheduled;
mod search;
mod streams;

pub use batch::*;
pub use conversations::*;
pub use edits::*;
pub use mentions::*;
pub use messages::*;
pub use reactions::*;
pub use scheduled::*;
pub use search::*;
pub use streams::*;
