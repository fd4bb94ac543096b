//! Unit tests of `actions`: every state against the viewer and another instructor.
use chrono::{Duration, TimeZone};

use super::*;
use crate::domain::{
    Cancellation, Claim, EngagementSnapshot, RecordedReason, ScheduledSessionId, SessionLifecycle,
    SubmissionId,
};

const ME: UserId = UserId(7);
const OTHER: UserId = UserId(8);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap()
}

fn session(lifecycle: SessionLifecycle) -> ScheduledSession {
    ScheduledSession {
        id: ScheduledSessionId(1),
        submission_id: SubmissionId(2),
        user_id: UserId(3),
        reason: RecordedReason::Missing,
        engagement: EngagementSnapshot::default(),
        scheduled_at: now() - Duration::hours(1),
        lifecycle,
    }
}

fn claimed(holder: UserId, expires_at: DateTime<Utc>) -> ScheduledSession {
    session(SessionLifecycle::Claimed(Claim { holder, expires_at }))
}

#[test]
fn a_pending_session_offers_claim_and_completion_to_every_instructor() {
    let actions = InstructorActions::decide(&session(SessionLifecycle::Pending), ME, now());
    assert_eq!(
        actions,
        InstructorActions {
            state: SessionState::Pending,
            claim: true,
            held_by_viewer: false,
            complete: true,
            refusal: None,
        }
    );
    assert_eq!(actions.held_by_other(), None);
}

#[test]
fn my_live_claim_offers_renew_release_and_completion_but_not_claim() {
    let actions = InstructorActions::decide(&claimed(ME, now() + Duration::minutes(5)), ME, now());
    assert_eq!(actions.state, SessionState::Claimed);
    assert!(!actions.claim);
    assert!(actions.held_by_viewer);
    assert!(actions.complete);
    assert_eq!(actions.refusal, None);
}

#[test]
fn another_instructors_live_claim_offers_nothing_and_names_the_holder() {
    let expires_at = now() + Duration::minutes(5);
    let actions = InstructorActions::decide(&claimed(OTHER, expires_at), ME, now());
    assert!(!actions.claim && !actions.held_by_viewer && !actions.complete);
    assert_eq!(actions.held_by_other(), Some((OTHER, expires_at)));
}

#[test]
fn a_lapsed_claim_is_pending_for_everyone_including_its_old_holder() {
    // At the expiry instant itself the claim no longer holds.
    for holder in [ME, OTHER] {
        let actions = InstructorActions::decide(&claimed(holder, now()), ME, now());
        assert_eq!(actions.state, SessionState::Pending);
        assert!(actions.claim && actions.complete && !actions.held_by_viewer);
        assert_eq!(actions.held_by_other(), None);
    }
}

#[test]
fn closed_sessions_offer_nothing_and_say_why() {
    let cancelled = session(SessionLifecycle::Cancelled(Cancellation {
        cancelled_at: now(),
        reason: None,
    }));
    let actions = InstructorActions::decide(&cancelled, ME, now());
    assert!(!actions.claim && !actions.held_by_viewer && !actions.complete);
    assert_eq!(
        actions.refusal,
        Some(Refusal::Closed(SessionState::Cancelled))
    );
    let completed = session(SessionLifecycle::Completed(Completion {
        completed_at: now(),
        completed_by: Some(OTHER),
        notes: None,
        student_notes: None,
    }));
    let actions = InstructorActions::decide(&completed, ME, now());
    assert!(!actions.claim && !actions.complete);
    assert_eq!(
        actions.refusal,
        Some(Refusal::Closed(SessionState::Completed))
    );
}
