//! What every signed-in page shows in its header.

use crate::auth::Viewer;

/// The header's account area: who is signed in, and the sign-out form's CSRF token.
#[derive(Debug, Clone)]
pub struct Nav {
    /// The user's email.
    pub email: String,
    /// `student` or `instructor`.
    pub role: &'static str,
    /// Whether to link the dashboard rather than the student's submissions.
    pub is_instructor: bool,
    /// The session's CSRF token for the sign-out form.
    pub csrf_token: String,
}

impl Nav {
    /// The header for this viewer.
    pub fn for_viewer(viewer: &Viewer) -> Option<Nav> {
        Some(Nav {
            email: viewer.account.email.clone(),
            role: viewer.account.role.as_str(),
            is_instructor: viewer.account.role.is_instructor(),
            csrf_token: viewer.csrf_token.clone(),
        })
    }
}
