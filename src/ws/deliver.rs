//! A socket's live deliveries: written in batches, each conversation's
//! messages in seq order with no duplicate (a jump is filled from the
//! database first), each streamed reply's deltas gapless (a socket that
//! would skip one gets the whole message instead).

use axum::extract::ws::Message as WsMessage;
use futures_util::{Sink, SinkExt};

use app::chat::Message;
use app::live::frames::ServerFrame;
use app::live::hub::Delivery;
use app::live::sequence::Admit;
use app::live::streams::Pass;

use super::session::{Session, written};

/// Queued deliveries written per flush (one syscall for a burst).
const BATCH: usize = 64;

impl Session {
    /// Writes `first` and whatever else is already queued (up to a batch),
    /// then flushes once.
    pub(super) async fn deliver_batch<S: Sink<WsMessage> + Unpin>(
        &mut self,
        socket: &mut S,
        first: Delivery,
        queue: &mut tokio::sync::mpsc::Receiver<Delivery>,
    ) -> Result<(), ()> {
        self.deliver(socket, first).await?;
        for _ in 1..BATCH {
            match queue.try_recv() {
                Ok(next) => self.deliver(socket, next).await?,
                Err(_) => break,
            }
        }
        written(socket.flush()).await
    }

    /// Queues a live delivery on the socket (unflushed), keeping each
    /// conversation in seq order with no duplicates: a seq jump is filled
    /// from the database first.
    async fn deliver<S: Sink<WsMessage> + Unpin>(&mut self, socket: &mut S, delivery: Delivery) -> Result<(), ()> {
        if let Some(step) = delivery.stream {
            match self.streams.admit(step) {
                Pass::Send => {}
                Pass::Drop => return Ok(()),
                Pass::Refill { message_id } => return self.refill(socket, message_id).await,
            }
        }
        let Some(reference) = delivery.message else {
            return written(socket.feed(WsMessage::Text(delivery.json))).await;
        };
        match self.order.admit(&self.state.chat, reference).await {
            Admit::Duplicate => return Ok(()),
            Admit::After(gap) => {
                for message in gap {
                    self.send_message(socket, message).await?;
                }
            }
        }
        written(socket.feed(WsMessage::Text(delivery.json))).await
    }

    /// Sends a whole message (a gap, a replay), noting where its stream stands.
    pub(super) async fn send_message<S: Sink<WsMessage> + Unpin>(
        &mut self,
        socket: &mut S,
        message: Message,
    ) -> Result<(), ()> {
        self.streams.saw(&message);
        self.send_frame(socket, &ServerFrame::Message { message }).await
    }

    /// This socket would skip deltas of a streamed reply: sends it whole.
    async fn refill<S: Sink<WsMessage> + Unpin>(&mut self, socket: &mut S, message_id: i64) -> Result<(), ()> {
        match self.state.chat.message_now(message_id).await {
            Ok(Some(message)) if message.streaming => self.send_message(socket, message).await,
            Ok(Some(message)) => {
                self.streams.saw(&message);
                self.send_frame(socket, &ServerFrame::MessageFinished { message }).await
            }
            Ok(None) => Ok(()),
            Err(err) => {
                // The client still has the text so far, and the finish brings the rest.
                tracing::warn!(%err, message_id, "cannot refill a streamed reply");
                Ok(())
            }
        }
    }
}
