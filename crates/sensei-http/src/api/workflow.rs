//! The instructor workflow in the API: claim, renew, release, the event timeline and the
//! history (instructors); cancellation (the owning student).

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::OpenApi;
use sensei_core::{ScheduledSessionId, SessionQuery};

use super::error::{ApiError, CancelErrors, ClaimErrors, HistoryErrors, Problem, TimelineErrors};
use super::model::{
    CancellationRequest, HistoryStatusParam, ScheduledSessionBody, SessionPageBody,
    StudentScheduledSessionBody, TimelineBody,
};
use super::paging::page_request;
use super::security::ApiAuth;
use super::{require_user, ApiTags};
use crate::monitoring::business;
use crate::state::AppState;

/// The workflow operations.
pub struct WorkflowApi;

/// The first instant of a date (`YYYY-MM-DD`).
fn start_of(raw: &str, name: &str) -> Result<DateTime<Utc>, ApiError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|date| (1..=9998).contains(&chrono::Datelike::year(date)))
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
        .ok_or_else(|| ApiError::bad_request(format!("{name} must be a date like 2026-11-28")))
}

#[OpenApi]
impl WorkflowApi {
    /// Claim a scheduled session
    ///
    /// Instructors only: holds a pending session (or one whose claim expired) for the
    /// policy's claim time (30 minutes by default), so that no other instructor answers the
    /// same student; claiming a session you hold renews it. 409 `held_by_other` (naming the
    /// holder and the expiry) when another instructor holds it, 409 `session_closed` when
    /// completed or cancelled, 422 `claim_limit` at the policy's number of live claims.
    /// Optional `meeting_link` (http or https, at most 500 characters) and `meeting_at`
    /// (RFC 3339, or `YYYY-MM-DDTHH:MM` read as UTC): the meeting details the student sees
    /// and gets by email (422 `invalid_meeting` when malformed; nothing changes). Has no body,
    /// so it needs an `X-Requested-With` header.
    #[oai(
        path = "/scheduled-sessions/:id/claim",
        method = "post",
        operation_id = "claimScheduledSession",
        tag = "ApiTags::ScheduledSessions"
    )]
    // poem-openapi declares each path, header and query parameter as an argument.
    #[allow(clippy::too_many_arguments)]
    async fn claim(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// The scheduled session.
        id: Path<i32>,
        /// Any value; required unless the request has `Content-Type: application/json`.
        #[oai(name = "X-Requested-With")]
        requested_with: Header<Option<String>>,
        /// The meeting link (http or https), if any.
        meeting_link: Query<Option<String>>,
        /// The meeting time (RFC 3339, or `YYYY-MM-DDTHH:MM` in UTC), if any.
        meeting_at: Query<Option<String>>,
    ) -> Result<Json<ScheduledSessionBody>, Problem<ClaimErrors>> {
        let _ = requested_with;
        let user = require_user(req).await?;
        let meeting = sensei_core::Meeting::parse(
            meeting_link.0.as_deref().unwrap_or(""),
            meeting_at.0.as_deref().unwrap_or(""),
        );
        let result = match meeting {
            Ok(meeting) => {
                state
                    .service
                    .claim_with_meeting(user.actor(), ScheduledSessionId(id.0), meeting)
                    .await
            }
            Err(error) => Err(sensei_core::ClaimError::from(error)),
        };
        let session = business::claim("claim", result)?;
        Ok(Json(ScheduledSessionBody::at(
            &session,
            state.service.now(),
        )))
    }

    /// Renew a claim
    ///
    /// The holder of a live claim restarts its expiry from now. 409 `not_held` when you hold
    /// no live claim on it (it may have expired), 409 `held_by_other`, 409 `session_closed`.
    /// Has no body, so it needs an `X-Requested-With` header.
    #[oai(
        path = "/scheduled-sessions/:id/renew",
        method = "post",
        operation_id = "renewClaim",
        tag = "ApiTags::ScheduledSessions"
    )]
    async fn renew(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// The scheduled session.
        id: Path<i32>,
        /// Any value; required unless the request has `Content-Type: application/json`.
        #[oai(name = "X-Requested-With")]
        requested_with: Header<Option<String>>,
    ) -> Result<Json<ScheduledSessionBody>, Problem<ClaimErrors>> {
        let _ = requested_with;
        let user = require_user(req).await?;
        let session = business::claim(
            "renew",
            state
                .service
                .renew_claim(user.actor(), ScheduledSessionId(id.0))
                .await,
        )?;
        Ok(Json(ScheduledSessionBody::at(
            &session,
            state.service.now(),
        )))
    }

    /// Release a claim
    ///
    /// The holder gives the session back to the queue: it is pending again for everyone.
    /// The same refusals as renewing. Has no body, so it needs an `X-Requested-With` header.
    #[oai(
        path = "/scheduled-sessions/:id/release",
        method = "post",
        operation_id = "releaseClaim",
        tag = "ApiTags::ScheduledSessions"
    )]
    async fn release(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// The scheduled session.
        id: Path<i32>,
        /// Any value; required unless the request has `Content-Type: application/json`.
        #[oai(name = "X-Requested-With")]
        requested_with: Header<Option<String>>,
    ) -> Result<Json<ScheduledSessionBody>, Problem<ClaimErrors>> {
        let _ = requested_with;
        let user = require_user(req).await?;
        let session = business::claim(
            "release",
            state
                .service
                .release_claim(user.actor(), ScheduledSessionId(id.0))
                .await,
        )?;
        Ok(Json(ScheduledSessionBody::at(
            &session,
            state.service.now(),
        )))
    }

    /// Cancel a scheduled session
    ///
    /// The student who booked it cancels their pending or claimed session, with an optional
    /// reason (at most 500 characters: longer is 422 `invalid_reason`). It leaves the queue
    /// and no longer counts as a duplicate, so the student may book again. 403 for anyone
    /// else (instructors included), 409 `session_closed` when completed or already
    /// cancelled.
    #[oai(
        path = "/scheduled-sessions/:id/cancellation",
        method = "post",
        operation_id = "cancelScheduledSession",
        tag = "ApiTags::Bookings"
    )]
    async fn cancel(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// The scheduled session.
        id: Path<i32>,
        body: Json<CancellationRequest>,
    ) -> Result<Json<StudentScheduledSessionBody>, Problem<CancelErrors>> {
        let user = require_user(req).await?;
        let reason = body.0.reason.unwrap_or_default().0;
        let session = business::cancellation(
            state
                .service
                .cancel(user.actor(), ScheduledSessionId(id.0), &reason)
                .await,
        )?;
        Ok(Json(StudentScheduledSessionBody::at(
            &session,
            state.service.now(),
        )))
    }

    /// A session's event timeline
    ///
    /// Instructors only: the session and every recorded state change, oldest first (who,
    /// when, what, from which state to which, a short detail).
    #[oai(
        path = "/scheduled-sessions/:id/events",
        method = "get",
        operation_id = "getScheduledSessionEvents",
        tag = "ApiTags::ScheduledSessions"
    )]
    async fn events(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// The scheduled session.
        id: Path<i32>,
    ) -> Result<Json<TimelineBody>, Problem<TimelineErrors>> {
        let user = require_user(req).await?;
        let timeline = state
            .service
            .timeline(user.actor(), ScheduledSessionId(id.0))
            .await?;
        Ok(Json(TimelineBody::from(&timeline)))
    }

    /// Completed and cancelled sessions
    ///
    /// Instructors only. Newest first, paged by cursor (`after` = the previous page's
    /// `next_cursor`), with the total. Filters: `status` (`closed`, the default, `completed`
    /// or `cancelled`), student email search, challenge, `completed_by_me`, and booking
    /// dates `from` and `to` (`YYYY-MM-DD`, both inclusive).
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/history",
        method = "get",
        operation_id = "listHistory",
        tag = "ApiTags::ScheduledSessions"
    )]
    async fn history(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: Data<&AppState>,
        /// `closed` (default), `completed` or `cancelled`.
        status: Query<Option<HistoryStatusParam>>,
        /// Only students whose email contains this text (case-insensitive).
        #[oai(validator(max_length = 320))]
        student: Query<Option<String>>,
        /// Only sessions about submissions to this challenge.
        challenge_id: Query<Option<i32>>,
        /// Only sessions the signed-in instructor completed.
        completed_by_me: Query<Option<bool>>,
        /// Only sessions booked on or after this date (`YYYY-MM-DD`, UTC).
        #[oai(validator(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
        from: Query<Option<String>>,
        /// Only sessions booked on or before this date (`YYYY-MM-DD`, UTC).
        #[oai(validator(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
        to: Query<Option<String>>,
        /// Sessions per page, 1 to 100 (default 25).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(pattern = r"^-?[0-9]{1,18}\.[0-9]{1,9}$"))]
        after: Query<Option<String>>,
    ) -> Result<Json<SessionPageBody>, Problem<HistoryErrors>> {
        let user = require_user(req).await?;
        let page = page_request(limit.0, after.0.as_deref())?;
        let scheduled_from = from
            .0
            .as_deref()
            .map(|raw| start_of(raw, "from"))
            .transpose()?;
        let scheduled_before =
            to.0.as_deref()
                .map(|raw| start_of(raw, "to").map(|start| start + chrono::Duration::days(1)))
                .transpose()?;
        let query = SessionQuery {
            status: status.0.unwrap_or(HistoryStatusParam::Closed).into(),
            challenge_id: challenge_id.0.map(Into::into),
            student_email_contains: student
                .0
                .map(|text| text.trim().to_owned())
                .filter(|text| !text.is_empty()),
            completed_by: completed_by_me.0.unwrap_or(false).then_some(user.id),
            scheduled_from,
            scheduled_before,
            ..SessionQuery::default()
        };
        let listing = state.service.history(user.actor(), query, page).await?;
        Ok(Json(SessionPageBody::from(&listing)))
    }
}
