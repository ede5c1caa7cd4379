//! What a person asked for, in the few phrasings the bot understands:
//!
//! - `remind me in 10 minutes to stretch` (seconds, minutes, hours, days);
//! - `remind me tomorrow at 9 to call mum` (`9`, `9:30`, `9pm`, `21:00`);
//! - `remind me at 17:30 to leave` (today, or tomorrow if that has passed);
//! - `every weekday at 8:00 review the inbox` (also `every day`, `every
//!   monday`…; `remind me` and `to` optional).
//!
//! Times are read in the bot's zone. Pure: the caller gives the time now.

use chrono::{DateTime, Days, Duration, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Once {
        at: DateTime<Tz>,
        task: String,
    },
    /// An RFC 5545 rule, read in the bot's zone.
    Every {
        rule: String,
        said: String,
        task: String,
    },
}

impl Plan {
    /// "I'll remind you …", for the answer.
    pub fn describe(&self, now: DateTime<Tz>) -> String {
        match self {
            Plan::Once { at, task } => {
                let day = if at.date_naive() == now.date_naive() {
                    "today".to_owned()
                } else if Some(at.date_naive()) == now.date_naive().succ_opt() {
                    "tomorrow".to_owned()
                } else {
                    at.format("on %a %-d %b").to_string()
                };
                format!("I'll remind you to {task} {day} at {} ({}).", at.format("%H:%M"), at.timezone().name())
            }
            Plan::Every { said, task, .. } => format!("I'll remind you to {task} {said}."),
        }
    }
}

const HELP: &str = "I understand \"remind me in 10 minutes to …\", \"remind me tomorrow at 9 to …\", \
                    \"remind me at 17:30 to …\" and \"every weekday at 8:00 …\".";

/// Reads `text` as a reminder; `Err` is the answer to give instead.
pub fn parse(text: &str, now: DateTime<Tz>) -> Result<Plan, String> {
    let text = text.trim();
    // ASCII lowercase keeps byte offsets, so the task keeps its own case.
    let lower = text.to_ascii_lowercase();
    let mut rest = Cursor { text, lower: &lower, at: 0 };
    let asked = rest.word("remind") && rest.word("me");
    if !asked {
        rest.at = 0;
    }
    if rest.word("every") {
        return every(rest);
    }
    if !asked {
        return Err(HELP.to_owned());
    }
    let at = if rest.word("in") {
        let amount: i64 = rest.number().ok_or("In how long? Say \"in 10 minutes\".")?;
        let unit = rest.next_word().unwrap_or_default();
        let step = match unit.trim_end_matches('s') {
            "second" | "sec" => Duration::seconds(1),
            "minute" | "min" => Duration::minutes(1),
            "hour" | "h" | "hr" => Duration::hours(1),
            "day" => Duration::days(1),
            _ => return Err(format!("I know seconds, minutes, hours and days, not \"{unit}\".")),
        };
        if !(1..=366 * 24 * 60 * 60).contains(&amount) {
            return Err("That is further ahead than a year.".to_owned());
        }
        now + step * amount as i32
    } else if rest.word("tomorrow") {
        if !rest.word("at") {
            return Err("Tomorrow at what time? Say \"tomorrow at 9\".".to_owned());
        }
        let time = rest.time()?;
        let day = now.date_naive().checked_add_days(Days::new(1)).ok_or("out of range")?;
        local(now.timezone(), day.and_time(time))?
    } else if rest.word("at") {
        let time = rest.time()?;
        let today = local(now.timezone(), now.date_naive().and_time(time))?;
        if today > now { today } else { local(now.timezone(), (now.date_naive() + Days::new(1)).and_time(time))? }
    } else {
        return Err(HELP.to_owned());
    };
    Ok(Plan::Once { at, task: rest.task()? })
}

