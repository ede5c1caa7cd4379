//! What the queue refuses and what it keeps: pending jobs are capped per
//! target and per owner, and a job commits with its producer's
//! transaction or not at all. On SQLite and PostgreSQL, no workers running.

mod common;

use app::db::Db;
use app::queue::store::{MAX_PENDING_PER_OWNER, MAX_PENDING_PER_TARGET};
use app::queue::{NewJob, enqueue, enqueue_many};
use common::{Backend, TestDb};
use sqlx::Row;

backend_tests!(pending_jobs_are_capped_per_target_and_per_owner, a_job_commits_with_its_producer_or_not_at_all);

async fn user(db: &Db, name: &str) -> i64 {
    let row = sqlx::query("INSERT INTO users (username, password_hash, created_at) VALUES ($1, 'x', 0) RETURNING id")
        .bind(name)
        .fetch_one(db.pool())
        .await
        .unwrap();
    row.try_get("id").unwrap()
}

fn job(owner: i64, target: String) -> NewJob {
    NewJob {
        kind: "test.echo",
        owner_id: Some(owner),
        destination: "push.example".into(),
        target,
        payload: "{}".into(),
        not_before: None,
    }
}

async fn pending(db: &Db, owner: i64) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE owner_id = $1 AND status = 'pending'")
        .bind(owner)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get("n")
}

async fn pending_jobs_are_capped_per_target_and_per_owner(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = app::db::connect(&test_db.url, 2, true).await.unwrap();
    let (hoarder, other) = (user(&db, "hoarder").await, user(&db, "other").await);
    let per_target = MAX_PENDING_PER_TARGET as usize;
    // Eleven devices, each offered more than its cap: 11 × (cap + 5) jobs.
    let devices = (MAX_PENDING_PER_OWNER as usize).div_ceil(per_target) + 1;
    let jobs: Vec<NewJob> =
        (0..devices).flat_map(|d| (0..per_target + 5).map(move |_| job(hoarder, format!("device-{d}")))).collect();
    let mut tx = db.begin_write().await.unwrap();
    let written = enqueue_many(&mut tx, &jobs).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(written as i64, MAX_PENDING_PER_OWNER, "the owner's cap, under each device's");
    assert_eq!(pending(&db, hoarder).await, MAX_PENDING_PER_OWNER);
    let per_device: Vec<i64> = sqlx::query("SELECT COUNT(*) AS n FROM jobs GROUP BY target")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("n"))
        .collect();
    assert!(per_device.iter().all(|n| *n <= MAX_PENDING_PER_TARGET), "{per_device:?}");

    // One at a time, the same caps hold; someone else is not held back.
    let mut tx = db.begin_write().await.unwrap();
    assert_eq!(enqueue(&mut tx, &job(hoarder, "device-new".into())).await.unwrap(), None, "over the owner's cap");
    assert!(enqueue(&mut tx, &job(other, "other-device".into())).await.unwrap().is_some(), "another owner's job");
    tx.commit().await.unwrap();
    assert_eq!(pending(&db, other).await, 1);
    db.close().await;
    test_db.cleanup().await;
}

async fn a_job_commits_with_its_producer_or_not_at_all(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = app::db::connect(&test_db.url, 2, true).await.unwrap();
    let owner = user(&db, "owner").await;
    for commit in [false, true] {
        let mut tx = db.begin_write().await.unwrap();
        // What produced the job (here a user row), written in the same transaction.
        sqlx::query("INSERT INTO users (username, password_hash, created_at) VALUES ($1, 'x', 0)")
            .bind(format!("produced-{commit}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        let id = enqueue(&mut tx, &job(owner, format!("t-{commit}"))).await.unwrap().unwrap();
        if commit { tx.commit().await.unwrap() } else { drop(tx) } // a dropped transaction rolls back
        let jobs: i64 = sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE id = $1").bind(id).fetch_one(db.pool()).await.unwrap().get("n");
        let users: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE username = $1")
            .bind(format!("produced-{commit}"))
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get("n");
        assert_eq!((jobs, users), if commit { (1, 1) } else { (0, 0) }, "commit {commit}");
    }
    db.close().await;
    test_db.cleanup().await;
}
