//! Streamed replies (server only): an agent starts a draft that members see
//! at once, appends to it piece by piece (each append a `message_delta`
//! frame), and finishes it. What a message sets off (pushes, webhooks)
//! runs at the finish with the final text, so a member who is away gets
//! one push with the whole reply, not one per token.

use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::fanout::StoredMessage;
use super::mention;
use super::model::{BODY_MAX_CHARS, Message, STREAM_MAX_CHARS, STREAM_TIMEOUT_MS, validate_stream_body};
use super::service::{Chat, Outgoing, Sent};
use super::store;
use crate::auth::User;
use crate::error::AppError;
use crate::live::cluster::publish_stream_frame;
use crate::live::frames::ServerFrame;
use crate::live::hub::StreamStep;

/// How often open drafts are checked against the timeout.
const SWEEP: Duration = Duration::from_secs(1);
/// Drafts finished per sweep at most (the next sweep takes the rest).
const SWEEP_BATCH: i64 = 100;

/// What an append came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Appended {
    /// The message appended to.
    pub id: i64,
    /// This append's number (the `seq` of its `message_delta` frame).
    pub seq: i64,
    /// A retry of an append already stored: nothing was added.
    pub duplicate: bool,
}

impl Chat {
    /// Starts a streamed reply: stored like a message (exactly once per
    /// client id), with `body` possibly empty, and shown growing.
    pub async fn start_stream(
        &self,
        me: &User,
        conversation_id: i64,
        client_id: &str,
        body: &str,
    ) -> Result<(Message, Sent), AppError> {
        self.post(me, conversation_id, Outgoing { client_id, body, reply_to: None, streaming: true }).await
    }

    /// Appends `text` to a draft of `me`'s. `expected`, if given, is the
    /// number this append should get: a retry of one already stored is
    /// answered without adding it twice.
    pub async fn append(
        &self,
        me: &User,
        message_id: i64,
        text: &str,
        expected: Option<i64>,
    ) -> Result<Appended, AppError> {
        if text.is_empty() {
            return Err(AppError::invalid("empty_delta", "an append needs some text"));
        }
        if text.chars().count() > BODY_MAX_CHARS {
            return Err(AppError::invalid(
                "delta_too_long",
                format!("one append has at most {BODY_MAX_CHARS} characters"),
            ));
        }
        super::model::validate_no_nul(text)?;
        if expected.is_some_and(|n| n < 1) {
            return Err(AppError::invalid("invalid_seq", "seq counts from 1"));
        }
        self.limits.append.check(&me.id)?;
        let mut tx = self.db.begin_write().await?;
        let appended =
            store::append(&mut tx, message_id, me.id, text, expected.unwrap_or(0), STREAM_MAX_CHARS as i64).await?;
        let Some((seq, conversation_id)) = appended else {
            drop(tx);
            return self.why_not_appended(me, message_id, text, expected).await;
        };
        tx.commit().await?;
        let members = self.members.get(&self.db, conversation_id).await?;
        let frame = ServerFrame::MessageDelta { id: message_id, conversation_id, seq, text: text.to_owned() };
        let step = StreamStep::Delta { conversation_id, message_id, seq };
        publish_stream_frame(&*self.broker, members.to_vec(), None, None, Some(step), &frame).await;
        metrics::counter!("tidings_stream_appends_total").increment(1);
        Ok(Appended { id: message_id, seq, duplicate: false })
    }

    /// The append was refused: says why, with the right status.
    async fn why_not_appended(
        &self,
        me: &User,
        message_id: i64,
        text: &str,
        expected: Option<i64>,
    ) -> Result<Appended, AppError> {
        let message = self.own_draft(me, message_id).await?;
        if !message.streaming {
            return Err(not_streaming());
        }
        if let Some(n) = expected {
            if n <= message.deltas {
                return Ok(Appended { id: message_id, seq: n, duplicate: true });
            }
            if n != message.deltas + 1 {
                return Err(AppError::conflict(
                    "out_of_order",
                    format!("the next append is number {}", message.deltas + 1),
                ));
            }
        }
        if message.body.chars().count() + text.chars().count() > STREAM_MAX_CHARS {
            return Err(AppError::invalid(
                "message_too_long",
                format!("a streamed message has at most {STREAM_MAX_CHARS} characters"),
            ));
        }
        // It changed between the two reads (finished meanwhile, say).
        Err(AppError::conflict("not_streaming", "the message changed; read it again"))
    }

