//! Request extractors shared by the REST handlers.

use std::net::IpAddr;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;

use app::auth::device;
use app::auth::scope::Scope;
use app::auth::service::{Session, Visitor};
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

/// The authenticated caller (session cookie or `Authorization: Bearer`),
/// checked for what the route needs: each handler declares it by the
/// extractor it takes, so a route cannot forget to.
macro_rules! caller {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        pub struct $name(pub Session);

        impl FromRequestParts<AppState> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
                let session = state.auth.authenticate_headers(&parts.headers).await?;
                let check: fn(&Session) -> Result<(), AppError> = $check;
                check(&session)?;
                Ok($name(session))
            }
        }
    };
}

caller!(
    /// Any session or token: who am I, sign me out.
    Caller,
    |_| Ok(())
);
caller!(
    /// A person signed in, not a token: tokens, sessions, the password.
    Person,
    Session::require_person
);
caller!(
    /// `messages:read`: conversations, history, the live socket.
    Reader,
    |s| s.require(Scope::MessagesRead)
);
caller!(
    /// `messages:write`: starting conversations, sending, reading, members.
    Writer,
    |s| s.require(Scope::MessagesWrite)
);
caller!(
    /// `push`: devices, test pushes, muting.
    Pusher,
    |s| s.require(Scope::Push)
);

caller!(
    /// `notify`: the notification inbox, publishing, schedules, preferences.
    Notifier,
    |s| s.require(Scope::Notify)
);

/// `?status=` of a deliveries list: `pending`, `done` or `dead` (default).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// `pending`, `done` or `dead` (default).
    status: Option<String>,
}

impl DeliveryFilter {
    pub fn status(&self) -> &str {
        self.status.as_deref().unwrap_or("dead")
    }
}

/// Who is signing in: the client's address (for the rate limit) and device.
pub struct SigningIn(pub Visitor);

impl FromRequestParts<AppState> for SigningIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = client_ip(&parts.headers, &parts.extensions, state.settings.trust_proxy);
        let user_agent = parts.headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
        Ok(SigningIn(Visitor { ip, device: user_agent.and_then(device::label) }))
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
