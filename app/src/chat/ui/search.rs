//! Searching messages from the conversation list: a search box, and while
//! it holds words, the messages found instead of the rows. Tapping one
//! opens its conversation at that message; back returns to the results.

use std::time::Duration;

use leptos::prelude::*;

use super::state::ChatState;
use crate::chat::api::search_messages;
use crate::chat::search::SearchHit;
use crate::i18n::*;
use crate::ui::ErrorText;

/// How long typing pauses before the query is sent.
const PAUSE: Duration = Duration::from_millis(250);

/// The search box; what it holds is `state.search`.
#[component]
pub fn SearchBox(state: ChatState) -> impl IntoView {
    view! {
        <div class="list-search">
            <input
                type="search"
                class="search-input"
                enterkeyhint="search"
                autocomplete="off"
                aria-label=tr(|l| td_string!(l, chat.search))
                placeholder=tr(|l| td_string!(l, chat.search))
                prop:value=move || state.search.get()
                on:input=move |ev| state.search.set(event_target_value(&ev))
            />
        </div>
    }
}

/// The messages matching `state.search`, newest first, once typing pauses.
#[component]
pub fn SearchResults(state: ChatState, locale: UiLocale) -> impl IntoView {
    let asked = ArcRwSignal::new(state.search.get_untracked());
    {
        let asked = asked.clone();
        Effect::new(move |_| {
            let typed = state.search.get();
            let asked = asked.clone();
            set_timeout(
                move || {
                    if state.search.try_get_untracked().is_some_and(|now| now == typed) {
                        asked.set(typed);
                    }
                },
                PAUSE,
            );
        });
    }
    let hits = LocalResource::new(move || {
        let words = asked.get();
        async move { if words.trim().is_empty() { Ok(Vec::new()) } else { search_messages(words).await } }
    });
    view! {
        <section class="search-results" aria-label=tr_in(locale, |l| td_string!(l, chat.search_results))>
            <Transition>
                {move || Suspend::new(async move {
                    match hits.await {
                        Ok(found) if found.is_empty() => view! {
                            <p class="list-empty" role="status">{tr_in(locale, |l| td_string!(l, chat.no_results))}</p>
                        }
                        .into_any(),
                        Ok(found) => view! {
                            <ul class="rows">
                                {found.into_iter().map(|hit| view! { <Hit hit state/> }).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(err) => view! { <ErrorText error=Some(err)/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// One message found: its conversation, who wrote it, and the words around
/// the match, the matches marked.
#[component]
fn Hit(hit: SearchHit, state: ChatState) -> impl IntoView {
    let me = state.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let name = state
        .conversations
        .with_untracked(|l| l.iter().find(|c| c.id == hit.conversation_id).map(|c| c.display_name(me)))
        .unwrap_or_default();
    let message = hit.message_id;
    view! {
        <li>
            <a
                href=format!("/c/{}", hit.conversation_id)
                class="conversation-row search-hit"
                on:click=move |_| state.jump.set(Some(message))
            >
                <span class="avatar" aria-hidden="true">{crate::ui::avatar_initial(&name)}</span>
                <span class="row-text">
                    <span class="row-name">{name}</span>
                    <span class="row-preview">{format!("{}: ", hit.author)}{segments(&hit).into_iter().map(|(text, hit)| if hit {
                        view! { <mark>{text}</mark> }.into_any()
                    } else {
                        text.into_any()
                    }).collect_view()}</span>
                </span>
            </a>
        </li>
    }
}

/// The snippet cut at its highlights: `(text, is_a_match)` in order.
fn segments(hit: &SearchHit) -> Vec<(String, bool)> {
    let chars: Vec<char> = hit.snippet.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    for &[start, end] in &hit.highlights {
        let (start, end) = (start.clamp(at, chars.len()), end.min(chars.len()));
        if start >= end {
            continue;
        }
        if at < start {
            out.push((chars[at..start].iter().collect(), false));
        }
        out.push((chars[start..end].iter().collect(), true));
        at = end;
    }
    if at < chars.len() {
        out.push((chars[at..].iter().collect(), false));
    }
    out
}
