//! IndexedDB (through the `idb` crate), as JSON values under string keys.
//! The database's object stores are declared here, once: the chat's
//! outbox of unsent messages and its offline cache.

use std::cell::RefCell;
use std::rc::Rc;

use idb::builder::{DatabaseBuilder, ObjectStoreBuilder};
use idb::{Database, TransactionMode};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

const DB_NAME: &str = "tidings";
/// Messages written and not yet acknowledged (`chat::client::outbox`).
pub const OUTBOX: &str = "outbox";
/// Recent conversations and messages, for reading offline.
pub const CACHE: &str = "cache";

thread_local! {
    static DB: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

async fn db() -> Option<Rc<Database>> {
    if let Some(db) = DB.with_borrow(Clone::clone) {
        return Some(db);
    }
    let built = DatabaseBuilder::new(DB_NAME)
        .version(1)
        .add_object_store(ObjectStoreBuilder::new(OUTBOX))
        .add_object_store(ObjectStoreBuilder::new(CACHE))
        .build()
        .await
        .ok()?;
    let db = Rc::new(built);
    DB.with_borrow_mut(|slot| *slot = Some(db.clone()));
    Some(db)
}

async fn put(store: &str, key: &str, value: &str) -> Option<()> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite).ok()?;
    tx.object_store(store).ok()?.put(&JsValue::from_str(value), Some(&JsValue::from_str(key))).ok()?.await.ok()?;
    tx.commit().ok()?.await.ok()?;
    Some(())
}

async fn delete(store: &str, key: &str) -> Option<()> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite).ok()?;
    tx.object_store(store).ok()?.delete(JsValue::from_str(key)).ok()?.await.ok()?;
    tx.commit().ok()?.await.ok()?;
    Some(())
}

async fn get(store: &str, key: &str) -> Option<String> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly).ok()?;
    let value = tx.object_store(store).ok()?.get(JsValue::from_str(key)).ok()?.await.ok()??;
    value.as_string()
}

async fn all(store: &str) -> Vec<String> {
    let Some(db) = db().await else { return Vec::new() };
    let Ok(tx) = db.transaction(&[store], TransactionMode::ReadOnly) else { return Vec::new() };
    let Ok(store) = tx.object_store(store) else { return Vec::new() };
    let Ok(request) = store.get_all(None, None) else { return Vec::new() };
    request.await.map(|values| values.into_iter().filter_map(|v| v.as_string()).collect()).unwrap_or_default()
}

/// Stores `value` as JSON under `key` in `store`; false if IndexedDB is unavailable.
pub async fn put_json<T: Serialize>(store: &str, key: &str, value: &T) -> bool {
    let Ok(json) = serde_json::to_string(value) else { return false };
    put(store, key, &json).await.is_some()
}

pub async fn get_json<T: DeserializeOwned>(store: &str, key: &str) -> Option<T> {
    serde_json::from_str(&get(store, key).await?).ok()
}

/// Every value of `store` that reads as `T`.
pub async fn all_json<T: DeserializeOwned>(store: &str) -> Vec<T> {
    all(store).await.iter().filter_map(|json| serde_json::from_str(json).ok()).collect()
}

pub async fn remove(store: &str, key: &str) {
    let _ = delete(store, key).await;
}

/// Forgets everything (sign-out: the next person on this device sees nothing).
pub async fn clear_all() {
    if let Some(db) = db().await
        && let Ok(tx) = db.transaction(&[OUTBOX, CACHE], TransactionMode::ReadWrite)
    {
        for store in [OUTBOX, CACHE] {
            if let Ok(request) = tx.object_store(store).and_then(|s| s.clear()) {
                let _ = request.await;
            }
        }
        if let Ok(done) = tx.commit() {
            let _ = done.await;
        }
    }
}
