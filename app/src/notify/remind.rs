//! "Remind me": a person's own reminder, as the form states it ("in 10
//! minutes", "tomorrow at 9:00", a date and time, "every day at …"), turned
//! into a publish request to themselves (server only).

use chrono::{Days, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;

use super::publish::{PublishRequest, To};
use super::recurrence::parse_timezone;
use crate::error::AppError;

/// When, as the form says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    InTenMinutes,
    TomorrowMorning,
    /// A local date and time (`2026-12-24T18:30`, seconds optional).
    At(String),
    /// A local time (`08:00`), every day.
    Daily(String),
}

impl When {
    /// The form's fields: `when` picks one; `at` and `daily` hold its value.
    pub fn from_form(when: &str, at: &str, daily: &str) -> Result<When, AppError> {
        match when {
            "10min" => Ok(When::InTenMinutes),
            "tomorrow" => Ok(When::TomorrowMorning),
            "at" => Ok(When::At(at.trim().to_owned())),
            "daily" => Ok(When::Daily(daily.trim().to_owned())),
            _ => Err(AppError::invalid("invalid_when", "when is 10min, tomorrow, at or daily")),
        }
    }
}

/// The hour "tomorrow" means.
const MORNING: (u32, u32) = (9, 0);

/// The request for `text` at `when`, read in `timezone`, for `username`.
pub fn request(
    username: &str,
    text: &str,
    when: &When,
    timezone: &str,
    now_ms: i64,
) -> Result<PublishRequest, AppError> {
    let zone = parse_timezone(timezone)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid("invalid_title", "write what to remind you of"));
    }
    let (send_at, recurrence) = match when {
        When::InTenMinutes => (Some(now_ms + 10 * 60_000), None),
        When::TomorrowMorning => {
            let today = zone.timestamp_millis_opt(now_ms).single().map(|t| t.date_naive());
            let tomorrow = today.and_then(|d| d.checked_add_days(Days::new(1)));
            let time = NaiveTime::from_hms_opt(MORNING.0, MORNING.1, 0);
            (Some(local_ms(zone, tomorrow.zip(time).map(|(d, t)| d.and_time(t)))?), None)
        }
        When::At(at) => (Some(local_ms(zone, parse_local(at))?), None),
        When::Daily(time) => {
            let time = NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| bad_time())?;
            (None, Some(format!("FREQ=DAILY;BYHOUR={};BYMINUTE={};BYSECOND=0", time.hour(), time.minute())))
        }
    };
    Ok(PublishRequest {
        to: To::One(username.to_owned()),
        title: text.to_owned(),
        body: None,
        url: Some("/notifications".into()),
        kind: Some("reminder".into()),
        priority: None,
        tag: None,
        dedupe_key: None,
        send_at,
        recurrence,
        timezone: Some(zone.name().to_owned()),
    })
}

/// `datetime-local` values: minutes, or seconds with `step="1"`.
fn parse_local(value: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M"))
        .ok()
}

/// A local time in `zone` as ms since the epoch. A time skipped by a DST
/// change is moved past the gap; a repeated one is its first occurrence.
fn local_ms(zone: Tz, local: Option<NaiveDateTime>) -> Result<i64, AppError> {
    let local = local.ok_or_else(bad_time)?;
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest())
        .map(|t| t.timestamp_millis())
        .ok_or_else(bad_time)
}

fn bad_time() -> AppError {
    AppError::invalid("invalid_time", "choose a date and a time")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MADRID: &str = "Europe/Madrid";

    fn madrid_ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        let zone = parse_timezone(MADRID).unwrap();
        zone.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().timestamp_millis()
    }

    #[test]
    fn each_choice_becomes_a_time_or_a_rule_in_the_zone() {
        let now = madrid_ms(2026, 12, 1, 22, 30);
        let ten = request("bob", "Stretch", &When::InTenMinutes, MADRID, now).unwrap();
        assert_eq!(ten.send_at, Some(now + 600_000));
        let tomorrow = request("bob", "Call", &When::TomorrowMorning, MADRID, now).unwrap();
        assert_eq!(tomorrow.send_at, Some(madrid_ms(2026, 12, 2, 9, 0)));
        let at = request("bob", "Party", &When::At("2026-12-24T18:30".into()), MADRID, now).unwrap();
        assert_eq!(at.send_at, Some(madrid_ms(2026, 12, 24, 18, 30)));
        let daily = request("bob", "Review", &When::Daily("08:00".into()), MADRID, now).unwrap();
        assert_eq!(
            (daily.send_at, daily.recurrence.as_deref()),
            (None, Some("FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0"))
        );
        assert_eq!((daily.kind.as_deref(), daily.timezone.as_deref()), (Some("reminder"), Some(MADRID)));
    }

    #[test]
    fn a_time_lost_to_the_spring_change_moves_past_the_gap() {
        // 2026-03-29 02:30 does not exist in Madrid (02:00 → 03:00).
        let at = request("bob", "x", &When::At("2026-03-29T02:30".into()), MADRID, 0).unwrap();
        assert_eq!(at.send_at, Some(madrid_ms(2026, 3, 29, 3, 30)));
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        let code = |r: Result<PublishRequest, AppError>| r.unwrap_err().code().to_owned();
        assert_eq!(code(request("bob", "  ", &When::InTenMinutes, MADRID, 0)), "invalid_title");
        assert_eq!(code(request("bob", "x", &When::At("tomorrow".into()), MADRID, 0)), "invalid_time");
        assert_eq!(code(request("bob", "x", &When::Daily("25:00".into()), MADRID, 0)), "invalid_time");
        assert_eq!(code(request("bob", "x", &When::InTenMinutes, "Mars/Olympus", 0)), "invalid_timezone");
        assert!(When::from_form("someday", "", "").is_err());
    }
}
