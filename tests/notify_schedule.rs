//! Notifications for later and quiet hours, on both backends, with an
//! injected clock: an RRULE read in its zone across DST, a due schedule
//! fired once across a restart (late, after downtime), and quiet hours that
//! hold pushes for messages and notifications, then send one summary each.

mod common;

use std::time::Duration;

use app::clock::Clock;
use chrono::TimeZone;
use common::notify::{eventually, inbox, notify, server};
use common::push_service::{Device, TestPushService};
use common::{Api, Backend, TestServer};
use serde_json::json;

backend_tests!(
    a_daily_reminder_fires_at_eight_local_across_dst,
    a_due_schedule_fires_once_across_a_restart_and_late_after_downtime,
    quiet_hours_hold_pushes_then_send_one_summary_per_tag,
    quiet_hours_hold_message_pushes_too,
);

/// 2026-03-28 06:00 UTC: the day before Madrid's spring change.
fn start_ms() -> i64 {
    chrono::Utc.with_ymd_and_hms(2026, 3, 28, 6, 0, 0).unwrap().timestamp_millis()
}

async fn a_daily_reminder_fires_at_eight_local_across_dst(backend: Backend) {
    let clock = Clock::manual(start_ms());
    let server = server(backend, &clock).await;
    let bob = Api::signup(&server, "bob").await;
    let (status, published) = notify(
        &bob,
        json!({"to": "bob", "title": "Morning review", "kind": "reminder",
               "recurrence": "FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0", "timezone": "Europe/Madrid"}),
    )
    .await;
    assert_eq!(status, 201, "{published}");
    assert_eq!(published["status"], "scheduled");
    // 2026-03-28 08:00 in Madrid is 07:00 UTC (winter time).
    let first = chrono::Utc.with_ymd_and_hms(2026, 3, 28, 7, 0, 0).unwrap().timestamp_millis();
    assert_eq!(published["next_at"], first);
    let (_, scheduled) = bob.get("/api/v1/notifications/scheduled").await;
    assert_eq!(scheduled[0]["recurrence"], "FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0");

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(inbox(&bob).await.is_empty(), "not before its time");
    clock.set(first + 1000);
    eventually("the first reminder", || async { inbox(&bob).await.len() == 1 }).await;
    // The next day is summer time: 08:00 in Madrid is 06:00 UTC.
    let (_, scheduled) = bob.get("/api/v1/notifications/scheduled").await;
    let second = chrono::Utc.with_ymd_and_hms(2026, 3, 29, 6, 0, 0).unwrap().timestamp_millis();
    assert_eq!(scheduled[0]["next_at"], second, "{scheduled}");
    clock.set(second + 1000);
    eventually("the second reminder", || async { inbox(&bob).await.len() == 2 }).await;
    assert!(inbox(&bob).await.iter().all(|n| n["late"] == false));

    let id = scheduled[0]["id"].as_i64().unwrap();
    assert_eq!(bob.delete(&format!("/api/v1/notifications/scheduled/{id}")).await.0, 204);
    clock.set(second + 86_400_000 + 1000);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(inbox(&bob).await.len(), 2, "a cancelled schedule fires no more");
    server.finish().await;
}

async fn a_due_schedule_fires_once_across_a_restart_and_late_after_downtime(backend: Backend) {
    let clock = Clock::manual(start_ms());
    let server = server(backend, &clock).await;
    let bob = Api::signup(&server, "bob").await;
    let token = bob.token.clone();
    let due = start_ms() + 60_000;
    let (status, _) = notify(&bob, json!({"to": "bob", "title": "Call the vet", "send_at": due})).await;
    assert_eq!(status, 201);
    let (_, daily) = notify(&bob, json!({"to": "bob", "title": "Daily", "recurrence": "FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0", "timezone": "UTC"})).await;
    drop(bob);
    // Down for three days: both are due when it comes back.
    let db = server.stop().await;
    clock.set(start_ms() + 3 * 86_400_000);
    let server = TestServer::start_on(db, {
        let clock = clock.clone();
        move |c| c.clock = clock
    })
    .await;
    let bob = Api::with_token(&server, &token);
    eventually("both fired", || async { inbox(&bob).await.len() == 2 }).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let list = inbox(&bob).await;
    assert_eq!(list.len(), 2, "each once, not once per missed day: {list:?}");
    assert!(list.iter().all(|n| n["late"] == true), "marked late: {list:?}");
    let (_, scheduled) = bob.get("/api/v1/notifications/scheduled").await;
    let scheduled = scheduled.as_array().unwrap();
    assert_eq!(scheduled.len(), 1, "the one-off is gone, the daily goes on");
    assert_eq!(scheduled[0]["id"], daily["id"]);
    assert!(scheduled[0]["next_at"].as_i64().unwrap() > clock.now_ms(), "from now on");
    server.finish().await;
}

