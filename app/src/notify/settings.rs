//! The notifications part of `/settings`: how much a push may say (full,
//! the sender only, or nothing that leaves this server), and quiet hours.

use leptos::prelude::*;

use super::api::{SavePreferences, get_preferences};
use super::model::{Preferences, PushPreview, QuietHoursSpec};
use crate::i18n::*;
use crate::ui::ErrorText;

#[component]
pub fn NotificationPreferences() -> impl IntoView {
    let save = ServerAction::<SavePreferences>::new();
    // Browser only, as the devices: nothing here needs server rendering.
    let loaded = LocalResource::new(get_preferences);
    let locale = use_locale();
    view! {
        <section class="card preferences" aria-labelledby="preferences-title">
            <h2 id="preferences-title">{tr(|l| td_string!(l, notify.preferences))}</h2>
            <Transition>
                {move || Suspend::new(async move {
                    let prefs = loaded.await.unwrap_or_default();
                    view! { <PreferencesForm prefs save locale/> }
                })}
            </Transition>
        </section>
    }
}

/// Built in a `Suspend`: the language comes as a prop (see `chat::ui`).
#[component]
fn PreferencesForm(prefs: Preferences, save: ServerAction<SavePreferences>, locale: UiLocale) -> impl IntoView {
    let preview = ArcRwSignal::new(prefs.push_preview);
    let quiet_on = ArcRwSignal::new(prefs.quiet_hours.is_some());
    let start = ArcRwSignal::new(prefs.quiet_hours.as_ref().map_or("22:00".to_owned(), |q| q.start.clone()));
    let end = ArcRwSignal::new(prefs.quiet_hours.as_ref().map_or("07:00".to_owned(), |q| q.end.clone()));
    let zone = ArcRwSignal::new(prefs.quiet_hours.as_ref().map_or("UTC".to_owned(), |q| q.timezone.clone()));
    let language = prefs.language.clone();
    {
        // Quiet hours are kept in this device's zone unless they have one.
        let zone = zone.clone();
        let keep = prefs.quiet_hours.is_some();
        Effect::new(move |_| {
            #[cfg(feature = "hydrate")]
            if !keep && let Some(local) = crate::client::time_zone() {
                zone.set(local);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&zone, keep);
        });
    }
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    let submit = {
        let (preview, quiet_on, start, end, zone) = (preview.clone(), quiet_on.clone(), start.clone(), end.clone(), zone.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let quiet_hours = quiet_on
                .get_untracked()
                .then(|| QuietHoursSpec { start: start.get_untracked(), end: end.get_untracked(), timezone: zone.get_untracked() });
            let preferences = Preferences { quiet_hours, push_preview: preview.get_untracked(), language: language.clone() };
            save.dispatch(SavePreferences { preferences });
        }
    };
    let level = move |value: PushPreview, label: TextKey| {
        let preview = preview.clone();
        let checked = preview.clone();
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="push_preview"
                    prop:checked=move || checked.get() == value
                    on:change=move |_| preview.set(value)
                />
                {tr_in(locale, label)}
            </label>
        }
    };
    let time = |signal: ArcRwSignal<String>, label: TextKey, on: ArcRwSignal<bool>| {
        let value = signal.clone();
        view! {
            <label class="field">
                {tr_in(locale, label)}
                <input
                    type="time"
                    required
                    prop:value=move || value.get()
                    disabled=move || !on.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))
                />
            </label>
        }
    };
    let zone_text = zone.clone();
    let checked = quiet_on.clone();
    let toggle = quiet_on.clone();
    view! {
        <form class="form" on:submit=submit>
            <fieldset class="choices">
                <legend>{tr_in(locale, |l| td_string!(l, notify.previews))}</legend>
                {level(PushPreview::Full, |l| td_string!(l, notify.preview_full))}
                {level(PushPreview::Sender, |l| td_string!(l, notify.preview_sender))}
                {level(PushPreview::Private, |l| td_string!(l, notify.preview_private))}
            </fieldset>
            <fieldset class="choices">
                <legend>{tr_in(locale, |l| td_string!(l, notify.quiet_hours))}</legend>
                <label class="choice">
                    <input
                        type="checkbox"
                        prop:checked=move || checked.get()
                        on:change=move |ev| toggle.set(event_target_checked(&ev))
                    />
                    {tr_in(locale, |l| td_string!(l, notify.quiet_explain))}
                </label>
                <div class="time-range">
                    {time(start, |l| td_string!(l, notify.quiet_from), quiet_on.clone())}
                    {time(end, |l| td_string!(l, notify.quiet_to), quiet_on.clone())}
                </div>
                <p class="muted small">{move || zone_text.get()}</p>
            </fieldset>
            <ErrorText error/>
            <Show when=saved>
                <p class="muted" role="status">{tr_in(locale, |l| td_string!(l, notify.saved))}</p>
            </Show>
            <button type="submit" class="button" disabled=move || save.pending().get()>
                {tr_in(locale, |l| td_string!(l, notify.save))}
            </button>
        </form>
    }
}
