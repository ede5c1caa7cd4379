//! The Bots part of `/settings`: make a bot (its token and signing secret
//! shown this once), set its webhook, see what failed, turn it back on
//! after it was disabled, give it a new token, delete it.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::api::{CreateBot, DeleteBot, RotateBotToken, UpdateBot, list_bots};
use super::model::{BotSummary, WebhookDelivery};
use crate::chat::ui::BotBadge;
use crate::i18n::*;
use crate::ui::ErrorText;

#[component]
pub fn BotsSettings() -> impl IntoView {
    let create = ServerAction::<CreateBot>::new();
    let update = ServerAction::<UpdateBot>::new();
    let rotate = ServerAction::<RotateBotToken>::new();
    let delete = ServerAction::<DeleteBot>::new();
    let locale = use_locale();
    // Browser only, as the devices: nothing here needs server rendering.
    let bots = LocalResource::new(move || {
        let _ = (create.version().get(), update.version().get(), rotate.version().get(), delete.version().get());
        list_bots()
    });
    let error = Signal::derive(move || {
        create.value().get().and_then(Result::err).or_else(|| update.value().get().and_then(Result::err))
    });
    let actions = Actions { update, rotate, delete };
    view! {
        <section class="card bots" aria-labelledby="bots-title">
            <h2 id="bots-title">{tr(|l| td_string!(l, bots.title))}</h2>
            <p class="muted">{tr(|l| td_string!(l, bots.intro))}</p>
            <Transition>
                {move || Suspend::new(async move {
                    let list = bots.await.unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p class="muted">{tr_in(locale, |l| td_string!(l, bots.none))}</p> }.into_any();
                    }
                    view! {
                        <ul class="bot-list" aria-label=tr_in(locale, |l| td_string!(l, bots.title))>
                            {list.into_iter().map(|summary| view! { <BotRow summary actions locale/> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                })}
            </Transition>
            {move || rotate.value().get().and_then(Result::ok).map(|t| view! {
                <div class="secret-box" role="status">
                    <p>{tr_in(locale, |l| td_string!(l, bots.new_token))}</p>
                    <code data-testid="bot-token">{t.token}</code>
                </div>
            })}
            <ActionForm action=create attr:class="form bot-create" attr:aria-label=tr(|l| td_string!(l, bots.new))>
                <label class="field">
                    {tr(|l| td_string!(l, bots.username))}
                    <input name="username" autocomplete="off" autocapitalize="none" spellcheck="false" required minlength="3" maxlength="32"/>
                </label>
                <label class="field">
                    {tr(|l| td_string!(l, bots.webhook))}
                    <input name="webhook_url" type="url" inputmode="url" placeholder="https://"/>
                </label>
                <label class="choice">
                    <input type="checkbox" name="public" value="on"/>
                    {tr(|l| td_string!(l, bots.public))}
                </label>
                <ErrorText error/>
                <button type="submit" class="button" disabled=move || create.pending().get()>
                    {tr(|l| td_string!(l, bots.create))}
                </button>
            </ActionForm>
            {move || create.value().get().and_then(Result::ok).map(|made| view! {
                <div class="secret-box" role="status">
                    <p>{tr_in(locale, |l| td_string!(l, bots.created))}</p>
                    <p>{tr_in(locale, |l| td_string!(l, bots.token))}</p>
                    <code data-testid="bot-token">{made.token}</code>
                    <p>{tr_in(locale, |l| td_string!(l, bots.secret))}</p>
                    <code data-testid="bot-secret">{made.signing_secret}</code>
                </div>
            })}
        </section>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateBot>,
    rotate: ServerAction<RotateBotToken>,
    delete: ServerAction<DeleteBot>,
}

/// Built in a `Suspend`: the language and actions come as props (see `chat::ui`).
#[component]
fn BotRow(summary: BotSummary, actions: Actions, locale: UiLocale) -> impl IntoView {
    let bot = summary.bot;
    let id = bot.id;
    let label = format!("bot-{id}");
    let (heading, rotate_of, delete_of) = (label.clone(), label.clone(), label.clone());
    let url = ArcRwSignal::new(bot.webhook_url.clone().unwrap_or_default());
    let typed = url.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        actions.update.dispatch(UpdateBot { id, webhook_url: Some(url.get_untracked()), enable: false });
    };
    let status = if bot.disabled {
        Some(tr_in(locale, |l| td_string!(l, bots.disabled))())
    } else {
        bot.failing_since.map(|_| tr_in(locale, |l| td_string!(l, bots.failing))())
    };
    view! {
        <li class="bot" aria-labelledby=label>
            <h3 id=heading>{bot.username.clone()}<BotBadge locale/></h3>
            {status.map(|s| view! { <p class="bot-status">{s}</p> })}
            {bot.disabled.then(|| view! {
                <button type="button" class="button small" on:click=move |_| {
                    actions.update.dispatch(UpdateBot { id, webhook_url: None, enable: true });
                }>{tr_in(locale, |l| td_string!(l, bots.enable))}</button>
            })}
            <form class="inline-form" on:submit=save>
                <label class="field">
                    {tr_in(locale, |l| td_string!(l, bots.webhook))}
                    <input type="url" inputmode="url" placeholder="https://" prop:value=typed.get_untracked() on:input=move |ev| typed.set(event_target_value(&ev))/>
                </label>
                <button type="submit" class="button ghost small">{tr_in(locale, |l| td_string!(l, bots.save))}</button>
            </form>
            <Failures failures=summary.failures locale/>
            <div class="bot-actions">
                <button type="button" class="button ghost small" aria-describedby=rotate_of on:click=move |_| {
                    actions.rotate.dispatch(RotateBotToken { id });
                }>{tr_in(locale, |l| td_string!(l, bots.rotate))}</button>
                <button type="button" class="button ghost small danger" aria-describedby=delete_of on:click=move |_| {
                    actions.delete.dispatch(DeleteBot { id });
                }>{tr_in(locale, |l| td_string!(l, bots.delete))}</button>
            </div>
        </li>
    }
}

#[component]
fn Failures(failures: Vec<WebhookDelivery>, locale: UiLocale) -> impl IntoView {
    (!failures.is_empty()).then(|| {
        view! {
            <details class="bot-failures">
                <summary>{tr_in(locale, |l| td_string!(l, bots.failures))}</summary>
                <ul>
                    {failures.into_iter().map(|f| view! {
                        <li><code>{f.event_type}</code>" "{f.last_error.unwrap_or_default()}</li>
                    }).collect_view()}
                </ul>
            </details>
        }
    })
}
