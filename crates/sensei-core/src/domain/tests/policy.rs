//! The workflow limits an embedder sets on a policy: each bound is inclusive, the new value
//! is the one in force, and every other setting is kept.

use chrono::Duration;

use crate::domain::{Policy, PolicyError};

/// A policy with every setting away from its default, to see each one kept.
fn custom() -> Policy {
    Policy::new(60, Duration::minutes(10))
        .unwrap()
        .with_max_open_sessions(7)
        .unwrap()
}

fn settings(policy: &Policy) -> (u32, Duration, Duration, u32, u32) {
    (
        policy.engagement_threshold_percent(),
        policy.dedup_window(),
        policy.claim_time(),
        policy.max_live_claims(),
        policy.max_open_sessions(),
    )
}

#[test]
fn a_claim_time_from_one_minute_to_one_day_is_taken_and_the_rest_kept() {
    for claim_time in [
        Duration::minutes(1),
        Duration::minutes(45),
        Duration::days(1),
    ] {
        let policy = custom().with_claim_time(claim_time).unwrap();
        assert_eq!(
            settings(&policy),
            (60, Duration::minutes(10), claim_time, 4, 7),
            "{claim_time}"
        );
    }
}

#[test]
fn a_claim_time_outside_one_minute_to_one_day_is_refused_with_its_seconds() {
    let refused = [
        (Duration::zero(), 0),
        (Duration::seconds(-60), -60),
        (Duration::seconds(59), 59),
        (Duration::days(1) + Duration::seconds(1), 86_401),
        (Duration::days(2), 172_800),
    ];
    for (claim_time, seconds) in refused {
        assert_eq!(
            custom().with_claim_time(claim_time),
            Err(PolicyError::ClaimTime(seconds))
        );
    }
}

#[test]
fn a_live_claims_limit_from_1_to_100_is_taken_and_the_rest_kept() {
    for limit in [1, 2, 100] {
        let policy = custom().with_max_live_claims(limit).unwrap();
        assert_eq!(
            settings(&policy),
            (60, Duration::minutes(10), Duration::minutes(30), limit, 7),
            "{limit}"
        );
    }
    for limit in [0, 101, u32::MAX] {
        assert_eq!(
            custom().with_max_live_claims(limit),
            Err(PolicyError::ClaimLimit(limit))
        );
    }
}

#[test]
fn an_open_sessions_limit_from_1_to_100_is_taken_and_the_rest_kept() {
    let base = custom().with_max_live_claims(9).unwrap();
    for limit in [1, 2, 100] {
        let policy = base.with_max_open_sessions(limit).unwrap();
        assert_eq!(
            settings(&policy),
            (60, Duration::minutes(10), Duration::minutes(30), 9, limit),
            "{limit}"
        );
    }
    for limit in [0, 101] {
        assert_eq!(
            base.with_max_open_sessions(limit),
            Err(PolicyError::OpenSessionLimit(limit))
        );
    }
}
