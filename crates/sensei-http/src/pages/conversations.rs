//! `GET /admin/submissions/{id}/conversations`: a submission's anatomy conversations.

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{handler, Response};
use sensei_core::SubmissionId;

use super::layout::Nav;
use super::session_detail::MessageView;
use super::{html, parse_id};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::presentation;
use crate::state::AppState;

/// One conversation.
#[derive(Debug, Clone)]
pub struct ConversationView {
    /// Its title.
    pub title: String,
    /// When it started.
    pub started: String,
    /// Its messages.
    pub messages: Vec<MessageView>,
}

/// The page.
#[derive(Template)]
#[template(path = "conversations.html")]
pub struct ConversationsPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The submission's id.
    pub submission_id: i32,
    /// Its owner's email.
    pub student: String,
    /// Its challenge's name.
    pub challenge: String,
    /// The conversations, oldest first.
    pub conversations: Vec<ConversationView>,
}

/// `GET /admin/submissions/{id}/conversations`: instructors only; 404 unknown, 400
/// non-numeric.
#[handler]
pub async fn show(
    viewer: Viewer,
    state: Data<&AppState>,
    Path(raw_id): Path<String>,
) -> Result<Response, AppError> {
    let id: SubmissionId = parse_id(&raw_id, "submission")?;
    let found = state
        .service
        .submission_conversations(viewer.actor(), id)
        .await?;
    let conversations = found
        .conversations
        .iter()
        .map(|conversation| ConversationView {
            title: conversation.title.clone(),
            started: viewer.zone.datetime(&conversation.started_at),
            messages: conversation
                .messages
                .iter()
                .map(|message| MessageView {
                    role: presentation::message_role_label(&message.role).to_owned(),
                    content: message.content.clone(),
                    time: viewer.zone.datetime(&message.created_at),
                })
                .collect(),
        })
        .collect();
    let page = ConversationsPage {
        nav: Nav::for_viewer(&viewer),
        submission_id: found.submission.id.get(),
        student: found.submission.owner_email.clone(),
        challenge: found.submission.challenge_name.clone(),
        conversations,
    };
    html(&page, StatusCode::OK)
}
