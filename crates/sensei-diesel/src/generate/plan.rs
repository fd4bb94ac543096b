//! The deterministic plan: which rows to write, drawn from a seeded ChaCha8 generator (one
//! stream per table, so a table's rows depend only on the seed, the sizes and `anchor`).

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sensei_core::{
    evaluate_eligibility, Eligibility, EligibilityReason, EngagementSnapshot, GoalStatus, Policy,
    ReviewVerdict, Role,
};

use super::rows::{
    AnatomyConversationInsert, AnatomyMessageInsert, ChallengeInsert, DigiTrainerMessageInsert,
    DigiTrainerSessionInsert, GoalInsert, GoalProgressInsert, ReviewInsert, ScheduledSessionInsert,
    SubmissionInsert, UserInsert,
};
use super::words::{GOAL_TITLES, NOTES, STUDENT_LINES, TOPICS, TRAINER_LINES};
use super::{HISTORY_DAYS, STUDENT_DOMAIN};
use crate::timestamp::SqlaTimestamp;

/// What the later tables need to know about a submission.
#[derive(Debug, Clone)]
struct Submission {
    id: i32,
    user: i32,
    challenge: usize,
    submitted_at: DateTime<Utc>,
    /// The verdict of the latest review, if any.
    latest_verdict: Option<ReviewVerdict>,
    /// The student's progress on the challenge's goals (every goal counted).
    engagement: EngagementSnapshot,
}

/// Draws the rows, table by table.
pub(crate) struct Planner {
    seed: u64,
    anchor: DateTime<Utc>,
    /// Per challenge: its id and its goals' ids.
    challenges: Vec<(i32, Vec<i32>)>,
    submissions: Vec<Submission>,
}

pub(crate) fn id(base: i64, index: usize) -> i32 {
    i32::try_from(base + 1 + index as i64).unwrap_or(i32::MAX)
}

pub(crate) fn ts(at: DateTime<Utc>) -> SqlaTimestamp {
    SqlaTimestamp::from(at)
}

impl Planner {
    pub(crate) fn new(seed: u64, anchor: DateTime<Utc>) -> Self {
        Planner {
            seed,
            anchor,
            challenges: Vec::new(),
            submissions: Vec::new(),
        }
    }

    /// Every generated time lies before this instant.
    pub(crate) fn anchor(&self) -> DateTime<Utc> {
        self.anchor
    }

