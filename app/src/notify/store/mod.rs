//! SQL for the notification centre: the inbox, dedupe keys, schedules and
//! each person's preferences, and the gauges' counts.

mod gauges;
mod inbox;
mod people;
mod prefs;
mod schedules;

pub use gauges::*;
pub use inbox::*;
pub use people::*;
pub use prefs::*;
pub use schedules::*;
