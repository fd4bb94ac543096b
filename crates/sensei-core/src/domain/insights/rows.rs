//! The raw rows insights are computed from, as the [`crate::ports::InsightsSource`] port
//! returns them: the sessions booked in a span, their claim trail from the audit trail, and
//! the oldest request still open.

use chrono::{DateTime, Utc};

use crate::domain::{ChallengeId, ScheduledSessionId, UserId};

/// One session booked in the span asked for (a row of the sessions table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedSession {
    /// The session.
    pub id: ScheduledSessionId,
    /// The challenge of its submission.
    pub challenge: ChallengeId,
    /// When the student booked it (the seed's `scheduled_at`).
    pub booked_at: DateTime<Utc>,
    /// When it was completed, if it was.
    pub completed_at: Option<DateTime<Utc>>,
    /// Who completed it (`None`: not completed, or the row predates recording it).
    pub completed_by: Option<UserId>,
    /// When the student cancelled it, if they did.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The reason they gave, as stored (`None` or blank: none given).
    pub cancel_reason: Option<String>,
}

/// What a claim-trail event did (the audit trail's kinds after the booking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrailKind {
    /// An instructor claimed the session (a new hold).
    Claimed,
    /// The holder extended their live hold.
    Renewed,
    /// The holder gave the session back.
    Released,
    /// An instructor completed it.
    Completed,
    /// The student cancelled it.
    Cancelled,
}

/// One audit-trail event of a session in the span, after its booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailEvent {
    /// The session.
    pub session: ScheduledSessionId,
    /// The event's id: it orders events of the same instant.
    pub id: i64,
    /// What happened.
    pub kind: TrailKind,
    /// Who did it (`None` when the platform did it without a known user).
    pub actor: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
    /// For a claim or renewal, the expiry it set. `None` on events recorded before expiries
    /// were kept, and on every other kind.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The request that has waited longest of those still open (pending or claimed) now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenRequest {
    /// The session (the page links to it).
    pub id: ScheduledSessionId,
    /// Its challenge.
    pub challenge: ChallengeId,
    /// When it was booked.
    pub booked_at: DateTime<Utc>,
}

/// Everything one computation of insights reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InsightsRows {
    /// The sessions booked in the span asked for (the period and the one before it).
    pub sessions: Vec<BookedSession>,
    /// Their claim trails (claims, renewals, releases, completions, cancellations), any order.
    pub trail: Vec<TrailEvent>,
    /// The oldest request open now, whenever it was booked.
    pub oldest_open: Option<OpenRequest>,
}