    /// The stream of one table.
    pub(crate) fn rng(&self, table: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ table)
    }

    /// A time within the history: `anchor` minus up to [`HISTORY_DAYS`] (microseconds).
    fn past(&self, rng: &mut ChaCha8Rng) -> DateTime<Utc> {
        let span = HISTORY_DAYS * 24 * 3_600 * 1_000_000;
        self.anchor - Duration::microseconds(rng.random_range(0..span))
    }

    pub(crate) fn students(&mut self, base: i64, count: u32, hash: &str) -> Vec<UserInsert> {
        let mut rng = self.rng(1);
        (0..count as usize)
            .map(|index| {
                let id = id(base, index);
                UserInsert {
                    id,
                    email: format!("student{id}@{STUDENT_DOMAIN}"),
                    role: Role::Student.as_str(),
                    password_hash: hash.to_owned(),
                    created_at: ts(self.past(&mut rng) - Duration::days(HISTORY_DAYS)),
                }
            })
            .collect()
    }

    pub(crate) fn challenges(
        &mut self,
        challenge_base: i64,
        goal_base: i64,
        count: u32,
    ) -> (Vec<ChallengeInsert>, Vec<GoalInsert>) {
        let mut rng = self.rng(2);
        let mut challenges = Vec::with_capacity(count as usize);
        let mut goals = Vec::new();
        for index in 0..count as usize {
            let challenge_id = id(challenge_base, index);
            let topic = TOPICS[index % TOPICS.len()];
            let name = match index / TOPICS.len() {
                0 => topic.to_owned(),
                round => format!("{topic} {}", round + 1),
            };
            challenges.push(ChallengeInsert {
                id: challenge_id,
                name: name.clone(),
                description: format!("Build {}: the reference challenge #{challenge_id}.", name),
            });
            let goal_count = rng.random_range(3..=6usize);
            let first = rng.random_range(0..GOAL_TITLES.len());
            let mut ids = Vec::with_capacity(goal_count);
            for position in 0..goal_count {
                let goal_id = id(goal_base, goals.len());
                goals.push(GoalInsert {
                    id: goal_id,
                    challenge_id,
                    title: GOAL_TITLES[(first + position) % GOAL_TITLES.len()].to_owned(),
                    position: position as i32,
                });
                ids.push(goal_id);
            }
            self.challenges.push((challenge_id, ids));
        }
        (challenges, goals)
    }

    pub(crate) fn submissions(&mut self, base: i64, students: &[i32]) -> Vec<SubmissionInsert> {
        let mut rng = self.rng(3);
        let challenge_count = self.challenges.len();
        let mut rows = Vec::with_capacity(students.len() * 2);
        for &user in students {
            let wanted = rng.random_range(1..=3usize).min(challenge_count);
            let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
            while chosen.len() < wanted {
                let pick = rng.random_range(0..challenge_count);
                if !chosen.contains(&pick) {
                    chosen.push(pick);
                }
            }
            for challenge in chosen {
                let submission_id = id(base, rows.len());
                // Submitted before the sessions that follow it (at least a week of history).
                let submitted_at = self.past(&mut rng) - Duration::days(7);
                rows.push(SubmissionInsert {
                    id: submission_id,
                    user_id: user,
                    challenge_id: self.challenges[challenge].0,
                    submitted_at: ts(submitted_at),
                    content: Some(format!(
                        "// submission {submission_id}\nfn solve(input: &str) -> String {{\n    \
                         input.trim().to_owned()\n}}\n"
                    )),
                });
                self.submissions.push(Submission {
                    id: submission_id,
                    user,
                    challenge,
                    submitted_at,
                    latest_verdict: None,
                    engagement: EngagementSnapshot {
                        total_goals: u32::try_from(self.challenges[challenge].1.len())
                            .unwrap_or(u32::MAX),
                        ..EngagementSnapshot::default()
                    },
                });
            }
        }
        rows
    }

    /// 0–2 reviews per submission; about half of the reviewed ones end `needs_work`.
    pub(crate) fn reviews(&mut self, base: i64) -> Vec<ReviewInsert> {
        let mut rng = self.rng(4);
        let mut rows = Vec::with_capacity(self.submissions.len());
        for submission in &mut self.submissions {
            let count = match rng.random_range(0..10u8) {
                0 | 1 => 0,
                2..=6 => 1,
                _ => 2,
            };
            for index in 0..count {
                let last = index + 1 == count;
                let verdict = if !last || rng.random_bool(0.5) {
                    ReviewVerdict::NeedsWork
                } else {
                    ReviewVerdict::Approved
                };
                rows.push(ReviewInsert {
                    id: id(base, rows.len()),
                    submission_id: submission.id,
                    verdict: verdict.as_str().to_owned(),
                    created_at: ts(submission.submitted_at + Duration::hours(6 * (index + 1))),
                });
                if last {
                    submission.latest_verdict = Some(verdict);
                }
            }
        }
        rows
    }

    /// Per submission, the student's status on each goal of its challenge: about 40 % every
    /// goal engaged or passed (eligible by engagement), the rest a mix (some goals without a
    /// row: not started).
    pub(crate) fn goal_progress(&mut self, base: i64) -> Vec<GoalProgressInsert> {
        let mut rng = self.rng(5);
        let mut rows = Vec::with_capacity(self.submissions.len() * 5);
        for submission in &mut self.submissions {
            let full = rng.random_bool(0.4);
            for &goal in &self.challenges[submission.challenge].1 {
                let status = match (full, rng.random_range(0..4u8)) {
                    (true, 0 | 1) | (false, 3) => GoalStatus::Passed,
                    (true, _) | (false, 2) => GoalStatus::Engaged,
                    (false, 1) => GoalStatus::NotStarted,
                    // No row: the goal counts as not started.
                    (false, _) => continue,
                };
                match status {
                    GoalStatus::Passed => submission.engagement.goals_passed += 1,
                    GoalStatus::Engaged => submission.engagement.goals_engaged += 1,
                    GoalStatus::NotStarted => {}
                }
                rows.push(GoalProgressInsert {
                    id: id(base, rows.len()),
                    user_id: submission.user,
                    goal_id: goal,
                    status: status.as_str(),
                    updated_at: ts(submission.submitted_at + Duration::hours(1)),
                });
            }
        }
        rows
    }

    /// 1–2 digi-trainer sessions per submission, each with 2–4 messages.
    pub(crate) fn digi_trainer(
        &mut self,
        session_base: i64,
        message_base: i64,
    ) -> (Vec<DigiTrainerSessionInsert>, Vec<DigiTrainerMessageInsert>) {
        let mut rng = self.rng(6);
        let mut sessions = Vec::with_capacity(self.submissions.len() * 3 / 2);
        let mut messages = Vec::with_capacity(self.submissions.len() * 4);
        for submission in &self.submissions {
            let (challenge_id, goals) = &self.challenges[submission.challenge];
            for index in 0..rng.random_range(1..=2i64) {
                let session_id = id(session_base, sessions.len());
                let started = submission.submitted_at - Duration::hours(2 * (index + 1));
                let goal = if rng.random_bool(0.8) {
                    Some(goals[rng.random_range(0..goals.len())])
                } else {
                    None
                };
                sessions.push(DigiTrainerSessionInsert {
                    id: session_id,
                    user_id: submission.user,
                    challenge_id: *challenge_id,
                    goal_id: goal,
                    started_at: ts(started),
                });
                let line = rng.random_range(0..STUDENT_LINES.len());
                for turn in 0..rng.random_range(2..=4usize) {
                    let (role, text) = if turn % 2 == 0 {
                        (
                            "user",
                            STUDENT_LINES[(line + turn / 2) % STUDENT_LINES.len()],
                        )
                    } else {
                        (
                            "assistant",
                            TRAINER_LINES[(line + turn / 2) % TRAINER_LINES.len()],
                        )
                    };
                    messages.push(DigiTrainerMessageInsert {
                        id: id(message_base, messages.len()),
                        agent_session_id: session_id,
                        role,
                        content: text.to_owned(),
                        created_at: ts(started + Duration::seconds(30 * (turn as i64 + 1))),
                    });
                }
            }
        }
        (sessions, messages)
    }

    /// An anatomy conversation for about half of the submissions, each with 2–3 messages.
    pub(crate) fn anatomy(
        &mut self,
        conversation_base: i64,
        message_base: i64,
    ) -> (Vec<AnatomyConversationInsert>, Vec<AnatomyMessageInsert>) {
        let mut rng = self.rng(7);
        let mut conversations = Vec::with_capacity(self.submissions.len() / 2);
        let mut messages = Vec::with_capacity(self.submissions.len() * 5 / 4);
        for submission in &self.submissions {
            if !rng.random_bool(0.5) {
                continue;
            }
            let conversation_id = id(conversation_base, conversations.len());
            let started = submission.submitted_at + Duration::minutes(10);
            conversations.push(AnatomyConversationInsert {
                id: conversation_id,
                submission_id: submission.id,
                title: format!("Anatomy of submission {}", submission.id),
                created_at: ts(started),
            });
            for turn in 0..rng.random_range(2..=3usize) {
                let (role, text) = if turn % 2 == 0 {
                    (
                        "user",
                        "What does each part of my solution do, and which part is slow?",
                    )
                } else {
                    (
                        "assistant",
                        "The parser reads the input once; the nested loop below it compares \
                         every pair, which is where the time goes.",
                    )
                };
                messages.push(AnatomyMessageInsert {
                    id: id(message_base, messages.len()),
                    conversation_id,
                    role,
                    content: text.to_owned(),
                    created_at: ts(started + Duration::seconds(20 * (turn as i64 + 1))),
                });
            }
        }
        (conversations, messages)
    }

    /// Who may book, and on what: submissions the core's rules make eligible under the default
    /// [`Policy`] (any submission when none is eligible; those record `needs_work_feedback`).
    pub(crate) fn bookers(&self) -> Vec<Booker> {
        let policy = Policy::default();
        let booker = |submission: &Submission, reason| Booker {
            submission_id: submission.id,
            user: submission.user,
            reason,
            engagement: submission.engagement,
        };
        let eligible: Vec<Booker> = self
            .submissions
            .iter()
            .filter_map(|submission| {
                eligibility(submission, &policy).map(|reason| booker(submission, reason))
            })
            .collect();
        if !eligible.is_empty() {
            return eligible;
        }
        self.submissions
            .iter()
            .map(|submission| booker(submission, EligibilityReason::NeedsWorkFeedback))
            .collect()
    }

    /// `count` sessions by [`Planner::bookers`], spread evenly over the history, every other
    /// one completed with notes (the backlog shape the benchmarks use).
    pub(crate) fn sessions(&mut self, base: i64, count: u32) -> Vec<ScheduledSessionInsert> {
        let mut rng = self.rng(8);
        let pool = self.bookers();
        if pool.is_empty() {
            return Vec::new();
        }
        (0..count as usize)
            .map(|index| {
                let booker = pool[rng.random_range(0..pool.len())];
                let scheduled_at = self.past(&mut rng);
                let (completed_at, notes) = if index % 2 == 0 {
                    (None, None)
                } else {
                    let after = Duration::minutes(rng.random_range(30..=3 * 24 * 60));
                    let done = (scheduled_at + after).min(self.anchor);
                    let note = NOTES[rng.random_range(0..NOTES.len())];
                    (Some(ts(done)), Some(note.to_owned()))
                };
                let mut row = booker.row(id(base, index), scheduled_at);
                row.session_completed_at = completed_at;
                row.notes = notes;
                row
            })
            .collect()
    }
}

