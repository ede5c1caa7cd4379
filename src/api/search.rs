//! `GET /api/v1/search`: full-text search over the messages the caller
//! can read. A thin handler over `Chat::search`.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;

use app::chat::search::SearchHit;
use app::error::{AppError, ErrorBody};
use app::state::AppState;

use super::extract::{Json, Query, Reader};

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct SearchQuery {
    /// The words to find (letters and digits; the last one may be the start of a word). At most 200 characters.
    q: String,
    /// Only this conversation.
    conversation_id: Option<i64>,
    /// Only messages older than this id (the last result of the page before).
    before: Option<i64>,
    /// 1–50, default 20.
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "chat",
    params(SearchQuery),
    responses((status = 400, description = "the request cannot be read: a malformed path, query or body", body = ErrorBody), (status = 200, description = "matching messages, newest first, each with a plain-text snippet and the character ranges that matched; deleted messages and replies still streaming are never found", body = Vec<SearchHit>), (status = 404, description = "no such conversation", body = ErrorBody), (status = 401, description = "not signed in", body = ErrorBody), (status = 403, description = "not a member of that conversation, or the token lacks the scope (insufficient_scope)", body = ErrorBody), (status = 422, description = "invalid input (empty_query: no letters or digits; query_too_long; invalid_limit)", body = ErrorBody), (status = 429, description = "too many searches (Retry-After)", body = ErrorBody)),
    security(("cookie" = []), ("bearer" = ["messages:read"]))
)]
pub(super) async fn search(
    State(state): State<AppState>,
    Reader(session): Reader,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<SearchHit>>, AppError> {
    state.chat.search(&session.user, &query.q, query.conversation_id, query.before, query.limit).await.map(Json)
}
