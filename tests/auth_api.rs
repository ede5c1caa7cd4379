//! Accounts over the REST API, against the real server, on both backends.

mod common;

use common::{Backend, TestServer, browser, signup};
use serde_json::{Value, json};

backend_tests!(
    register_login_me_logout_round_trip,
    bearer_token_works_and_logout_revokes_it,
    duplicate_username_is_409,
    bad_input_is_422_with_stable_codes,
    wrong_password_is_401,
    me_without_credentials_is_401,
    login_is_rate_limited_per_ip_with_retry_after,
    personal_access_tokens_can_be_created_used_and_revoked,
    sessions_in_use_slide_forward_and_tokens_never_expire,
    a_plain_form_post_is_redirected_back_with_its_error,
    signed_out_visitors_land_on_the_welcome_page,
    a_signed_out_visitor_of_a_conversation_signs_in_and_returns_to_it,
);

async fn register_login_me_logout_round_trip(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = browser();
    let creds = json!({"username": "alice", "password": "s3cret-pass"});

    let r = client.post(server.url("/api/v1/auth/register")).json(&creds).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let user: Value = r.json().await.unwrap();
    assert_eq!(user["username"], "alice");
    assert!(user["id"].as_i64().unwrap() > 0);

    let r = client.post(server.url("/api/v1/auth/login")).json(&creds).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("tidings_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http public URL: no Secure flag");
    let body: Value = r.json().await.unwrap();
    assert!(body["token"].as_str().unwrap().starts_with("tid_"));

    // The cookie alone authenticates.
    let r = client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"id": user["id"], "username": "alice", "is_bot": false}));

    let r = client.post(server.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    server.finish().await;
}

async fn bearer_token_works_and_logout_revokes_it(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = signup(&server, "bob").await;
    let client = reqwest::Client::new();
    let me = || client.get(server.url("/api/v1/me")).bearer_auth(&token).send();
    let r = me().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["username"], "bob");

    let r = client.post(server.url("/api/v1/auth/logout")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = me().await.unwrap();
    assert_eq!(r.status(), 401);
    let err: Value = r.json().await.unwrap();
    assert_eq!(err["error"]["code"], "unauthenticated");
    server.finish().await;
}

async fn duplicate_username_is_409(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    let creds = json!({"username": "carol", "password": "password1"});
    let first = client.post(server.url("/api/v1/auth/register")).json(&creds).send().await.unwrap();
    assert_eq!(first.status(), 201);
    let again = client.post(server.url("/api/v1/auth/register")).json(&creds).send().await.unwrap();
    assert_eq!(again.status(), 409);
    let err: Value = again.json().await.unwrap();
    assert_eq!(err["error"]["code"], "username_taken");
    assert!(err["error"]["message"].as_str().unwrap().contains("carol"));
    server.finish().await;
}

async fn bad_input_is_422_with_stable_codes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    let cases = [
        (json!({"username": "ab", "password": "password1"}), 422, "invalid_username"),
        (json!({"username": "Alice", "password": "password1"}), 422, "invalid_username"),
        (json!({"username": "x".repeat(33), "password": "password1"}), 422, "invalid_username"),
        (json!({"username": "dave", "password": "short"}), 422, "invalid_password"),
        (json!({"username": "dave"}), 422, "invalid_body"),
    ];
    for (body, status, code) in cases {
        let r = client.post(server.url("/api/v1/auth/register")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), status, "{body}");
        let err: Value = r.json().await.unwrap();
        assert_eq!(err["error"]["code"], code, "{body}");
        assert!(!err["error"]["message"].as_str().unwrap().is_empty());
    }
    // Not JSON at all.
    let r = client
        .post(server.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "bad_request");
    // Nothing was created by the failures.
    let r = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"username": "dave", "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    server.finish().await;
}

async fn wrong_password_is_401(backend: Backend) {
    let server = TestServer::start(backend).await;
    signup(&server, "erin").await;
    let client = reqwest::Client::new();
    for creds in [
        json!({"username": "erin", "password": "wrong password"}),
        json!({"username": "nobody", "password": "whatever1"}),
    ] {
        let r = client.post(server.url("/api/v1/auth/login")).json(&creds).send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "bad_credentials");
    }
    server.finish().await;
}

