//! Scheduled sessions as instructors and students see them, pages of them, and a booking's
//! result.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use sensei_core::services::{Booking, BookingOutcome, SessionListing};
use sensei_core::{EngagementSnapshot, ScheduledSession, SessionListEntry, SessionState};

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "SessionStatus", rename_all = "snake_case")]
pub enum SessionStatusBody {
    /// Waiting for an instructor.
    Pending,
    /// Held by an instructor until `claim_expires_at`.
    Claimed,
    /// Completed; `completed_at` says when.
    Completed,
    /// Cancelled by the student.
    Cancelled,
}

impl From<SessionState> for SessionStatusBody {
    fn from(state: SessionState) -> Self {
        match state {
            SessionState::Pending => SessionStatusBody::Pending,
            SessionState::Claimed => SessionStatusBody::Claimed,
            SessionState::Completed => SessionStatusBody::Completed,
            SessionState::Cancelled => SessionStatusBody::Cancelled,
        }
    }
}

/// Digi-trainer engagement: goals passed, engaged (not passed) and in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Object)]
#[oai(rename = "Engagement")]
pub struct EngagementBody {
    /// Goals passed.
    pub goals_passed: u32,
    /// Goals engaged but not passed.
    pub goals_engaged: u32,
    /// Goals of the challenge.
    pub total_goals: u32,
    /// `round((goals_engaged + goals_passed) / total_goals * 100)`, half to even; 0 without goals.
    pub percent: u32,
}

impl From<&EngagementSnapshot> for EngagementBody {
    fn from(snapshot: &EngagementSnapshot) -> Self {
        Self {
            goals_passed: snapshot.goals_passed,
            goals_engaged: snapshot.goals_engaged,
            total_goals: snapshot.total_goals,
            percent: snapshot.percent(),
        }
    }
}

/// A scheduled sensei session, as instructors see it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ScheduledSession", skip_serializing_if_is_none)]
pub struct ScheduledSessionBody {
    /// The session's id.
    pub id: i32,
    /// The submission it is about.
    pub submission_id: i32,
    /// The student who booked it.
    pub user_id: i32,
    /// Why the student was eligible: `needs_work_feedback` or `digi_trainer_engagement`
    /// (rows written by other versions of the platform may hold another value, shown as
    /// stored; absent when none was recorded).
    pub eligibility_reason: Option<String>,
    /// Pending, claimed, completed or cancelled (a claim past its expiry reads as pending).
    pub status: SessionStatusBody,
    /// The student's engagement when they booked.
    pub snapshot: EngagementBody,
    /// When the student booked (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// The instructor holding a live claim (user id); absent unless claimed.
    pub claimed_by: Option<i32>,
    /// When that claim lapses (UTC); absent unless claimed.
    pub claim_expires_at: Option<DateTime<Utc>>,
    /// When an instructor completed it (UTC); absent unless completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Who completed it (user id); absent unless completed (or unknown, on rows the
    /// platform wrote).
    pub completed_by: Option<i32>,
    /// The instructors' private notes; absent when none. Never sent to students.
    pub notes: Option<String>,
    /// The notes for the student; absent when none.
    pub student_notes: Option<String>,
    /// When the student cancelled it (UTC); absent unless cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The student's reason; absent when none.
    pub cancel_reason: Option<String>,
}

impl ScheduledSessionBody {
    /// The session as of `now` (the instant the service read or changed it: a claim is live
    /// or lapsed as of then).
    pub fn at(session: &ScheduledSession, now: DateTime<Utc>) -> Self {
        let claim = session.live_claim_at(now);
        let completion = session.completion();
        let cancellation = session.cancellation();
        Self {
            id: session.id.get(),
            submission_id: session.submission_id.get(),
            user_id: session.user_id.get(),
            eligibility_reason: session.reason.to_stored().map(str::to_owned),
            status: session.state_at(now).into(),
            snapshot: (&session.engagement).into(),
            scheduled_at: session.scheduled_at,
            claimed_by: claim.map(|claim| claim.holder.get()),
            claim_expires_at: claim.map(|claim| claim.expires_at),
            completed_at: completion.map(|done| done.completed_at),
            completed_by: completion
                .and_then(|done| done.completed_by)
                .map(|user| user.get()),
            notes: completion
                .and_then(|done| done.notes.as_ref())
                .map(ToString::to_string),
            student_notes: completion
                .and_then(|done| done.student_notes.as_ref())
                .map(ToString::to_string),
            cancelled_at: cancellation.map(|cancelled| cancelled.cancelled_at),
            cancel_reason: cancellation
                .and_then(|cancelled| cancelled.reason.as_ref())
                .map(|reason| reason.as_str().to_owned()),
        }
    }
}

