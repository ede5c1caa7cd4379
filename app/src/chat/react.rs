//! Reactions (server only): any one emoji, toggled per person. A reaction
//! is a change of its message (the next `rev`), live as a `reaction`
//! frame and replayed on resume; it never pushes.

use super::model::Reactions;
use super::service::Chat;
use super::store;
use crate::auth::User;
use crate::error::AppError;
use crate::live::frames::ServerFrame;

/// Different emojis one message may carry: a wall of them is noise, or abuse.
pub const MAX_KINDS: usize = 20;

/// One emoji, as Unicode defines them (with a skin tone or not): no text,
/// no two emojis, no shortcode. 422 `invalid_emoji` otherwise.
pub fn validate_emoji(emoji: &str) -> Result<(), AppError> {
    match emojis::get(emoji) {
        Some(_) => Ok(()),
        None => Err(AppError::invalid("invalid_emoji", "a reaction is one emoji")),
    }
}

impl Chat {
    /// Adds (`on`) or removes my `emoji` on a message I can see; the
    /// message's reactions after the change. Repeating either is a no-op.
    pub async fn react(&self, me: &User, message_id: i64, emoji: &str, on: bool) -> Result<Reactions, AppError> {
        validate_emoji(emoji)?;
        let message = self.visible_message(me, message_id).await?;
        if message.deleted {
            return Err(AppError::conflict("message_deleted", "this message was deleted"));
        }
        self.limits.react.check(&me.id)?;
        let conversation_id = message.conversation_id;
        let mut tx = self.db.begin_write().await?;
        // The conversation's row lock (taken by `next_rev`) orders toggles on its messages.
        let rev = store::next_rev(&mut tx, conversation_id).await?;
        if on {
            let kinds = store::reaction_kinds(&mut tx, message_id).await?;
            if kinds.len() >= MAX_KINDS && !kinds.iter().any(|k| k == emoji) {
                return Err(AppError::invalid(
                    "too_many_reactions",
                    format!("a message has at most {MAX_KINDS} different reactions"),
                ));
            }
        }
        if !store::toggle_reaction(&mut tx, message_id, me.id, emoji, on, self.clock.now_ms()).await? {
            // Nothing changed (a retry): no new change number, no frame.
            let rev = message.rev;
            return Ok(Reactions { message_id, conversation_id, rev, reactions: message.reactions });
        }
        let reactions = store::store_reaction_summary(&mut tx, message_id, rev).await?;
        tx.commit().await?;
        let members = self.members.get(&self.db, conversation_id).await?;
        let frame = ServerFrame::Reaction { conversation_id, message_id, rev, reactions: reactions.clone() };
        self.publish(members.to_vec(), None, None, &frame).await;
        metrics::counter!("tidings_reactions_total", "change" => if on { "add" } else { "remove" }).increment(1);
        Ok(Reactions { message_id, conversation_id, rev, reactions })
    }
}

/// The full picker's emojis, by group, from the `emojis` crate (Unicode's
/// CLDR order): `(group name, [(emoji, name)])`. Only emojis from Unicode
/// 15.0 or before: newer ones show as empty boxes on many phones yet.
pub fn catalog() -> Vec<(String, Vec<(String, String)>)> {
    use emojis::{Group, UnicodeVersion};
    let supported = UnicodeVersion::new(15, 0);
    Group::iter()
        .map(|group| {
            let emojis = group
                .emojis()
                .filter(|e| e.unicode_version() <= supported)
                .map(|e| (e.as_str().to_owned(), e.name().to_owned()))
                .collect();
            let name = match group {
                Group::SmileysAndEmotion => "Smileys & Emotion",
                Group::PeopleAndBody => "People & Body",
                Group::AnimalsAndNature => "Animals & Nature",
                Group::FoodAndDrink => "Food & Drink",
                Group::TravelAndPlaces => "Travel & Places",
                Group::Activities => "Activities",
                Group::Objects => "Objects",
                Group::Symbols => "Symbols",
                Group::Flags => "Flags",
            };
            (name.to_owned(), emojis)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reaction_is_one_emoji() {
        for ok in ["👍", "❤️", "🙌🏼", "🇿🇦", "👨‍👩‍👧"] {
            assert!(validate_emoji(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "👍👍", ":+1:", "thumbs up", "👍 ", "<b>"] {
            assert_eq!(validate_emoji(bad).unwrap_err().code(), "invalid_emoji", "{bad:?}");
        }
    }

    #[test]
    fn the_catalog_holds_every_group() {
        let catalog = catalog();
        assert!(catalog.len() >= 9);
        assert!(catalog.iter().map(|(_, e)| e.len()).sum::<usize>() > 1500);
        assert!(catalog.iter().any(|(_, e)| e.iter().any(|(emoji, _)| emoji == "👍")));
    }
}
