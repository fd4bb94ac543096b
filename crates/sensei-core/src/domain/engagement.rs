//! Digi-trainer engagement: how many of a challenge's goals a student has engaged with or passed.

use super::progress::{GoalProgressEntry, GoalStatus};

/// Engagement as a whole percentage, exactly as the platform's Python computes it:
/// `round((engaged + passed) / total * 100)` — the double-precision quotient times 100,
/// rounded half to even — and 0 when `total` is 0.
///
/// ```
/// use sensei_core::domain::engagement::engagement_percent;
/// assert_eq!(engagement_percent(1, 1, 3), 67);
/// assert_eq!(engagement_percent(1, 0, 8), 12); // 12.5 rounds to even
/// assert_eq!(engagement_percent(0, 0, 0), 0);
/// ```
pub fn engagement_percent(goals_passed: u32, goals_engaged: u32, total_goals: u32) -> u32 {
    if total_goals == 0 {
        return 0;
    }
    // Same operation order as Python: true division first, then the multiplication by 100.
    let quotient = (f64::from(goals_engaged) + f64::from(goals_passed)) / f64::from(total_goals);
    let scaled = quotient * 100.0;
    let rounded = scaled.round_ties_even();
    if rounded <= 0.0 {
        0
    } else {
        // Counts are u32, so the percentage is finite and far below u32::MAX * 100.
        rounded as u32
    }
}

/// The counts recorded with a scheduled session: the student's engagement at booking time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EngagementSnapshot {
    /// Goals with status `passed`.
    pub goals_passed: u32,
    /// Goals engaged but not passed.
    pub goals_engaged: u32,
    /// All goals of the challenge.
    pub total_goals: u32,
}

impl EngagementSnapshot {
    /// Builds a snapshot from the challenge's goals and the student's progress on each
    /// (a goal with no progress counts as not started).
    pub fn from_progress(goals: &[GoalProgressEntry]) -> Self {
        let mut snapshot = Self {
            total_goals: u32::try_from(goals.len()).unwrap_or(u32::MAX),
            ..Self::default()
        };
        for goal in goals {
            match goal.status {
                GoalStatus::Passed => snapshot.goals_passed += 1,
                GoalStatus::Engaged => snapshot.goals_engaged += 1,
                GoalStatus::NotStarted => {}
            }
        }
        snapshot
    }

    /// Goals engaged or passed.
    pub fn goals_touched(&self) -> u32 {
        self.goals_passed.saturating_add(self.goals_engaged)
    }

    /// [`engagement_percent`] of these counts.
    pub fn percent(&self) -> u32 {
        engagement_percent(self.goals_passed, self.goals_engaged, self.total_goals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GoalId;

    fn goal(id: i32, status: GoalStatus) -> GoalProgressEntry {
        GoalProgressEntry {
            goal_id: GoalId(id),
            title: format!("Goal {id}"),
            status,
        }
    }

    #[test]
    fn no_goals_is_zero_percent() {
        assert_eq!(engagement_percent(0, 0, 0), 0);
    }

    #[test]
    fn the_percentage_rounds_half_to_even_like_python() {
        assert_eq!(engagement_percent(1, 0, 8), 12); // 12.5
        assert_eq!(engagement_percent(3, 0, 8), 38); // 37.5
        assert_eq!(engagement_percent(0, 1, 200), 0); // 0.5
        assert_eq!(engagement_percent(1, 2, 200), 2); // 1.5
        assert_eq!(engagement_percent(1, 1, 3), 67);
        assert_eq!(engagement_percent(2, 2, 4), 100);
    }

    #[test]
    fn a_snapshot_counts_passed_engaged_and_not_started_goals() {
        let snapshot = EngagementSnapshot::from_progress(&[
            goal(1, GoalStatus::Passed),
            goal(2, GoalStatus::Engaged),
            goal(3, GoalStatus::NotStarted),
            goal(4, GoalStatus::Passed),
        ]);
        assert_eq!(
            snapshot,
            EngagementSnapshot {
                goals_passed: 2,
                goals_engaged: 1,
                total_goals: 4,
            }
        );
        assert_eq!(snapshot.goals_touched(), 3);
        assert_eq!(snapshot.percent(), 75);
    }

    #[test]
    fn an_empty_challenge_gives_an_empty_snapshot() {
        assert_eq!(
            EngagementSnapshot::from_progress(&[]),
            EngagementSnapshot::default()
        );
    }

    #[test]
    fn unknown_stored_statuses_count_as_not_started() {
        assert_eq!(GoalStatus::parse_lenient("passed"), GoalStatus::Passed);
        assert_eq!(GoalStatus::parse_lenient(" engaged "), GoalStatus::Engaged);
        assert_eq!(GoalStatus::parse_lenient("PASSED"), GoalStatus::NotStarted);
        assert_eq!(GoalStatus::parse_lenient(""), GoalStatus::NotStarted);
    }
}
