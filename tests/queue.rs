//! The one job queue, driven directly with a job kind of the test's own:
//! delivered, retried and dead-lettered through the same mechanics as a
//! push; fair between owners and destinations; a hostile `Retry-After`
//! capped. On SQLite and PostgreSQL.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::db::{Db, now_ms};
use app::queue::{Handler, Job, Kinds, NewJob, Outcome, Pool, PoolConfig, Waker};
use common::{Backend, TestDb};
use sqlx::Row;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

backend_tests!(
    a_second_kind_is_delivered_retried_and_dead_lettered_by_the_same_queue,
    a_hanging_destination_does_not_hold_back_a_healthy_one,
    one_owner_with_a_backlog_does_not_starve_another,
    a_hostile_retry_after_is_capped,
    a_destination_that_keeps_failing_rests_as_a_whole
);

/// A test kind: answers per destination from a script, and records calls.
#[derive(Default)]
struct Scripted {
    /// destination → answers in order (then Done).
    script: Mutex<HashMap<String, Vec<Outcome>>>,
    /// destination → how long each call takes.
    delay: Mutex<HashMap<String, Duration>>,
    calls: Mutex<Vec<(i64, String, Instant)>>,
}

#[async_trait::async_trait]
impl Handler for Scripted {
    async fn handle(&self, job: &Job) -> Outcome {
        self.calls.lock().unwrap().push((job.id, job.destination.clone(), Instant::now()));
        let delay = self.delay.lock().unwrap().get(&job.destination).copied();
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let mut script = self.script.lock().unwrap();
        match script.get_mut(&job.destination).filter(|s| !s.is_empty()) {
            Some(answers) => answers.remove(0),
            None => Outcome::Done { status: Some(200) },
        }
    }
}

struct Rig {
    db: Db,
    test_db: TestDb,
    handler: Arc<Scripted>,
    wake: Waker,
    stop: CancellationToken,
    tasks: JoinSet<()>,
}

async fn rig(backend: Backend, tweak: impl FnOnce(&mut PoolConfig)) -> Rig {
    let test_db = TestDb::new(backend).await;
    let db = app::db::connect(&test_db.url, 8, true).await.unwrap();
    let handler = Arc::new(Scripted::default());
    let wake = Waker::default();
    let mut config = PoolConfig {
        concurrency: 8,
        lease: Duration::from_secs(60),
        max_attempts: 3,
        retry_base: Duration::from_millis(50),
        retry_max: Duration::from_secs(3600),
        per_destination: 4,
        node: "test-node".into(),
    };
    tweak(&mut config);
    let pool = Pool::new(db.clone(), Kinds::default().with("test.echo", handler.clone()), config, wake.clone());
    let stop = CancellationToken::new();
    let mut tasks = JoinSet::new();
    pool.spawn(&mut tasks, stop.clone()).await;
    Rig { db, test_db, handler, wake, stop, tasks }
}

impl Rig {
    async fn user(&self, name: &str) -> i64 {
        let row =
            sqlx::query("INSERT INTO users (username, password_hash, created_at) VALUES ($1, 'x', 0) RETURNING id")
                .bind(name)
                .fetch_one(self.db.pool())
                .await
                .unwrap();
        row.try_get("id").unwrap()
    }

    async fn enqueue(&self, owner: i64, destination: &str, count: usize) -> Vec<i64> {
        let mut ids = Vec::new();
        let mut tx = self.db.begin_write().await.unwrap();
        for n in 0..count {
            let job = NewJob {
                kind: "test.echo",
                owner_id: Some(owner),
                destination: destination.into(),
                target: format!("{destination}/{n}"),
                payload: "{}".into(),
                not_before: None,
            };
            ids.push(app::queue::enqueue(&mut tx, &job).await.unwrap().expect("under the caps"));
        }
        tx.commit().await.unwrap();
        self.wake.wake();
        ids
    }