/// A student and a submission they may book a session on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Booker {
    pub submission_id: i32,
    pub user: i32,
    pub reason: EligibilityReason,
    pub engagement: EngagementSnapshot,
}

impl Booker {
    /// A pending session of theirs booked at `scheduled_at`.
    pub(crate) fn row(&self, id: i32, scheduled_at: DateTime<Utc>) -> ScheduledSessionInsert {
        ScheduledSessionInsert {
            id,
            submission_id: self.submission_id,
            user_id: self.user,
            eligibility_reason: Some(self.reason.as_str()),
            goals_passed: Some(stored(self.engagement.goals_passed)),
            goals_engaged: Some(stored(self.engagement.goals_engaged)),
            total_goals: Some(stored(self.engagement.total_goals)),
            scheduled_at: ts(scheduled_at),
            session_completed_at: None,
            notes: None,
            claimed_by: None,
            claim_expires_at: None,
            completed_by: None,
            cancelled_at: None,
            cancel_reason: None,
        }
    }
}

/// The reason the core's rules give this submission's owner for a session, if eligible.
fn eligibility(submission: &Submission, policy: &Policy) -> Option<EligibilityReason> {
    match evaluate_eligibility(
        submission.latest_verdict.as_ref(),
        &submission.engagement,
        policy,
    ) {
        Eligibility::Eligible(reason) => Some(reason),
        Eligibility::Ineligible(_) => None,
    }
}

/// A count as stored (`INTEGER`).
fn stored(count: u32) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}
