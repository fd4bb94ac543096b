//! What every signed-in page shows in its header.

use crate::auth::Viewer;

/// The header's account area: who is signed in, and the sign-out form's CSRF token.
#[derive(Debug, Clone)]
pub struct Nav {
    /// The user's email.
    pub email: String,
    /// `student`, `instructor` or `admin`.
    pub role: &'static str,
    /// Whether to link the dashboard rather than the student's submissions.
    pub is_instructor: bool,
    /// Whether to link the webhooks page (admins only).
    pub is_admin: bool,
    /// The session's CSRF token for the sign-out form.
    pub csrf_token: String,
    /// A confirmation of the form just sent, shown once above the page.
    pub flash: Option<String>,
}

impl Nav {
    /// The header for this viewer, with the confirmation kept for this page load (taken out
    /// of the session: a page is rendered with its header once).
    pub fn for_viewer(viewer: &Viewer) -> Option<Nav> {
        Some(Nav {
            email: viewer.account.email.clone(),
            role: viewer.account.role.as_str(),
            is_instructor: viewer.account.role.is_instructor(),
            is_admin: viewer.account.role == sensei_core::Role::Admin,
            csrf_token: viewer.csrf_token.clone(),
            flash: viewer.flash.take(),
        })
    }
}
