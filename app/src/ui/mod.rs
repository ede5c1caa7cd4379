//! Page-level components and the app frame.

mod app_bar;
mod error_text;
mod home;
mod language;
mod routes;
pub mod session;
pub mod text;
pub mod shell;

pub use error_text::ErrorText;
