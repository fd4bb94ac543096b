//! Who may book a sensei session, and why not.

use std::fmt;

use super::engagement::{engagement_percent, EngagementSnapshot};
use super::policy::Policy;
use super::progress::ReviewVerdict;
use super::reason::EligibilityReason;

/// The outcome of the eligibility rules for one student and submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eligibility {
    /// The student may book; the reason to record.
    Eligible(EligibilityReason),
    /// The student may not book, and why.
    Ineligible(Ineligibility),
}

/// Every condition that was not met, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ineligibility {
    /// The unmet conditions, in the order of [`EligibilityReason::ALL`].
    pub unmet: Vec<UnmetCondition>,
}

/// One condition that was not met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnmetCondition {
    /// The latest review is not `needs_work` (or there is none).
    NoNeedsWorkReview {
        /// The latest verdict's stored form, if there is a review.
        latest_verdict: Option<String>,
    },
    /// Engagement is below the threshold.
    EngagementBelowThreshold {
        /// Goals engaged or passed.
        goals_touched: u32,
        /// Goals of the challenge.
        total_goals: u32,
        /// Goals engaged or passed that the threshold needs.
        goals_needed: u32,
        /// The student's engagement percentage.
        percent: u32,
        /// The policy's threshold.
        threshold_percent: u32,
    },
}

impl UnmetCondition {
    /// The condition (reason) this refers to.
    pub fn reason(&self) -> EligibilityReason {
        match self {
            UnmetCondition::NoNeedsWorkReview { .. } => EligibilityReason::NeedsWorkFeedback,
            UnmetCondition::EngagementBelowThreshold { .. } => {
                EligibilityReason::DigiTrainerEngagement
            }
        }
    }
}

impl fmt::Display for UnmetCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnmetCondition::NoNeedsWorkReview {
                latest_verdict: None,
            } => f.write_str("no instructor review has asked for more work yet"),
            UnmetCondition::NoNeedsWorkReview {
                latest_verdict: Some(verdict),
            } => {
                write!(f, "the latest review is \"{verdict}\", not \"needs_work\"")
            }
            UnmetCondition::EngagementBelowThreshold { total_goals: 0, .. } => {
                f.write_str("the challenge has no goals to engage with")
            }
            UnmetCondition::EngagementBelowThreshold {
                goals_touched,
                total_goals,
                goals_needed,
                percent,
                threshold_percent,
            } => write!(
                f,
                "{goals_touched} of {total_goals} goals engaged; {goals_needed} needed \
                 ({percent}% engagement, {threshold_percent}% required)"
            ),
        }
    }
}

impl fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not eligible for a sensei session: ")?;
        for (index, condition) in self.unmet.iter().enumerate() {
            if index > 0 {
                f.write_str("; and ")?;
            }
            write!(f, "{condition}")?;
        }
        Ok(())
    }
}

/// The smallest number of goals engaged or passed whose percentage reaches the threshold.
fn goals_needed(total_goals: u32, threshold_percent: u32) -> u32 {
    (0..=total_goals)
        .find(|touched| engagement_percent(*touched, 0, total_goals) >= threshold_percent)
        .unwrap_or(total_goals)
}

