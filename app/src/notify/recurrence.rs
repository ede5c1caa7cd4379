//! When a reminder fires next: RFC 5545 rules (the `rrule` crate) read in
//! an IANA zone (`chrono-tz`), so "every day at 8:00" stays 8:00 local on
//! both sides of a DST change.

use chrono::TimeZone;
use rrule::{RRule, RRuleSet, Tz, Unvalidated};

use crate::error::AppError;

pub fn parse_timezone(name: &str) -> Result<chrono_tz::Tz, AppError> {
    name.parse::<chrono_tz::Tz>()
        .map_err(|_| AppError::invalid("invalid_timezone", "timezone is an IANA name such as Europe/Madrid"))
}

/// A validated rule, anchored at its start.
#[derive(Debug, Clone)]
pub struct Recurrence(RRuleSet);

impl Recurrence {
    /// `rule` is an RRULE value (`FREQ=DAILY;BYHOUR=8;BYMINUTE=0`, with or
    /// without the `RRULE:` prefix); `starts_at` is its DTSTART.
    pub fn parse(rule: &str, zone: chrono_tz::Tz, starts_at: i64) -> Result<Self, AppError> {
        let invalid =
            |why: String| AppError::invalid("invalid_recurrence", format!("recurrence is an RFC 5545 RRULE: {why}"));
        let rule = rule.trim();
        let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
        if rule.contains(['\n', '\r']) || rule.len() > 512 {
            return Err(invalid("one rule, at most 512 characters".into()));
        }
        let parsed: RRule<Unvalidated> = rule.parse().map_err(|e: rrule::RRuleError| invalid(e.to_string()))?;
        let start = Tz::Tz(zone)
            .timestamp_millis_opt(starts_at - starts_at.rem_euclid(1000))
            .single()
            .ok_or_else(|| invalid("the start is out of range".into()))?;
        let set = parsed.build(start).map_err(|e| invalid(e.to_string()))?;
        Ok(Self(set))
    }

    /// The first occurrence strictly after `after` (ms), if the rule has one.
    pub fn next_after(&self, after: i64) -> Option<i64> {
        let from = Tz::UTC.timestamp_millis_opt(after + 1).single()?;
        self.0.clone().after(from).all(1).dates.first().map(|d| d.timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Timelike};

    fn at(zone: chrono_tz::Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        zone.from_local_datetime(&NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap())
            .single()
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn daily_at_eight_stays_eight_local_across_dst() {
        let madrid: chrono_tz::Tz = parse_timezone("Europe/Madrid").unwrap();
        // 2026-03-29 is the spring change in Madrid (02:00 → 03:00).
        let start = at(madrid, 2026, 3, 27, 12, 0);
        let rule = Recurrence::parse("FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0", madrid, start).unwrap();
        let mut t = start;
        let mut hours_utc = Vec::new();
        for _ in 0..4 {
            t = rule.next_after(t).unwrap();
            let local = madrid.timestamp_millis_opt(t).unwrap();
            assert_eq!((local.hour(), local.minute()), (8, 0), "8:00 local every day");
            hours_utc.push(chrono::Utc.timestamp_millis_opt(t).unwrap().hour());
        }
        assert_eq!(hours_utc, vec![7, 6, 6, 6], "UTC moves by an hour at the change (29 March)");
    }

    #[test]
    fn bad_rules_and_zones_are_refused() {
        let utc = parse_timezone("UTC").unwrap();
        for bad in ["", "FREQ=SOMETIMES", "FREQ=DAILY;BYHOUR=25", "FREQ=DAILY\nRRULE:FREQ=DAILY"] {
            assert_eq!(Recurrence::parse(bad, utc, 0).unwrap_err().code(), "invalid_recurrence", "{bad:?}");
        }
        assert_eq!(parse_timezone("Mars/Olympus").unwrap_err().code(), "invalid_timezone");
    }

    #[test]
    fn next_is_strictly_after() {
        let utc = parse_timezone("UTC").unwrap();
        let start = at(utc, 2026, 1, 1, 8, 0);
        let rule = Recurrence::parse("RRULE:FREQ=DAILY", utc, start).unwrap();
        assert_eq!(rule.next_after(start - 1), Some(start));
        assert_eq!(rule.next_after(start), Some(start + 86_400_000));
    }
}
