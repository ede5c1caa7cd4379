//! A socket's `resume`: replaying what the client missed in each
//! conversation it names, in order, with no duplicate.

use std::collections::HashMap;

use axum::extract::ws::Message as WsMessage;
use futures_util::Sink;

use app::chat::edit::{CHANGES_PAGE, change_frame};
use app::error::AppError;
use app::live::frames::{MAX_RESUME_KEYS, ServerFrame};

use super::session::{Session, app_error_frame, error_frame};

enum Replay {
    App(AppError),
    Socket,
}

impl Session {
    /// Replays what the client missed in each listed conversation, in order.
    pub(super) async fn resume<S: Sink<WsMessage> + Unpin>(
        &mut self,
        socket: &mut S,
        after: HashMap<String, i64>,
        revs: HashMap<String, i64>,
    ) -> Result<(), ()> {
        if after.len() > MAX_RESUME_KEYS {
            let message = format!("resume names at most {MAX_RESUME_KEYS} conversations");
            return self.send_frame(socket, &error_frame("too_many_keys", &message, None)).await;
        }
        let mut resumed = Vec::new();
        for (key, after_id) in after {
            let Ok(conversation_id) = key.parse::<i64>() else {
                self.send_frame(socket, &error_frame("bad_frame", "resume keys are conversation ids", None)).await?;
                continue;
            };
            let rev = revs.get(&key).copied();
            match self.replay(socket, conversation_id, after_id, rev).await {
                Ok(()) => resumed.push(conversation_id),
                Err(Replay::App(err)) => self.send_frame(socket, &app_error_frame(&err, None)).await?,
                Err(Replay::Socket) => return Err(()),
            }
        }
        resumed.sort_unstable();
        self.send_frame(socket, &ServerFrame::Resumed { conversations: resumed }).await
    }

    async fn replay<S: Sink<WsMessage> + Unpin>(
        &mut self,
        socket: &mut S,
        conversation_id: i64,
        after_id: i64,
        rev: Option<i64>,
    ) -> Result<(), Replay> {
        let chat = self.state.chat.clone();
        self.order.resume_from(&chat, &self.user, conversation_id, after_id).await.map_err(Replay::App)?;
        let mut cursor = Some(after_id);
        while let Some(after) = cursor {
            let (page, next) =
                self.order.replay_page(&chat, &self.user, conversation_id, after).await.map_err(Replay::App)?;
            for message in page {
                self.send_message(socket, message).await.map_err(|_| Replay::Socket)?;
            }
            cursor = next;
        }
        // Then the edits and deletions of what the client already holds.
        let mut since = rev;
        while let Some(after_rev) = since {
            let changes =
                chat.changed_since(&self.user, conversation_id, after_rev, after_id).await.map_err(Replay::App)?;
            since = match changes.last() {
                Some(last) if changes.len() as i64 == CHANGES_PAGE => Some(last.rev),
                _ => None,
            };
            for message in changes {
                self.send_frame(socket, &change_frame(message)).await.map_err(|_| Replay::Socket)?;
            }
        }
        Ok(())
    }
}
