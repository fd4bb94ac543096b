//! `GET /`: sends each user to their start page.

use poem::{handler, Response};
use sensei_core::Role;

use super::see_other;
use crate::auth::Viewer;

/// `GET /`: instructors and admins to `/admin`, students to `/submissions` (anonymous visitors never get
/// here: the [`Viewer`] extractor sends them to `/login`).
#[handler]
pub fn home(viewer: Viewer) -> Response {
    match viewer.account.role {
        Role::Instructor | Role::Admin => see_other("/admin"),
        Role::Student => see_other("/submissions"),
    }
}
