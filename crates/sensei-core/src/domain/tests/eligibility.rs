//! A challenge without goals: engagement is 0 %, below every threshold a policy can have, so
//! only a `needs_work` review makes its student eligible.

use chrono::Duration;

use crate::domain::{
    evaluate_eligibility, Eligibility, EligibilityReason, EngagementSnapshot, Policy,
    ReviewVerdict, UnmetCondition,
};

fn no_goals() -> EngagementSnapshot {
    EngagementSnapshot {
        goals_passed: 0,
        goals_engaged: 0,
        total_goals: 0,
    }
}

#[test]
fn without_goals_even_the_lowest_threshold_is_not_reached() {
    let lowest = Policy::new(1, Duration::hours(1)).unwrap();
    for verdict in [None, Some(ReviewVerdict::parse("passed"))] {
        let Eligibility::Ineligible(why) =
            evaluate_eligibility(verdict.as_ref(), &no_goals(), &lowest)
        else {
            panic!("a challenge without goals made its student eligible ({verdict:?})");
        };
        assert_eq!(
            why.unmet[1],
            UnmetCondition::EngagementBelowThreshold {
                goals_touched: 0,
                total_goals: 0,
                goals_needed: 0,
                percent: 0,
                threshold_percent: 1,
            }
        );
        assert!(why
            .to_string()
            .ends_with("; and the challenge has no goals to engage with"));
    }
}

#[test]
fn without_goals_a_needs_work_review_still_makes_the_student_eligible() {
    assert_eq!(
        evaluate_eligibility(
            Some(&ReviewVerdict::NeedsWork),
            &no_goals(),
            &Policy::default()
        ),
        Eligibility::Eligible(EligibilityReason::NeedsWorkFeedback)
    );
}

#[test]
fn no_policy_has_a_threshold_of_zero() {
    assert!(Policy::new(0, Duration::hours(1)).is_err());
}
