//! Unit tests of the insights core, with hand-made rows.

mod claims;
mod figures;
mod percentile;
mod period;

use chrono::{DateTime, TimeZone, Utc};

use super::{BookedSession, TrailEvent, TrailKind};
use crate::domain::{ChallengeId, ScheduledSessionId, UserId};

/// A UTC instant.
fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// A session of challenge 1, booked at `booked_at`, still open.
fn booked(id: i32, booked_at: DateTime<Utc>) -> BookedSession {
    BookedSession {
        id: ScheduledSessionId(id),
        challenge: ChallengeId(1),
        booked_at,
        completed_at: None,
        completed_by: None,
        cancelled_at: None,
        cancel_reason: None,
    }
}

/// An event of session `session`, numbered `id`, by instructor `actor`.
fn event(
    session: i32,
    id: i64,
    kind: TrailKind,
    actor: i32,
    at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> TrailEvent {
    TrailEvent {
        session: ScheduledSessionId(session),
        id,
        kind,
        actor: Some(UserId(actor)),
        at,
        expires_at,
    }
}