fn every(mut rest: Cursor) -> Result<Plan, String> {
    let days = rest.next_word().unwrap_or_default();
    let (by_day, said) = match days.as_str() {
        "day" => (None, "every day".to_owned()),
        "weekday" => (Some("MO,TU,WE,TH,FR".to_owned()), "every weekday".to_owned()),
        other => match weekday(other) {
            Some(code) => (Some(code.to_owned()), format!("every {other}")),
            None => {
                return Err(format!(
                    "Every what? \"every day\", \"every weekday\" or \"every monday\", not \"{other}\"."
                ));
            }
        },
    };
    if !rest.word("at") {
        return Err(format!("{said} at what time? Say \"{said} at 8:00\"."));
    }
    let time = rest.time()?;
    let task = rest.task()?;
    let (hour, minute) = (time.hour(), time.minute());
    let rule = match by_day {
        None => format!("FREQ=DAILY;BYHOUR={hour};BYMINUTE={minute};BYSECOND=0"),
        Some(days) => format!("FREQ=WEEKLY;BYDAY={days};BYHOUR={hour};BYMINUTE={minute};BYSECOND=0"),
    };
    Ok(Plan::Every { rule, said: format!("{said} at {hour:02}:{minute:02}"), task })
}

fn weekday(name: &str) -> Option<&'static str> {
    let names = [
        ("monday", "MO"),
        ("tuesday", "TU"),
        ("wednesday", "WE"),
        ("thursday", "TH"),
        ("friday", "FR"),
        ("saturday", "SA"),
        ("sunday", "SU"),
    ];
    names.iter().find(|(n, _)| *n == name.trim_end_matches('s')).map(|(_, code)| *code)
}

/// A local time on a day (the later of two in a DST fold; a time in a DST
/// gap is refused).
fn local(zone: Tz, at: chrono::NaiveDateTime) -> Result<DateTime<Tz>, String> {
    zone.from_local_datetime(&at).latest().ok_or_else(|| "That time does not exist here (a clock change).".to_owned())
}