/// A scheduled sensei session as its student sees it: never the instructors' private notes
/// nor who holds or completed it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "StudentScheduledSession", skip_serializing_if_is_none)]
pub struct StudentScheduledSessionBody {
    /// The session's id.
    pub id: i32,
    /// The submission it is about.
    pub submission_id: i32,
    /// The student who booked it.
    pub user_id: i32,
    /// Why the student was eligible (absent when none was recorded).
    pub eligibility_reason: Option<String>,
    /// Pending, claimed, completed or cancelled.
    pub status: SessionStatusBody,
    /// The student's engagement when they booked.
    pub snapshot: EngagementBody,
    /// When the student booked (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// When an instructor completed it (UTC); absent unless completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// The instructor's notes for the student; absent when none.
    pub student_notes: Option<String>,
    /// When the student cancelled it (UTC); absent unless cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The student's reason; absent when none.
    pub cancel_reason: Option<String>,
}

impl StudentScheduledSessionBody {
    /// The session as its student sees it, as of `now`.
    pub fn at(session: &ScheduledSession, now: DateTime<Utc>) -> Self {
        let full = ScheduledSessionBody::at(session, now);
        Self {
            id: full.id,
            submission_id: full.submission_id,
            user_id: full.user_id,
            eligibility_reason: full.eligibility_reason,
            status: full.status,
            snapshot: full.snapshot,
            scheduled_at: full.scheduled_at,
            completed_at: full.completed_at,
            student_notes: full.student_notes,
            cancelled_at: full.cancelled_at,
            cancel_reason: full.cancel_reason,
        }
    }
}

/// A session with its student and challenge, as instructors see it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ScheduledSessionEntry", skip_serializing_if_is_none)]
pub struct SessionEntryBody {
    /// The session.
    #[oai(flatten)]
    pub session: ScheduledSessionBody,
    /// The student's email.
    pub student_email: String,
    /// The submission's challenge.
    pub challenge_id: i32,
    /// The challenge's name.
    pub challenge_name: String,
    /// The email of the instructor holding a live claim; absent unless claimed.
    pub claimed_by_email: Option<String>,
}

impl SessionEntryBody {
    /// The entry as of `now`.
    pub fn at(entry: &SessionListEntry, now: DateTime<Utc>) -> Self {
        let session = ScheduledSessionBody::at(&entry.session, now);
        let claimed_by_email = session.claimed_by.and(entry.holder_email.clone());
        Self {
            session,
            student_email: entry.student_email.clone(),
            challenge_id: entry.challenge_id.get(),
            challenge_name: entry.challenge_name.clone(),
            claimed_by_email,
        }
    }
}

/// Whether a booking recorded a new session or found the recent one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "BookingOutcome", rename_all = "snake_case")]
pub enum OutcomeBody {
    /// A new session was recorded (201).
    Created,
    /// A session booked within the dedup window already existed and is returned (200).
    Duplicate,
}

/// The result of a booking.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Booking")]
pub struct BookingBody {
    /// `created` or `duplicate`.
    pub outcome: OutcomeBody,
    /// The new or existing session, as the student sees it (a duplicate may be completed:
    /// the instructors' private notes are never included).
    pub session: StudentScheduledSessionBody,
}

impl From<&Booking> for BookingBody {
    fn from(booking: &Booking) -> Self {
        Self {
            outcome: match booking.outcome {
                BookingOutcome::Created => OutcomeBody::Created,
                BookingOutcome::Duplicate => OutcomeBody::Duplicate,
            },
            session: StudentScheduledSessionBody::at(&booking.session, booking.as_of),
        }
    }
}

/// One page of sessions.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "ScheduledSessionPage", skip_serializing_if_is_none)]
pub struct SessionPageBody {
    /// This page, oldest first (`scheduled_at`, then `id`).
    pub items: Vec<SessionEntryBody>,
    /// Sessions matching the filters in all.
    pub total: u64,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl From<&SessionListing> for SessionPageBody {
    fn from(listing: &SessionListing) -> Self {
        Self {
            items: listing
                .page
                .items
                .iter()
                .map(|entry| SessionEntryBody::at(entry, listing.as_of))
                .collect(),
            total: listing.total,
            next_cursor: listing.page.next.as_ref().map(|cursor| cursor.encode()),
        }
    }
}
