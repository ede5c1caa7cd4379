//! Rebuild when a translation changes: `leptos_i18n::load_locales!` reads
//! `locales/*.json` at compile time but does not tell cargo about them.
//!
//! We use that macro rather than the `leptos_i18n_build` build script because
//! the latter pulls ~200 host crates (ICU exporters, wasmi, an HTTP client)
//! that would be compiled once per profile on every cold build.
fn main() {
    println!("cargo::rerun-if-changed=locales");
}
