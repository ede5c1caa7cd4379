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

/// A date and time in the browser's zone and language; the bare number
/// when rendered on the server (the lists that show these load in the browser).
pub fn when(ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    return crate::client::local_date_time(ms);
    #[cfg(not(feature = "hydrate"))]
    return ms.to_string();
}
