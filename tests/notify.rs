//! The notification centre against the real server, on both backends:
//! publishing (dedupe, who may notify whom, notify:any, validation), the
//! inbox and its counts, live frames, and pushes (with each preview level)
//! to a test push service that decrypts them independently.

mod common;

use std::time::Duration;

use app::clock::Clock;
use common::notify::{count, inbox, notify, server};
use common::push_service::TestPushService;
use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::{Value, json};

backend_tests!(
    a_notification_reaches_the_inbox_the_socket_and_the_phone,
    a_repeated_dedupe_key_stores_and_pushes_nothing_new,
    strangers_may_not_be_notified_and_bad_input_is_refused,
    read_read_all_and_archive_keep_the_counts_right,
    each_preview_level_sends_only_what_it_allows,
    only_an_admin_issues_notify_any_and_it_reaches_strangers,
);

async fn a_notification_reaches_the_inbox_the_socket_and_the_phone(backend: Backend) {
    let clock = Clock::system();
    let server = server(backend, &clock).await;
    let push = TestPushService::start().await;
    let phone = push.device("bob-phone");
    let bob = Api::signup(&server, "bob").await;
    let (status, _) = bob.post("/api/v1/push/subscriptions", phone.subscription_json()).await;
    assert_eq!(status, 201);

    let (status, published) = notify(
        &bob,
        json!({"to": "bob", "title": "Feeding due", "body": "Bottle at 14:00", "kind": "app.feeder", "url": "/notifications", "tag": "feeding"}),
    )
    .await;
    assert_eq!(status, 201, "{published}");
    assert_eq!(published["status"], "sent");
    let got = push.wait_for(&phone, 1).await;
    assert_eq!(got[0].payload["title"], "Feeding due");
    assert_eq!(got[0].payload["body"], "Bottle at 14:00");
    assert_eq!(got[0].payload["url"], "/notifications");
    assert_eq!(got[0].payload["tag"], format!("n-{}", published["id"]), "the collapse key leaves as an id, not its words");
    assert_eq!(got[0].headers.get("topic").map(String::as_str), Some(format!("n-{}", published["id"]).as_str()));
    assert_eq!(got[0].payload["unread"], 1, "the badge counts unread notifications too");
    // Counted as delivered by push, by kind.
    let metrics = reqwest::get(&server.metrics).await.unwrap().text().await.unwrap();
    let delivered = |channel: &str| {
        metrics.lines().any(|l| {
            l.starts_with("tidings_notifications_delivered_total{")
                && l.contains(&format!("channel=\"{channel}\""))
                && l.contains("kind=\"app\"")
        })
    };
    assert!(delivered("push"), "{metrics}");

    let list = inbox(&bob).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], published["id"]);
    assert_eq!(list[0]["kind"], "app.feeder");
    assert_eq!(list[0]["actor"], "bob");
    let (_, count) = bob.get("/api/v1/notifications/unread-count").await;
    assert_eq!(count, json!({"notifications": 1, "messages": 0}));

    // Looking at the app: the live frame, and no push.
    let mut ws = WsClient::connect(&server, &bob.token).await;
    let (_, second) = notify(&bob, json!({"to": "bob", "title": "Report ready"})).await;
    let frame = ws.next_of("notification").await;
    assert_eq!(frame["notification"]["id"], second["id"]);
    assert_eq!(frame["notification"]["title"], "Report ready");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(push.received(&phone).len(), 1, "a visible socket gets no push");
    assert!(push.failures().is_empty(), "{:?}", push.failures());
    server.finish().await;
}

