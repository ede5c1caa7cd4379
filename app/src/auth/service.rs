//! The accounts service (server only): sign-up, sign-in, sessions and
//! personal access tokens. REST handlers and server functions both call it;
//! the sign-in rate limit lives here, as the send limit lives in `Chat::send`.

use std::net::IpAddr;

use super::model::{SessionInfo, TokenInfo, User, validate_password, validate_username};
use super::scope::{Scope, parse_scopes};
use super::session::{new_secret, secret_from_headers};
use super::store::NewToken;
use super::{password, store};
use crate::db::{Db, now_ms};
use crate::error::AppError;
use crate::rate_limit::RateLimits;

/// A session ends after this long unused; each use (recorded at most
/// hourly) moves its end forward, so people who keep using Tidings stay in.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// The session cookie outlives any idle period (the server decides when a
/// session has ended); 400 days is the longest browsers keep a cookie.
pub const SESSION_COOKIE_MAX_AGE_S: i64 = 400 * 24 * 3600;
/// `last_used_at` is refreshed at most this often, to keep reads read-only.
const TOUCH_EVERY_MS: i64 = 3600 * 1000;

/// What a valid bearer secret resolves to.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub token_id: i64,
    /// `None` for a person signed in (a session); a token's scopes otherwise.
    pub scopes: Option<Vec<Scope>>,
}

impl Session {
    /// 403 `insufficient_scope` unless this is a session or a token with `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), AppError> {
        match &self.scopes {
            // `notify:any` is `notify` to anyone.
            Some(scopes)
                if !scopes.contains(&scope) && !(scope == Scope::Notify && scopes.contains(&Scope::NotifyAny)) =>
            {
                Err(AppError::InsufficientScope(format!("this token lacks the {} scope", scope.as_str())))
            }
            _ => Ok(()),
        }
    }

    /// A token given `notify:any` (a person signed in is not: notifying
    /// strangers takes a token an admin issued on purpose).
    pub fn may_notify_anyone(&self) -> bool {
        self.scopes.as_ref().is_some_and(|s| s.contains(&Scope::NotifyAny))
    }

    /// 403 `insufficient_scope` unless a person signed in (not a token).
    pub fn require_person(&self) -> Result<(), AppError> {
        match self.scopes {
            Some(_) => Err(AppError::InsufficientScope("sign in: a token cannot do this".into())),
            None => Ok(()),
        }
    }
}

/// Who is signing in: their address (for the rate limit) and device.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub ip: IpAddr,
    /// From the User-Agent (`device::label`).
    pub device: Option<String>,
}

/// A new session: its secret (for the cookie or a bearer header) and end.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub secret: String,
    pub expires_at: i64,
}

/// The accounts service. Cheap to clone.
#[derive(Clone)]
pub struct Auth {
    pub db: Db,
    pub limits: RateLimits,
    /// Over https: which cookie carries the session (see `session::cookie_name`).
    pub secure_cookies: bool,
    /// Usernames who may issue `notify:any` tokens.
    pub admins: std::sync::Arc<Vec<String>>,
}

impl Auth {
    /// Creates an account. 429 past the limit per address, 422 on bad
    /// input, 409 when the name is taken.
    pub async fn register(&self, ip: IpAddr, username: &str, password: &str) -> Result<User, AppError> {
        self.limits.auth.check(&ip)?;
        validate_username(username)?;
        validate_password(password)?;
        let hash = password::hash(password.to_owned()).await?;
        store::insert_user(&self.db, username, &hash).await
    }

    /// Creates an account and signs it in (the sign-up form).
    pub async fn sign_up(&self, visitor: &Visitor, username: &str, password: &str) -> Result<SignedIn, AppError> {
        self.register(visitor.ip, username, password).await?;
        self.open_session(visitor, username, password).await
    }

    /// Checks a username and password; on success opens a session.
    pub async fn login(&self, visitor: &Visitor, username: &str, password: &str) -> Result<SignedIn, AppError> {
        self.limits.auth.check(&visitor.ip)?;
        self.open_session(visitor, username, password).await
    }

    async fn open_session(&self, visitor: &Visitor, username: &str, password: &str) -> Result<SignedIn, AppError> {
        let found = store::user_with_hash(&self.db, username).await?;
        let stored = found.as_ref().map(|(_, hash)| hash.clone()).unwrap_or_else(|| password::dummy_hash().to_owned());
        let ok = password::verify(password.to_owned(), stored).await?;
        let user = match (found, ok) {
            (Some((user, _)), true) => user,
            _ => return Err(AppError::BadCredentials),
        };
        let secret = new_secret()?;
        let expires_at = now_ms() + SESSION_TTL_MS;
        let device = visitor.device.as_deref();
        store::insert_token(self.db.pool(), user.id, &secret, NewToken::Session { device, expires_at }).await?;
        Ok(SignedIn { user, secret, expires_at })
    }