    /// Finishes a draft of `me`'s, replacing its text with `body` if given.
    /// Finishing a finished message again is answered with it, unless the
    /// text would change.
    pub async fn finish(&self, me: &User, message_id: i64, body: Option<&str>) -> Result<Message, AppError> {
        if let Some(body) = body {
            validate_stream_body(body)?;
        }
        let message = self.own_draft(me, message_id).await?;
        if !message.streaming {
            return match body {
                Some(text) if text != message.body => Err(not_streaming()),
                _ => Ok(message),
            };
        }
        if body.unwrap_or(&message.body).trim().is_empty() {
            return Err(AppError::invalid("empty_message", "nothing was streamed: finish with a body"));
        }
        match self.close(message.conversation_id, message_id, body).await? {
            Some(done) => Ok(done),
            // Finished meanwhile (the timeout, or another retry).
            None => self.own_draft(me, message_id).await,
        }
    }

    /// A message `me` wrote, in a conversation `me` is still in.
    async fn own_draft(&self, me: &User, message_id: i64) -> Result<Message, AppError> {
        let message = self.visible_message(me, message_id).await?;
        if message.author.id != me.id {
            return Err(AppError::Forbidden("only its author may change a message".into()));
        }
        Ok(message)
    }

    /// Closes a draft, runs what the message sets off with the final text
    /// (one push to who is away), and tells the members. `None` if it was
    /// already closed.
    async fn close(
        &self,
        conversation_id: i64,
        message_id: i64,
        body: Option<&str>,
    ) -> Result<Option<Message>, AppError> {
        let members = self.members.get(&self.db, conversation_id).await?;
        let mut looking: Vec<i64> = self.presence.visible_among(&members).await.into_iter().collect();
        looking.sort_unstable();
        let mut tx = self.db.begin_write().await?;
        let Some(mut message) = store::finish(&mut tx, message_id, body).await? else {
            return Ok(None);
        };
        // Its mentions are those of the final text, and push at `mentions`.
        message.mentions = store::members_named(&mut *tx, conversation_id, &mention::names(&message.body)).await?;
        let (author, mentions) = (message.author.id, &message.mentions);
        store::replace_mentions(&mut tx, message_id, conversation_id, author, mentions).await?;
        let stored = StoredMessage { message: &message, members: &members, looking: &looking };
        self.fanout.run(&mut tx, std::slice::from_ref(&stored)).await?;
        tx.commit().await?;
        self.fanout.committed();
        let frame = ServerFrame::MessageFinished { message: message.clone() };
        let step = StreamStep::Finished { message_id };
        publish_stream_frame(&*self.broker, members.to_vec(), None, None, Some(step), &frame).await;
        metrics::counter!("tidings_stream_finished_total").increment(1);
        Ok(Some(message))
    }

    /// Finishes, as they stand, drafts open longer than the timeout.
    pub async fn finish_stale(&self) -> Result<usize, AppError> {
        let before = self.clock.now_ms() - STREAM_TIMEOUT_MS;
        let stale = store::stale_drafts(&self.db, before, SWEEP_BATCH).await?;
        let mut finished = 0;
        for (id, conversation_id) in stale {
            if self.close(conversation_id, id, None).await?.is_some() {
                metrics::counter!("tidings_stream_timeouts_total").increment(1);
                finished += 1;
            }
        }
        Ok(finished)
    }

    /// The current state of a message, for a socket that missed deltas.
    /// The socket was authorised when the delta was fanned out to it.
    pub async fn message_now(&self, message_id: i64) -> Result<Option<Message>, AppError> {
        store::message_by_id(&self.db, message_id).await
    }
}

fn not_streaming() -> AppError {
    AppError::conflict("not_streaming", "this message is finished")
}

/// Starts the timeout sweep on `tasks`; it stops with `stop`.
pub fn spawn(chat: Chat, tasks: &mut JoinSet<()>, stop: CancellationToken) {
    crate::ticker::spawn("stream timeout", SWEEP, tasks, stop, move || {
        let chat = chat.clone();
        async move { chat.finish_stale().await.map(|_| ()) }
    });
}
