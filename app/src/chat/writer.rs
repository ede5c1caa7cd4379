//! Group commit for new messages (server only). One writer task takes every
//! send waiting at that moment and stores them in one transaction: a burst
//! of sends costs one commit (one fsync on SQLite, one round of WAL flushing
//! on PostgreSQL) instead of one each, while each send still gets its own
//! result, its gapless `seq`, its exactly-once `client_id`, and is answered
//! only after the transaction that holds it has committed.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::fanout::{Fanout, StoredMessage};
use super::{Message, store};
use crate::auth::User;
use crate::db::{Db, now_ms};
use crate::error::AppError;

/// Sends taken into one transaction at most.
const BATCH: usize = 256;
/// Sends waiting for the writer at most; more wait for room.
const QUEUE: usize = 4096;

/// A message to store, checked and ready.
pub struct Draft {
    pub author: User,
    pub conversation_id: i64,
    pub client_id: String,
    pub body: String,
    pub members: Arc<[i64]>,
    pub looking: Vec<i64>,
}

/// What storing a draft came to.
pub enum Written {
    Created(Message),
    /// This author already sent this client id: the caller looks the original up.
    Duplicate,
}

type Reply = oneshot::Sender<Result<Written, AppError>>;

/// The handle `Chat` sends through. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<(Draft, Reply)>,
}

/// The writer's task, run by the server until it stops.
pub struct WriterTask {
    db: Db,
    fanout: Fanout,
    queue: mpsc::Receiver<(Draft, Reply)>,
}

impl Writer {
    pub fn new(db: Db, fanout: Fanout) -> (Self, WriterTask) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (Self { queue: tx }, WriterTask { db, fanout, queue: rx })
    }

    /// Stores `draft` with whatever else is waiting; answers once committed.
    pub async fn write(&self, draft: Draft) -> Result<Written, AppError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((draft, reply)).await.map_err(|_| AppError::Unavailable)?;
        answer.await.map_err(|_| AppError::Unavailable)?
    }
}

impl WriterTask {
    /// Writes batches until `stop`, then the sends already waiting, then ends.
    pub async fn run(mut self, stop: CancellationToken) {
        loop {
            let first = tokio::select! {
                next = self.queue.recv() => match next {
                    Some(next) => next,
                    None => break,
                },
                _ = stop.cancelled() => {
                    // Nothing new is taken; what is already queued is written.
                    self.queue.close();
                    match self.queue.recv().await {
                        Some(next) => next,
                        None => break,
                    }
                }
            };
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match self.queue.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            metrics::histogram!("tidings_send_batch_size").record(batch.len() as f64);
            self.write_batch(batch).await;
        }
        tracing::debug!("message writer stopped");
    }

    async fn write_batch(&self, batch: Vec<(Draft, Reply)>) {
        let (drafts, replies): (Vec<Draft>, Vec<Reply>) = batch.into_iter().unzip();
        match self.store_all(&drafts).await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
                self.fanout.committed();
            }
            Err(err) => {
                // Nothing of the batch is stored: each sender may try again.
                tracing::warn!(%err, sends = replies.len(), "a batch of messages could not be stored");
                for reply in replies {
                    let _ = reply.send(Err(AppError::Unavailable));
                }
            }
        }
    }

    /// One transaction for the batch; per-draft results, in order.
    async fn store_all(&self, drafts: &[Draft]) -> Result<Vec<Result<Written, AppError>>, AppError> {
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        let mut seen = HashSet::new();
        let mut results = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let key = (draft.author.id, draft.client_id.as_str());
            if !seen.insert(key)
                || store::find_by_client_id(&mut *tx, draft.author.id, &draft.client_id).await?.is_some()
            {
                results.push(Ok(Written::Duplicate));
                continue;
            }
            let Some(seq) = store::next_seq(&mut tx, draft.conversation_id, now).await? else {
                results.push(Err(AppError::NotFound("conversation".into())));
                continue;
            };
            let inserted = store::insert_message(
                &mut tx,
                draft.conversation_id,
                seq,
                draft.author.id,
                &draft.client_id,
                &draft.body,
                now,
            )
            .await?;
            let Some(id) = inserted else {
                // Another node stored it since we looked (PostgreSQL): give
                // the seq back; our lock on the conversation kept it ours.
                store::release_seq(&mut tx, draft.conversation_id).await?;
                results.push(Ok(Written::Duplicate));
                continue;
            };
            let message = Message {
                id,
                conversation_id: draft.conversation_id,
                seq,
                author: draft.author.clone(),
                client_id: draft.client_id.clone(),
                body: draft.body.clone(),
                created_at: now,
            };
            let stored = StoredMessage { message: &message, members: &draft.members, looking: &draft.looking };
            self.fanout.run(&mut tx, &stored).await?;
            results.push(Ok(Written::Created(message)));
        }
        tx.commit().await?;
        Ok(results)
    }
}
