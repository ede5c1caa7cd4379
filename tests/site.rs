//! The binary and its built site stay in step: `tidings serve` refuses to
//! start without the JS and WASM its pages reference, and the pages it
//! serves reference files that exist. Runs the real binary that cargo built
//! (without cargo-leptos' environment), as `cargo test` and `cargo bench` do.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn tidings(site_root: &std::path::Path, data: &std::path::Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tidings"));
    command
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LEPTOS_SITE_ROOT", site_root)
        .env("TIDINGS_ADDR", format!("127.0.0.1:{port}"))
        .env("TIDINGS_DATABASE_URL", format!("sqlite://{}/t.db", data.display()))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

#[test]
fn serve_refuses_to_start_without_the_built_site() {
    let site = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut child = tidings(site.path(), data.path(), free_port()).spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("`tidings serve` kept running without a built site");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success(), "started without a site");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("site not built: run `cargo leptos build --release`"), "{stderr}");
    assert!(stderr.contains("tidings.js"), "names what is missing: {stderr}");
}

#[tokio::test]
async fn pages_reference_the_files_the_site_has() {
    app::push::sender::install_crypto_provider();
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    // What `cargo leptos build --split` writes for this package.
    std::fs::write(pkg.join("tidings.js"), "export default function init() {}").unwrap();
    std::fs::write(pkg.join("tidings.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("tidings.css"), "body{}").unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = tidings(site.path(), data.path(), port).spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let html = loop {
        match reqwest::get(format!("{base}/signin")).await {
            Ok(r) if r.status() == 200 => break r.text().await.unwrap(),
            _ if started.elapsed() < Duration::from_secs(30) => tokio::time::sleep(Duration::from_millis(100)).await,
            other => {
                let _ = child.kill();
                panic!("the server did not answer: {other:?}");
            }
        }
    };
    let referenced: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with("/pkg/") && (s.ends_with(".js") || s.ends_with(".wasm")))
        .collect();
    assert!(referenced.contains(&"/pkg/tidings.js"), "{referenced:?}");
    assert!(referenced.contains(&"/pkg/tidings.wasm"), "{referenced:?}");
    for path in &referenced {
        let status = reqwest::get(format!("{base}{path}")).await.unwrap().status();
        assert_eq!(status, 200, "{path} is referenced by the page but answers {status}");
    }
    let _ = child.kill();
    let _ = child.wait();
}
