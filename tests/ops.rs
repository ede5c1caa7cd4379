//! Operations endpoints, CSRF and the HTML shell against the real server.

mod common;

use common::{Backend, TestServer};
use serde_json::Value;

backend_tests!(
    healthz_checks_the_database,
    metrics_are_prometheus_text,
    cross_site_cookie_posts_are_refused,
    pages_are_server_rendered_in_the_requested_language,
    concurrent_page_renders_all_finish,
    responses_are_compressed_but_upgrades_are_not
);

async fn healthz_checks_the_database(backend: Backend) {
    let server = TestServer::start(backend).await;
    let r = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["database"], "ok");
    server.finish().await;
}

async fn metrics_are_prometheus_text(backend: Backend) {
    let server = TestServer::start(backend).await;
    reqwest::get(server.url("/healthz")).await.unwrap();
    // Not on the public port: strangers cannot read it.
    assert_eq!(reqwest::get(server.url("/metrics")).await.unwrap().status(), 404);
    let r = reqwest::get(&server.metrics).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(text.contains("tidings_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/healthz\""), "{text}");
    server.finish().await;
}

async fn cross_site_cookie_posts_are_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    let r = client
        .post(server.url("/api/v1/auth/logout"))
        .header("cookie", "tidings_session=tid_whatever")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    // Same origin passes the guard (and then fails auth, as the cookie is bogus).
    let r = client
        .post(server.url("/api/v1/auth/logout"))
        .header("cookie", "tidings_session=tid_whatever")
        .header("origin", server.base.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Signing in needs no cookie, but a cross-site sign-in (login CSRF) is
    // refused too; from the app's own origin it goes through.
    for path in ["/fn/auth/login", "/fn/auth/register", "/api/v1/auth/login"] {
        let post = |origin: String| {
            client
                .post(server.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", origin)
                .body("username=mallory&password=correct+horse")
                .send()
        };
        assert_eq!(post("https://evil.example".into()).await.unwrap().status(), 403, "{path}");
        assert_ne!(post(server.base.clone()).await.unwrap().status(), 403, "{path}");
    }
    server.finish().await;
}

async fn pages_are_server_rendered_in_the_requested_language(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    let html = |lang: &'static str| client.get(server.url("/signin")).header("accept-language", lang).send();
    let es = html("es-ES,es;q=0.9").await.unwrap().text().await.unwrap();
    assert!(es.contains("lang=\"es\""), "html lang follows Accept-Language");
    assert!(es.contains("Iniciar sesión"));
    let ru = html("ru").await.unwrap().text().await.unwrap();
    assert!(ru.contains("Войти"));
    // The cookie wins over the header.
    let pt = client
        .get(server.url("/signin"))
        .header("accept-language", "ru")
        .header("cookie", "i18n_pref_locale=pt")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(pt.contains("lang=\"pt\"") && pt.contains("Entrar"));
    let r = client.get(server.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    server.finish().await;
}

/// Server rendering streams each page; every stream must end, also when many
/// are rendered at once.
async fn concurrent_page_renders_all_finish(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    let mut pages = tokio::task::JoinSet::new();
    for n in 0..64 {
        let request = client.get(server.url(if n % 2 == 0 { "/signin" } else { "/welcome" })).send();
        pages.spawn(tokio::time::timeout(std::time::Duration::from_secs(20), async move {
            request.await.unwrap().text().await.unwrap()
        }));
    }
    while let Some(page) = pages.join_next().await {
        let html = page.unwrap().expect("a page stream never ended");
        assert!(html.contains("</html>"), "a whole document: {html}");
    }
    server.finish().await;
}

/// Pages (and the WASM bundle) go out gzip- or brotli-compressed to clients
/// that accept it (browsers decode them in the end2end tests); a WebSocket
/// upgrade asking for gzip still upgrades.
async fn responses_are_compressed_but_upgrades_are_not(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = reqwest::Client::new();
    let r = client.get(server.url("/signin")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    let gzipped = r.bytes().await.unwrap();
    assert_eq!(&gzipped[..2], &[0x1f, 0x8b], "a gzip stream");
    let plain = client.get(server.url("/signin")).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none(), "only for clients that ask");
    let plain = plain.text().await.unwrap();
    assert!(plain.contains("</html>") && gzipped.len() < plain.len(), "{} vs {}", gzipped.len(), plain.len());

    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let token = common::signup(&server, "alice").await;
    let mut request = (server.base.replace("http://", "ws://") + "/api/v1/ws").into_client_request().unwrap();
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    request.headers_mut().insert("accept-encoding", "gzip, br".parse().unwrap());
    let (mut ws, response) = tokio_tungstenite::connect_async(request).await.expect("upgrade");
    assert_eq!(response.status(), 101);
    assert!(response.headers().get("content-encoding").is_none());
    use futures_util::StreamExt;
    let hello = ws.next().await.unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("hello"));
    server.finish().await;
}
