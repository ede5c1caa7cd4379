//! Page-level components and the app frame.

mod app_bar;
mod error_text;
mod home;
mod language;
pub mod session;
pub mod shell;

pub use error_text::ErrorText;
