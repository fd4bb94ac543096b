//! Unit tests of the use cases over mockall mocks of every port and a mocked clock, plus a
//! small in-memory fake of the sessions store where a rule is easier to show with real state.

mod account_admin;
mod account_changes;
mod accounts;
mod api_tokens;
mod booking;
mod calendar;
mod completion;
mod completion_refusals;
mod desk;
mod email;
mod email_outbox;
mod export;
mod fake;
mod history;
mod port_defaults;
mod preferences;
mod preview;
mod queries;
mod queue;
mod readiness;
mod time_zones;
mod views;
mod webhooks;
mod workflow;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};

use crate::domain::{
    ChallengeId, EngagementSnapshot, GoalId, GoalProgressEntry, GoalStatus, NewScheduledSession,
    Policy, RecordedReason, ReviewVerdict, ScheduledSession, ScheduledSessionId, SessionLifecycle,
    SubmissionId, SubmissionInfo, UserId,
};
use crate::ports::{
    AccountRepository, ComposedBookingReads, ComposedReads, GoalRepository, MockAccountRepository,
    MockAnatomyRepository, MockClock, MockDigiTrainerRepository, MockGoalRepository,
    MockPasswordVerifier, MockScheduledSessionRepository, MockSubmissionRepository,
    ScheduledSessionRepository, SubmissionRepository,
};
use crate::services::{Ports, SenseiService};

pub(super) const STUDENT: UserId = UserId(7);
pub(super) const OTHER_STUDENT: UserId = UserId(8);
pub(super) const INSTRUCTOR: UserId = UserId(1);
pub(super) const SUBMISSION: SubmissionId = SubmissionId(30);
pub(super) const CHALLENGE: ChallengeId = ChallengeId(3);

/// Saturday 28 November 2026, 10:00:00 UTC: "now" in every test.
pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap()
}

/// One mock per port. Mocks without expectations fail the test if they are called.
#[derive(Default)]
pub(super) struct Mocks {
    pub sessions: MockScheduledSessionRepository,
    pub submissions: MockSubmissionRepository,
    pub goals: MockGoalRepository,
    pub digi_trainer: MockDigiTrainerRepository,
    pub anatomy: MockAnatomyRepository,
    pub accounts: MockAccountRepository,
    pub passwords: MockPasswordVerifier,
    pub clock: MockClock,
}

impl Mocks {
    /// Mocks whose clock reads `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        let mut mocks = Mocks::default();
        mocks.clock.expect_now().return_const(now);
        mocks
    }

    /// `submissions.get(SUBMISSION)` returns this submission.
    pub fn with_submission(mut self, submission: SubmissionInfo) -> Self {
        self.submissions
            .expect_get()
            .withf(|id| *id == SUBMISSION)
            .returning(move |_| Ok(Some(submission.clone())));
        self
    }

    /// `goals.progress(STUDENT, CHALLENGE)` returns this progress.
    pub fn with_progress(mut self, progress: Vec<GoalProgressEntry>) -> Self {
        self.goals
            .expect_progress()
            .withf(|student, challenge| *student == STUDENT && *challenge == CHALLENGE)
            .returning(move |_, _| Ok(progress.clone()));
        self
    }

    pub fn service(self) -> SenseiService {
        self.service_with(Policy::default())
    }

    pub fn service_with(self, policy: Policy) -> SenseiService {
        let sessions: Arc<dyn ScheduledSessionRepository> = Arc::new(self.sessions);
        Self {
            sessions: MockScheduledSessionRepository::new(),
            ..self
        }
        .service_over(sessions, policy)
    }

    /// The service over these mocks, but with `sessions` as the sessions store.
    pub fn service_over(
        self,
        sessions: Arc<dyn ScheduledSessionRepository>,
        policy: Policy,
    ) -> SenseiService {
        let accounts: Arc<dyn AccountRepository> = Arc::new(self.accounts);
        let submissions: Arc<dyn SubmissionRepository> = Arc::new(self.submissions);
        let goals: Arc<dyn GoalRepository> = Arc::new(self.goals);
        SenseiService::new(
            Ports {
                signed_in: Arc::new(ComposedReads::new(accounts.clone(), sessions.clone())),
                booking: Arc::new(ComposedBookingReads::new(
                    submissions.clone(),
                    goals.clone(),
                )),
                sessions,
                submissions,
                goals,
                digi_trainer: Arc::new(self.digi_trainer),
                anatomy: Arc::new(self.anatomy),
                accounts,
                passwords: Arc::new(self.passwords),
                clock: Arc::new(self.clock),
            },
            policy,
        )
    }
}

/// The student's submission to the challenge, with this latest verdict.
pub(super) fn submission(owner: UserId, verdict: Option<ReviewVerdict>) -> SubmissionInfo {
    SubmissionInfo {
        id: SUBMISSION,
        owner,
        owner_email: "alice@example.com".to_owned(),
        challenge_id: CHALLENGE,
        challenge_name: "Linked lists".to_owned(),
        submitted_at: now() - chrono::Duration::days(2),
        latest_verdict: verdict,
    }
}

/// Goal progress with this many goals passed, engaged and not started, in that order.
pub(super) fn progress(
    passed: usize,
    engaged: usize,
    not_started: usize,
) -> Vec<GoalProgressEntry> {
    std::iter::repeat_n(GoalStatus::Passed, passed)
        .chain(std::iter::repeat_n(GoalStatus::Engaged, engaged))
        .chain(std::iter::repeat_n(GoalStatus::NotStarted, not_started))
        .enumerate()
        .map(|(index, status)| GoalProgressEntry {
            goal_id: GoalId(100 + i32::try_from(index).unwrap()),
            title: format!("Goal {}", index + 1),
            status,
        })
        .collect()
}

/// The session a store would record for `new`, with this id.
pub(super) fn recorded(new: &NewScheduledSession, id: i32) -> ScheduledSession {
    ScheduledSession {
        id: ScheduledSessionId(id),
        submission_id: new.submission_id,
        user_id: new.user_id,
        reason: RecordedReason::Known(new.reason),
        engagement: new.engagement,
        scheduled_at: new.scheduled_at,
        lifecycle: SessionLifecycle::Pending,
    }
}

/// A pending session of STUDENT for SUBMISSION scheduled at `scheduled_at`.
pub(super) fn pending_session(id: i32, scheduled_at: DateTime<Utc>) -> ScheduledSession {
    ScheduledSession {
        id: ScheduledSessionId(id),
        submission_id: SUBMISSION,
        user_id: STUDENT,
        reason: RecordedReason::Known(crate::domain::EligibilityReason::NeedsWorkFeedback),
        engagement: EngagementSnapshot {
            goals_passed: 1,
            goals_engaged: 1,
            total_goals: 3,
        },
        scheduled_at,
        lifecycle: SessionLifecycle::Pending,
    }
}

/// A session as the store lists it, with the student's email and the challenge.
pub(super) fn entry_of(session: ScheduledSession) -> crate::domain::SessionListEntry {
    crate::domain::SessionListEntry {
        session,
        student_email: "student@example.com".into(),
        challenge_id: crate::domain::ChallengeId(1),
        challenge_name: "Linked lists".into(),
        holder_email: None,
    }
}
