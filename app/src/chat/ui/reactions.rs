//! Reactions on a message: the chips under it (tap one to add or take back
//! mine), and the picker in its actions: six common ones, and every emoji
//! from the server's catalogue (the `emojis` crate, fetched on first open
//! so the WASM does not carry it).

use leptos::prelude::*;

use super::state::ChatState;
use crate::chat::Reaction;
use crate::chat::api::{emoji_catalog, react};
use crate::i18n::*;

/// The quick picker: the reactions people use most.
pub const QUICK: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

/// Results shown for a search in the full picker.
const SEARCH_MAX: usize = 80;

/// Adds or takes back my `emoji` on message `id`, and folds the answer in
/// (the live frame reaches my other devices).
pub fn toggle(state: ChatState, conversation_id: i64, id: i64, emoji: String, on: bool) {
    leptos::task::spawn_local(async move {
        match react(id, emoji, on).await {
            Ok(r) => state.on_reaction(conversation_id, r.message_id, r.rev, r.reactions),
            Err(err) => leptos::logging::warn!("reaction not saved: {err}"),
        }
    });
}

/// The chips under a message.
#[component]
pub fn ReactionChips(
    id: i64,
    conversation_id: i64,
    reactions: Vec<Reaction>,
    state: ChatState,
    locale: UiLocale,
) -> impl IntoView {
    let me = state.me.with_untracked(|me| me.as_ref().map(|m| m.username.clone())).unwrap_or_default();
    (!reactions.is_empty()).then(|| {
        let chips = reactions
            .into_iter()
            .map(|r| {
                let mine = r.users.contains(&me);
                let who = r.users.join(", ");
                let label = format!("{} {}: {who}", r.emoji, r.count);
                let emoji = r.emoji.clone();
                view! {
                        <button
                            type="button"
                            class=if mine { "reaction mine" } else { "reaction" }
                            aria-pressed=mine.to_string()
                            aria-label=label
                            title=who
                            on:click=move |_| toggle(state, conversation_id, id, emoji.clone(), !mine)
                        >
                            <span aria-hidden="true">{r.emoji}</span>
                            <span class="count">{r.count}</span>
                        </button>
                }
            })
            .collect_view();
        view! { <div class="reactions" role="group" aria-label=tr_in(locale, |l| td_string!(l, chat.reactions))>{chips}</div> }
    })
}

/// The picker in a message's actions. `done` closes the actions.
#[component]
pub fn ReactionPicker(
    id: i64,
    conversation_id: i64,
    state: ChatState,
    locale: UiLocale,
    done: Callback<()>,
) -> impl IntoView {
    let full = ArcRwSignal::new(false);
    let (expanded, flip) = (full.clone(), full.clone());
    let pick = move |emoji: String| {
        toggle(state, conversation_id, id, emoji, true);
        done.run(());
    };
    let quick = QUICK
        .iter()
        .map(|e| {
            let (emoji, pick) = (e.to_string(), pick.clone());
            view! { <button type="button" class="emoji" on:click=move |_| pick(emoji.clone())>{*e}</button> }
        })
        .collect_view();
    view! {
        <span class="reaction-picker" role="group" aria-label=tr_in(locale, |l| td_string!(l, chat.react))>
            {quick}
            <button
                type="button"
                class="button ghost small"
                aria-expanded=move || expanded.get().to_string()
                on:click=move |_| flip.update(|f| *f = !*f)
            >
                {tr_in(locale, |l| td_string!(l, chat.more_reactions))}
            </button>
        </span>
        {move || full.get().then(|| view! { <FullPicker locale pick=pick.clone()/> })}
    }
}

/// Every emoji, by group, with a search by name.
#[component]
fn FullPicker(locale: UiLocale, pick: impl Fn(String) + Clone + Send + Sync + 'static) -> impl IntoView {
    let catalog = ArcLocalResource::new(emoji_catalog);
    let query = ArcRwSignal::new(String::new());
    let group = ArcRwSignal::new(0usize);
    let (typed, tab) = (query.clone(), group.clone());
    view! {
        <div class="emoji-picker">
            <input
                type="search"
                aria-label=tr_in(locale, |l| td_string!(l, chat.search_emoji))
                placeholder=tr_in(locale, |l| td_string!(l, chat.search_emoji))
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
            <Suspense fallback=|| ()>
                {move || {
                    let (query, group, tab, pick) = (query.clone(), group.clone(), tab.clone(), pick.clone());
                    catalog.get().map(move |result| match result {
                        Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                        Ok(groups) => {
                            let tabs = groups
                                .iter()
                                .enumerate()
                                .map(|(i, (name, emojis))| {
                                    let (tab, selected) = (tab.clone(), group.clone());
                                    let first = emojis.first().map(|(e, _)| e.clone()).unwrap_or_default();
                                    view! {
                                        <button
                                            type="button"
                                            class="emoji"
                                            title=name.clone()
                                            aria-label=name.clone()
                                            aria-pressed=move || (selected.get() == i).to_string()
                                            on:click=move |_| tab.set(i)
                                        >{first}</button>
                                    }
                                })
                                .collect_view();
                            let grid = move || {
                                let q = query.get().trim().to_lowercase();
                                let shown: Vec<(String, String)> = if q.is_empty() {
                                    groups.get(group.get()).map(|(_, e)| e.clone()).unwrap_or_default()
                                } else {
                                    groups
                                        .iter()
                                        .flat_map(|(_, e)| e.iter())
                                        .filter(|(_, name)| name.contains(&q))
                                        .take(SEARCH_MAX)
                                        .cloned()
                                        .collect()
                                };
                                shown
                                    .into_iter()
                                    .map(|(emoji, name)| {
                                        let pick = pick.clone();
                                        view! {
                                            <button
                                                type="button"
                                                class="emoji"
                                                title=name.clone()
                                                aria-label=name
                                                on:click=move |_| pick(emoji.clone())
                                            >{emoji.clone()}</button>
                                        }
                                    })
                                    .collect_view()
                            };
                            view! {
                                <div class="emoji-groups" role="group">{tabs}</div>
                                <div class="emoji-grid">{grid}</div>
                            }.into_any()
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}
