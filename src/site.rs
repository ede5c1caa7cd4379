//! The built site (JS, WASM, CSS under the site root) that pages reference,
//! and the Leptos options that say where it is.
//! A server started without it serves pages that never become interactive,
//! so `serve` checks for it first.

use std::path::PathBuf;

use leptos::config::LeptosOptions;

use crate::config::Config;

/// The site's file name stem when nothing else says (cargo-leptos' output
/// name for this package; `.cargo/config.toml` sets it for every build).
pub const OUTPUT_NAME: &str = "tidings";

/// The files the page's hydration scripts load, as Leptos names them: it
/// adds `_bg` to the WASM name when compiled without `LEPTOS_OUTPUT_NAME`.
pub fn required_files(options: &LeptosOptions) -> Vec<PathBuf> {
    let name = &*options.output_name;
    let wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_some() { name.to_owned() } else { format!("{name}_bg") };
    let pkg = PathBuf::from(&*options.site_root).join(&*options.site_pkg_dir);
    vec![pkg.join(format!("{name}.js")), pkg.join(format!("{wasm}.wasm"))]
}

/// Fails with one clear message when the site has not been built.
pub fn check(options: &LeptosOptions) -> anyhow::Result<()> {
    let missing: Vec<String> =
        required_files(options).into_iter().filter(|f| !f.is_file()).map(|f| f.display().to_string()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    tracing::error!(missing = ?missing, "site not built: run `cargo leptos build --release`");
    anyhow::bail!(
        "site not built: run `cargo leptos build --release` (missing {}; the site root is LEPTOS_SITE_ROOT, now {})",
        missing.join(", "),
        options.site_root
    )
}

/// Options for rendering and static files: cargo-leptos' `LEPTOS_*`
/// variables when present, else the defaults of this repository's layout,
/// so the release binary runs from the repo root with no environment.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    match leptos::config::get_configuration(None) {
        Ok(conf) => {
            let mut options = conf.leptos_options;
            options.site_addr = config.addr;
            if options.output_name.is_empty() {
                options.output_name = OUTPUT_NAME.into();
            }
            options
        }
        Err(_) => LeptosOptions::builder()
            .output_name(OUTPUT_NAME)
            .site_root("target/site")
            .site_pkg_dir("pkg")
            .site_addr(config.addr)
            .build(),
    }
}
