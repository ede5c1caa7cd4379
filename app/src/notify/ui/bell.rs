//! The bell in the app bar: the unread count, and a dropdown of the latest
//! ten with a link to the inbox. In the main WASM module, so it stays small:
//! the list and the "read" call come from `notify::client`'s chunks.

use leptos::either::Either;
use leptos::prelude::*;

use super::{Inbox, use_inbox};
use crate::i18n::*;
use crate::notify::model::Notification;
use crate::ui::icons::{Icon, IconKind};

/// How many the dropdown shows.
pub const LATEST: usize = 10;

#[component]
pub fn Bell() -> impl IntoView {
    let inbox = use_inbox();
    let open = RwSignal::new(false);
    // Fetched each time the dropdown opens, and again on a change while open.
    let latest: RwSignal<Option<Vec<Notification>>> = RwSignal::new(None);
    Effect::new(move |_| {
        inbox.version.track();
        if open.get() {
            #[cfg(feature = "hydrate")]
            crate::notify::client::load_latest(latest);
        }
    });
    let unread = move || inbox.unread.get();
    let locale = use_locale();
    view! {
        <div class="bell-menu" on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { open.set(false) }>
            <button
                type="button"
                class="icon-button bell"
                data-testid="bell"
                aria-expanded=move || open.get().to_string()
                aria-controls="bell-dropdown"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <Icon kind=IconKind::Bell/>
                // The button's name is "Notifications" and then the count.
                <span class="visually-hidden">{tr(|l| td_string!(l, notify.title))}</span>
                <span class="bell-count" data-testid="bell-count" hidden=move || unread() == 0>{unread}</span>
            </button>
            // A tap beside the dropdown closes it (this layer lies under it).
            <div class="bell-backdrop" hidden=move || !open.get() on:click=move |_| open.set(false)></div>
            // A tap on anything inside (an item, "See all") is done with it.
            <div id="bell-dropdown" class="bell-dropdown" hidden=move || !open.get() on:click=move |_| open.set(false)>
                {move || latest.get().map(|list| latest_list(list, inbox, locale))}
                <a href="/notifications" class="see-all">{tr(|l| td_string!(l, notify.see_all))}</a>
            </div>
        </div>
    }
}

fn latest_list(
    list: Vec<Notification>,
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))] inbox: Inbox,
    locale: UiLocale,
) -> impl IntoView {
    if list.is_empty() {
        return Either::Left(view! { <p class="muted">{tr_in(locale, |l| td_string!(l, notify.empty))}</p> });
    }
    let items = list.into_iter().take(LATEST).map(move |n| {
        #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
        let id = n.id;
        let unread = n.read_at.is_none();
        let external = n.url.as_deref().is_some_and(|u| u.starts_with("https://"));
        let url = n.url.unwrap_or_else(|| "/notifications".into());
        let read = move |_| {
            #[cfg(feature = "hydrate")]
            if unread {
                crate::notify::client::read(inbox, id);
            }
        };
        view! {
            <li>
                <a href=url data-unread=unread.to_string() target=external.then_some("_blank") rel=external.then_some("noopener") on:click=read>
                    <span class="inbox-title">{n.title}</span>
                    <span class="inbox-meta muted">{crate::ui::when(n.created_at)}</span>
                </a>
            </li>
        }
    });
    Either::Right(
        view! { <ul class="bell-list" aria-label=tr_in(locale, |l| td_string!(l, notify.latest))>{items.collect_view()}</ul> },
    )
}
