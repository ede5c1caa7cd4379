//! `GET /api/v1/openapi.json`: the REST contract, generated from the
//! handlers' own annotations and types (utoipa), never written by hand.
//! `tests/openapi.rs` checks that every route of the router is in it.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{auth, bots, chat, levels, messages, notify, push, search};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tidings API",
        description = "Chat, push and accounts for people, bots and apps. Errors are \
            `{\"error\":{\"code\",\"message\"}}` with a stable `code`. A bearer token needs the scope \
            each operation lists; `session` means a person signed in (not a personal token)."
    ),
    paths(
        auth::register, auth::login, auth::logout, auth::me,
        auth::create_token, auth::list_tokens, auth::revoke_token,
        auth::list_sessions, auth::end_session, auth::change_password,
        chat::create, chat::list, chat::show, chat::history, chat::send, chat::read, chat::typing,
        messages::append, messages::finish, messages::edit, messages::remove, messages::react, messages::unreact,
        chat::add_member, chat::remove_member, chat::schedule, chat::scheduled, chat::cancel_scheduled,
        push::public_key, push::subscribe, push::list, push::unsubscribe_by_endpoint, push::unsubscribe_by_id,
        push::test, push::deliveries, push::preview, levels::notify, levels::mute,
        notify::publish, notify::list, notify::unread_count, notify::read, notify::read_all, notify::archive,
        notify::scheduled, notify::cancel_scheduled, notify::preferences, notify::set_preferences,
        bots::create, bots::list, bots::show, bots::update, bots::remove, bots::rotate_token, bots::deliveries,
        bots::create_hook, bots::hooks, bots::revoke_hook, bots::post_via_hook,
        search::search, crate::ws::upgrade, document,
    ),
    modifiers(&Credentials),
    tags(
        (name = "auth", description = "Accounts, sessions and scoped tokens"),
        (name = "chat", description = "Conversations, messages and scheduled messages"),
        (name = "push", description = "Web Push devices and deliveries"),
        (name = "notifications", description = "The notification inbox, publishing, reminders and quiet hours"),
        (name = "bots", description = "Bot accounts that programs drive, and their webhooks"),
        (name = "live", description = "The WebSocket"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The two ways to authenticate: a bearer token, or the browser's cookie.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("A session token (from login) or a personal access token with scopes"))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let cookie = ApiKey::Cookie(ApiKeyValue::with_description(
            "tidings_session",
            "The browser's session (`__Host-tidings_session` over https)",
        ));
        components.add_security_scheme("cookie", SecurityScheme::ApiKey(cookie));
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "this document", content_type = "application/json")),
    security(())
)]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
