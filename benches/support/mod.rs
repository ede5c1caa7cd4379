//! Shared bench plumbing: a child `tidings` server and the BENCHMARKS.md writer.

#![allow(dead_code)]

pub mod floor;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use tokio::process::{Child, Command};

/// `--name value` from the bench's arguments, or `default`.
pub fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub struct ChildServer {
    child: Child,
    pub base: String,
    dir: tempfile::TempDir,
}

impl ChildServer {
    /// Starts the release `tidings` binary on a free port over a new SQLite file.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with_env(&[]).await
    }

    pub async fn start_with_env(env: &[(&str, String)]) -> anyhow::Result<Self> {
        app::push::sender::install_crypto_provider();
        let dir = tempfile::tempdir()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let config = dir.path().join("bench.toml");
        std::fs::write(
            &config,
            "auth_rate = { burst = 100000, per_minute = 100000 }\nsend_rate = { burst = 1000000, per_minute = 10000000 }\n",
        )?;
        let base = format!("http://127.0.0.1:{port}");
        // `serve` checks for the site's JS and WASM; the bench needs no pages.
        let pkg = dir.path().join("site/pkg");
        std::fs::create_dir_all(&pkg)?;
        std::fs::write(pkg.join("tidings.js"), "")?;
        std::fs::write(pkg.join("tidings.wasm"), b"\0asm\x01\0\0\0")?;
        let mut command = Command::new(env!("CARGO_BIN_EXE_tidings"));
        command
            .arg("serve")
            .env("LEPTOS_SITE_ROOT", dir.path().join("site"))
            .env("TIDINGS_ADDR", format!("127.0.0.1:{port}"))
            .env("TIDINGS_PUBLIC_URL", &base)
            .env("TIDINGS_DATABASE_URL", format!("sqlite://{}/bench.db", dir.path().display()))
            .env("TIDINGS_CONFIG", &config)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true);
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command.spawn()?;
        let server = Self { child, base, dir };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http.get(server.url("/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("server did not start")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Its SQLite database, for seeding what the API would take too long for.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}/bench.db", self.dir.path().display())
    }

    pub fn ws_url(&self) -> String {
        self.base.replace("http://", "ws://") + "/api/v1/ws"
    }

    /// Registers `name` and returns a bearer token.
    pub async fn user(&self, http: &reqwest::Client, name: &str) -> anyhow::Result<String> {
        let creds = json!({"username": name, "password": "bench-password"});
        http.post(self.url("/api/v1/auth/register")).json(&creds).send().await?.error_for_status()?;
        let login: serde_json::Value =
            http.post(self.url("/api/v1/auth/login")).json(&creds).send().await?.error_for_status()?.json().await?;
        Ok(login["token"].as_str().unwrap_or_default().to_owned())
    }

    /// Starts a direct conversation from `token`'s user with each of
    /// `names`, so that they may be put in that user's groups.
    pub async fn introduce(&self, http: &reqwest::Client, token: &str, names: &[String]) -> anyhow::Result<()> {
        for name in names {
            http.post(self.url("/api/v1/conversations"))
                .bearer_auth(token)
                .json(&json!({"members": [name]}))
                .send()
                .await?
                .error_for_status()?;
        }
        Ok(())
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }

    /// The server process's resident memory, in KB.
    pub fn rss_kb(&self) -> anyhow::Result<u64> {
        rss_kb(self.child.id().ok_or_else(|| anyhow::anyhow!("server exited"))?)
    }

    /// CPU time (user + system) the server has used, in seconds.
    pub fn cpu_secs(&self) -> anyhow::Result<f64> {
        cpu_secs(self.child.id().ok_or_else(|| anyhow::anyhow!("server exited"))?)
    }

    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}

/// A process's resident memory, in KB.
pub fn rss_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmRSS"))
}

/// CPU time (user + system) a process has used, in seconds.
pub fn cpu_secs(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    Ok(ticks / 100.0)
}

/// CPU time (user + system) this process has used, in seconds.
pub fn own_cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// Replaces (or appends) the `## title` section of BENCHMARKS.md, keeping
/// its `### ` subsections: they are the history of earlier runs.
pub fn write_section(title: &str, body: &str) -> anyhow::Result<()> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Benchmarks\n\nMeasured on the development machine (2 cores). Each section names the command that reproduces it.\n".into()
    });
    let header = format!("## {title}\n");
    let machine = format!(
        "_Measured {} on {} cores._\n\n",
        chrono_like_now(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let section = format!("{header}\n{machine}{body}\n");
    let updated = match existing.find(&header) {
        Some(start) => {
            let rest = &existing[start + header.len()..];
            let end = rest.find("\n## ").map(|i| start + header.len() + i + 1).unwrap_or(existing.len());
            let history = rest[..end - start - header.len()].find("\n### ").map(|i| start + header.len() + i + 1);
            let kept = history.map(|h| &existing[h..end]).unwrap_or("");
            let gap = if kept.is_empty() { "" } else { "\n" };
            format!("{}{}{gap}{kept}{}", &existing[..start], section, &existing[end..])
        }
        None => format!("{}\n\n{section}", existing.trim_end()),
    };
    std::fs::write(&path, updated)?;
    println!("wrote {}", path.display());
    Ok(())
}

fn chrono_like_now() -> String {
    let output = std::process::Command::new("date").arg("-u").arg("+%Y-%m-%d").output();
    output.ok().and_then(|o| String::from_utf8(o.stdout).ok()).map(|s| s.trim().to_owned()).unwrap_or_default()
}
