//! The real `tidings` binary as a child process (for crashes: `kill -9`),
//! over a data directory that outlives it, with a stand-in site so `serve`
//! starts (the pages' JS and WASM are not exercised here).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Binary {
    pub base: String,
    child: Child,
}

/// A site root with the files `serve` checks for.
pub fn stand_in_site(dir: &Path) -> PathBuf {
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("tidings.js"), "export default function init() {}").unwrap();
    std::fs::write(pkg.join("tidings.wasm"), b"\0asm\x01\0\0\0").unwrap();
    dir.to_path_buf()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Binary {
    /// Starts `tidings serve` on `port` over `database_url` and waits until healthy.
    pub async fn start(site: &Path, database_url: &str, port: u16, env: &[(&str, &str)]) -> Self {
        // `TIDINGS_TEST_BIN` runs another build (say, an older one, to see
        // a test fail before a fix).
        let binary = std::env::var("TIDINGS_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_tidings").to_owned());
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ROOT", site)
            .env("TIDINGS_ADDR", format!("127.0.0.1:{port}"))
            .env("TIDINGS_DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
                && r.status().is_success()
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the binary did not become healthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { base, child }
    }

    /// `kill -9`: no shutdown, no cleanup.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
