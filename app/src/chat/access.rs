//! The one place that decides who may read or write a conversation. REST
//! handlers, server functions and WebSocket frames all go through it.

use super::store;
use crate::db::Db;
use crate::error::AppError;

/// Ok when `user_id` is a member; 404 for an unknown conversation, 403 for
/// a conversation the user is not in.
pub async fn require_member(db: &Db, conversation_id: i64, user_id: i64) -> Result<(), AppError> {
    match store::membership(db, conversation_id, user_id).await? {
        None => Err(AppError::NotFound("conversation".into())),
        Some(false) => Err(AppError::Forbidden("you are not a member of this conversation".into())),
        Some(true) => Ok(()),
    }
}

/// The same rule, for callers that already hold the member list (the send
/// path reads it inside its transaction anyway).
pub fn require_in(members: &[i64], user_id: i64) -> Result<(), AppError> {
    if members.contains(&user_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden("you are not a member of this conversation".into()))
    }
}
