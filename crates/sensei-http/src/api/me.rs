//! The signed-in student's own submissions (with eligibility now) and sessions.

use super::error::{MineErrors, Problem};
use super::model::{StudentSessionPageBody, StudentSubmissionBody, StudentSubmissionListBody};
use super::paging::page_request;
use super::security::ApiAuth;
use super::{require_user, ApiTags};
use crate::state::AppState;
use poem::web::Data;
use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;

/// The student's own operations.
pub struct MeApi;

#[OpenApi]
impl MeApi {
    /// My submissions
    ///
    /// Students only: their submissions, newest first (at most 100), each with whether a
    /// sensei session may be booked now (`eligible` with `eligibility_reason`, or
    /// `unmet_conditions`) and its latest session (never the instructors' private notes).
    #[oai(
        path = "/me/submissions",
        method = "get",
        operation_id = "listMySubmissions",
        tag = "ApiTags::Me"
    )]
    async fn submissions(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
    ) -> Result<Json<StudentSubmissionListBody>, Problem<MineErrors>> {
        let user = require_user(req).await?;
        let mine = state.service.my_submissions(user.actor()).await?;
        Ok(Json(StudentSubmissionListBody {
            items: mine
                .items
                .iter()
                .map(|status| StudentSubmissionBody::at(status, mine.as_of))
                .collect(),
        }))
    }

    /// My scheduled sessions
    ///
    /// Students only: their sessions in every state, newest first, paged by cursor, with the
    /// notes meant for them (`student_notes`) and never the instructors' private notes.
    #[oai(
        path = "/me/scheduled-sessions",
        method = "get",
        operation_id = "listMyScheduledSessions",
        tag = "ApiTags::Me"
    )]
    async fn sessions(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// Sessions per page, 1 to 100 (default 25).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(pattern = r"^-?[0-9]{1,18}\.[0-9]{1,9}$"))]
        after: Query<Option<String>>,
    ) -> Result<Json<StudentSessionPageBody>, Problem<MineErrors>> {
        let user = require_user(req).await?;
        let page = page_request(limit.0, after.0.as_deref())?;
        let mine = state.service.my_sessions(user.actor(), page).await?;
        Ok(Json(StudentSessionPageBody::from(&mine.page)))
    }
}