/// 23:00 in Madrid (22:00 UTC, winter): a server on that clock, and a
/// push service with Bob's phone on it.
async fn at_night(backend: Backend) -> (TestServer, Clock, TestPushService, Device) {
    let clock = Clock::manual(chrono::Utc.with_ymd_and_hms(2026, 12, 1, 22, 0, 0).unwrap().timestamp_millis());
    let server = server(backend, &clock).await;
    let push = TestPushService::start().await;
    let phone = push.device("bob-phone");
    (server, clock, push, phone)
}

/// 07:00 in Madrid, the morning after.
fn morning() -> i64 {
    chrono::Utc.with_ymd_and_hms(2026, 12, 2, 6, 0, 1).unwrap().timestamp_millis()
}

async fn quiet_hours_hold_pushes_then_send_one_summary_per_tag(backend: Backend) {
    let (server, clock, push, phone) = at_night(backend).await;
    let bob = Api::signup(&server, "bob").await;
    bob.post("/api/v1/push/subscriptions", phone.subscription_json()).await;
    let prefs =
        json!({"quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "Europe/Madrid"}, "push_preview": "full"});
    let (status, saved) = bob.put("/api/v1/me/preferences", prefs.clone()).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(bob.get("/api/v1/me/preferences").await.1, prefs);
    let bad = json!({"quiet_hours": {"start": "22:00", "end": "22:00", "timezone": "Europe/Madrid"}});
    assert_eq!(bob.put("/api/v1/me/preferences", bad).await.1["error"]["code"], "invalid_quiet_hours");

    for i in 0..3 {
        notify(&bob, json!({"to": "bob", "title": format!("Feeding {i}"), "tag": "feeding"})).await;
    }
    notify(&bob, json!({"to": "bob", "title": "Backup done"})).await;
    notify(&bob, json!({"to": "bob", "title": "Smoke alarm", "priority": "high"})).await;
    let urgent = push.wait_for(&phone, 1).await;
    assert_eq!(urgent[0].payload["title"], "Smoke alarm", "high priority passes through");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(push.received(&phone).len(), 1, "the rest are held");
    assert_eq!(inbox(&bob).await.len(), 5, "the inbox is never held");
    // The gauges: four held pushes; of the people active this month,
    // bob has a device (carol's device is on an account unused for months).
    let carol = Api::signup(&server, "carol").await;
    carol.post("/api/v1/push/subscriptions", push.device("carol-phone").subscription_json()).await;
    let db = app::db::connect(&server.db.url, 1, false).await.unwrap();
    sqlx::query("UPDATE auth_tokens SET created_at = 0, last_used_at = 0 WHERE user_id = (SELECT id FROM users WHERE username = 'carol')")
        .execute(db.pool())
        .await
        .unwrap();
    let month = 30 * 24 * 3600 * 1000;
    let g = app::notify::store::gauges(&db, app::db::now_ms() - month).await.unwrap();
    assert_eq!((g.held_pushes, g.with_devices, g.active), (4, 1, 1), "{g:?}");

    // 07:00 in Madrid: one push per tag.
    clock.set(morning());
    let got = push.wait_for(&phone, 3).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(push.received(&phone).len(), 3, "one summary per tag: {:?}", push.received(&phone));
    assert_eq!(app::notify::store::gauges(&db, 0).await.unwrap().held_pushes, 0, "none held after the summary");
    let mut summaries: Vec<(String, String)> = got[1..]
        .iter()
        .map(|r| (r.payload["title"].as_str().unwrap().to_owned(), r.payload["body"].as_str().unwrap().to_owned()))
        .collect();
    summaries.sort();
    assert_eq!(summaries, vec![("Backup done".into(), "".into()), ("Feeding 2".into(), "(+2 more)".into())]);
    server.finish().await;
}

async fn quiet_hours_hold_message_pushes_too(backend: Backend) {
    let (server, clock, push, phone) = at_night(backend).await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    bob.post("/api/v1/push/subscriptions", phone.subscription_json()).await;
    // Bob reads Spanish: the summary's own words are his.
    let quiet =
        json!({"quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "Europe/Madrid"}, "language": "es"});
    assert_eq!(bob.put("/api/v1/me/preferences", quiet).await.0, 200);
    let direct = alice.conversation_with(&["bob"]).await;
    alice.say(direct, "Are you up?").await;
    alice.say(direct, "Call me when you wake").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(push.received(&phone).is_empty(), "held overnight");
    clock.set(morning());
    let got = push.wait_for(&phone, 1).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(push.received(&phone).len(), 1, "one summary for the conversation");
    assert_eq!(got[0].payload["title"], "alice");
    assert_eq!(got[0].payload["body"], "Call me when you wake (+1 más)");
    assert_eq!(got[0].payload["url"], format!("/c/{direct}"), "tapping it opens the conversation");
    // Daytime: straight through again.
    alice.say(direct, "Morning!").await;
    push.wait_for(&phone, 2).await;
    server.finish().await;
}
