//! What one socket may send how often (server only). Typing, visibility and
//! resume frames cost every contact a frame, or the server a replay; past
//! these rates they are answered with an error frame and go no further.

use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, Quota};

use super::frames::ClientFrame;

/// Per-socket limiters, one per frame kind that fans out or replays.
pub struct FrameLimits {
    typing: DefaultDirectRateLimiter,
    visibility: DefaultDirectRateLimiter,
    resume: DefaultDirectRateLimiter,
}

fn quota(burst: u32, per_minute: u32) -> Quota {
    let nz = |n: u32| NonZeroU32::new(n).expect("non-zero constant");
    Quota::per_minute(nz(per_minute)).allow_burst(nz(burst))
}

impl Default for FrameLimits {
    fn default() -> Self {
        Self {
            // A client sends `typing` every few seconds while typing.
            typing: DefaultDirectRateLimiter::direct(quota(5, 40)),
            // Tabs hidden and shown; a reconnect storm is not a person.
            visibility: DefaultDirectRateLimiter::direct(quota(10, 60)),
            // One per (re)connect.
            resume: DefaultDirectRateLimiter::direct(quota(3, 10)),
        }
    }
}

impl FrameLimits {
    /// True when `frame` may go ahead now; sends and reads have their own
    /// limits in the chat service.
    pub fn allow(&self, frame: &ClientFrame) -> bool {
        let limiter = match frame {
            ClientFrame::Typing { .. } => &self.typing,
            ClientFrame::Visibility { .. } => &self.visibility,
            ClientFrame::Resume { .. } => &self.resume,
            _ => return true,
        };
        limiter.check().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_typing_is_cut_but_sends_are_not() {
        let limits = FrameLimits::default();
        let typing = ClientFrame::Typing { conversation_id: 1 };
        let allowed = (0..50).filter(|_| limits.allow(&typing)).count();
        assert_eq!(allowed, 5);
        let send = ClientFrame::Send { conversation_id: 1, client_id: "c".into(), body: "b".into(), reply_to: None };
        assert!((0..50).all(|_| limits.allow(&send)));
        assert!(limits.allow(&ClientFrame::Visibility { visible: false }));
    }
}