    /// Resolves a bearer secret (cookie or `Authorization` header) to its user.
    pub async fn authenticate(&self, secret: &str) -> Result<Session, AppError> {
        let now = now_ms();
        let token = store::token_by_secret(&self.db, secret).await?.ok_or(AppError::Unauthenticated)?;
        if token.expires_at.is_some_and(|at| at <= now) {
            return Err(AppError::Unauthenticated);
        }
        if token.last_used_at.is_none_or(|at| now - at > TOUCH_EVERY_MS) {
            store::touch_token(&self.db, token.id, now, now + SESSION_TTL_MS).await?;
        }
        Ok(Session { user: token.user, token_id: token.id, scopes: token.scopes })
    }

    /// The session of a request (bearer header or cookie), or `Unauthenticated`.
    pub async fn authenticate_headers(&self, headers: &axum::http::HeaderMap) -> Result<Session, AppError> {
        let secret = secret_from_headers(headers, self.secure_cookies).ok_or(AppError::Unauthenticated)?;
        self.authenticate(&secret).await
    }

    /// Ends one session or token.
    pub async fn logout(&self, session: &Session) -> Result<(), AppError> {
        store::delete_token(&self.db, session.token_id).await
    }

    /// Issues a named, non-expiring personal access token with the scopes
    /// asked for, for API clients and bots. Only a person signed in may:
    /// a token never makes tokens.
    pub async fn create_token(
        &self,
        session: &Session,
        name: &str,
        scopes: &[String],
    ) -> Result<(TokenInfo, String), AppError> {
        session.require_person()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AppError::invalid("invalid_token_name", "a token name has 1–64 characters"));
        }
        let scopes = parse_scopes(scopes)?;
        if scopes.contains(&Scope::NotifyAny) && !self.admins.contains(&session.user.username) {
            return Err(AppError::NotAllowed("only an admin of this server can issue a notify:any token".into()));
        }
        let secret = new_secret()?;
        let created_at = now_ms();
        let me = &session.user;
        let id =
            store::insert_token(self.db.pool(), me.id, &secret, NewToken::Personal { name, scopes: &scopes }).await?;
        Ok((TokenInfo { id, name: name.to_owned(), created_at, last_used_at: None, scopes }, secret))
    }

    /// My personal tokens (a person only).
    pub async fn tokens(&self, session: &Session) -> Result<Vec<TokenInfo>, AppError> {
        session.require_person()?;
        store::personal_tokens(&self.db, session.user.id).await
    }

    /// Revokes one of my personal tokens (a person only); 404 if it is not mine.
    pub async fn revoke_token(&self, session: &Session, token_id: i64) -> Result<(), AppError> {
        session.require_person()?;
        if !store::delete_personal_token(&self.db, session.user.id, token_id).await? {
            return Err(AppError::NotFound("token".into()));
        }
        Ok(())
    }

    /// My signed-in sessions (a person only).
    pub async fn sessions(&self, session: &Session) -> Result<Vec<SessionInfo>, AppError> {
        session.require_person()?;
        store::sessions(&self.db, session.user.id, session.token_id, now_ms()).await
    }

    /// Ends one of my sessions (a person only); 404 if it is not mine.
    pub async fn end_session(&self, session: &Session, id: i64) -> Result<(), AppError> {
        session.require_person()?;
        if !store::delete_session(&self.db, session.user.id, id).await? {
            return Err(AppError::NotFound("session".into()));
        }
        Ok(())
    }

    /// Changes my password (a person only, who knows the current one) and
    /// ends every other session. Tokens stay: they are listed apart.
    pub async fn change_password(&self, session: &Session, current: &str, new: &str) -> Result<(), AppError> {
        session.require_person()?;
        self.limits.password.check(&session.user.id)?;
        let found = store::user_with_hash(&self.db, &session.user.username).await?;
        let stored = found.map(|(_, hash)| hash).ok_or(AppError::Unauthenticated)?;
        if !password::verify(current.to_owned(), stored).await? {
            return Err(AppError::BadCredentials);
        }
        validate_password(new)?;
        let hash = password::hash(new.to_owned()).await?;
        store::set_password_hash(&self.db, session.user.id, &hash).await?;
        store::delete_other_sessions(&self.db, session.user.id, session.token_id).await?;
        Ok(())
    }

    /// Of `tokens`, those that ended (signed out, revoked, expired).
    pub async fn ended(
        &self,
        tokens: &std::collections::HashSet<i64>,
    ) -> Result<std::collections::HashSet<i64>, AppError> {
        let ids: Vec<i64> = tokens.iter().copied().collect();
        let live = store::live_tokens(&self.db, &ids, now_ms()).await?;
        Ok(tokens.difference(&live).copied().collect())
    }

    /// Deletes expired sessions; run periodically by the server.
    pub async fn prune_expired_sessions(&self) -> Result<u64, AppError> {
        store::delete_expired_sessions(&self.db, now_ms()).await
    }
}
