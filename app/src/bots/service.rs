//! The bots service (server only): a person creates, lists, edits and
//! deletes their bots and rotates their tokens. Only a person signed in
//! may: a token (a bot's included) never makes or manages bots.

use base64::Engine;

use super::model::{
    Bot, BotChanges, BotCreated, BotSummary, BotToken, NewBot, WebhookDelivery, parse_events, validate_display_name,
};
use super::store::{self, NewBotRow};
use super::webhook::{Event, KIND};
use crate::auth::model::validate_username;
use crate::auth::service::Session;
use crate::auth::session::new_secret;
use crate::chat::service::Chat;
use crate::db::Db;
use crate::error::{AppError, internal};
use crate::outbound::{UrlProblem, check_url};
use crate::rate_limit::RateLimits;

/// A person's bots at most (each is an account on the server).
pub const MAX_BOTS_PER_OWNER: usize = 20;

/// The bots service. Cheap to clone.
#[derive(Clone)]
pub struct Bots {
    pub db: Db,
    /// Webhooks may be http or private addresses (development and tests).
    pub allow_private: bool,
    /// Incoming hooks post through it.
    pub chat: Chat,
    pub limits: RateLimits,
    /// Where hook URLs point.
    pub public_url: String,
}

impl Bots {
    /// Creates a bot owned by the person signed in; its token and signing
    /// secret are in the answer, and never again.
    pub async fn create(&self, session: &Session, new: &NewBot) -> Result<BotCreated, AppError> {
        session.require_person()?;
        let username = new.username.trim();
        validate_username(username)?;
        let display_name = validate_display_name(new.display_name.as_deref())?;
        let webhook_url = self.webhook_url(new.webhook_url.as_deref()).await?;
        let events = parse_events(new.events.as_deref())?;
        if store::owned_by(&self.db, session.user.id).await?.len() >= MAX_BOTS_PER_OWNER {
            return Err(AppError::conflict("too_many_bots", format!("a person has at most {MAX_BOTS_PER_OWNER} bots")));
        }
        let token = new_secret()?;
        let signing_secret = signing_secret()?;
        let bot = store::insert(
            &self.db,
            &NewBotRow {
                owner_id: session.user.id,
                username,
                display_name: display_name.as_deref(),
                webhook_url: webhook_url.as_deref(),
                events: &events,
                public: new.public,
                signing_secret: &signing_secret,
                token: &token,
            },
        )
        .await?;
        Ok(BotCreated { bot, token, signing_secret })
    }

    pub async fn list(&self, session: &Session) -> Result<Vec<Bot>, AppError> {
        session.require_person()?;
        store::owned_by(&self.db, session.user.id).await
    }

    /// One of my bots; 404 for anyone else's (or none).
    pub async fn get(&self, session: &Session, bot_id: i64) -> Result<Bot, AppError> {
        session.require_person()?;
        store::owned(&self.db, session.user.id, bot_id).await?.ok_or_else(|| AppError::NotFound("bot".into()))
    }

    pub async fn update(&self, session: &Session, bot_id: i64, changes: &BotChanges) -> Result<Bot, AppError> {
        let mut bot = self.get(session, bot_id).await?;
        if let Some(name) = &changes.display_name {
            bot.display_name = validate_display_name(Some(name))?;
        }
        if let Some(url) = &changes.webhook_url {
            bot.webhook_url = self.webhook_url(Some(url)).await?;
        }
        if let Some(events) = &changes.events {
            bot.events = parse_events(Some(events))?;
        }
        if let Some(public) = changes.public {
            bot.public = public;
        }
        if let Some(disabled) = changes.disabled {
            if !disabled && bot.disabled {
                bot.failing_since = None;
            }
            bot.disabled = disabled;
        }
        store::update(&self.db, &bot).await?;
        Ok(bot)
    }

    /// Deletes the bot, its token and what it wrote.
    pub async fn delete(&self, session: &Session, bot_id: i64) -> Result<(), AppError> {
        self.get(session, bot_id).await?;
        store::delete(&self.db, bot_id).await
    }

    /// A new API token for the bot; the old one stops working at once.
    pub async fn rotate_token(&self, session: &Session, bot_id: i64) -> Result<BotToken, AppError> {
        self.get(session, bot_id).await?;
        let token = new_secret()?;
        store::replace_token(&self.db, bot_id, &token).await?;
        Ok(BotToken { token })
    }

    /// My bots, each with its latest `failures` dead letters (Settings → Bots).
    pub async fn summaries(&self, session: &Session, failures: i64) -> Result<Vec<BotSummary>, AppError> {
        let mut out = Vec::new();
        for bot in self.list(session).await? {
            let failures = self.jobs(bot.id, "dead", failures).await?;
            out.push(BotSummary { bot, failures });
        }
        Ok(out)
    }

    /// The bot's recent webhook deliveries with `status`, newest first.
    pub async fn deliveries(
        &self,
        session: &Session,
        bot_id: i64,
        status: &str,
    ) -> Result<Vec<WebhookDelivery>, AppError> {
        self.get(session, bot_id).await?;
        if !matches!(status, "pending" | "done" | "dead") {
            return Err(AppError::invalid("invalid_status", "status is one of pending, done, dead"));
        }
        self.jobs(bot_id, status, 100).await
    }

    async fn jobs(&self, bot_id: i64, status: &str, limit: i64) -> Result<Vec<WebhookDelivery>, AppError> {
        let jobs = crate::queue::store::list(&self.db, bot_id, KIND, status, limit).await?;
        Ok(jobs
            .into_iter()
            .map(|job| {
                let (event_id, event_type) = Event::id_and_type(&job.payload);
                WebhookDelivery {
                    id: job.id,
                    event_id,
                    event_type,
                    status: job.status,
                    attempts: job.attempts,
                    last_status: job.last_status,
                    last_error: job.last_error,
                    created_at: job.created_at,
                    finished_at: job.finished_at,
                }
            })
            .collect())
    }

    /// Checks a webhook URL; empty means none.
    async fn webhook_url(&self, value: Option<&str>) -> Result<Option<String>, AppError> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
        let url = check_url(value, self.allow_private, None).await.map_err(|problem| {
            let code = match problem {
                UrlProblem::Private => "private_webhook_url",
                UrlProblem::Unresolvable => "unresolvable_webhook_url",
                _ => "invalid_webhook_url",
            };
            AppError::invalid(code, problem.message("webhook"))
        })?;
        Ok(Some(url.to_string()))
    }
}

/// `whsec_` and 32 random bytes.
fn signing_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(internal)?;
    Ok(format!("whsec_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}
