//! Web Push end to end: the real server queues and sends real encrypted
//! pushes to a local push service that verifies and decrypts them
//! independently. Both database backends.

mod common;

use std::time::{Duration, Instant};

use common::push_service::{Device, Reply, TestPushService};
use common::ws::WsClient;
use common::{Api, Backend, TestServer};
use serde_json::json;

backend_tests!(
    an_absent_member_gets_exactly_one_push_with_the_documented_payload,
    a_visible_socket_gets_no_push_but_a_hidden_one_does,
    the_author_never_gets_a_push,
    a_muted_conversation_sends_none,
    gone_410_prunes_the_subscription_for_good,
    retry_after_429_delays_then_delivers,
    server_errors_retry_then_dead_letter_with_the_reason,
    too_large_413_is_retried_once_shortened,
    a_restart_with_pending_jobs_sends_each_once,
    a_4000_character_message_fits_in_4096_bytes,
    subscriptions_upsert_list_and_delete,
    endpoints_and_keys_are_validated,
);

async fn server(backend: Backend) -> TestServer {
    TestServer::start_with(backend, |c| {
        c.push.allow_private = true;
        c.push.max_attempts = 3;
        c.push.retry_base_ms = 100;
    })
    .await
}

/// Alice and Bob in a direct conversation; Bob's phone is subscribed to a
/// fresh test push service.
struct Scene {
    server: TestServer,
    push: TestPushService,
    phone: Device,
    alice: String,
    bob: String,
    id: i64,
}

impl Scene {
    async fn new(backend: Backend) -> Self {
        let server = server(backend).await;
        let push = TestPushService::start().await;
        let phone = push.device("bob-phone");
        let (alice, bob, id) = {
            let alice = Api::signup(&server, "alice").await;
            let bob = Api::signup(&server, "bob").await;
            subscribe(&bob, &phone).await;
            let id = alice.conversation_with(&["bob"]).await;
            (alice.token, bob.token, id)
        };
        Self { server, push, phone, alice, bob, id }
    }

    fn alice(&self) -> Api<'_> {
        Api::with_token(&self.server, &self.alice)
    }

    fn bob(&self) -> Api<'_> {
        Api::with_token(&self.server, &self.bob)
    }

    async fn finish(self) {
        self.server.finish().await;
    }
}

async fn subscribe(api: &Api<'_>, device: &Device) {
    let (status, body) = api.post("/api/v1/push/subscriptions", device.subscription_json()).await;
    assert_eq!(status, 201, "{body}");
}

