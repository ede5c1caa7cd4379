//! The accounts' browser half (feature `hydrate`): asking the server who is
//! signed in, and signing out, each from a WASM chunk of its own, so their
//! JSON decoding stays out of the main module a first visit loads.

use leptos::prelude::*;

use super::User;
use crate::error::AppError;

/// The signed-in user, asked again after a sign-in or sign-out.
#[lazy]
pub async fn current_user() -> Result<Option<User>, AppError> {
    super::api::current_user().await
}

/// Signs out; true when the server ended the session.
#[lazy]
pub async fn sign_out() -> bool {
    super::api::logout().await.is_ok()
}
