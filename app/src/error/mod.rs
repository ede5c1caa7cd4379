//! The one error type of every boundary: REST handlers, server functions and
//! WebSocket frames all speak `AppError`, which maps to an HTTP status, a
//! stable machine code and a human message.

use serde::{Deserialize, Serialize};

/// An error a client may see. Internal causes are logged where they happen
/// and reach the client only as [`AppError::Internal`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// 422: the request was well-formed but a field is not acceptable.
    #[error("{message}")]
    Invalid { code: String, message: String },
    /// 400: the request could not be read at all.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no (valid) credentials.
    #[error("sign in first")]
    Unauthenticated,
    /// 401: wrong username or password.
    #[error("wrong username or password")]
    BadCredentials,
    /// 403: signed in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 403: not allowed to reach that person (e.g. notifying a stranger).
    #[error("{0}")]
    NotAllowed(String),
    /// 403: the token was not given the scope this needs (or it needs a
    /// person signed in, not a token).
    #[error("{0}")]
    InsufficientScope(String),
    /// 404.
    #[error("{0} not found")]
    NotFound(String),
    /// 409: conflicts with existing state (e.g. a taken name).
    #[error("{message}")]
    Conflict { code: String, message: String },
    /// 413.
    #[error("the request is too large")]
    TooLarge,
    /// 429: slow down; `retry_after` is in seconds.
    #[error("too many requests; try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// 503: a dependency (database) is down.
    #[error("the service is unavailable")]
    Unavailable,
    /// 500: details are in the server log only.
    #[error("internal error")]
    Internal,
    /// The request never reached the server's handler (network, decoding).
    #[error("{0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(code: &str, message: impl Into<String>) -> Self {
        Self::Invalid { code: code.to_owned(), message: message.into() }
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::Conflict { code: code.to_owned(), message: message.into() }
    }

    /// The stable machine-readable code clients may branch on.
    pub fn code(&self) -> &str {
        match self {
            Self::Invalid { code, .. } | Self::Conflict { code, .. } => code,
            Self::BadRequest(_) => "bad_request",
            Self::Unauthenticated => "unauthenticated",
            Self::BadCredentials => "bad_credentials",
            Self::Forbidden(_) => "forbidden",
            Self::InsufficientScope(_) => "insufficient_scope",
            Self::NotAllowed(_) => "not_allowed",
            Self::NotFound(_) => "not_found",
            Self::TooLarge => "too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::Transport(_) => "transport",
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid { .. } => 422,
            Self::BadRequest(_) => 400,
            Self::Unauthenticated | Self::BadCredentials => 401,
            Self::Forbidden(_) | Self::InsufficientScope(_) | Self::NotAllowed(_) => 403,
            Self::NotFound(_) => 404,
            Self::Conflict { .. } => 409,
            Self::TooLarge => 413,
            Self::RateLimited { .. } => 429,
            Self::Unavailable => 503,
            Self::Internal | Self::Transport(_) => 500,
        }
    }
}

/// Lets `#[server]` functions return `Result<T, AppError>` directly, so the
/// browser receives the same code and message as a REST client.
impl server_fn::error::FromServerFnError for AppError {
    type Encoder = wire::ErrorWire;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
mod server;
pub mod wire;
#[cfg(feature = "ssr")]
pub use server::{ErrorBody, ErrorDetail, internal, is_unique_violation};
