//! The app's icons, as inline SVG drawn with the text colour: an emoji or
//! a font glyph renders as an empty box where no font has it (seen for the
//! mute bell and the pending clock on a machine without an emoji font).
//!
//! One component for all of them, with the shapes as markup strings, so
//! each icon costs the WASM a string rather than its own view code.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    Archive,
    At,
    Back,
    Bell,
    BellOff,
    Check,
    Clock,
    Close,
    Menu,
    More,
    Send,
    Settings,
}

impl IconKind {
    /// The shape, on a 24×24 grid, stroked with `currentColor`.
    fn shape(self) -> &'static str {
        match self {
            Self::Archive => {
                r#"<rect x="3.5" y="4.5" width="17" height="4" rx="1"/><path d="M5 8.5V19h14V8.5M10 12.5h4"/>"#
            }
            Self::At => {
                r#"<circle cx="12" cy="12" r="3.5"/><path d="M15.5 12v1.5a2.5 2.5 0 0 0 5 0V12a8.5 8.5 0 1 0-3.3 6.7"/>"#
            }
            Self::Back => r#"<path d="M15 5l-7 7 7 7"/>"#,
            Self::Bell => r#"<path d="M6 10a6 6 0 0 1 12 0v4l2 3H4l2-3z"/><path d="M10 20h4"/>"#,
            Self::BellOff => {
                r#"<path d="M6 10a6 6 0 0 1 12 0v4l2 3H4l2-3z"/><path d="M10 20h4"/><path d="M3 3l18 18"/>"#
            }
            Self::Check => r#"<path d="M5 12.5l4.5 4.5L19 7.5"/>"#,
            Self::Clock => r#"<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/>"#,
            Self::Close => r#"<path d="M6 6l12 12M18 6L6 18"/>"#,
            Self::Menu => r#"<path d="M4 7h16M4 12h16M4 17h16"/>"#,
            Self::More => {
                r#"<circle cx="5" cy="12" r="1.3"/><circle cx="12" cy="12" r="1.3"/><circle cx="19" cy="12" r="1.3"/>"#
            }
            Self::Send => r#"<path d="M4 11.5L20 4l-7.5 16-2-6.5z"/><path d="M10.5 13.5L20 4"/>"#,
            Self::Settings => {
                r#"<path d="M4 7h9M17 7h3M4 17h3M11 17h9"/><circle cx="15" cy="7" r="2"/><circle cx="9" cy="17" r="2"/>"#
            }
        }
    }
}

/// An icon; decorative (`aria-hidden`): the control around it carries the name.
#[component]
pub fn Icon(kind: IconKind) -> impl IntoView {
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            width="24"
            height="24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            inner_html=kind.shape()
        ></svg>
    }
}
