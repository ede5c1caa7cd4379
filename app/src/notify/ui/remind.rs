//! "Remind me": what, and when (in 10 minutes, tomorrow at 9:00, a date and
//! time, or every day at a time), in this device's time zone. It becomes a
//! notification to oneself, fired by the server's scheduler.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::Inbox;
use crate::i18n::*;
use crate::notify::inbox_api::RemindMe;
use crate::ui::ErrorText;

#[component]
pub fn RemindForm(inbox: Inbox) -> impl IntoView {
    let remind = ServerAction::<RemindMe>::new();
    let zone = RwSignal::new("UTC".to_owned());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(local) = crate::client::time_zone() {
            zone.set(local);
        }
    });
    // A reminder set for now-ish may already be in the inbox.
    Effect::new(move |_| {
        if remind.version().get() > 0 {
            inbox.changed();
        }
    });
    let error = Signal::derive(move || remind.value().get().and_then(Result::err));
    let done = move || remind.value().get().is_some_and(|r| r.is_ok());
    let choice = move |value: &'static str, label: TextKey| {
        view! {
            <label class="choice">
                <input type="radio" name="when" value=value checked=value == "10min"/>
                {tr(label)}
            </label>
        }
    };
    view! {
        <section class="card remind" aria-labelledby="remind-title">
            <h2 id="remind-title">{tr(|l| td_string!(l, notify.remind_me))}</h2>
            <ActionForm action=remind attr:class="form">
                <label class="field">
                    {tr(|l| td_string!(l, notify.remind_what))}
                    <input type="text" name="text" required maxlength="200" autocomplete="off"/>
                </label>
                <fieldset class="choices">
                    <legend>{tr(|l| td_string!(l, notify.remind_when))}</legend>
                    {choice("10min", |l| td_string!(l, notify.in_ten_minutes))}
                    {choice("tomorrow", |l| td_string!(l, notify.tomorrow_morning))}
                    <div class="choice-with-value">
                        {choice("at", |l| td_string!(l, notify.on_date))}
                        <input type="datetime-local" name="at" step="1" aria-label=tr(|l| td_string!(l, notify.on_date))/>
                    </div>
                    <div class="choice-with-value">
                        {choice("daily", |l| td_string!(l, notify.every_day))}
                        <input type="time" name="daily" value="08:00" aria-label=tr(|l| td_string!(l, notify.every_day))/>
                    </div>
                </fieldset>
                <input type="hidden" name="timezone" prop:value=move || zone.get()/>
                <ErrorText error/>
                <Show when=done>
                    <p class="muted" role="status">{tr(|l| td_string!(l, notify.reminder_set))}</p>
                </Show>
                <button type="submit" class="button">{tr(|l| td_string!(l, notify.set_reminder))}</button>
            </ActionForm>
        </section>
    }
}
