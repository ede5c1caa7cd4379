//! Group commit for new messages (server only). One writer task takes every
//! send waiting at that moment and stores them in one transaction: a burst
//! of sends costs one commit (one fsync on SQLite, one round of WAL flushing
//! on PostgreSQL) instead of one each, while each send still gets its own
//! result, its gapless `seq`, its exactly-once `client_id`, and is answered
//! only after the transaction that holds it has committed, and after it has
//! gone live (in seq order).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::fanout::{Fanout, StoredMessage};
use super::model::{Mention, Message, ReplyTo};
use super::store;
use crate::auth::User;
use crate::db::{Db, now_ms};
use crate::error::AppError;
use crate::live::cluster::Broker;
use crate::live::frames::ServerFrame;
use crate::live::hub::{Delivery, Envelope, MessageRef, StreamStep};

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
    /// A streamed reply's start: what it sets off waits for its finish.
    pub streaming: bool,
    /// The message it answers, as quoted above it.
    pub reply_to: Option<ReplyTo>,
    /// The members it mentions, and the same as stored (JSON).
    pub mentions: Vec<Mention>,
    pub mentions_json: String,
}

impl Draft {
    fn row(&self, seq: i64, now: i64) -> store::NewMessage<'_> {
        store::NewMessage {
            conversation_id: self.conversation_id,
            seq,
            author_id: self.author.id,
            client_id: &self.client_id,
            body: &self.body,
            created_at: now,
            streaming: self.streaming,
            reply_to: self.reply_to.as_ref().map(|r| r.id),
            mentions: &self.mentions_json,
        }
    }
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
    /// Live delivery, in the order the messages were stored.
    broker: Arc<dyn Broker>,
    queue: mpsc::Receiver<(Draft, Reply)>,
}

impl Writer {
    pub fn new(db: Db, fanout: Fanout, broker: Arc<dyn Broker>) -> (Self, WriterTask) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (Self { queue: tx }, WriterTask { db, fanout, broker, queue: rx })
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
                // Live, in seq order: the senders' tasks would publish in
                // whatever order they wake, and every socket would see gaps.
                for (draft, result) in drafts.iter().zip(&results) {
                    if let Ok(Written::Created(message)) = result {
                        self.publish(draft, message).await;
                    }
                }
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

