//! The OpenAPI document covers the whole REST surface: every route the
//! router serves under `/api/v1` (read from the router's own source) is in
//! it with its method, and every authenticated operation says how to
//! authenticate and documents 401.

mod common;

use std::collections::BTreeSet;

use common::{Backend, TestServer};
use serde_json::Value;

backend_tests!(every_api_route_is_in_the_openapi_document);

/// `(METHOD, /api/v1/path)` for each `.route("path", get(..).post(..))` in `source`.
fn routes_in(source: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for chunk in source.split(".route(\"").skip(1) {
        let (path, rest) = chunk.split_once('"').unwrap();
        // The method calls, up to the end of this `.route(…)`.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(rest.len(), |(i, _)| i);
        let calls = &rest[..end];
        for method in ["get", "post", "put", "patch", "delete"] {
            let needle = format!("{method}(");
            // `get(` as a call of its own, not the end of a longer name.
            let called = calls
                .match_indices(&needle)
                .any(|(i, _)| !calls[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_'));
            if called {
                found.insert((method.to_uppercase(), format!("/api/v1{path}")));
            }
        }
    }
    found
}

async fn every_api_route_is_in_the_openapi_document(backend: Backend) {
    let server = TestServer::start(backend).await;
    let r = reqwest::get(server.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            let security = op["security"].as_array().expect("each operation states its security");
            let public = security.iter().all(|s| s.as_object().is_some_and(|o| o.is_empty()));
            if !public {
                assert!(op["responses"].get("401").is_some(), "{method} {path} documents 401");
            }
        }
    }
    // Every file of the REST layer, so a new one cannot be left out; but
    // `ops.rs` (health and metrics) is served at the root, not in /api/v1.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let sources: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs") && !path.ends_with("ops.rs"))
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    let served: BTreeSet<_> = sources.iter().flat_map(|s| routes_in(s)).collect();
    assert!(served.len() >= 30, "the route reader found {served:?}");
    let missing: Vec<_> = served.difference(&documented).collect();
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
    let stale: Vec<_> = documented.difference(&served).collect();
    assert!(stale.is_empty(), "documented but not served: {stale:?}");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["cookie"]["in"], "cookie");
    server.finish().await;
}
