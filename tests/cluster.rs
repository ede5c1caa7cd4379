//! Two server nodes over one PostgreSQL database and one Redis: frames,
//! presence (and so push decisions) and membership changes cross nodes.

mod common;

use std::time::Duration;

use common::push_service::TestPushService;
use common::ws::WsClient;
use common::{Api, Backend, TestDb, TestServer, bounded, postgres_url, redis_url};
use serde_json::json;

/// Generates one test per listed `async fn(&Nodes)`, run on two fresh
/// nodes (or skipped, saying so, without Postgres or Redis).
macro_rules! two_node_tests {
    ($($name:ident),* $(,)?) => {
        mod two_nodes {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::bounded(stringify!($name), async {
                    let Some(nodes) = super::Nodes::start().await else { return };
                    super::$name(&nodes).await;
                    nodes.finish().await;
                })
                .await
            })*
        }
    };
}

two_node_tests!(
    frames_reach_sockets_on_every_node,
    a_visible_socket_on_another_node_means_no_push,
    a_member_added_on_one_node_hears_messages_sent_through_another,
    a_reply_streamed_through_two_nodes_arrives_whole_and_in_order,
);

/// Two nodes sharing a fresh database and a Redis namespace of their own.
struct Nodes {
    a: TestServer,
    b: TestServer,
}

impl Nodes {
    async fn start() -> Option<Self> {
        postgres_url()?;
        let redis = redis_url()?;
        let namespace = format!("tidings-test-{}", uuid::Uuid::new_v4().simple());
        let configure = |c: &mut tidings::config::Config| {
            c.redis_url = Some(redis.clone());
            c.redis_namespace = namespace.clone();
            c.push.allow_private = true;
        };
        let db = TestDb::new(Backend::Postgres).await;
        let shared = db.share();
        let a = TestServer::start_on(db, configure).await;
        let b = TestServer::start_on(shared, configure).await;
        Some(Self { a, b })
    }

    async fn finish(self) {
        self.b.stop().await;
        self.a.finish().await;
    }
}

async fn frames_reach_sockets_on_every_node(nodes: &Nodes) {
    let health: serde_json::Value = reqwest::get(nodes.b.url("/healthz")).await.unwrap().json().await.unwrap();
    assert_eq!(health["redis"], "ok", "{health}");
    let alice = Api::signup(&nodes.a, "alice").await;
    let bob = Api::signup(&nodes.a, "bob").await;
    let id = alice.conversation_with(&["bob"]).await;
    let mut alice_ws = WsClient::connect(&nodes.a, &alice.token).await;
    let mut bob_ws = WsClient::connect(&nodes.b, &bob.token).await;

    alice.say(id, "from node a").await;
    assert_eq!(bob_ws.next_of("message").await["message"]["body"], "from node a");
    assert_eq!(alice_ws.next_of("message").await["message"]["body"], "from node a");

    let bob_on_b = Api::with_token(&nodes.b, &bob.token);
    bob_on_b.say(id, "from node b").await;
    assert_eq!(alice_ws.next_of("message").await["message"]["body"], "from node b");
    // Each socket gets each message once, not once per node.
    bob_ws.next_of("message").await;
    bob_ws.expect_none_of("message", Duration::from_millis(500)).await;
}

