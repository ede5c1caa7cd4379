//! Page-level components and the app frame.

mod app_bar;
mod error_text;
mod home;
pub mod icons;
mod language;
mod routes;
pub mod shell;
pub mod text;
mod welcome;

pub use error_text::ErrorText;

/// The letter in a person's or conversation's avatar. CSS upper-cases it
/// (case tables would add to the WASM).
pub fn avatar_initial(name: &str) -> String {
    name.chars().next().map(String::from).unwrap_or_default()
}
