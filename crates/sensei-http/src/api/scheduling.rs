//! Booking, listing, reading and completing scheduled sessions.

use poem::web::Data;
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use sensei_core::services::BookingOutcome;
use sensei_core::{ScheduledSessionId, SessionQuery, SubmissionId};

use super::error::{BookErrors, CompleteErrors, DetailErrors, ListErrors, Problem};
use super::model::{
    BookingBody, CompletionRequest, ReasonParam, ScheduledSessionBody, SessionDetailBody,
    SessionPageBody, StatusParam,
};
use super::paging::page_request;
use super::security::ApiAuth;
use super::{require_user, ApiTags};
use crate::monitoring::business;
use crate::state::AppState;

// poem-openapi validators take literals: the `max_length = 320` on the student filter here
// and in api/workflow.rs is the core's limit, checked when this compiles.
const _: () = assert!(sensei_core::MAX_STUDENT_SEARCH_CHARS == 320);

/// The scheduling operations.
pub struct SchedulingApi;

/// A booking's result.
#[derive(ApiResponse)]
pub enum BookResponse {
    /// A new session was recorded (`outcome` is `created`).
    #[oai(status = 201)]
    Created(Json<BookingBody>),
    /// A session for this submission was booked less than the dedup window ago; it is
    /// returned and nothing new was recorded (`outcome` is `duplicate`).
    #[oai(status = 200)]
    Duplicate(Json<BookingBody>),
}

#[OpenApi]
impl SchedulingApi {
    /// Book a sensei session
    ///
    /// For the signed-in student's own submission: checks eligibility (a `needs_work`
    /// review, or digi-trainer engagement at the threshold), snapshots engagement and records
    /// the session, unless one was booked for the same submission within the dedup window
    /// (then that one is returned with 200). 403 for someone else's submission or a
    /// non-student, 404 for an unknown one, 422 `ineligible` with `unmet_conditions`.
    /// Has no body, so it needs an `X-Requested-With` header (or
    /// `Content-Type: application/json`).
    #[oai(
        path = "/submissions/:id/scheduled-sessions",
        method = "post",
        operation_id = "bookSession",
        tag = "ApiTags::Bookings"
    )]
    async fn book(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// The submission.
        id: Path<i32>,
        /// Any value; required unless the request has `Content-Type: application/json`.
        #[oai(name = "X-Requested-With")]
        requested_with: Header<Option<String>>,
    ) -> Result<BookResponse, Problem<BookErrors>> {
        let _ = requested_with;
        let user = require_user(req).await?;
        let booking =
            business::booking(state.service.book(user.actor(), SubmissionId(id.0)).await)?;
        let body = Json(BookingBody::from(&booking));
        Ok(match booking.outcome {
            BookingOutcome::Created => BookResponse::Created(body),
            BookingOutcome::Duplicate => BookResponse::Duplicate(body),
        })
    }

    /// List scheduled sessions
    ///
    /// Instructors only. Oldest first (`scheduled_at`, then `id`), paged by cursor: pass the
    /// previous page's `next_cursor` as `after`. `total` counts every session matching the
    /// filters. Unknown filter values answer 400.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/scheduled-sessions",
        method = "get",
        operation_id = "listScheduledSessions",
        tag = "ApiTags::ScheduledSessions"
    )]
    async fn list(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// `pending` (default), `claimed`, `open` (pending or claimed), `completed`,
        /// `cancelled`, `closed` (completed or cancelled) or `all`.
        status: Query<Option<StatusParam>>,
        /// Only sessions booked for this reason.
        reason: Query<Option<ReasonParam>>,
        /// Only sessions about submissions to this challenge.
        challenge_id: Query<Option<i32>>,
        /// Only students whose email contains this text (case-insensitive).
        #[oai(validator(max_length = 320))]
        student: Query<Option<String>>,
        /// Sessions per page, 1 to 100 (default 25).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(pattern = r"^-?[0-9]{1,18}\.[0-9]{1,9}$"))]
        after: Query<Option<String>>,
    ) -> Result<Json<SessionPageBody>, Problem<ListErrors>> {
        let user = require_user(req).await?;
        let page = page_request(limit.0, after.0.as_deref())?;
        let query = SessionQuery {
            status: status.0.unwrap_or(StatusParam::Pending).into(),
            reason: reason.0.map(Into::into),
            challenge_id: challenge_id.0.map(Into::into),
            student_email_contains: student
                .0
                .map(|text| text.trim().to_owned())
                .filter(|text| !text.is_empty()),
            ..SessionQuery::default()
        };
        let listing = state
            .service
            .list_sessions(user.actor(), query, page)
            .await?;
        Ok(Json(SessionPageBody::from(&listing)))
    }

    /// Read a scheduled session
    ///
    /// Instructors only: the session with its engagement snapshot, the student's current goal
    /// progress, and their digi-trainer sessions on the challenge with message previews.
    #[oai(
        path = "/scheduled-sessions/:id",
        method = "get",
        operation_id = "getScheduledSession",
        tag = "ApiTags::ScheduledSessions"
    )]
    async fn detail(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// The scheduled session.
        id: Path<i32>,
    ) -> Result<Json<SessionDetailBody>, Problem<DetailErrors>> {
        let user = require_user(req).await?;
        let detail = state
            .service
            .session_detail(user.actor(), ScheduledSessionId(id.0))
            .await?;
        Ok(Json(SessionDetailBody::from(&detail)))
    }

    /// Complete a scheduled session
    ///
    /// Instructors only: marks a pending session (or one you hold a claim on) completed now,
    /// recording who completed it, with optional private `notes` and `student_notes` (each
    /// trimmed, at most 10,000 characters: longer notes answer 422 `invalid_notes` and nothing
    /// is saved). A session already completed answers 409 `conflict` with the first
    /// completion, which is kept unchanged; one claimed by another instructor 409
    /// `held_by_other`; a cancelled one 409 `session_closed`.
    #[oai(
        path = "/scheduled-sessions/:id/completion",
        method = "post",
        operation_id = "completeScheduledSession",
        tag = "ApiTags::ScheduledSessions"
    )]
    async fn complete(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// The scheduled session.
        id: Path<i32>,
        body: Json<CompletionRequest>,
    ) -> Result<Json<ScheduledSessionBody>, Problem<CompleteErrors>> {
        let user = require_user(req).await?;
        let notes = body.0.notes.unwrap_or_default().0;
        let student_notes = body.0.student_notes.unwrap_or_default().0;
        let session = business::completion(
            state
                .service
                .complete_with_notes(
                    user.actor(),
                    ScheduledSessionId(id.0),
                    &notes,
                    &student_notes,
                )
                .await,
        )?;
        Ok(Json(ScheduledSessionBody::at(
            &session,
            state.service.now(),
        )))
    }
}