async fn a_visible_socket_on_another_node_means_no_push(nodes: &Nodes) {
    let push = TestPushService::start().await;
    let phone = push.device("bob-phone");
    let alice = Api::signup(&nodes.a, "alice").await;
    let bob = Api::signup(&nodes.a, "bob").await;
    let (status, body) = bob.post("/api/v1/push/subscriptions", phone.subscription_json()).await;
    assert_eq!(status, 201, "{body}");
    let id = alice.conversation_with(&["bob"]).await;

    // Bob looks at the app through node b; alice writes through node a.
    let mut bob_ws = WsClient::connect(&nodes.b, &bob.token).await;
    alice.say(id, "you are looking").await;
    bob_ws.next_of("message").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(push.received(&phone).is_empty(), "node a saw bob's visible socket on node b");

    bob_ws.send(json!({"type": "visibility", "visible": false})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    alice.say(id, "you switched away").await;
    let got = push.wait_for(&phone, 1).await;
    assert_eq!(got[0].payload["body"], "you switched away");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(push.received(&phone).len(), 1, "exactly one push, from one node");
    assert!(push.failures().is_empty(), "{:?}", push.failures());
}

async fn a_member_added_on_one_node_hears_messages_sent_through_another(nodes: &Nodes) {
    let alice = Api::signup(&nodes.a, "alice").await;
    let _bob = Api::signup(&nodes.a, "bob").await;
    let carol = Api::signup(&nodes.a, "carol").await;
    alice.know(&["bob"]).await;
    let (status, group) = alice.post("/api/v1/conversations", json!({"members": ["bob"], "title": "Friday"})).await;
    assert_eq!(status, 201, "{group}");
    let id = group["id"].as_i64().unwrap();
    // Node b caches the member list while relaying this one.
    let alice_on_b = Api::with_token(&nodes.b, &alice.token);
    alice_on_b.say(id, "before carol").await;
    // Only people one already writes to can be added.
    alice.conversation_with(&["carol"]).await;

    let (status, body) = alice.post(&format!("/api/v1/conversations/{id}/members"), json!({"username": "carol"})).await;
    assert_eq!(status, 200, "{body}");
    let mut carol_ws = WsClient::connect(&nodes.b, &carol.token).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    alice_on_b.say(id, "welcome carol").await;
    assert_eq!(carol_ws.next_of("message").await["message"]["body"], "welcome carol");
}

/// A bot appending through both nodes (a load balancer's round robin): the
/// socket on node b gets every piece once, in order, or the whole text.
async fn a_reply_streamed_through_two_nodes_arrives_whole_and_in_order(nodes: &Nodes) {
    let alice = Api::signup(&nodes.a, "alice").await;
    let (status, made) = alice.post("/api/v1/bots", serde_json::json!({"username": "helper"})).await;
    assert_eq!(status, 201, "{made}");
    let token = made["token"].as_str().unwrap().to_owned();
    let id = alice.conversation_with(&["helper"]).await;
    let mut ws = WsClient::live(&nodes.b, &alice.token).await;
    let (bot_a, bot_b) = (Api::with_token(&nodes.a, &token), Api::with_token(&nodes.b, &token));
    let (status, draft) = bot_a
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            serde_json::json!({"client_id": uuid::Uuid::new_v4().to_string(), "body": "", "streaming": true}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    let message = draft["id"].as_i64().unwrap();
    let words: Vec<String> = (0..20).map(|n| format!("w{n} ")).collect();
    for (n, word) in words.iter().enumerate() {
        let bot = if n % 2 == 0 { &bot_a } else { &bot_b };
        let (status, body) =
            bot.post(&format!("/api/v1/messages/{message}/append"), serde_json::json!({"text": word})).await;
        assert_eq!(status, 200, "{body}");
    }
    bot_b.post(&format!("/api/v1/messages/{message}/finish"), serde_json::json!({})).await;
    // What the socket shows: the draft, deltas in order, maybe a whole refill.
    let mut text = String::new();
    let mut deltas = 0;
    loop {
        let frame = ws.next().await;
        match frame["type"].as_str().unwrap() {
            "message" => {
                text = frame["message"]["body"].as_str().unwrap().to_owned();
                deltas = frame["message"]["deltas"].as_i64().unwrap();
            }
            "message_delta" => {
                assert_eq!(frame["seq"].as_i64().unwrap(), deltas + 1, "deltas in order, none twice: {frame}");
                deltas += 1;
                text.push_str(frame["text"].as_str().unwrap());
            }
            "message_finished" => {
                assert_eq!(frame["message"]["body"], words.concat());
                break;
            }
            _ => {}
        }
    }
    // A delta through Redis may trail the finish made on this node; what was
    // shown is always a start of the reply, and the finish brings the rest.
    assert!(words.concat().starts_with(&text), "{text:?} is a start of the reply");
}