async fn a_repeated_dedupe_key_stores_and_pushes_nothing_new(backend: Backend) {
    let server = server(backend, &Clock::system()).await;
    let push = TestPushService::start().await;
    let phone = push.device("bob-phone");
    let bob = Api::signup(&server, "bob").await;
    bob.post("/api/v1/push/subscriptions", phone.subscription_json()).await;
    let request = json!({"to": "bob", "title": "Backup done", "dedupe_key": "backup-2026-12-01"});
    let (status, first) = notify(&bob, request.clone()).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = notify(&bob, request.clone()).await;
    assert_eq!((status, &again), (200, &first), "the first answer, again");
    // Concurrent repeats too: still one.
    let repeats = futures_util::future::join_all((0..5).map(|_| notify(&bob, request.clone()))).await;
    assert!(repeats.iter().all(|(s, body)| *s == 200 && body == &first), "{repeats:?}");
    push.wait_for(&phone, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(push.received(&phone).len(), 1, "one push");
    assert_eq!(inbox(&bob).await.len(), 1, "one row");
    server.finish().await;
}

async fn strangers_may_not_be_notified_and_bad_input_is_refused(backend: Backend) {
    let server = server(backend, &Clock::system()).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let _carol = Api::signup(&server, "carol").await;
    alice.conversation_with(&["bob"]).await;

    let (status, body) = notify(&alice, json!({"to": "carol", "title": "hi"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("not_allowed")), "{body}");
    let (status, body) = notify(&alice, json!({"to": ["bob", "carol"], "title": "hi"})).await;
    assert_eq!(status, 403, "all or nothing: {body}");
    assert!(inbox(&bob).await.is_empty(), "nothing stored for anyone");
    let (status, _) = notify(&alice, json!({"to": "bob", "title": "we share a conversation"})).await;
    assert_eq!(status, 201);

    let now = app::db::now_ms();
    for (body, code) in [
        (json!({"to": "bob", "title": ""}), "empty_title"),
        (json!({"to": "bob", "title": "x".repeat(201)}), "title_too_long"),
        (json!({"to": "bob", "title": "t", "body": "x".repeat(2001)}), "body_too_long"),
        (json!({"to": "bob", "title": "t", "url": "http://plain.example"}), "invalid_url"),
        (json!({"to": "bob", "title": "t", "url": "//evil.example"}), "invalid_url"),
        (json!({"to": "bob", "title": "t", "kind": "Not A Slug"}), "invalid_kind"),
        (json!({"to": "bob", "title": "t", "recurrence": "FREQ=SOMETIMES"}), "invalid_recurrence"),
        (json!({"to": "bob", "title": "t", "recurrence": "FREQ=DAILY", "timezone": "Mars/Base"}), "invalid_timezone"),
        (json!({"to": "bob", "title": "t", "send_at": now - 3_600_000}), "invalid_send_at"),
        (json!({"to": "bob", "title": "t", "send_at": now + 400 * 86_400_000i64}), "invalid_send_at"),
        (json!({"to": "nobody_here", "title": "t"}), "unknown_recipient"),
        (json!({"to": [], "title": "t"}), "invalid_recipients"),
    ] {
        let (status, answer) = notify(&alice, body.clone()).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (422, Some(code)), "{body} → {answer}");
    }
    // Someone else's notification is not found, whatever is done with it.
    let (_, mine) = notify(&bob, json!({"to": "bob", "title": "mine"})).await;
    let id = mine["id"].as_i64().unwrap();
    assert_eq!(alice.post(&format!("/api/v1/notifications/{id}/read"), json!({})).await.0, 404);
    assert_eq!(alice.delete(&format!("/api/v1/notifications/{id}")).await.0, 404);
    server.finish().await;
}

async fn read_read_all_and_archive_keep_the_counts_right(backend: Backend) {
    let server = server(backend, &Clock::system()).await;
    let bob = Api::signup(&server, "bob").await;
    let mut ids = Vec::new();
    for (title, kind) in [("one", "reminder"), ("two", "reminder"), ("three", "system"), ("four", "system")] {
        let (_, p) = notify(&bob, json!({"to": "bob", "title": title, "kind": kind})).await;
        ids.push(p["id"].as_i64().unwrap());
    }
    assert_eq!(count(&bob).await, 4);
    let mut ws = WsClient::connect(&server, &bob.token).await;
    assert_eq!(bob.post(&format!("/api/v1/notifications/{}/read", ids[0]), json!({})).await.0, 204);
    assert_eq!(ws.next_of("notification_read").await["ids"], json!([ids[0]]), "other devices hear of it");
    assert_eq!(count(&bob).await, 3);
    assert_eq!(bob.post("/api/v1/notifications/read-all", json!({"kind": "system"})).await.0, 204);
    assert_eq!(count(&bob).await, 1);
    let (_, unread) = bob.get("/api/v1/notifications?status=unread").await;
    assert_eq!(unread.as_array().unwrap().iter().map(|n| n["title"].clone()).collect::<Vec<_>>(), vec![json!("two")]);
    let (_, system) = bob.get("/api/v1/notifications?kind=system&limit=1").await;
    assert_eq!(system.as_array().unwrap().len(), 1, "paginated");
    assert_eq!(system[0]["title"], "four", "newest first");
    let (_, page2) = bob.get(&format!("/api/v1/notifications?kind=system&before={}", ids[3])).await;
    assert_eq!(page2[0]["title"], "three");
    assert_eq!(bob.delete(&format!("/api/v1/notifications/{}", ids[1])).await.0, 204);
    assert_eq!(count(&bob).await, 0, "archived counts as read");
    assert_eq!(inbox(&bob).await.len(), 3, "and leaves the inbox");
    assert_eq!(bob.get("/api/v1/notifications?status=maybe").await.0, 422);
    server.finish().await;
}

async fn each_preview_level_sends_only_what_it_allows(backend: Backend) {
    let server = server(backend, &Clock::system()).await;
    let push = TestPushService::start().await;
    let phone = push.device("bob-phone");
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let eve = Api::signup(&server, "eve").await;
    bob.post("/api/v1/push/subscriptions", phone.subscription_json()).await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut n = 0;
    let mut last = Value::Null;
    for level in ["full", "sender", "private"] {
        assert_eq!(bob.put("/api/v1/me/preferences", json!({"quiet_hours": null, "push_preview": level})).await.0, 200);
        last = alice.say(id, &format!("the secret plan ({level})")).await;
        n += 1;
        let got = push.wait_for(&phone, n).await;
        let payload = &got[n - 1].payload;
        let raw = payload.to_string();
        match level {
            "full" => {
                assert_eq!((&payload["title"], &payload["body"]), (&json!("alice"), &json!("the secret plan (full)")))
            }
            "sender" => {
                assert_eq!(payload["title"], "alice");
                assert_eq!(payload["body"], "", "the sender only");
            }
            _ => {
                assert!(!raw.contains("secret") && !raw.contains("alice"), "no words leave the server: {raw}");
                assert_eq!(payload["private"], true);
                assert_eq!(payload["message_id"], last["id"]);
                assert_eq!(payload["unread"], 3, "the badge still counts");
            }
        }
    }
    // What the service worker fetches with the device's session.
    let query = format!("/api/v1/push/preview?conversation_id={id}&message_id={}", last["id"]);
    let (status, preview) = bob.get(&query).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview, json!({"title": "alice", "body": "the secret plan (private)", "url": format!("/c/{id}")}));
    assert_eq!(eve.get(&query).await.0, 403, "not eve's conversation");
    assert_eq!(Api::new(&server).get(&query).await.0, 401);
    let (_, note) =
        notify(&bob, json!({"to": "bob", "title": "Lab results ready", "url": "https://lab.example/r/7", "tag": "lab-results"}))
            .await;
    let got = push.wait_for(&phone, n + 1).await;
    let raw = got[n].payload.to_string();
    assert!(!raw.to_lowercase().contains("lab"), "not the title, link or tag: {raw}");
    let topic = got[n].headers.get("topic").cloned().unwrap_or_default();
    assert!(!topic.contains("lab"), "the Topic header is read by the push service: {topic}");
    assert_eq!(got[n].payload["notification_id"], note["id"]);
    let (_, preview) = bob.get(&format!("/api/v1/push/preview?notification_id={}", note["id"])).await;
    assert_eq!(preview["title"], "Lab results ready");
    assert_eq!(eve.get(&format!("/api/v1/push/preview?notification_id={}", note["id"])).await.0, 404);
    server.finish().await;
}

