//! SQL for Web Push (server only): subscriptions, the delivery queue, and
//! what a push says. Callers use `store::…`; the split is by concern.

mod context;
mod jobs;
mod keys;
mod shown;
mod subscriptions;

pub use context::*;
pub use jobs::*;
pub use keys::*;
pub use shown::*;
pub use subscriptions::*;
