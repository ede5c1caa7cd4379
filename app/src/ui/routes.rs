//! Each page's view as a lazily loaded WASM chunk (`cargo leptos --split`).
//!
//! The first page load then fetches the shared core plus the chunk of the
//! page it opens, not every screen's code. The router preloads the chunk of
//! the current route from the server-rendered page, and fetches others on
//! navigation (the service worker keeps them for offline use).

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use super::home::{ConversationPage, HomePage};
use super::welcome::Welcome;
use crate::auth::ui::{SignInPage, SignUpPage};
use crate::pwa::SettingsPage;

/// `lazy_page!(Route => Page)`: a route whose view is the component `Page`,
/// split into its own chunk. The pages load their data themselves (or from
/// the providers above the router), so the route's data half is empty.
/// `#[lazy_route]` names the chunk after the route type, so each is distinct.
macro_rules! lazy_page {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_page! {
    HomeRoute => HomePage,
    ConversationRoute => ConversationPage,
    SettingsRoute => SettingsPage,
    SignInRoute => SignInPage,
    SignUpRoute => SignUpPage,
    WelcomeRoute => Welcome,
}
