//! Security headers on every response, the page's scripts carrying the CSP
//! nonce, the `__Host-` cookie over https, and credentials that are there
//! but unreadable. The real router (SQLite is enough: no SQL is involved).

mod common;

use common::{Backend, TestServer};
use serde_json::json;

backend_tests!(
    every_response_carries_the_security_headers,
    the_pages_inline_scripts_carry_the_policys_nonce,
    over_https_the_cookie_is_host_prefixed_and_hsts_is_sent,
    an_unreadable_authorization_header_is_401_not_the_cookie,
);

async fn every_response_carries_the_security_headers(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = common::signup(&server, "alice").await;
    let client = reqwest::Client::new();
    for (path, bearer) in [("/welcome", None), ("/api/v1/me", Some(&token)), ("/healthz", None), ("/nope", None)] {
        let mut request = client.get(server.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let r = request.send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("connect-src 'self'"), "{path}: {csp}");
        let scripts = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert!(!scripts.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");
        let kind = h.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if kind.starts_with("application/json") || kind.starts_with("text/html") {
            assert_eq!(h["cache-control"], "no-store", "{path}: personal answers are not cached");
        }
    }
    server.finish().await;
}

async fn the_pages_inline_scripts_carry_the_policys_nonce(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let r = client.get(server.url("/signin")).send().await.unwrap();
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap().to_owned();
        let html = r.text().await.unwrap();
        // Every inline script (not those with a src, nor empty ones, which
        // browsers never run) carries it.
        for script in html.split("<script").skip(1) {
            let (tag, rest) = script.split_once('>').unwrap();
            let empty = rest.starts_with("</script>");
            if !tag.contains("src=") && !empty {
                assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "a script without the nonce: <script{tag}>");
            }
        }
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per response");
    server.finish().await;
}

async fn over_https_the_cookie_is_host_prefixed_and_hsts_is_sent(backend: Backend) {
    // Behind a TLS-terminating proxy: the public URL is https.
    let server = TestServer::start_with(backend, |c| c.public_url = "https://chat.example.org".into()).await;
    let client = reqwest::Client::new();
    let body = json!({"username": "alice", "password": "correct horse"});
    assert_eq!(client.post(server.url("/api/v1/auth/register")).json(&body).send().await.unwrap().status(), 201);
    let r = client.post(server.url("/api/v1/auth/login")).json(&body).send().await.unwrap();
    assert!(r.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-tidings_session=") && cookie.contains("; Secure"), "{cookie}");
    let secret = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let me = |cookie: String| client.get(server.url("/api/v1/me")).header("cookie", cookie).send();
    assert_eq!(me(format!("__Host-tidings_session={secret}")).await.unwrap().status(), 200);
    // The unprefixed name could have been planted by a sibling subdomain.
    assert_eq!(me(format!("tidings_session={secret}")).await.unwrap().status(), 401);
    server.finish().await;
}

async fn an_unreadable_authorization_header_is_401_not_the_cookie(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = common::signup(&server, "alice").await;
    let client = reqwest::Client::new();
    let cookie = format!("tidings_session={token}");
    let r = client.get(server.url("/api/v1/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), 200, "the cookie alone works");
    let garbled = reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap();
    let r = client.get(server.url("/api/v1/me")).header("cookie", &cookie).header("authorization", garbled);
    assert_eq!(r.send().await.unwrap().status(), 401);
    let r = client.get(server.url("/api/v1/me")).header("cookie", &cookie).header("authorization", "Basic YTpi");
    assert_eq!(r.send().await.unwrap().status(), 401);
    server.finish().await;
}
