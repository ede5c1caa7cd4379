//! The bell in a conversation's header: a menu of what pushes me here
//! (all messages, mentions only, nothing). The choice shows at once and
//! goes back if the server refuses it.

use leptos::prelude::*;

use super::state::ChatState;
use crate::chat::NotifyLevel;
use crate::chat::api::set_notify_level;
use crate::i18n::*;
use crate::ui::icons::{Icon, IconKind};

fn label(level: NotifyLevel) -> TextKey {
    match level {
        NotifyLevel::All => |l| td_string!(l, chat.level_all),
        NotifyLevel::Mentions => |l| td_string!(l, chat.level_mentions),
        NotifyLevel::None => |l| td_string!(l, chat.level_none),
    }
}

fn icon(level: NotifyLevel) -> IconKind {
    match level {
        NotifyLevel::All => IconKind::Bell,
        NotifyLevel::Mentions => IconKind::At,
        NotifyLevel::None => IconKind::BellOff,
    }
}

/// Part of the thread: state and language come as props (see `chat::ui`).
#[component]
pub fn NotifyMenu(conversation_id: i64, level: NotifyLevel, state: ChatState, locale: UiLocale) -> impl IntoView {
    // Reference-counted: see `chat::ui` on views in a `Suspend`.
    let current = ArcRwSignal::new(level);
    let open = ArcRwSignal::new(false);
    let choose = {
        let (current, open) = (current.clone(), open.clone());
        move |next: NotifyLevel| {
            let before = current.get_untracked();
            open.set(false);
            if next == before {
                return;
            }
            current.set(next);
            state.set_level(conversation_id, next);
            let current = current.clone();
            leptos::task::spawn_local(async move {
                if set_notify_level(conversation_id, Some(next)).await.is_err() {
                    current.set(before);
                    state.set_level(conversation_id, before);
                }
            });
        }
    };
    let (shown, expanded, title, glyph) = (open.clone(), open.clone(), current.clone(), current.clone());
    view! {
        <span class="notify-menu">
            <button
                type="button"
                class="icon-button"
                data-testid="notify"
                aria-haspopup="menu"
                aria-expanded=move || expanded.get().to_string()
                aria-label=move || format!(
                    "{}: {}",
                    td_string!(locale.get(), chat.notify),
                    label(title.get())(locale.get()),
                )
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || view! { <Icon kind=icon(glyph.get())/> }}
            </button>
            {move || shown.get().then(|| {
                let current = current.clone();
                let choose = choose.clone();
                view! {
                    <span class="level-menu" role="menu" aria-label=tr_in(locale, |l| td_string!(l, chat.notify))>
                        {NotifyLevel::ALL.into_iter().map(|level| {
                            let (current, choose) = (current.clone(), choose.clone());
                            view! {
                                <button
                                    type="button"
                                    role="menuitemradio"
                                    class="level-option"
                                    aria-checked=move || (current.get() == level).to_string()
                                    on:click=move |_| choose(level)
                                >
                                    <Icon kind=icon(level)/>
                                    {tr_in(locale, label(level))}
                                </button>
                            }
                        }).collect_view()}
                    </span>
                }
            })}
        </span>
    }
}
