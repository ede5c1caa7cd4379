//! Reading a conversation (server only): the read pointer, the `read`
//! frame, and what reading sets off elsewhere (`fanout::ReadStep`).

use super::access::require_member;
use super::service::Chat;
use super::store;
use crate::auth::User;
use crate::error::AppError;
use crate::live::frames::ServerFrame;

impl Chat {
    /// Moves the caller's read pointer forward and tells their other devices
    /// and the other members. `by_token`: the session (or token) reading,
    /// whose own device is not sent a dismissal.
    pub async fn mark_read(
        &self,
        me: &User,
        conversation_id: i64,
        message_id: i64,
        by_token: Option<i64>,
    ) -> Result<(), AppError> {
        require_member(&self.db, conversation_id, me.id).await?;
        if let Some(pointer) = store::advance_read(&self.db, conversation_id, me.id, message_id).await? {
            let members = self.members.get(&self.db, conversation_id).await?.to_vec();
            let frame = ServerFrame::Read { conversation_id, user_id: me.id, message_id: pointer };
            self.publish(members, None, None, &frame).await;
            for step in self.read_steps.iter() {
                step.on_read(me.id, conversation_id, by_token).await;
            }
        }
        Ok(())
    }
}
