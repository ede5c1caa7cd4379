//! Who is signed in, as a context every component can read.

use leptos::prelude::*;

use crate::auth::User;
use crate::auth::api::current_user;
use crate::error::AppError;

/// The signed-in user, fetched on the server for the first render and
/// refetched after sign-in or sign-out.
#[derive(Clone, Copy)]
pub struct CurrentUser {
    pub user: Resource<Result<Option<User>, AppError>>,
    version: RwSignal<u32>,
}

impl CurrentUser {
    pub fn provide() -> Self {
        let version = RwSignal::new(0);
        let user = Resource::new(move || version.get(), |_| current_user());
        let this = Self { user, version };
        provide_context(this);
        this
    }

    /// Call after anything that changes the session.
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }
}

pub fn use_current_user() -> CurrentUser {
    expect_context::<CurrentUser>()
}
