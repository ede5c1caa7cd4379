//! Incoming webhooks (server only): the owner makes a secret URL for one
//! of the bot's conversations; anything that can POST (a CI job, a cron
//! script) then writes there as the bot, without a token. A `client_id`
//! makes a retry post nothing new.

use std::net::IpAddr;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::model::{Hook, HookPost, NewHook};
use super::service::Bots;
use super::store;
use crate::auth::service::Session;
use crate::chat::Message;
use crate::chat::service::Sent;
use crate::error::{AppError, internal};

/// A hook's `client_id` at most, in characters.
pub const HOOK_CLIENT_ID_MAX: usize = 200;

impl Bots {
    /// A new hook into a conversation that the owner and the bot are both in.
    pub async fn create_hook(&self, session: &Session, bot_id: i64, new: &NewHook) -> Result<Hook, AppError> {
        let bot = self.get(session, bot_id).await?;
        let conversation = self.chat.get(&session.user, new.conversation_id).await?;
        if !conversation.members.iter().any(|m| m.id == bot.id) {
            return Err(AppError::invalid("bot_not_member", format!("add {} to the conversation first", bot.username)));
        }
        let secret = hook_secret()?;
        let (id, created_at) = store::insert_hook(&self.db, bot.id, conversation.id, &secret).await?;
        Ok(Hook {
            id,
            bot_id: bot.id,
            conversation_id: conversation.id,
            url: Some(format!("{}/api/v1/hooks/{secret}", self.public_url.trim_end_matches('/'))),
            created_at,
            last_used_at: None,
        })
    }

    pub async fn hooks(&self, session: &Session, bot_id: i64) -> Result<Vec<Hook>, AppError> {
        self.get(session, bot_id).await?;
        store::hooks_of(&self.db, bot_id).await
    }

    pub async fn revoke_hook(&self, session: &Session, bot_id: i64, hook_id: i64) -> Result<(), AppError> {
        self.get(session, bot_id).await?;
        if !store::delete_hook(&self.db, bot_id, hook_id).await? {
            return Err(AppError::NotFound("hook".into()));
        }
        Ok(())
    }

    /// Posts as the hook's bot. Unknown secrets count against the caller's
    /// address (no guessing), a known one against the hook's own limit.
    pub async fn post_via_hook(&self, ip: IpAddr, secret: &str, post: &HookPost) -> Result<(Message, Sent), AppError> {
        let found = if secret.len() <= 128 { store::hook_by_secret(&self.db, secret).await? } else { None };
        let Some(hook) = found else {
            self.limits.auth.check(&ip)?;
            return Err(AppError::NotFound("hook".into()));
        };
        self.limits.hooks.check(&hook.id)?;
        let body = post.body.as_deref().or(post.text.as_deref()).unwrap_or_default();
        let client_id = match post.client_id.as_deref() {
            Some(given) if given.is_empty() || given.chars().count() > HOOK_CLIENT_ID_MAX => {
                return Err(AppError::invalid(
                    "invalid_client_id",
                    format!("client_id has 1–{HOOK_CLIENT_ID_MAX} characters"),
                ));
            }
            Some(given) => derived_client_id(hook.id, given),
            None => uuid::Uuid::new_v4().to_string(),
        };
        let sent = self.chat.send(&hook.bot, hook.conversation_id, &client_id, body).await?;
        store::hook_used(&self.db, hook.id).await?;
        Ok(sent)
    }
}

/// The message's client id for a hook's `client_id`: a UUID made from both,
/// so the same `client_id` through the same hook is the same message.
fn derived_client_id(hook_id: i64, given: &str) -> String {
    let digest = Sha256::digest(format!("{hook_id}:{given}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

/// `hook_` and 32 random bytes.
fn hook_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(internal)?;
    Ok(format!("hook_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_id_maps_to_one_uuid_per_hook() {
        let a = derived_client_id(1, "build-42");
        assert_eq!(a, derived_client_id(1, "build-42"));
        assert_ne!(a, derived_client_id(2, "build-42"));
        assert_ne!(a, derived_client_id(1, "build-43"));
        assert!(uuid::Uuid::parse_str(&a).is_ok());
    }
}
