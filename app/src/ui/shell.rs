//! The HTML document and the root component with its routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, path};

use super::app_bar::AppBar;
use super::home::NotFound;
use super::routes::{ConversationRoute, HomeRoute, NotificationsRoute, SettingsRoute};
use super::text::LocaleProvider;
use super::welcome::Welcome;
use crate::auth::current::CurrentUser;
use crate::auth::ui::{SignInPage, SignUpPage};
use crate::chat::ui::ChatProvider;
use crate::pwa::{CrashBanner, OfflineBanner, PwaProvider, UpdateBanner};

/// The document around the app (server-rendered only, so the title and
/// stylesheet cost the WASM nothing). `<html lang>` is set by the i18n provider.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="color-scheme" content="light dark"/>
                <meta name="theme-color" content="#0d7a6f"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml"/>
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png"/>
                <meta name="apple-mobile-web-app-capable" content="yes"/>
                <meta name="mobile-web-app-capable" content="yes"/>
                <meta name="apple-mobile-web-app-title" content="Tidings"/>
                <meta name="apple-mobile-web-app-status-bar-style" content="default"/>
                <title>"Tidings"</title>
                <link rel="stylesheet" id="leptos" href="/pkg/tidings.css"/>
                <script nonce=leptos::nonce::use_nonce() inner_html=BOOTSTRAP></script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Runs before the WASM:
/// - Chromium may fire `beforeinstallprompt` before the WASM has loaded;
///   keep the event for the app (see `pwa::client`).
/// - A panic aborts the WASM (`panic = "abort"`): the panic hook logs it,
///   the instance traps, and nothing in it runs again. The trap reaches the
///   page as an uncaught `WebAssembly.RuntimeError`; show the banner then.
const BOOTSTRAP: &str = "addEventListener('beforeinstallprompt',function(e){e.preventDefault();\
window.__tidingsInstall=e;dispatchEvent(new Event('tidings-installable'))});\
function tidingsCrashed(e){var r=e.error||e.reason;if(!(r instanceof WebAssembly.RuntimeError))return;\
var b=document.getElementById('crash-banner');if(b)b.hidden=false}\
addEventListener('error',tidingsCrashed);addEventListener('unhandledrejection',tidingsCrashed);";

#[component]
pub fn App() -> impl IntoView {
    CurrentUser::provide();
    crate::notify::ui::Inbox::provide();
    view! {
        <LocaleProvider>
            <Router>
                <ChatProvider>
                    <PwaProvider>
                        <AppBar/>
                        <OfflineBanner/>
                        <UpdateBanner/>
                        <CrashBanner/>
                        <main class="page">
                            <Routes fallback=NotFound>
                                <Route path=path!("/") view={Lazy::<HomeRoute>::new()}/>
                                <Route path=path!("/c/:id") view={Lazy::<ConversationRoute>::new()}/>
                                <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()}/>
                                <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()}/>
                                <Route path=path!("/signin") view=SignInPage/>
                                <Route path=path!("/signup") view=SignUpPage/>
                                <Route path=path!("/welcome") view=Welcome/>
                            </Routes>
                        </main>
                    </PwaProvider>
                </ChatProvider>
            </Router>
        </LocaleProvider>
    }
}
