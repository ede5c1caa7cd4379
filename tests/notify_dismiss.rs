//! Read on one device, closed on the others; and "Remind me". Against the
//! real server on both backends, with a test push service that decrypts
//! each push independently: a device shown a push for a conversation or a
//! notification gets one dismissal push (tags and the unread count, no
//! text) when it is read elsewhere, and a device never shown one gets none.

mod common;

use std::time::Duration;

use app::clock::Clock;
use common::notify::{count, eventually, notify, server};
use common::push_service::TestPushService;
use common::{Api, Backend, TestServer};
use serde_json::{Value, json};

backend_tests!(
    reading_a_conversation_dismisses_its_push_on_the_devices_shown_it,
    reading_notifications_dismisses_their_pushes_once,
    remind_me_schedules_a_reminder_that_fires_in_the_persons_zone,
);

async fn subscribed(api: &Api<'_>, push: &TestPushService, name: &str) -> common::push_service::Device {
    let device = push.device(name);
    let (status, body) = api.post("/api/v1/push/subscriptions", device.subscription_json()).await;
    assert_eq!(status, 201, "{body}");
    device
}

/// The same person signed in again, as on another device.
async fn another_device<'a>(server: &'a TestServer, username: &str) -> Api<'a> {
    let body = json!({"username": username, "password": "correct horse"});
    let r = reqwest::Client::new().post(server.url("/api/v1/auth/login")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    Api::with_token(server, r.json::<Value>().await.unwrap()["token"].as_str().unwrap())
}

/// Moves the read pointer to `message`; returns the status.
async fn read(api: &Api<'_>, conversation: i64, message: &Value) -> u16 {
    let path = format!("/api/v1/conversations/{conversation}/read");
    api.post(&path, json!({"message_id": message["id"]})).await.0
}

/// No further push arrives within a moment.
async fn no_more(push: &TestPushService, device: &common::push_service::Device, have: usize) {
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(push.received(device).len(), have, "{:?}", push.received(device).last().map(|r| &r.payload));
}