/// Reads words off the front of the message.
struct Cursor<'a> {
    text: &'a str,
    lower: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn skip_spaces(&mut self) {
        self.at += self.lower[self.at..].len() - self.lower[self.at..].trim_start().len();
    }

    /// Takes `word` if it comes next, as a whole word.
    fn word(&mut self, word: &str) -> bool {
        self.skip_spaces();
        let rest = &self.lower[self.at..];
        let whole = rest.strip_prefix(word).is_some_and(|after| after.is_empty() || after.starts_with(' '));
        if whole {
            self.at += word.len();
        }
        whole
    }

    fn next_word(&mut self) -> Option<String> {
        self.skip_spaces();
        let rest = &self.lower[self.at..];
        let len = rest.find(' ').unwrap_or(rest.len());
        (len > 0).then(|| {
            self.at += len;
            rest[..len].to_owned()
        })
    }

    fn number(&mut self) -> Option<i64> {
        let start = self.at;
        match self.next_word()?.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.at = start;
                None
            }
        }
    }

    /// `9`, `9:30`, `9am`, `9:30pm`, `21:00`.
    fn time(&mut self) -> Result<NaiveTime, String> {
        let word = self.next_word().unwrap_or_default();
        let bad = || format!("I could not read \"{word}\" as a time; say 9, 9:30, 9pm or 21:00.");
        let (clock, half) = match (word.strip_suffix("am"), word.strip_suffix("pm")) {
            (Some(c), _) => (c, Some(false)),
            (_, Some(c)) => (c, Some(true)),
            _ => (word.as_str(), None),
        };
        let (h, m) = clock.split_once(':').unwrap_or((clock, "0"));
        let (mut h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        match half {
            Some(_) if !(1..=12).contains(&h) => return Err(bad()),
            Some(pm) => h = h % 12 + if pm { 12 } else { 0 },
            None => {}
        }
        NaiveTime::from_hms_opt(h, m, 0).ok_or_else(bad)
    }

    /// The rest of the message, after an optional `to`, in its own case.
    fn task(mut self) -> Result<String, String> {
        self.word("to");
        let task = self.text[self.at..].trim().trim_end_matches(['.', '!']).trim();
        if task.is_empty() {
            return Err("Remind you to do what? Add \"to …\".".to_owned());
        }
        Ok(task.chars().take(200).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Tz> {
        // Wednesday 2 December 2026, 14:05 in Madrid.
        chrono_tz::Europe::Madrid.with_ymd_and_hms(2026, 12, 2, 14, 5, 0).unwrap()
    }

    fn once(text: &str) -> (String, String) {
        match parse(text, now()).unwrap() {
            Plan::Once { at, task } => (at.format("%Y-%m-%d %H:%M").to_string(), task),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn in_some_time() {
        assert_eq!(once("remind me in 10 minutes to Stretch."), ("2026-12-02 14:15".into(), "Stretch".into()));
        assert_eq!(once("Remind me in 2 hours to call Ana"), ("2026-12-02 16:05".into(), "call Ana".into()));
        assert_eq!(once("remind me in 1 day to water the plants").0, "2026-12-03 14:05");
        assert_eq!(once("remind me in 30 seconds to check the oven").1, "check the oven");
        assert!(parse("remind me in ten minutes to x", now()).is_err());
        assert!(parse("remind me in 10 fortnights to x", now()).unwrap_err().contains("fortnights"));
    }

    #[test]
    fn tomorrow_and_today_at_a_time() {
        assert_eq!(once("remind me tomorrow at 9 to call mum"), ("2026-12-03 09:00".into(), "call mum".into()));
        assert_eq!(once("remind me tomorrow at 9:30pm to sleep").0, "2026-12-03 21:30");
        assert_eq!(once("remind me tomorrow at 12am to x").0, "2026-12-03 00:00");
        assert_eq!(once("remind me at 17:30 to leave").0, "2026-12-02 17:30", "still ahead today");
        assert_eq!(once("remind me at 8 to run").0, "2026-12-03 08:00", "passed today: tomorrow");
        assert!(parse("remind me tomorrow at 25 to x", now()).is_err());
        assert!(parse("remind me tomorrow to x", now()).is_err());
        assert!(parse("remind me tomorrow at 9", now()).unwrap_err().contains("what"));
    }

    #[test]
    fn every_weekday_day_or_named_day() {
        let plan = parse("every weekday at 8:00 review the inbox", now()).unwrap();
        assert_eq!(
            plan,
            Plan::Every {
                rule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=0;BYSECOND=0".into(),
                said: "every weekday at 08:00".into(),
                task: "review the inbox".into(),
            }
        );
        let Plan::Every { rule, .. } = parse("remind me every day at 7:15 to take the pills", now()).unwrap() else {
            panic!()
        };
        assert_eq!(rule, "FREQ=DAILY;BYHOUR=7;BYMINUTE=15;BYSECOND=0");
        let Plan::Every { rule, said, .. } = parse("every Monday at 9am to plan the week", now()).unwrap() else {
            panic!()
        };
        assert_eq!(
            (rule.as_str(), said.as_str()),
            ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0", "every monday at 09:00")
        );
        assert!(parse("every blue moon at 9 to x", now()).is_err());
    }

    #[test]
    fn anything_else_gets_the_help() {
        assert_eq!(parse("hello", now()).unwrap_err(), HELP);
        assert_eq!(parse("remind me soon", now()).unwrap_err(), HELP);
    }

    #[test]
    fn the_answer_says_when() {
        let plan = parse("remind me tomorrow at 9 to call mum", now()).unwrap();
        assert_eq!(plan.describe(now()), "I'll remind you to call mum tomorrow at 09:00 (Europe/Madrid).");
        let plan = parse("every weekday at 8:00 review the inbox", now()).unwrap();
        assert_eq!(plan.describe(now()), "I'll remind you to review the inbox every weekday at 08:00.");
    }
}