    async fn status(&self, id: i64) -> (String, i64, Option<String>, i64) {
        let row = sqlx::query("SELECT status, attempts, last_error, next_attempt_at FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(self.db.pool())
            .await
            .unwrap();
        (row.get("status"), row.get("attempts"), row.get("last_error"), row.get("next_attempt_at"))
    }

    async fn wait_status(&self, id: i64, want: &str, within: Duration) -> (String, i64, Option<String>, i64) {
        let deadline = Instant::now() + within;
        loop {
            let status = self.status(id).await;
            if status.0 == want {
                return status;
            }
            assert!(Instant::now() < deadline, "job {id} is {status:?}, expected {want} within {within:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn finish(mut self) {
        self.stop.cancel();
        // A hanging handler would hold the stop: don't wait for it.
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        self.db.close().await;
        self.test_db.cleanup().await;
    }
}

async fn a_second_kind_is_delivered_retried_and_dead_lettered_by_the_same_queue(backend: Backend) {
    let rig = rig(backend, |_| {}).await;
    let owner = rig.user("owner").await;
    rig.handler.script.lock().unwrap().insert(
        "flaky".into(),
        vec![Outcome::Retry { status: Some(503), after: None, reason: "busy".into(), payload: None }],
    );
    let retry = |n| Outcome::Retry { status: Some(500), after: None, reason: format!("broken {n}"), payload: None };
    rig.handler.script.lock().unwrap().insert("broken".into(), vec![retry(1), retry(2), retry(3)]);
    rig.handler
        .script
        .lock()
        .unwrap()
        .insert("refused".into(), vec![Outcome::Dead { status: Some(400), reason: "bad request".into() }]);

    let ok = rig.enqueue(owner, "ok", 1).await[0];
    let flaky = rig.enqueue(owner, "flaky", 1).await[0];
    let broken = rig.enqueue(owner, "broken", 1).await[0];
    let refused = rig.enqueue(owner, "refused", 1).await[0];

    assert_eq!(rig.wait_status(ok, "done", Duration::from_secs(5)).await.1, 1, "delivered on the first attempt");
    let (_, attempts, _, _) = rig.wait_status(flaky, "done", Duration::from_secs(10)).await;
    assert_eq!(attempts, 2, "retried once, then delivered");
    let (_, attempts, error, _) = rig.wait_status(broken, "dead", Duration::from_secs(20)).await;
    assert_eq!(attempts, 3, "dead after max_attempts");
    assert!(error.unwrap().contains("gave up after 3 attempts"));
    let (_, attempts, error, _) = rig.wait_status(refused, "dead", Duration::from_secs(5)).await;
    assert_eq!((attempts, error.as_deref()), (1, Some("bad request")), "a permanent refusal is not retried");
    let listed = app::queue::store::list(&rig.db, owner, "test.", "dead", 10).await.unwrap();
    assert_eq!(listed.iter().map(|j| j.id).collect::<Vec<_>>(), vec![refused, broken], "dead letters, newest first");
    rig.finish().await;
}

async fn a_hanging_destination_does_not_hold_back_a_healthy_one(backend: Backend) {
    let rig = rig(backend, |c| {
        c.concurrency = 8;
        c.per_destination = 6;
    })
    .await;
    let (a, b) = (rig.user("hoarder").await, rig.user("someone").await);
    rig.handler.delay.lock().unwrap().insert("hangs.example".into(), Duration::from_secs(60));
    rig.enqueue(a, "hangs.example", 500).await;
    // Let the hanging jobs take every slot they can first.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let healthy = rig.enqueue(b, "healthy.example", 1).await[0];
    rig.wait_status(healthy, "done", Duration::from_secs(2)).await;
    let took = started.elapsed();
    let hanging = rig.handler.calls.lock().unwrap().iter().filter(|c| c.1 == "hangs.example").count();
    assert!(hanging <= 6, "at most the in-flight cap went to the hanging destination: {hanging}");
    assert!(took < Duration::from_secs(2), "the healthy job waited {took:?}");
    rig.finish().await;
}

async fn one_owner_with_a_backlog_does_not_starve_another(backend: Backend) {
    let rig = rig(backend, |c| c.concurrency = 1).await;
    let (a, b) = (rig.user("busy").await, rig.user("quiet").await);
    rig.handler.delay.lock().unwrap().insert("svc".into(), Duration::from_millis(20));
    rig.enqueue(a, "svc", 200).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let quiet = rig.enqueue(b, "svc", 1).await[0];
    rig.wait_status(quiet, "done", Duration::from_secs(3)).await;
    let calls = rig.handler.calls.lock().unwrap().clone();
    let position = calls.iter().position(|c| c.0 == quiet).unwrap();
    assert!(position < 20, "the other owner's job went out after {position} of the backlog's, not after all 200");
    rig.finish().await;
}

async fn a_hostile_retry_after_is_capped(backend: Backend) {
    let rig = rig(backend, |c| c.retry_max = Duration::from_secs(3600)).await;
    let owner = rig.user("owner").await;
    rig.handler.script.lock().unwrap().insert(
        "hostile".into(),
        vec![Outcome::Retry {
            status: Some(429),
            after: Some(Duration::from_secs(999_999_999)),
            reason: "slow down".into(),
            payload: None,
        }],
    );
    let id = rig.enqueue(owner, "hostile", 1).await[0];
    let deadline = Instant::now() + Duration::from_secs(5);
    while rig.status(id).await.1 == 0 || rig.handler.calls.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "never attempted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _, _, next) = rig.status(id).await;
    assert_eq!(status, "pending");
    let wait = next - now_ms();
    assert!(wait <= 3600 * 1000 + 1000, "retry at most an hour out, not {wait} ms");
    assert!(wait > 0);
    rig.finish().await;
}

async fn a_destination_that_keeps_failing_rests_as_a_whole(backend: Backend) {
    let rig = rig(backend, |c| c.concurrency = 1).await;
    let owner = rig.user("owner").await;
    let fail = || Outcome::Retry { status: None, after: None, reason: "timed out".into(), payload: None };
    rig.handler.script.lock().unwrap().insert("down.example".into(), vec![fail(), fail(), fail(), fail()]);
    let ids = rig.enqueue(owner, "down.example", 5).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while rig.handler.calls.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    // One failure puts the whole destination to rest: its other jobs wait.
    let calls = rig.handler.calls.lock().unwrap().len();
    assert_eq!(calls, 1, "the other four jobs to a failing destination were not tried meanwhile");
    let row = sqlx::query("SELECT failures, blocked_until FROM job_destinations WHERE destination = 'down.example'")
        .fetch_one(rig.db.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>("failures"), 1);
    assert!(row.get::<i64, _>("blocked_until") > now_ms());
    assert_eq!(rig.status(ids[1]).await.1, 0);
    rig.finish().await;
}
