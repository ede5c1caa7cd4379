//! The signed-in pages' views as lazily loaded WASM chunks (`cargo leptos
//! --split`), so a first visit never fetches the chat screens. The router
//! preloads the chunk of the current route from the server-rendered page,
//! and fetches others on navigation (the service worker precaches them all
//! on the first visit, for offline use).
//!
//! The signed-out pages (welcome, sign in, sign up), where a first visit
//! starts, stay in the main module: each lazy route adds 4 KB or more of
//! generic routing code to the main module and splits its page into a dozen
//! small files, which cost more than these small pages themselves
//! (measured: `/signin` fetched 250.8 KB of WASM as a lazy route, 216.8 KB
//! without).

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use super::home::{ConversationPage, HomePage};
use crate::notify::ui::NotificationsPage;
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
    NotificationsRoute => NotificationsPage,
}