/// Applies the eligibility rules: `needs_work_feedback` when the latest review verdict is
/// `needs_work`, else `digi_trainer_engagement` when engagement reaches the policy threshold,
/// else ineligible with every unmet condition. When both hold, `needs_work_feedback` wins.
pub fn evaluate_eligibility(
    latest_verdict: Option<&ReviewVerdict>,
    engagement: &EngagementSnapshot,
    policy: &Policy,
) -> Eligibility {
    let threshold = policy.engagement_threshold_percent();
    if latest_verdict == Some(&ReviewVerdict::NeedsWork) {
        return Eligibility::Eligible(EligibilityReason::NeedsWorkFeedback);
    }
    // A challenge without goals is at 0 %, below every threshold (a policy's is at least 1).
    let percent = engagement.percent();
    if percent >= threshold {
        return Eligibility::Eligible(EligibilityReason::DigiTrainerEngagement);
    }
    Eligibility::Ineligible(Ineligibility {
        unmet: vec![
            UnmetCondition::NoNeedsWorkReview {
                latest_verdict: latest_verdict.map(|verdict| verdict.as_str().to_owned()),
            },
            UnmetCondition::EngagementBelowThreshold {
                goals_touched: engagement.goals_touched(),
                total_goals: engagement.total_goals,
                goals_needed: goals_needed(engagement.total_goals, threshold),
                percent,
                threshold_percent: threshold,
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn snapshot(goals_passed: u32, goals_engaged: u32, total_goals: u32) -> EngagementSnapshot {
        EngagementSnapshot {
            goals_passed,
            goals_engaged,
            total_goals,
        }
    }

    fn refusal(eligibility: Eligibility) -> Ineligibility {
        match eligibility {
            Eligibility::Ineligible(why) => why,
            Eligibility::Eligible(reason) => panic!("expected a refusal, got {reason}"),
        }
    }

    #[test]
    fn a_needs_work_review_makes_the_student_eligible_for_needs_work_feedback() {
        let eligibility = evaluate_eligibility(
            Some(&ReviewVerdict::NeedsWork),
            &snapshot(0, 0, 5),
            &Policy::default(),
        );
        assert_eq!(
            eligibility,
            Eligibility::Eligible(EligibilityReason::NeedsWorkFeedback)
        );
    }

    #[test]
    fn every_goal_engaged_or_passed_makes_the_student_eligible_for_digi_trainer_engagement() {
        for verdict in [None, Some(ReviewVerdict::Approved)] {
            let eligibility =
                evaluate_eligibility(verdict.as_ref(), &snapshot(2, 2, 4), &Policy::default());
            assert_eq!(
                eligibility,
                Eligibility::Eligible(EligibilityReason::DigiTrainerEngagement)
            );
        }
    }

    #[test]
    fn needs_work_feedback_wins_when_both_conditions_hold() {
        let eligibility = evaluate_eligibility(
            Some(&ReviewVerdict::NeedsWork),
            &snapshot(3, 0, 3),
            &Policy::default(),
        );
        assert_eq!(
            eligibility,
            Eligibility::Eligible(EligibilityReason::NeedsWorkFeedback)
        );
    }

    #[test]
    fn a_student_meeting_neither_condition_is_refused_with_both_reasons_and_the_numbers() {
        let why = refusal(evaluate_eligibility(
            None,
            &snapshot(1, 1, 5),
            &Policy::default(),
        ));
        assert_eq!(
            why.unmet
                .iter()
                .map(UnmetCondition::reason)
                .collect::<Vec<_>>(),
            EligibilityReason::ALL.to_vec()
        );
        let message = why.to_string();
        assert!(
            message.contains("2 of 5 goals engaged; 5 needed"),
            "{message}"
        );
        assert_eq!(
            message,
            "not eligible for a sensei session: no instructor review has asked for more work \
             yet; and 2 of 5 goals engaged; 5 needed (40% engagement, 100% required)"
        );
    }

    #[test]
    fn the_refusal_names_the_latest_verdict_when_it_is_not_needs_work() {
        let why = refusal(evaluate_eligibility(
            Some(&ReviewVerdict::Approved),
            &snapshot(0, 1, 5),
            &Policy::default(),
        ));
        assert_eq!(
            why.unmet[0],
            UnmetCondition::NoNeedsWorkReview {
                latest_verdict: Some("approved".to_owned())
            }
        );
        assert!(why
            .to_string()
            .contains("the latest review is \"approved\", not \"needs_work\""));
        assert!(why.to_string().contains("1 of 5 goals engaged; 5 needed"));
    }

    #[test]
    fn a_challenge_without_goals_never_makes_a_student_eligible_by_engagement() {
        let why = refusal(evaluate_eligibility(
            None,
            &snapshot(0, 0, 0),
            &Policy::default(),
        ));
        assert!(why
            .to_string()
            .contains("the challenge has no goals to engage with"));
    }

    #[test]
    fn a_lower_threshold_lets_partial_engagement_through_and_says_how_many_goals_it_needs() {
        let policy = Policy::new(60, Duration::hours(1)).unwrap();
        assert_eq!(
            evaluate_eligibility(None, &snapshot(1, 2, 5), &policy),
            Eligibility::Eligible(EligibilityReason::DigiTrainerEngagement)
        );
        let why = refusal(evaluate_eligibility(None, &snapshot(1, 1, 5), &policy));
        assert!(why
            .to_string()
            .contains("2 of 5 goals engaged; 3 needed (40% engagement, 60% required)"));
    }

    #[test]
    fn the_goals_needed_follow_the_same_rounding_as_the_percentage() {
        // 2 of 3 goals is 66.67 %, which rounds to 67 %: it reaches a 67 % threshold.
        assert_eq!(goals_needed(3, 67), 2);
        assert_eq!(goals_needed(3, 68), 3);
        assert_eq!(goals_needed(5, 100), 5);
        // 1 of 200 is 0.5 %, which rounds (half to even) to 0 %: a 1 % threshold needs 2.
        assert_eq!(goals_needed(200, 1), 2);
    }
}
