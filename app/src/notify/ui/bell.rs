//! The bell in the app bar: a link to the inbox with the unread count.
//! Kept to one link and one reactive number: it is in the main WASM module.

use leptos::prelude::*;

use super::use_inbox;
use crate::i18n::*;
use crate::ui::icons::{Icon, IconKind};

#[component]
pub fn Bell() -> impl IntoView {
    let inbox = use_inbox();
    let unread = move || inbox.unread.get();
    view! {
        <a href="/notifications" class="icon-button bell" data-testid="bell">
            <Icon kind=IconKind::Bell/>
            // The link's name is "Notifications" and then the count.
            <span class="visually-hidden">{tr(|l| td_string!(l, notify.title))}</span>
            <span class="bell-count" data-testid="bell-count" hidden=move || unread() == 0>{unread}</span>
        </a>
    }
}