async fn me_without_credentials_is_401(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    let r = client.get(server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = client.get(server.url("/api/v1/me")).bearer_auth("tid_forged").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = client.get(server.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    server.finish().await;
}

async fn login_is_rate_limited_per_ip_with_retry_after(backend: Backend) {
    let server = TestServer::start_with(backend, |c| {
        c.auth_rate = app::rate_limit::Limit { burst: 3, per_minute: 1 };
    })
    .await;
    let client = reqwest::Client::new();
    let creds = json!({"username": "frank", "password": "wrong-password"});
    for _ in 0..3 {
        let r = client.post(server.url("/api/v1/auth/login")).json(&creds).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = client.post(server.url("/api/v1/auth/login")).json(&creds).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "rate_limited");
    // Register shares the per-IP budget.
    let r = client.post(server.url("/api/v1/auth/register")).json(&creds).send().await.unwrap();
    assert_eq!(r.status(), 429);
    server.finish().await;
}

async fn personal_access_tokens_can_be_created_used_and_revoked(backend: Backend) {
    let server = TestServer::start(backend).await;
    let session = signup(&server, "grace").await;
    let client = reqwest::Client::new();
    let r = client
        .post(server.url("/api/v1/auth/tokens"))
        .bearer_auth(&session)
        .json(&json!({"name": "reminder bot", "scopes": ["messages:read", "messages:write"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let pat = created["token"].as_str().unwrap().to_owned();
    let r = client.get(server.url("/api/v1/me")).bearer_auth(&pat).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["username"], "grace");

    let list: Value =
        client.get(server.url("/api/v1/auth/tokens")).bearer_auth(&session).send().await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "reminder bot");
    assert!(list[0].get("token").is_none(), "the secret is shown only once");

    let id = created["id"].as_i64().unwrap();
    let r = client.delete(server.url(&format!("/api/v1/auth/tokens/{id}"))).bearer_auth(&session).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = client.get(server.url("/api/v1/me")).bearer_auth(&pat).send().await.unwrap();
    assert_eq!(r.status(), 401);
    server.finish().await;
}

async fn sessions_in_use_slide_forward_and_tokens_never_expire(backend: Backend) {
    use sqlx::Row;
    let server = TestServer::start(backend).await;
    let creds = json!({"username": "heidi", "password": "correct horse"});
    let client = reqwest::Client::new();
    assert_eq!(client.post(server.url("/api/v1/auth/register")).json(&creds).send().await.unwrap().status(), 201);
    let r = client.post(server.url("/api/v1/auth/login")).json(&creds).send().await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains(&format!("Max-Age={}", 400 * 24 * 3600)),
        "the server, not the cookie, ends sessions: {cookie}"
    );
    let session = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let r = client
        .post(server.url("/api/v1/auth/tokens"))
        .bearer_auth(&session)
        .json(&json!({"name": "bot", "scopes": ["messages:read"]}))
        .send();
    let pat = r.await.unwrap().json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();

    // Both last used two hours ago; the session is an hour from its end.
    let db = app::db::connect(&server.db.url, 1, false).await.unwrap();
    let now = app::db::now_ms();
    let hour = 3600 * 1000;
    sqlx::query("UPDATE auth_tokens SET last_used_at = $1").bind(now - 2 * hour).execute(db.pool()).await.unwrap();
    sqlx::query("UPDATE auth_tokens SET expires_at = $1 WHERE kind = 'session'")
        .bind(now + hour)
        .execute(db.pool())
        .await
        .unwrap();
    for token in [&session, &pat] {
        let r = client.get(server.url("/api/v1/me")).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let rows = sqlx::query("SELECT kind, expires_at FROM auth_tokens ORDER BY id").fetch_all(db.pool()).await.unwrap();
    let ends: Vec<(String, Option<i64>)> = rows.iter().map(|row| (row.get("kind"), row.get("expires_at"))).collect();
    assert_eq!(ends.len(), 2);
    assert_eq!(ends[0].0, "session");
    let end = ends[0].1.unwrap();
    assert!(end >= now + 30 * 24 * hour - 60_000, "the session's end moved 30 days out: {end} vs now {now}");
    assert_eq!(ends[1], ("personal".to_owned(), None), "personal tokens still never expire");

    // An ended session stays ended.
    sqlx::query("UPDATE auth_tokens SET expires_at = $1 WHERE kind = 'session'")
        .bind(now - 1)
        .execute(db.pool())
        .await
        .unwrap();
    let r = client.get(server.url("/api/v1/me")).bearer_auth(&session).send().await.unwrap();
    assert_eq!(r.status(), 401);
    db.pool().close().await;
    server.finish().await;
}

/// The sign-in form without the WASM: the browser posts it to the server
/// function and must be sent back to the form, the error in the URL (a 401
/// would leave it on a bare error body). The WASM's own calls keep the status.
async fn a_plain_form_post_is_redirected_back_with_its_error(backend: Backend) {
    let server = TestServer::start(backend).await;
    signup(&server, "fern").await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |accept: &'static str, password: &'static str| {
        client
            .post(server.url("/fn/auth/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", accept)
            .header("referer", server.url("/signin"))
            .body(format!("username=fern&password={password}"))
            .send()
    };

    let r = post("text/html,application/xhtml+xml,*/*;q=0.8", "wrong+password").await.unwrap();
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&server.url("/signin?")) && location.contains("__err="), "{location}");

    let r = post("text/html", "correct+horse").await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "/");
    assert!(r.headers()["set-cookie"].to_str().unwrap().starts_with("tidings_session="));

    let r = post("application/json", "wrong+password").await.unwrap();
    assert_eq!(r.status(), 401);
    server.finish().await;
}

/// A first visit must not load the chat screens: signed-out visitors of `/`
/// go to `/welcome` (of a conversation: to sign in), signed-in users of
/// `/welcome` to their chats.
async fn signed_out_visitors_land_on_the_welcome_page(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = signup(&server, "gale").await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let get = |path: &str, token: Option<&str>| {
        let request = client.get(server.url(path)).header("accept", "text/html");
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
        .send()
    };

    let signed_in_pages = [
        ("/", "/welcome"),
        ("/c/1", "/signin?next=%2Fc%2F1"),
        ("/notifications", "/signin?next=%2Fnotifications"),
        ("/settings", "/signin?next=%2Fsettings"),
    ];
    for (path, to) in signed_in_pages {
        for token in [None, Some("tid_revoked-or-made-up")] {
            let r = get(path, token).await.unwrap();
            assert_eq!(r.status(), 303, "{path} with {token:?}");
            assert_eq!(r.headers()["location"], to);
        }
    }
    let welcome = get("/welcome", None).await.unwrap();
    assert_eq!(welcome.status(), 200);
    assert!(welcome.text().await.unwrap().contains("data-testid=\"welcome\""), "the welcome page renders");

    let home = get("/", Some(&token)).await.unwrap();
    assert_eq!(home.status(), 200);
    let r = get("/welcome", Some(&token)).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    // Other pages and the API are not redirected.
    assert_eq!(get("/signin", None).await.unwrap().status(), 200);
    assert_eq!(get("/api/v1/me", None).await.unwrap().status(), 401);
    server.finish().await;
}

/// A notification tapped after the session ended: the conversation sends the
/// visitor to sign in, and signing in returns there. Only to this site: the
/// form must not become an open redirect.
async fn a_signed_out_visitor_of_a_conversation_signs_in_and_returns_to_it(backend: Backend) {
    let server = TestServer::start(backend).await;
    signup(&server, "hale").await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let r = client.get(server.url("/c/7?m=3")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/signin?next=%2Fc%2F7%3Fm%3D3");
    let page = client.get(server.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"name="next" value="/c/7?m=3""#), "the form carries next on");

    let post = |next: &str| {
        let body = format!("username=hale&password=correct+horse&next={}", next);
        client
            .post(server.url("/fn/auth/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .body(body)
            .send()
    };
    for (next, to) in [
        ("%2Fc%2F7%3Fm%3D3", "/c/7?m=3"),
        ("%2F%2Fevil.example%2F", "/"),
        ("%2F%5Cevil.example", "/"),
        ("https%3A%2F%2Fevil.example%2F", "/"),
        ("javascript%3Aalert(1)", "/"),
    ] {
        let r = post(next).await.unwrap();
        assert_eq!(r.status(), 302, "next={next}");
        assert_eq!(r.headers()["location"], to, "next={next}");
    }
    server.finish().await;
}
