//! How a platform engineer tests a scheduling rule with `mockall` mocks of sensei-core's ports
//! (enable the `mocks` feature of `sensei-core` in your dev-dependencies).
//!
//! The rule under test here is the platform's own configuration: eligibility by engagement at
//! 80 % instead of the default 100 %, with a 30-minute dedup window.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mockall::predicate::eq;
use sensei_core::ports::{
    ComposedBookingReads, CreateOutcome, MockAccountRepository, MockAnatomyRepository, MockClock,
    MockDigiTrainerRepository, MockGoalRepository, MockPasswordVerifier,
    MockScheduledSessionRepository, MockSignedInReads, MockSubmissionRepository,
};
use sensei_core::services::BookingOutcome;
use sensei_core::{
    Actor, BookError, ChallengeId, EligibilityReason, GoalId, GoalProgressEntry, GoalStatus,
    Policy, Ports, RecordedReason, ScheduledSession, ScheduledSessionId, SenseiService,
    SessionLifecycle, SubmissionId, SubmissionInfo, UserId,
};

const STUDENT: UserId = UserId(7);
const SUBMISSION: SubmissionId = SubmissionId(30);
const CHALLENGE: ChallengeId = ChallengeId(3);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap()
}

/// The student's submission, reviewed as approved (so only engagement can make them eligible).
fn approved_submission() -> SubmissionInfo {
    SubmissionInfo {
        id: SUBMISSION,
        owner: STUDENT,
        owner_email: "bob@example.com".to_owned(),
        challenge_id: CHALLENGE,
        challenge_name: "Binary search".to_owned(),
        submitted_at: now() - Duration::days(1),
        latest_verdict: Some(sensei_core::ReviewVerdict::Approved),
    }
}

/// Five goals: `touched` of them engaged, the rest not started.
fn five_goals_with(touched: usize) -> Vec<GoalProgressEntry> {
    (0..5)
        .map(|index| GoalProgressEntry {
            goal_id: GoalId(index + 1),
            title: format!("Goal {}", index + 1),
            status: if (index as usize) < touched {
                GoalStatus::Engaged
            } else {
                GoalStatus::NotStarted
            },
        })
        .collect()
}

/// A service under `policy` over mocks: the submission and progress are stubbed, the clock
/// reads `now()`, and `sessions` carries the test's expectations.
fn service(
    policy: Policy,
    touched: usize,
    sessions: MockScheduledSessionRepository,
) -> SenseiService {
    let mut submissions = MockSubmissionRepository::new();
    submissions
        .expect_get()
        .with(eq(SUBMISSION))
        .returning(|_| Ok(Some(approved_submission())));
    let mut goals = MockGoalRepository::new();
    goals
        .expect_progress()
        .with(eq(STUDENT), eq(CHALLENGE))
        .returning(move |_, _| Ok(five_goals_with(touched)));
    let mut clock = MockClock::new();
    clock.expect_now().return_const(now());
    let (submissions, goals) = (Arc::new(submissions), Arc::new(goals));
    SenseiService::new(
        Ports {
            sessions: Arc::new(sessions),
            // The booking's reads go through the two mocked ports above.
            booking: Arc::new(ComposedBookingReads::new(
                submissions.clone(),
                goals.clone(),
            )),
            submissions,
            goals,
            digi_trainer: Arc::new(MockDigiTrainerRepository::new()),
            anatomy: Arc::new(MockAnatomyRepository::new()),
            accounts: Arc::new(MockAccountRepository::new()),
            passwords: Arc::new(MockPasswordVerifier::new()),
            signed_in: Arc::new(MockSignedInReads::new()),
            clock: Arc::new(clock),
        },
        policy,
    )
}

#[tokio::test]
async fn four_of_five_goals_engaged_is_enough_under_an_80_percent_policy() {
    let mut sessions = MockScheduledSessionRepository::new();
    sessions
        .expect_create_unless_recent()
        .withf(|new, window_start, _max_open| {
            new.reason == EligibilityReason::DigiTrainerEngagement
                && new.engagement.goals_engaged == 4
                && new.engagement.total_goals == 5
                // The platform's 30-minute window, measured from the mocked clock.
                && *window_start == now() - Duration::minutes(30)
        })
        .times(1)
        .returning(|new, _, _| {
            Ok(CreateOutcome::Created(ScheduledSession {
                id: ScheduledSessionId(1),
                submission_id: new.submission_id,
                user_id: new.user_id,
                reason: RecordedReason::Known(new.reason),
                engagement: new.engagement,
                scheduled_at: new.scheduled_at,
                lifecycle: SessionLifecycle::Pending,
            }))
        });

    let policy = Policy::new(80, Duration::minutes(30)).unwrap();
    let booking = service(policy, 4, sessions)
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();

    assert_eq!(booking.outcome, BookingOutcome::Created);
    assert_eq!(
        booking.session.reason.known(),
        Some(EligibilityReason::DigiTrainerEngagement)
    );
}

#[tokio::test]
async fn three_of_five_goals_engaged_is_refused_and_says_four_are_needed() {
    let mut sessions = MockScheduledSessionRepository::new();
    sessions.expect_create_unless_recent().never();

    let policy = Policy::new(80, Duration::minutes(30)).unwrap();
    let error = service(policy, 3, sessions)
        .book(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap_err();

    assert!(matches!(error, BookError::Ineligible(_)));
    let message = error.to_string();
    assert!(
        message.contains("3 of 5 goals engaged; 4 needed (60% engagement, 80% required)"),
        "{message}"
    );
}
