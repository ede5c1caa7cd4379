//! Who is signed in, as a context every component can read.
//!
//! Every page's first load carries this value from the server's render to
//! the browser, so it travels as a short string (`Resource::new_str`) rather
//! than JSON: serde's JSON decoder would otherwise sit in the main WASM
//! module for this one value. For the same reason the browser refetches it
//! (after signing out) from a lazily loaded chunk.

use std::fmt;
use std::str::FromStr;

use leptos::prelude::*;
use leptos::server::codee::string::FromToStringCodec;

use super::User;
// The server answers itself; the browser asks through a chunk of its own
// (`auth::client`). Not a lazy function on the server: running one there
// tells the page to preload its chunk, which a first visit does not need.
#[cfg(not(feature = "hydrate"))]
use super::api::current_user;
#[cfg(feature = "hydrate")]
use super::client::current_user;
use crate::error::AppError;

/// What the server said about this browser's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    SignedIn(User),
    SignedOut,
    /// The server could not tell (say, its database is down): treated as
    /// signed out, with the reason kept for display and debugging.
    Failed(String),
}

impl Session {
    pub fn user(&self) -> Option<&User> {
        match self {
            Self::SignedIn(user) => Some(user),
            _ => None,
        }
    }
}

impl From<Result<Option<User>, AppError>> for Session {
    fn from(result: Result<Option<User>, AppError>) -> Self {
        match result {
            Ok(Some(user)) => Self::SignedIn(user),
            Ok(None) => Self::SignedOut,
            Err(err) => Self::Failed(err.to_string()),
        }
    }
}

/// `+{id}:{username}`, `-`, or `!{reason}`. Usernames cannot contain a colon
/// and the id comes first, so the first colon splits them unambiguously.
impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SignedIn(user) => write!(f, "+{}:{}", user.id, user.username),
            Self::SignedOut => f.write_str("-"),
            Self::Failed(reason) => write!(f, "!{reason}"),
        }
    }
}

impl FromStr for Session {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "-" {
            return Ok(Self::SignedOut);
        }
        if let Some(reason) = s.strip_prefix('!') {
            return Ok(Self::Failed(reason.to_owned()));
        }
        let (id, username) = s.strip_prefix('+').and_then(|rest| rest.split_once(':')).ok_or("not a session")?;
        let id = id.parse().map_err(|_| "not a user id")?;
        Ok(Self::SignedIn(User::person(id, username)))
    }
}

/// The signed-in user, fetched on the server for the first render and
/// refetched after signing out (signing in loads a new page).
#[derive(Clone, Copy)]
pub struct CurrentUser {
    pub user: Resource<Session, FromToStringCodec>,
    version: RwSignal<u32>,
}

impl CurrentUser {
    pub fn provide() -> Self {
        let version = RwSignal::new(0);
        let user = Resource::new_str(move || version.get(), |_| async { Session::from(current_user().await) });
        let this = Self { user, version };
        provide_context(this);
        this
    }

    /// Call after anything that changes the session.
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }

    /// The signed-in user, if known and signed in (tracks the resource).
    pub fn signed_in(&self) -> Option<User> {
        self.user.get().and_then(|session| session.user().cloned())
    }
}

pub fn use_current_user() -> CurrentUser {
    expect_context::<CurrentUser>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_survive_their_string_form() {
        let cases = [
            Session::SignedIn(User::person(42, "a.b-c_d")),
            Session::SignedOut,
            Session::Failed("the service is unavailable: try again".into()),
            Session::Failed(String::new()),
        ];
        for session in cases {
            assert_eq!(session.to_string().parse::<Session>(), Ok(session.clone()), "{session}");
        }
        assert_eq!("+7:ann".parse(), Ok(Session::SignedIn(User::person(7, "ann"))));
        for bad in ["", "+x:ann", "+7ann", "ann", "{\"id\":1}"] {
            assert!(bad.parse::<Session>().is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn errors_count_as_signed_out_but_keep_their_reason() {
        let session = Session::from(Err::<Option<User>, _>(AppError::Unavailable));
        assert_eq!(session.user(), None);
        assert_eq!(session, Session::Failed("the service is unavailable".into()));
        assert_eq!(Session::from(Ok(None)), Session::SignedOut);
    }
}
