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
pub mod server;
pub mod site;
pub mod telemetry;
pub mod ws;

use cli::{Cli, Command};
use config::Config;

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(&cli.overrides)?;
    telemetry::init_logging(config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
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
