//! Tidings server: configuration, the HTTP router (REST API, WebSocket,
//! Leptos pages and server functions) and the process lifecycle.
//!
//! The domain itself (accounts, chat, push) lives in the `app` crate behind
//! its `ssr` feature; this crate wires it to the network.

pub mod api;
pub mod cli;
pub mod config;
pub mod middleware;
pub mod pwa;
pub mod router;
pub mod security;
pub mod server;
pub mod services;
pub mod site;
pub mod telemetry;
pub mod ws;

use cli::{Cli, Command};
use config::Config;

/// The process: config first (it says how many runtime threads), then the
/// async runtime, then the command. Errors are printed, not panicked.
pub fn main(cli: Cli) -> std::process::ExitCode {
    let config = match Config::load(&cli.overrides) {
        Ok(config) => config,
        Err(err) => return fail(&err),
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    // Small hosts sharing their cores with other services may do better
    // with fewer threads (fewer cross-thread wake-ups).
    if let Some(threads) = config.worker_threads {
        runtime.worker_threads(threads);
    }
    match runtime.build().map_err(anyhow::Error::from).and_then(|rt| rt.block_on(run(cli.command, config))) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

fn fail(err: &dyn std::fmt::Display) -> std::process::ExitCode {
    eprintln!("tidings: {err:#}");
    std::process::ExitCode::FAILURE
}

/// Runs the command the user asked for.
pub async fn run(command: Option<Command>, config: Config) -> anyhow::Result<()> {
    telemetry::init_logging(config.log_format);
    match command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(config).await,
        Command::Migrate => {
            app::db::connect(&config.database_url, 1, true).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::VapidKeys { rotate } => {
            let db = app::db::connect(&config.database_url, 1, true).await?;
            let keys = if rotate {
                app::push::vapid::rotate(&db).await?
            } else {
                app::push::vapid::load_or_create(&db).await?
            };
            println!("{}", keys.public_key_base64());
            Ok(())
        }
    }
}
