//! How domain values read on a page: times, progress, badges, statuses.

use chrono::{DateTime, Utc};
use sensei_core::EligibilityReason;
use sensei_core::{
    EngagementSnapshot, GoalProgressEntry, GoalStatus, RecordedReason, ReviewVerdict,
};

/// A time as pages show it: `2026-11-28 09:15 UTC`.
pub fn datetime(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The digi-trainer progress text: exactly `X passed, Y engaged / Z total`.
pub fn progress(snapshot: &EngagementSnapshot) -> String {
    format!(
        "{} passed, {} engaged / {} total",
        snapshot.goals_passed, snapshot.goals_engaged, snapshot.total_goals
    )
}

/// The CSS modifier of a reason badge.
pub fn reason_class(reason: &RecordedReason) -> &'static str {
    match reason.known() {
        Some(EligibilityReason::NeedsWorkFeedback) => "needs-work",
        Some(EligibilityReason::DigiTrainerEngagement) => "engagement",
        None => "other",
    }
}

/// A review verdict for people.
pub fn verdict(verdict: Option<&ReviewVerdict>) -> String {
    match verdict {
        None => "Not reviewed yet".to_owned(),
        Some(ReviewVerdict::NeedsWork) => "Needs work".to_owned(),
        Some(ReviewVerdict::Approved) => "Approved".to_owned(),
        Some(ReviewVerdict::Other(raw)) => raw.clone(),
    }
}

/// One row of a goal progress table.
#[derive(Debug, Clone)]
pub struct GoalRow {
    /// The goal's title.
    pub title: String,
    /// `Passed`, `Engaged` or `Not started`.
    pub status_label: &'static str,
    /// The CSS modifier of the status.
    pub status_class: &'static str,
}

/// The rows of a goal progress table.
pub fn goal_rows(goals: &[GoalProgressEntry]) -> Vec<GoalRow> {
    goals
        .iter()
        .map(|goal| GoalRow {
            title: goal.title.clone(),
            status_label: goal.status.label(),
            status_class: match goal.status {
                GoalStatus::Passed => "passed",
                GoalStatus::Engaged => "engaged",
                GoalStatus::NotStarted => "not-started",
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_exactly_as_the_dashboard_column() {
        let snapshot = EngagementSnapshot {
            goals_passed: 1,
            goals_engaged: 1,
            total_goals: 3,
        };
        assert_eq!(progress(&snapshot), "1 passed, 1 engaged / 3 total");
    }
}
