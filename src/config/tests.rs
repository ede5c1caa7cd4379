//! The config layers, tested.

use super::*;

#[test]
fn defaults_are_the_embedded_setup() {
    let c = Config::load(&Overrides { config: None, ..Default::default() }).unwrap();
    assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
    assert_eq!(c.database_url, "sqlite://data/tidings.db");
    assert_eq!(c.public_url, "http://127.0.0.1:3000");
    assert!(!c.secure_cookies());
}

#[test]
fn flags_win_over_file_and_file_over_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.toml");
    std::fs::write(&path, "addr = \"0.0.0.0:4000\"\npublic_url = \"https://chat.example.org/\"\n").unwrap();
    let o = Overrides { config: Some(path.clone()), ..Default::default() };
    let c = Config::load(&o).unwrap();
    assert_eq!(c.addr.port(), 4000);
    assert_eq!(c.public_url, "https://chat.example.org");
    assert!(c.secure_cookies());
    let o = Overrides { config: Some(path), addr: Some("127.0.0.1:5000".parse().unwrap()), ..Default::default() };
    assert_eq!(Config::load(&o).unwrap().addr.port(), 5000);
}

#[test]
fn unknown_file_keys_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.toml");
    std::fs::write(&path, "adr = \"x\"\n").unwrap();
    let err = Config::load(&Overrides { config: Some(path), ..Default::default() }).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }));
}

#[test]
fn vapid_subject_defaults_from_the_public_url() {
    let https = Config { public_url: "https://chat.example.org".into(), ..Config::default() };
    assert_eq!(https.vapid_subject(), "https://chat.example.org");
    let http = Config { public_url: "http://127.0.0.1:3000".into(), ..Config::default() };
    assert_eq!(http.vapid_subject(), "mailto:admin@127.0.0.1");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.toml");
    std::fs::write(&path, "vapid_subject = \"ops@example.org\"\n").unwrap();
    assert!(matches!(
        Config::load(&Overrides { config: Some(path), ..Default::default() }),
        Err(ConfigError::VapidSubject(_))
    ));
}

#[test]
fn debug_hides_database_and_redis_passwords() {
    let c = Config {
        database_url: "postgres://u:hunter2@h/db".into(),
        redis_url: Some("redis://default:swordfish@r:6379".into()),
        ..Config::default()
    };
    let shown = format!("{c:?}");
    assert!(!shown.contains("hunter2") && shown.contains("u:***@h"));
    assert!(!shown.contains("swordfish") && shown.contains("default:***@r"));
}

#[test]
fn redis_comes_from_the_file_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.toml");
    std::fs::write(&path, "redis_url = \"redis://file:6379\"\nredis_namespace = \"chat\"\n").unwrap();
    let c = Config::load(&Overrides { config: Some(path.clone()), ..Default::default() }).unwrap();
    assert_eq!(c.redis_url.as_deref(), Some("redis://file:6379"));
    assert_eq!(c.redis_namespace, "chat");
    let o = Overrides { config: Some(path), redis_url: Some(String::new()), ..Default::default() };
    assert_eq!(Config::load(&o).unwrap().redis_url, None, "an empty variable means one node");
}
