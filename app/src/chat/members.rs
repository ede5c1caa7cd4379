//! Who is in a group (server only): adding and removing members, each
//! member's notification level, and
//! what a change of members sets off elsewhere (`fanout::MemberStep`).

use super::access::{require_bots_allowed, require_contacts, require_member};
use super::level::NotifyLevel;
use super::model::{Conversation, ConversationKind, GROUP_MAX_MEMBERS};
use super::service::Chat;
use super::store;
use crate::auth::User;
use crate::error::AppError;

impl Chat {
    /// Sets my notification level for a conversation I am in (`None`: its default).
    pub async fn set_notify_level(
        &self,
        me: &User,
        conversation_id: i64,
        level: Option<NotifyLevel>,
    ) -> Result<(), AppError> {
        require_member(&self.db, conversation_id, me.id).await?;
        store::set_notify_level(&self.db, conversation_id, me.id, level).await
    }

    /// Adds someone to a group (owner only).
    pub async fn add_member(&self, me: &User, conversation_id: i64, username: &str) -> Result<Conversation, AppError> {
        let conversation = self.get(me, conversation_id).await?;
        self.require_owner(me, &conversation)?;
        if conversation.members.len() >= GROUP_MAX_MEMBERS {
            return Err(AppError::invalid(
                "too_many_members",
                format!("a group has at most {GROUP_MAX_MEMBERS} members"),
            ));
        }
        let user = store::users_by_name(&self.db, &[username.to_owned()])
            .await?
            .map_err(|_| AppError::invalid("unknown_user", format!("no such user: {username}")))?
            .pop()
            .ok_or_else(|| AppError::invalid("unknown_user", format!("no such user: {username}")))?;
        require_bots_allowed(&self.db, me, std::slice::from_ref(&user)).await?;
        require_contacts(&self.db, me, std::slice::from_ref(&user)).await?;
        store::add_member(&self.db, conversation_id, user.id).await?;
        self.members.invalidate(conversation_id);
        self.broker.members_changed(conversation_id).await;
        self.members_changed(conversation_id, std::slice::from_ref(&user), &[], false).await;
        store::get_for_user(&self.db, me.id, conversation_id).await
    }

    /// Removes someone from a group: the owner removes anyone else; anyone may leave.
    pub async fn remove_member(&self, me: &User, conversation_id: i64, username: &str) -> Result<(), AppError> {
        let conversation = self.get(me, conversation_id).await?;
        let target = conversation
            .members
            .iter()
            .find(|m| m.username == username)
            .ok_or_else(|| AppError::NotFound("member".into()))?;
        if conversation.kind == ConversationKind::Direct {
            return Err(AppError::invalid("direct_conversation", "a direct conversation always has its two people"));
        }
        if target.id == me.id {
            if conversation.owner_id == Some(me.id) {
                return Err(AppError::invalid("owner_cannot_leave", "the owner cannot leave their group"));
            }
        } else {
            self.require_owner(me, &conversation)?;
        }
        let target = target.clone();
        store::remove_member(&self.db, conversation_id, target.id).await?;
        self.members.invalidate(conversation_id);
        self.broker.members_changed(conversation_id).await;
        self.members_changed(conversation_id, &[], std::slice::from_ref(&target), false).await;
        Ok(())
    }

    pub(super) async fn members_changed(&self, conversation_id: i64, added: &[User], removed: &[User], created: bool) {
        for step in self.member_steps.iter() {
            step.on_members(conversation_id, added, removed, created).await;
        }
    }

    fn require_owner(&self, me: &User, conversation: &Conversation) -> Result<(), AppError> {
        if conversation.kind != ConversationKind::Group || conversation.owner_id != Some(me.id) {
            return Err(AppError::Forbidden("only the group's owner can change its members".into()));
        }
        Ok(())
    }
}
