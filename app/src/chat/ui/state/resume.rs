//! Where this device stands in each loaded thread, for the socket's
//! `resume`: the newest message it holds, and the newest change.

use std::collections::HashMap;

use leptos::prelude::*;

use super::ChatState;

impl ChatState {
    /// The newest stored message id of each loaded thread (for `resume`),
    /// or just before its oldest streamed reply still growing here, so the
    /// replay brings that reply's current (or final) text.
    pub fn resume_points(&self) -> HashMap<String, i64> {
        let mut points: Vec<(i64, i64)> = self.threads.with_untracked(|threads| {
            threads
                .iter()
                .map(|(id, t)| {
                    let newest = t.iter().filter_map(|e| e.id).max().unwrap_or(0);
                    let growing = t.iter().filter(|e| e.streaming).filter_map(|e| e.id).min();
                    (*id, growing.map_or(newest, |g| newest.min(g - 1)))
                })
                .collect()
        });
        // The server takes so many at most: the most recent ones.
        points.sort_unstable_by_key(|(_, last)| std::cmp::Reverse(*last));
        points.truncate(crate::live::frames::MAX_RESUME_KEYS);
        points.into_iter().map(|(id, last)| (id.to_string(), last)).collect()
    }

    /// Per loaded thread, the newest change seen (or, for a thread put
    /// back from the device, the newest its entries hold).
    pub fn resume_revs(&self) -> HashMap<String, i64> {
        let seen = self.revs.get_value();
        self.threads.with_untracked(|threads| {
            threads
                .iter()
                .map(|(id, t)| {
                    let rev = seen.get(id).copied().unwrap_or_else(|| t.iter().map(|e| e.rev).max().unwrap_or(0));
                    (id.to_string(), rev)
                })
                .collect()
        })
    }

    pub(super) fn saw_rev(&self, conversation_id: i64, rev: i64) {
        self.revs.update_value(|revs| {
            let seen = revs.entry(conversation_id).or_default();
            *seen = (*seen).max(rev);
        });
    }
}
