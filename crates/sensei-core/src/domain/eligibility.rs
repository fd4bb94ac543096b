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
    let percent = engagement.percent();
    if engagement.total_goals > 0 && percent >= threshold {
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
