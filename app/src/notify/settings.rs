//! The notifications part of `/settings`: how much a push may say (full,
//! the sender only, or nothing that leaves this server), and quiet hours.
//!
//! A plain form with as few reactive parts as possible: the settings route
//! is lazy, but view code reached through type-erased views stays in the
//! main WASM module, which has a first-visit budget.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::api::{SavePreferences, get_preferences};
use super::model::{Preferences, PushPreview};
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
            {move || loaded.get().map(|prefs| view! { <PreferencesForm prefs=prefs.unwrap_or_default() save locale/> })}
        </section>
    }
}

/// Built in a `Suspend`: the language comes as a prop (see `chat::ui`).
#[component]
fn PreferencesForm(prefs: Preferences, save: ServerAction<SavePreferences>, locale: UiLocale) -> impl IntoView {
    let quiet = prefs.quiet_hours.clone();
    // Quiet hours are kept in the zone they were set in, else this device's.
    let zone = ArcRwSignal::new(quiet.as_ref().map_or("UTC".to_owned(), |q| q.timezone.clone()));
    if quiet.is_none() {
        let zone = zone.clone();
        Effect::new(move |_| {
            #[cfg(feature = "hydrate")]
            if let Some(local) = crate::client::time_zone() {
                zone.set(local);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &zone;
        });
    }
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    let current = prefs.push_preview;
    let level = move |value: PushPreview, label: TextKey| {
        view! {
            <label class="choice">
                <input type="radio" name="push_preview" value=value.as_str() checked=current == value/>
                {tr_in(locale, label)}
            </label>
        }
    };
    let (start, end) =
        quiet.as_ref().map_or(("22:00".to_owned(), "07:00".to_owned()), |q| (q.start.clone(), q.end.clone()));
    view! {
        <ActionForm action=save attr:class="form">
            <fieldset class="choices">
                <legend>{tr_in(locale, |l| td_string!(l, notify.previews))}</legend>
                {level(PushPreview::Full, |l| td_string!(l, notify.preview_full))}
                {level(PushPreview::Sender, |l| td_string!(l, notify.preview_sender))}
                {level(PushPreview::Private, |l| td_string!(l, notify.preview_private))}
            </fieldset>
            <fieldset class="choices">
                <legend>{tr_in(locale, |l| td_string!(l, notify.quiet_hours))}</legend>
                <label class="choice">
                    <input type="checkbox" name="quiet" value="on" checked=quiet.is_some()/>
                    {tr_in(locale, |l| td_string!(l, notify.quiet_explain))}
                </label>
                <div class="time-range">
                    <label class="field">
                        {tr_in(locale, |l| td_string!(l, notify.quiet_from))}
                        <input type="time" name="quiet_start" value=start required/>
                    </label>
                    <label class="field">
                        {tr_in(locale, |l| td_string!(l, notify.quiet_to))}
                        <input type="time" name="quiet_end" value=end required/>
                    </label>
                </div>
                <input type="hidden" name="timezone" prop:value=move || zone.get()/>
                // Pushes are worded in the language this page is in.
                <input type="hidden" name="language" prop:value=move || locale.get().as_str()/>
            </fieldset>
            <ErrorText error/>
            <Show when=saved>
                <p class="muted" role="status">{tr_in(locale, |l| td_string!(l, notify.saved))}</p>
            </Show>
            <button type="submit" class="button">{tr_in(locale, |l| td_string!(l, notify.save))}</button>
        </ActionForm>
    }
}