async fn reading_a_conversation_dismisses_its_push_on_the_devices_shown_it(backend: Backend) {
    let server = server(backend, &Clock::system()).await;
    let push = TestPushService::start().await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let phone = subscribed(&bob, &push, "bob-phone").await;
    let laptop = another_device(&server, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let tag = format!("conversation-{id}");

    let message = alice.say(id, "Dinner at 8?").await;
    let got = push.wait_for(&phone, 1).await;
    assert_eq!(got[0].payload["tag"], tag.as_str());
    // A device subscribed after the push was never shown it.
    let tablet = subscribed(&laptop, &push, "bob-tablet").await;

    assert_eq!(read(&laptop, id, &message).await, 204);
    let got = push.wait_for(&phone, 2).await;
    let dismissal = &got[1].payload;
    assert_eq!(*dismissal, json!({"type": "dismiss", "tags": [tag], "unread": 0}), "ids and a count, no text");
    assert!(got[1].headers.get("topic").is_none(), "dismissals do not replace each other at the push service");
    no_more(&push, &tablet, 0).await;

    // Dismissed once: reading again sends nothing.
    assert_eq!(read(&laptop, id, &message).await, 204);
    no_more(&push, &phone, 2).await;

    // Read on the phone itself: the phone needs no dismissal; the tablet,
    // shown this one too, does.
    let again = alice.say(id, "Or 9?").await;
    push.wait_for(&phone, 3).await;
    push.wait_for(&tablet, 1).await;
    assert_eq!(read(&bob, id, &again).await, 204);
    let got = push.wait_for(&tablet, 2).await;
    assert_eq!(got[1].payload["type"], "dismiss");
    no_more(&push, &phone, 3).await;
    assert_eq!(read(&laptop, id, &again).await, 204);
    no_more(&push, &phone, 3).await;
    no_more(&push, &tablet, 2).await;
    server.finish().await;
}

async fn reading_notifications_dismisses_their_pushes_once(backend: Backend) {
    let server = server(backend, &Clock::system()).await;
    let push = TestPushService::start().await;
    let bob = Api::signup(&server, "bob").await;
    let phone = subscribed(&bob, &push, "bob-phone").await;
    let laptop = another_device(&server, "bob").await;

    let (_, feed) = notify(&bob, json!({"to": "bob", "title": "Feeding due", "tag": "feed"})).await;
    let (_, report) = notify(&bob, json!({"to": "bob", "title": "Report ready"})).await;
    let got = push.wait_for(&phone, 2).await;
    let mut tags: Vec<Value> = got.iter().map(|r| r.payload["tag"].clone()).collect();
    tags.sort_by_key(|t| t.to_string());
    let report_tag = format!("notification-{}", report["id"]);
    let feed_tag = format!("n-{}", feed["id"]);
    assert_eq!(tags, vec![json!(feed_tag), json!(report_tag)]);

    // One read: that one's push is dismissed, with the new unread count.
    let (status, _) = laptop.post(&format!("/api/v1/notifications/{}/read", feed["id"]), json!({})).await;
    assert_eq!(status, 204);
    let got = push.wait_for(&phone, 3).await;
    assert_eq!(got[2].payload, json!({"type": "dismiss", "tags": [feed_tag], "unread": 1}));

    // "Mark all read" dismisses what is still showing; archiving a read one, nothing.
    let (status, _) = laptop.post("/api/v1/notifications/read-all", json!({})).await;
    assert_eq!(status, 204);
    let got = push.wait_for(&phone, 4).await;
    assert_eq!(got[3].payload, json!({"type": "dismiss", "tags": [report_tag], "unread": 0}));
    let (status, _) = laptop.delete(&format!("/api/v1/notifications/{}", report["id"])).await;
    assert_eq!(status, 204);
    no_more(&push, &phone, 4).await;
    server.finish().await;
}

/// Signs in as a browser does: a session cookie, and server functions.
async fn browser_session(server: &TestServer, username: &str) -> reqwest::Client {
    let client = common::browser();
    let r = client
        .post(server.url("/fn/auth/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(format!("username={username}&password=correct+horse"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    client
}

async fn remind(server: &TestServer, client: &reqwest::Client, form: &str) -> (u16, String) {
    let r = client
        .post(server.url("/fn/notify/remind"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("origin", server.url("").trim_end_matches('/'))
        .body(form.to_owned())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn remind_me_schedules_a_reminder_that_fires_in_the_persons_zone(backend: Backend) {
    // 2026-12-01 22:30 in Madrid (21:30 UTC).
    let clock = Clock::manual(1_796_160_600_000);
    let server = server(backend, &clock).await;
    let bob = Api::signup(&server, "bob").await;
    let client = browser_session(&server, "bob").await;

    let (status, body) =
        remind(&server, &client, "text=Call+mum&when=tomorrow&at=&daily=08%3A00&timezone=Europe%2FMadrid").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        remind(&server, &client, "text=Stretch&when=daily&at=&daily=08%3A00&timezone=Europe%2FMadrid").await;
    assert_eq!(status, 200, "{body}");
    let (_, scheduled) = bob.get("/api/v1/notifications/scheduled").await;
    let list = scheduled.as_array().unwrap();
    assert_eq!(list.len(), 2, "{scheduled}");
    let next: Vec<i64> = list.iter().map(|s| s["next_at"].as_i64().unwrap()).collect();
    // 2026-12-02 09:00 and 08:00 in Madrid are 08:00 and 07:00 UTC.
    let tomorrow_nine = 1_796_198_400_000;
    assert!(next.contains(&tomorrow_nine) && next.contains(&(tomorrow_nine - 3_600_000)), "{next:?}");

    // Bad input is refused with a stable code, and nothing is stored.
    for (form, code) in [
        ("text=&when=10min&at=&daily=&timezone=UTC", "invalid_title"),
        ("text=x&when=at&at=someday&daily=&timezone=UTC", "invalid_time"),
        ("text=x&when=at&at=2020-01-01T10%3A00&daily=&timezone=UTC", "invalid_send_at"),
        ("text=x&when=soon&at=&daily=&timezone=UTC", "invalid_when"),
        ("text=x&when=10min&at=&daily=&timezone=Mars%2FOlympus", "invalid_timezone"),
    ] {
        let (status, body) = remind(&server, &client, form).await;
        assert_eq!(status, 422, "{form}: {body}");
        assert!(body.contains(code), "{form}: {body}");
    }
    assert_eq!(bob.get("/api/v1/notifications/scheduled").await.1.as_array().unwrap().len(), 2);

    // Morning: the daily one fires at 8:00, "Call mum" at 9:00.
    clock.set(tomorrow_nine - 3_600_000);
    eventually("the 8:00 reminder", || async { count(&bob).await == 1 }).await;
    clock.set(tomorrow_nine);
    eventually("the 9:00 reminder", || async { count(&bob).await == 2 }).await;
    let (_, inbox) = bob.get("/api/v1/notifications").await;
    let titles: Vec<&str> = inbox.as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Call mum", "Stretch"]);
    assert!(inbox.as_array().unwrap().iter().all(|n| n["kind"] == "reminder" && n["url"] == "/notifications"));
    server.finish().await;
}
