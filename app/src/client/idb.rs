//! IndexedDB (through the `idb` crate): the outbox of messages not yet
//! acknowledged by the server, and a cache of recent conversations and
//! messages for reading offline. Values are JSON strings.

use std::cell::RefCell;
use std::rc::Rc;

use idb::builder::{DatabaseBuilder, ObjectStoreBuilder};
use idb::{Database, TransactionMode};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

use crate::auth::User;

const DB_NAME: &str = "tidings";
const OUTBOX: &str = "outbox";
const CACHE: &str = "cache";

thread_local! {
    static DB: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

/// A message written here and not yet acknowledged by the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub client_id: String,
    pub conversation_id: i64,
    pub author: User,
    pub body: String,
    pub created_at: i64,
    /// Set when the server refused it for good (4xx).
    #[serde(default)]
    pub failed: Option<String>,
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

/// Saves (or updates) an outbox entry. Returns false if IndexedDB is unavailable.
pub async fn outbox_put(entry: &OutboxEntry) -> bool {
    let Ok(json) = serde_json::to_string(entry) else { return false };
    put(OUTBOX, &entry.client_id, &json).await.is_some()
}

pub async fn outbox_delete(client_id: &str) {
    let _ = delete(OUTBOX, client_id).await;
}

/// Every entry, oldest first.
pub async fn outbox_all() -> Vec<OutboxEntry> {
    let mut entries: Vec<OutboxEntry> =
        all(OUTBOX).await.iter().filter_map(|json| serde_json::from_str(json).ok()).collect();
    entries.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.client_id.cmp(&b.client_id)));
    entries
}

/// Caches any JSON-serialisable value under `key` (e.g. "conversations", "thread:7").
pub async fn cache_put<T: Serialize>(key: &str, value: &T) {
    if let Ok(json) = serde_json::to_string(value) {
        let _ = put(CACHE, key, &json).await;
    }
}

pub async fn cache_get<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&get(CACHE, key).await?).ok()
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
