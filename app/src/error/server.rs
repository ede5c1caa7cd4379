//! Server-side half of `AppError`: the JSON response and the mapping of
//! internal failures.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppError;

/// The wire shape: `{"error":{"code":"…","message":"…"}}`.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

impl From<&AppError> for ErrorBody {
    fn from(err: &AppError) -> Self {
        Self { error: ErrorDetail { code: err.code().to_owned(), message: err.to_string() } }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(ErrorBody::from(&self))).into_response();
        if let Self::RateLimited { retry_after } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

/// Logs an unexpected failure with its call site and turns it into the
/// opaque [`AppError::Internal`].
#[track_caller]
pub fn internal(err: impl std::fmt::Display) -> AppError {
    let at = std::panic::Location::caller();
    tracing::error!(error = %err, at = %at, "internal error");
    AppError::Internal
}

impl From<sqlx::Error> for AppError {
    #[track_caller]
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            other => internal(other),
        }
    }
}

/// True when `err` is a unique violation of the named constraint: the
/// portable way to map "already exists" without matching message strings.
pub fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            // PostgreSQL names the constraint; SQLite only names the columns,
            // so there any unique violation of the statement counts.
            db.constraint().is_none_or(|c| c == constraint)
        }
        _ => false,
    }
}
