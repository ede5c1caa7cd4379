//! Live delivery: frames to open sockets, on this node (`hub`) and across
//! nodes (`cluster`, `redis`), presence, the member cache, and keeping each
//! socket's messages in order (`sequence`) and its streamed replies gapless
//! (`streams`). The frames are shared with the
//! browser; the rest is server only.

pub mod frames;

#[cfg(feature = "ssr")]
pub mod cluster;
#[cfg(feature = "ssr")]
pub mod hub;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod members;
#[cfg(feature = "ssr")]
pub mod redis;
#[cfg(feature = "ssr")]
pub mod sequence;
#[cfg(feature = "ssr")]
pub mod streams;
