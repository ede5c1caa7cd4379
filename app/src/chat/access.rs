//! The one place that decides who may read or write a conversation. REST
//! handlers, server functions and WebSocket frames all go through it.

use super::store;
use crate::auth::User;
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

/// Who may bring bots into a conversation: a bot's owner, or anyone if its
/// owner made it public. 403 naming the first bot `me` may not bring. A bot
/// itself starts no conversations: people start them with it.
pub async fn require_bots_allowed(db: &Db, me: &User, others: &[User]) -> Result<(), AppError> {
    if me.is_bot {
        return Err(AppError::Forbidden("a bot cannot start conversations or add members".into()));
    }
    let bots: Vec<i64> = others.iter().filter(|u| u.is_bot).map(|u| u.id).collect();
    if let Some(id) = store::bots_not_open_to(db, me.id, &bots).await?.first() {
        let name = others.iter().find(|u| u.id == *id).map(|u| u.username.as_str()).unwrap_or("this bot");
        return Err(AppError::Forbidden(format!("{name} is a private bot: only its owner can talk to it")));
    }
    Ok(())
}

/// No pulling strangers into groups: each person `me` puts in a group must
/// already share a conversation with them (write to them first). A bot that
/// `require_bots_allowed` let through is no stranger. 403 naming the first.
pub async fn require_contacts(db: &Db, me: &User, others: &[User]) -> Result<(), AppError> {
    let people: Vec<&User> = others.iter().filter(|u| !u.is_bot).collect();
    if people.is_empty() {
        return Ok(());
    }
    let contacts = store::contacts(db, me.id).await?;
    match people.iter().find(|u| !contacts.contains(&u.id)) {
        Some(stranger) => Err(AppError::NotAllowed(format!(
            "you can add {} to a group once you share a conversation with them; write to them first",
            stranger.username
        ))),
        None => Ok(()),
    }
}
