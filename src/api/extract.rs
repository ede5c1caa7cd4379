//! Request extractors shared by the REST handlers.

use std::net::IpAddr;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;

use app::auth::service::Session;
use app::error::AppError;
use app::net::client_ip;
use app::state::AppState;

/// `axum::Json`, but a bad body answers in the API's error format.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiRejection))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// Maps axum's JSON rejections onto `AppError`.
pub struct ApiRejection(AppError);

impl From<JsonRejection> for ApiRejection {
    fn from(rejection: JsonRejection) -> Self {
        let err = match rejection {
            JsonRejection::JsonDataError(e) => AppError::invalid("invalid_body", e.body_text()),
            JsonRejection::MissingJsonContentType(_) => {
                AppError::BadRequest("send a JSON body with Content-Type: application/json".into())
            }
            JsonRejection::BytesRejection(_) => AppError::TooLarge,
            other => AppError::BadRequest(other.body_text()),
        };
        Self(err)
    }
}

impl From<PathRejection> for ApiRejection {
    fn from(rejection: PathRejection) -> Self {
        Self(AppError::BadRequest(rejection.body_text()))
    }
}

impl From<QueryRejection> for ApiRejection {
    fn from(rejection: QueryRejection) -> Self {
        Self(AppError::invalid("invalid_query", rejection.body_text()))
    }
}

/// `axum::extract::Path` with API-format errors.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiRejection))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` with API-format errors.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiRejection))]
pub struct Query<T>(pub T);

impl axum::response::IntoResponse for ApiRejection {
    fn into_response(self) -> axum::response::Response {
        self.0.into_response()
    }
}

/// The authenticated caller (session cookie or `Authorization: Bearer`).
pub struct Auth(pub Session);

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        state.auth.authenticate_headers(&parts.headers).await.map(Auth)
    }
}

/// The client's IP address, for rate limits.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(&parts.headers, &parts.extensions, state.settings.trust_proxy)))
    }
}
