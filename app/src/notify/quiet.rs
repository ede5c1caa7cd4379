//! Quiet hours (server only): whether a push waits, and until when. Read in
//! the person's zone, so "22:00–07:00" follows them across DST changes.

use chrono::{Days, NaiveTime, TimeZone};

use super::model::QuietHoursSpec;
use super::recurrence::parse_timezone;
use crate::error::AppError;

#[derive(Debug, Clone, Copy)]
pub struct QuietHours {
    start: NaiveTime,
    end: NaiveTime,
    zone: chrono_tz::Tz,
}

fn parse_time(value: &str) -> Option<NaiveTime> {
    let (h, m) = value.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

impl QuietHours {
    pub fn parse(spec: &QuietHoursSpec) -> Result<Self, AppError> {
        let times = parse_time(&spec.start).zip(parse_time(&spec.end));
        let Some((start, end)) = times.filter(|(s, e)| s != e) else {
            return Err(AppError::invalid(
                "invalid_quiet_hours",
                "quiet hours are two different times, \"HH:MM\" (24-hour), such as 22:00 and 07:00",
            ));
        };
        Ok(Self { start, end, zone: parse_timezone(&spec.timezone)? })
    }

    /// If `now` (ms) falls in quiet hours, when they end (ms).
    pub fn holds_until(&self, now: i64) -> Option<i64> {
        let local = self.zone.timestamp_millis_opt(now).single()?.naive_local();
        let (date, time) = (local.date(), local.time());
        let end_date = if self.start < self.end {
            (self.start <= time && time < self.end).then_some(date)?
        } else if time >= self.start {
            date.checked_add_days(Days::new(1))?
        } else if time < self.end {
            date
        } else {
            return None;
        };
        let end = end_date.and_time(self.end);
        // In a DST gap the end time does not exist: the first instant after it.
        let at = self
            .zone
            .from_local_datetime(&end)
            .earliest()
            .or_else(|| self.zone.from_local_datetime(&(end + chrono::Duration::hours(1))).earliest())?;
        Some(at.timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn spec(start: &str, end: &str) -> QuietHoursSpec {
        QuietHoursSpec { start: start.into(), end: end.into(), timezone: "Europe/Madrid".into() }
    }

    fn madrid(d: u32, h: u32, m: u32) -> i64 {
        let zone: chrono_tz::Tz = "Europe/Madrid".parse().unwrap();
        zone.from_local_datetime(&NaiveDate::from_ymd_opt(2026, 12, d).unwrap().and_hms_opt(h, m, 0).unwrap())
            .single()
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn overnight_hours_hold_until_the_morning() {
        let q = QuietHours::parse(&spec("22:00", "07:00")).unwrap();
        assert_eq!(q.holds_until(madrid(1, 23, 30)), Some(madrid(2, 7, 0)));
        assert_eq!(q.holds_until(madrid(2, 6, 59)), Some(madrid(2, 7, 0)));
        assert_eq!(q.holds_until(madrid(2, 7, 0)), None);
        assert_eq!(q.holds_until(madrid(2, 12, 0)), None);
    }

    #[test]
    fn daytime_hours_hold_within_the_day() {
        let q = QuietHours::parse(&spec("13:00", "15:00")).unwrap();
        assert_eq!(q.holds_until(madrid(1, 14, 0)), Some(madrid(1, 15, 0)));
        assert_eq!(q.holds_until(madrid(1, 16, 0)), None);
    }

    #[test]
    fn bad_quiet_hours_are_refused() {
        for (s, e) in [("22:00", "22:00"), ("25:00", "07:00"), ("7:00", "08:00"), ("22:00", "")] {
            assert_eq!(QuietHours::parse(&spec(s, e)).unwrap_err().code(), "invalid_quiet_hours", "{s}-{e}");
        }
        let bad_zone = QuietHoursSpec { timezone: "Nowhere".into(), ..spec("22:00", "07:00") };
        assert_eq!(QuietHours::parse(&bad_zone).unwrap_err().code(), "invalid_timezone");
    }
}