async fn an_absent_member_gets_exactly_one_push_with_the_documented_payload(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (push, phone, id) = (&scene.push, &scene.phone, scene.id);
    let (alice, bob) = (scene.alice(), scene.bob());
    let message = alice.say(id, "Are you coming tonight?\nBring the charger").await;

    let got = push.wait_for(phone, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(push.received(phone).len(), 1, "exactly one push");
    assert!(push.failures().is_empty(), "{:?}", push.failures());
    let push_msg = &got[0];
    // For the record (`cargo test --test push -- --nocapture`): what the device decrypted.
    println!(
        "decrypted push: {}\nheaders: {:?}\nVAPID claims: {}",
        push_msg.payload, push_msg.headers, push_msg.claims
    );
    assert_eq!(
        push_msg.payload,
        json!({
            "title": "alice",
            "body": "Are you coming tonight?\nBring the charger",
            "url": format!("/c/{id}"),
            "conversation_id": id,
            "message_id": message["id"],
            "tag": format!("conversation-{id}"),
            "unread": 1,
        })
    );
    assert_eq!(push_msg.headers["ttl"], "86400");
    assert_eq!(push_msg.headers["urgency"], "high", "direct conversations are urgent");
    assert_eq!(push_msg.headers["topic"], format!("conv-{id}"));
    assert_eq!(push_msg.headers["content-encoding"], "aes128gcm");
    assert_eq!(push_msg.claims["aud"], push.base.as_str());
    let (_, key) = bob.get("/api/v1/push/vapid-public-key").await;
    assert_eq!(key["key"], push_msg.vapid_key.as_str(), "signed with the advertised key");

    // The device list shows the success, and no secrets.
    let (_, devices) = bob.get("/api/v1/push/subscriptions").await;
    assert_eq!(devices[0]["origin"], push.base.as_str());
    assert_eq!(devices[0]["last_status"], 201);
    assert!(devices[0]["last_success_at"].as_i64().is_some());
    assert!(devices[0].get("endpoint").is_none() && devices[0].get("keys").is_none());
    drop((alice, bob));
    scene.finish().await;
}

async fn a_visible_socket_gets_no_push_but_a_hidden_one_does(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (server, push, phone, id) = (&scene.server, &scene.push, &scene.phone, scene.id);
    let (alice, bob) = (scene.alice(), scene.bob());

    let mut bob_ws = WsClient::connect(server, &bob.token).await;
    alice.say(id, "you are looking").await;
    bob_ws.next_of("message").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(push.received(phone).is_empty(), "a visible tab gets the message live, no push");

    bob_ws.send(json!({"type": "visibility", "visible": false})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    alice.say(id, "you switched away").await;
    let got = push.wait_for(phone, 1).await;
    assert_eq!(got[0].payload["body"], "you switched away");
    drop((alice, bob));
    scene.finish().await;
}

async fn the_author_never_gets_a_push(backend: Backend) {
    let server = server(backend).await;
    let push = TestPushService::start().await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let alice_laptop = push.device("alice-laptop");
    let bob_phone = push.device("bob-phone");
    subscribe(&alice, &alice_laptop).await;
    subscribe(&bob, &bob_phone).await;
    let id = alice.conversation_with(&["bob"]).await;
    alice.say(id, "only bob hears of this").await;
    push.wait_for(&bob_phone, 1).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(push.received(&alice_laptop).is_empty());
    server.finish().await;
}

async fn a_muted_conversation_sends_none(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (server, push, phone, id) = (&scene.server, &scene.push, &scene.phone, scene.id);
    let (alice, bob) = (scene.alice(), scene.bob());
    let client = reqwest::Client::new();
    let mute = |muted: bool| {
        client
            .put(server.url(&format!("/api/v1/conversations/{id}/mute")))
            .bearer_auth(bob.token.clone())
            .json(&json!({"muted": muted}))
            .send()
    };
    assert_eq!(mute(true).await.unwrap().status(), 204);
    alice.say(id, "shh").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(push.received(phone).is_empty(), "muted: no push");
    assert_eq!(bob.get(&format!("/api/v1/conversations/{id}")).await.1["muted"], true);
    assert_eq!(mute(false).await.unwrap().status(), 204);
    alice.say(id, "loud again").await;
    assert_eq!(push.wait_for(phone, 1).await[0].payload["body"], "loud again");
    drop((alice, bob));
    scene.finish().await;
}

async fn gone_410_prunes_the_subscription_for_good(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (push, old_laptop, id) = (&scene.push, &scene.phone, scene.id);
    let (alice, bob) = (scene.alice(), scene.bob());
    push.script(old_laptop, vec![Reply::Status(410)]);
    alice.say(id, "hello?").await;
    push.wait_for(old_laptop, 1).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while bob.get("/api/v1/push/subscriptions").await.1 != json!([]) {
        assert!(Instant::now() < deadline, "subscription not pruned");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    alice.say(id, "anyone?").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(push.received(old_laptop).len(), 1, "a pruned subscription is never tried again");
    drop((alice, bob));
    scene.finish().await;
}

async fn retry_after_429_delays_then_delivers(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (push, phone, id) = (&scene.push, &scene.phone, scene.id);
    let (alice, bob) = (scene.alice(), scene.bob());
    push.script(phone, vec![Reply::RetryAfter(429, 1)]);
    alice.say(id, "rate limited").await;
    let got = push.wait_for(phone, 2).await;
    assert_eq!((got[0].answered, got[1].answered), (429, 201));
    let waited = got[1].at - got[0].at;
    assert!(waited >= Duration::from_millis(950), "Retry-After honoured, waited {waited:?}");
    assert_eq!(got[1].payload["body"], "rate limited");
    // The push service has it a moment before the server records the answer.
    let deadline = Instant::now() + Duration::from_secs(5);
    let done = loop {
        let (_, done) = bob.get("/api/v1/push/deliveries?status=done").await;
        if !done.as_array().unwrap().is_empty() || Instant::now() > deadline {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(done.as_array().unwrap().len(), 1);
    assert_eq!(done[0]["attempts"], 2);
    drop((alice, bob));
    scene.finish().await;
}

async fn server_errors_retry_then_dead_letter_with_the_reason(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (server, push, phone, id) = (&scene.server, &scene.push, &scene.phone, scene.id);
    let (alice, bob) = (scene.alice(), scene.bob());
    push.script(phone, vec![Reply::Status(500), Reply::Status(503), Reply::Status(500), Reply::Status(500)]);
    alice.say(id, "doomed").await;
    push.wait_for(phone, 3).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let dead = loop {
        let (_, dead) = bob.get("/api/v1/push/deliveries?status=dead").await;
        if !dead.as_array().unwrap().is_empty() {
            break dead;
        }
        assert!(Instant::now() < deadline, "no dead letter");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(dead[0]["attempts"], 3);
    assert_eq!(dead[0]["last_status"], 500);
    assert!(dead[0]["last_error"].as_str().unwrap().contains("500"), "{}", dead[0]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(push.received(phone).len(), 3, "no attempts after the dead letter");
    let metrics = reqwest::get(&server.metrics).await.unwrap().text().await.unwrap();
    // Dead letters are counted per job kind (the push queue became the one job queue).
    assert!(metrics.contains("tidings_jobs_dead_total{kind=\"push.message\"}"), "dead letters are counted");
    // The subscription survives a server error.
    assert_eq!(bob.get("/api/v1/push/subscriptions").await.1.as_array().unwrap().len(), 1);
    drop((alice, bob));
    scene.finish().await;
}

async fn too_large_413_is_retried_once_shortened(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (push, phone, id) = (&scene.push, &scene.phone, scene.id);
    let (alice, bob) = (scene.alice(), scene.bob());
    push.script(phone, vec![Reply::Status(413)]);
    alice.say(id, &"long ".repeat(300)).await;
    let got = push.wait_for(phone, 2).await;
    assert!(got[1].body_len < got[0].body_len);
    assert_eq!(got[1].payload["body"].as_str().unwrap().chars().count(), 120);
    drop((alice, bob));
    scene.finish().await;
}

async fn a_restart_with_pending_jobs_sends_each_once(backend: Backend) {
    let push = TestPushService::start().await;
    let phone = push.device("bob-phone");
    // First run: push workers off, so the jobs stay queued in the database.
    let first = TestServer::start_with(backend, |c| {
        c.push.allow_private = true;
        c.push.workers = 0;
    })
    .await;
    let alice = Api::signup(&first, "alice").await;
    let bob = Api::signup(&first, "bob").await;
    subscribe(&bob, &phone).await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(alice.say(id, &format!("queued {i}")).await["id"].clone());
    }
    let (_, pending) = bob.get("/api/v1/push/deliveries?status=pending").await;
    assert_eq!(pending.as_array().unwrap().len(), 3);
    let alice_token = alice.token.clone();
    drop((alice, bob));
    let db = first.stop().await;

    let second = TestServer::start_on(db, |c| c.push.allow_private = true).await;
    let got = push.wait_for(&phone, 3).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got_now = push.received(&phone);
    assert_eq!(got_now.len(), 3, "no duplicates: {got:?}");
    let mut ids: Vec<_> = got_now.iter().map(|r| r.payload["message_id"].clone()).collect();
    ids.sort_by_key(|v| v.as_i64());
    assert_eq!(ids, sent, "each queued message pushed once");

    // Now stop while a push is in flight, then restart: the push is
    // finished before the server exits, and not sent again.
    push.script(&phone, vec![Reply::Slow(Duration::from_millis(800), 201)]);
    let mut alice = Api::new(&second);
    alice.token = alice_token;
    alice.say(id, "in flight").await;
    push.wait_for(&phone, 4).await;
    drop(alice);
    let db = second.stop().await;
    let third = TestServer::start_on(db, |c| c.push.allow_private = true).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(push.received(&phone).len(), 4, "the in-flight push was completed before stopping");
    third.finish().await;
}

async fn a_4000_character_message_fits_in_4096_bytes(backend: Backend) {
    let scene = Scene::new(backend).await;
    let (push, phone, id) = (&scene.push, &scene.phone, scene.id);
    let (alice, bob) = (scene.alice(), scene.bob());
    let body = "ж".repeat(4000); // 8000 bytes of UTF-8
    alice.say(id, &body).await;
    let got = push.wait_for(phone, 1).await;
    assert!(got[0].body_len <= 4096, "{} bytes", got[0].body_len);
    let preview = got[0].payload["body"].as_str().unwrap();
    assert!(preview.ends_with('…'));
    assert!(body.starts_with(preview.trim_end_matches('…')), "cut on a character boundary");
    drop((alice, bob));
    scene.finish().await;
}

async fn subscriptions_upsert_list_and_delete(backend: Backend) {
    let server = server(backend).await;
    let push = TestPushService::start().await;
    let alice = Api::signup(&server, "alice").await;
    let bob = Api::signup(&server, "bob").await;
    let shared = push.device("shared-browser");
    let mut body = shared.subscription_json();
    body["label"] = json!("Kitchen tablet");
    assert_eq!(alice.post("/api/v1/push/subscriptions", body.clone()).await.0, 201);
    assert_eq!(alice.post("/api/v1/push/subscriptions", body.clone()).await.0, 201, "idempotent");
    assert_eq!(alice.get("/api/v1/push/subscriptions").await.1.as_array().unwrap().len(), 1);
    // The same browser signs in as bob: the endpoint moves to him.
    let (_, moved) = bob.post("/api/v1/push/subscriptions", shared.subscription_json()).await;
    assert_eq!(moved["label"], "Kitchen tablet");
    assert_eq!(alice.get("/api/v1/push/subscriptions").await.1, json!([]));
    let client = reqwest::Client::new();
    let r = client
        .delete(server.url("/api/v1/push/subscriptions"))
        .bearer_auth(&bob.token)
        .json(&json!({"endpoint": shared.endpoint}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let other = push.device("bob-phone");
    let (_, device) = bob.post("/api/v1/push/subscriptions", other.subscription_json()).await;
    let path = format!("/api/v1/push/subscriptions/{}", device["id"]);
    assert_eq!(
        client.delete(server.url(&path)).bearer_auth(&alice.token).send().await.unwrap().status(),
        404,
        "not hers"
    );
    assert_eq!(client.delete(server.url(&path)).bearer_auth(&bob.token).send().await.unwrap().status(), 204);
    // At most 20 devices.
    for n in 0..20 {
        subscribe(&bob, &push.device(&format!("d{n}"))).await;
    }
    let (status, err) = bob.post("/api/v1/push/subscriptions", push.device("d20").subscription_json()).await;
    assert_eq!((status, err["error"]["code"].as_str()), (422, Some("too_many_subscriptions")));
    server.finish().await;
}

async fn endpoints_and_keys_are_validated(backend: Backend) {
    // Without TIDINGS_PUSH_ALLOW_PRIVATE.
    let server = TestServer::start(backend).await;
    let push = TestPushService::start().await;
    let bob = Api::signup(&server, "bob").await;
    let device = push.device("bob-phone");
    let with = |endpoint: &str, p256dh: &str, auth: &str| json!({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}});
    let cases = [
        (with(&device.endpoint, &device.p256dh, &device.auth), "invalid_endpoint"), // http
        (with("https://127.0.0.1/push/x", &device.p256dh, &device.auth), "private_endpoint"),
        (with("https://192.168.1.20/push/x", &device.p256dh, &device.auth), "private_endpoint"),
        (with("https://[::ffff:10.0.0.1]/push/x", &device.p256dh, &device.auth), "private_endpoint"),
        (with("https://localhost/push/x", &device.p256dh, &device.auth), "private_endpoint"),
        (with("https://8.8.8.8/push/x", "AAAA", &device.auth), "invalid_p256dh"),
        (with("https://8.8.8.8/push/x", &device.p256dh, "AAAA"), "invalid_auth"),
    ];
    for (body, code) in cases {
        let (status, err) = bob.post("/api/v1/push/subscriptions", body.clone()).await;
        assert_eq!((status, err["error"]["code"].as_str()), (422, Some(code)), "{body}");
    }
    assert_eq!(bob.get("/api/v1/push/subscriptions").await.1, json!([]), "nothing stored");
    server.finish().await;
}

/// Real push services are https and offer HTTP/2: the sender takes it
/// (many pushes share one connection), and the push still verifies and
/// decrypts. No database involved: the sender alone.
#[tokio::test]
async fn the_sender_speaks_http2_when_the_push_service_offers_it() {
    use app::push::jwt::VapidSigner;
    use app::push::sender::{Outcome, Push, Sender, SenderConfig, Urgency};
    use app::push::vapid::VapidKeys;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

    let (push, ca) = TestPushService::start_tls().await;
    let phone = push.device("phone");
    let signer = VapidSigner::new(VapidKeys::generate_for_tests(), "mailto:ops@example.org".into());
    let config =
        SenderConfig { ttl: Duration::from_secs(60), allow_private: true, per_origin: 8, extra_roots: vec![ca] };
    let sender = Sender::new(signer, config).unwrap();
    let (p256dh, auth) = (B64.decode(&phone.p256dh).unwrap(), B64.decode(&phone.auth).unwrap());
    for n in 0..3 {
        let payload = json!({"title": "alice", "body": format!("hello {n}")}).to_string();
        let push = Push {
            endpoint: &phone.endpoint,
            p256dh: &p256dh,
            auth: &auth,
            payload: payload.as_bytes(),
            urgency: Urgency::High,
            topic: None,
        };
        assert_eq!(sender.send(push).await, Outcome::Accepted(201));
    }
    let got = push.wait_for(&phone, 3).await;
    assert!(push.failures().is_empty(), "{:?}", push.failures());
    let versions: Vec<_> = got.iter().map(|r| r.version).collect();
    assert!(versions.iter().all(|v| *v == axum::http::Version::HTTP_2), "{versions:?}");
    let bodies: Vec<_> = got.iter().map(|r| r.payload["body"].as_str().unwrap().to_owned()).collect();
    assert_eq!(bodies, ["hello 0", "hello 1", "hello 2"]);
}
