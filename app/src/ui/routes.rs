//! Each page's view as a lazily loaded WASM chunk (`cargo leptos --split`).
//!
//! The first page load then fetches the shared core plus the chunk of the
//! page it opens, not every screen's code. The router preloads the chunk of
//! the current route from the server-rendered page, and fetches others on
//! navigation (the service worker keeps them for offline use).

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use super::home::{ConversationPage, HomePage};
use crate::auth::ui::{SignInPage, SignUpPage};
use crate::pwa::SettingsPage;

pub struct HomeRoute;

#[lazy_route]
impl LazyRoute for HomeRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <HomePage/> }.into_any()
    }
}

pub struct ConversationRoute;

#[lazy_route]
impl LazyRoute for ConversationRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <ConversationPage/> }.into_any()
    }
}

pub struct SettingsRoute;

#[lazy_route]
impl LazyRoute for SettingsRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <SettingsPage/> }.into_any()
    }
}

pub struct SignInRoute;

#[lazy_route]
impl LazyRoute for SignInRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <SignInPage/> }.into_any()
    }
}

pub struct SignUpRoute;

#[lazy_route]
impl LazyRoute for SignUpRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <SignUpPage/> }.into_any()
    }
}