    /// One transaction for the batch; per-draft results, in order. The
    /// common path costs a handful of statements for the whole batch; if
    /// another node stored one of the same messages meanwhile (PostgreSQL),
    /// the batch is redone message by message.
    async fn store_all(&self, drafts: &[Draft]) -> Result<Vec<Result<Written, AppError>>, AppError> {
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        let mut results: Vec<Option<Result<Written, AppError>>> = (0..drafts.len()).map(|_| None).collect();
        // Repeats, in the batch or already stored, are duplicates.
        let pairs: Vec<(i64, &str)> = drafts.iter().map(|d| (d.author.id, d.client_id.as_str())).collect();
        let existing = store::existing_client_ids(&mut tx, &pairs).await?;
        let mut seen = HashSet::new();
        let mut fresh = Vec::new();
        for (i, draft) in drafts.iter().enumerate() {
            let key = (draft.author.id, draft.client_id.clone());
            if existing.contains(&key) || !seen.insert(key) {
                results[i] = Some(Ok(Written::Duplicate));
            } else {
                fresh.push(i);
            }
        }
        // A run of seqs per conversation, in the order its sends came. Rows
        // are locked in id order, so two nodes' writers cannot deadlock.
        let mut counted: HashMap<i64, i64> = HashMap::new();
        for &i in &fresh {
            *counted.entry(drafts[i].conversation_id).or_default() += 1;
        }
        let mut order: Vec<i64> = counted.keys().copied().collect();
        order.sort_unstable();
        let mut seqs = HashMap::new();
        for conversation in order {
            let first = store::reserve_seqs(&mut tx, conversation, counted[&conversation], now).await?;
            seqs.insert(conversation, first);
        }
        let mut rows = Vec::new();
        let mut messages = Vec::new();
        for &i in &fresh {
            let draft = &drafts[i];
            let Some(next) = seqs.get_mut(&draft.conversation_id).and_then(Option::as_mut) else {
                results[i] = Some(Err(AppError::NotFound("conversation".into())));
                continue;
            };
            let seq = *next;
            *next += 1;
            rows.push(draft.row(seq, now));
            messages.push((i, seq));
        }
        let stored = store::insert_messages(&mut tx, &rows).await?;
        if stored.len() < rows.len() {
            drop(tx);
            return self.store_one_by_one(drafts).await;
        }
        let ids: HashMap<(i64, &str), i64> = stored.iter().map(|(a, c, id)| ((*a, c.as_str()), *id)).collect();
        let mut created = Vec::new();
        for (i, seq) in messages {
            let draft = &drafts[i];
            let id = ids[&(draft.author.id, draft.client_id.as_str())];
            store::insert_mentions(&mut tx, id, draft.conversation_id, draft.author.id, &draft.mentions).await?;
            created.push((i, message(draft, id, seq, now)));
        }
        let batch: Vec<StoredMessage> = created
            .iter()
            .filter(|(_, m)| !m.streaming)
            .map(|(i, m)| StoredMessage { message: m, members: &drafts[*i].members, looking: &drafts[*i].looking })
            .collect();
        self.fanout.run(&mut tx, &batch).await?;
        drop(batch);
        tx.commit().await?;
        for (i, m) in created {
            results[i] = Some(Ok(Written::Created(m)));
        }
        Ok(results.into_iter().map(|r| r.expect("every draft has a result")).collect())
    }

    /// The slow path: each message on its own, a seq given back when another
    /// node stored the message first.
    async fn store_one_by_one(&self, drafts: &[Draft]) -> Result<Vec<Result<Written, AppError>>, AppError> {
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
            let inserted = store::insert_message(&mut tx, &draft.row(seq, now)).await?;
            let Some(id) = inserted else {
                // Our lock on the conversation kept the seq ours: give it back.
                store::release_seq(&mut tx, draft.conversation_id).await?;
                results.push(Ok(Written::Duplicate));
                continue;
            };
            store::insert_mentions(&mut tx, id, draft.conversation_id, draft.author.id, &draft.mentions).await?;
            let message = message(draft, id, seq, now);
            if !message.streaming {
                let stored = StoredMessage { message: &message, members: &draft.members, looking: &draft.looking };
                self.fanout.run(&mut tx, std::slice::from_ref(&stored)).await?;
            }
            results.push(Ok(Written::Created(message)));
        }
        tx.commit().await?;
        Ok(results)
    }
}

impl WriterTask {
    async fn publish(&self, draft: &Draft, message: &Message) {
        let frame = ServerFrame::Message { message: message.clone() };
        let Ok(json) = serde_json::to_string(&frame) else { return };
        let reference = MessageRef { conversation_id: message.conversation_id, seq: message.seq, id: message.id };
        let stream = message.streaming.then_some(StreamStep::Started { message_id: message.id, deltas: 0 });
        let delivery = Delivery { message: Some(reference), stream, json: json.into() };
        self.broker.publish(Envelope { recipients: draft.members.to_vec(), except_user: None, delivery }).await;
    }
}

fn message(draft: &Draft, id: i64, seq: i64, now: i64) -> Message {
    Message {
        id,
        conversation_id: draft.conversation_id,
        seq,
        author: draft.author.clone(),
        client_id: draft.client_id.clone(),
        body: draft.body.clone(),
        created_at: now,
        streaming: draft.streaming,
        deltas: 0,
        edited_at: None,
        deleted: false,
        rev: 0,
        reactions: Vec::new(),
        reply_to: draft.reply_to.clone(),
        mentions: draft.mentions.clone(),
    }
}