async fn only_an_admin_issues_notify_any_and_it_reaches_strangers(backend: Backend) {
    let server = TestServer::start_with(backend, |c| c.admins = vec!["ops".into()]).await;
    let ops = Api::signup(&server, "ops").await;
    let alice = Api::signup(&server, "alice").await;
    let carol = Api::signup(&server, "carol").await;
    let scopes = json!(["notify:any"]);
    let (status, body) = alice.post("/api/v1/auth/tokens", json!({"name": "spam", "scopes": scopes})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("not_allowed")), "{body}");
    let (status, body) = ops.post("/api/v1/auth/tokens", json!({"name": "announcer", "scopes": scopes})).await;
    assert_eq!(status, 201, "{body}");
    let announcer = Api::with_token(&server, body["token"].as_str().unwrap());

    // Signed in, even an admin notifies only people they share a conversation with.
    let (status, _) = notify(&ops, json!({"to": "carol", "title": "Maintenance at 22:00"})).await;
    assert_eq!(status, 403);
    let (status, published) =
        notify(&announcer, json!({"to": ["alice", "carol"], "title": "Maintenance at 22:00", "kind": "system"})).await;
    assert_eq!(status, 201, "{published}");
    assert_eq!(published["ids"].as_array().unwrap().len(), 2);
    assert_eq!(inbox(&carol).await[0]["actor"], "ops");
    assert_eq!(inbox(&alice).await[0]["kind"], "system");
    // notify:any is notify for everything else; it reads nothing else.
    assert_eq!(announcer.get("/api/v1/notifications").await.0, 200);
    assert_eq!(announcer.get("/api/v1/conversations").await.0, 403);
    server.finish().await;
}
