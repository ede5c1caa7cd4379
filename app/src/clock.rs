//! The time as the scheduler sees it (server only). Production reads the
//! system clock; tests hold a manual one and move it, so "tomorrow at 8:00"
//! and a DST change are tested without waiting for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone, Default, Debug)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that stands at `now_ms` until moved.
    pub fn manual(now_ms: i64) -> Self {
        Self(Some(Arc::new(AtomicI64::new(now_ms))))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Some(manual) => manual.load(Ordering::SeqCst),
            None => crate::db::now_ms(),
        }
    }

    /// Moves a manual clock on (a system clock ignores this).
    pub fn advance(&self, ms: i64) {
        if let Some(manual) = &self.0 {
            manual.fetch_add(ms, Ordering::SeqCst);
        }
    }

    pub fn set(&self, now_ms: i64) {
        if let Some(manual) = &self.0 {
            manual.store(now_ms, Ordering::SeqCst);
        }
    }
}
