//! Goal progress and review verdicts, as the platform records them.

use super::ids::GoalId;

/// A student's progress on one goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalStatus {
    /// No progress recorded (or recorded as not started).
    NotStarted,
    /// Talked with the digi-trainer about the goal, not passed yet.
    Engaged,
    /// Passed.
    Passed,
}

impl GoalStatus {
    /// The stored form: `not_started`, `engaged`, `passed`.
    pub fn as_str(self) -> &'static str {
        match self {
            GoalStatus::NotStarted => "not_started",
            GoalStatus::Engaged => "engaged",
            GoalStatus::Passed => "passed",
        }
    }

    /// Parses the stored form; anything unknown counts as not started, the safe default for
    /// eligibility (it never makes a student eligible by mistake).
    pub fn parse_lenient(raw: &str) -> GoalStatus {
        match raw.trim() {
            "passed" => GoalStatus::Passed,
            "engaged" => GoalStatus::Engaged,
            _ => GoalStatus::NotStarted,
        }
    }
}

/// One goal of a challenge with a student's current status on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalProgressEntry {
    /// The goal.
    pub goal_id: GoalId,
    /// The goal's title.
    pub title: String,
    /// The student's status on it.
    pub status: GoalStatus,
}

/// An instructor's verdict on a submission.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReviewVerdict {
    /// The submission needs more work: makes the student eligible for a session.
    NeedsWork,
    /// The submission was accepted.
    Approved,
    /// Any other verdict the platform records.
    Other(String),
}

impl ReviewVerdict {
    /// Parses the stored form (`needs_work`, `approved`, anything else).
    pub fn parse(raw: &str) -> ReviewVerdict {
        match raw.trim() {
            "needs_work" => ReviewVerdict::NeedsWork,
            "approved" | "passed" | "accepted" => ReviewVerdict::Approved,
            other => ReviewVerdict::Other(other.to_owned()),
        }
    }

    /// The stored form.
    pub fn as_str(&self) -> &str {
        match self {
            ReviewVerdict::NeedsWork => "needs_work",
            ReviewVerdict::Approved => "approved",
            ReviewVerdict::Other(raw) => raw,
        }
    }
}
