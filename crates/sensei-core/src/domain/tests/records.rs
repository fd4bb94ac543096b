//! `SessionQuery::is_status_only` (adapters answer such counts from a counter, so a filter
//! it missed would count rows the filter excludes) and the status filter's text form.

use chrono::{TimeZone, Utc};

use crate::domain::{
    ChallengeId, EligibilityReason, ListOrder, SessionQuery, StatusFilter, UserId,
};

#[test]
fn a_query_without_filters_is_status_only_whatever_its_status_order_and_instant() {
    assert!(SessionQuery::default().is_status_only());
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
    for status in [
        StatusFilter::Pending,
        StatusFilter::Claimed,
        StatusFilter::Open,
        StatusFilter::Completed,
        StatusFilter::Cancelled,
        StatusFilter::Closed,
        StatusFilter::All,
    ] {
        let query = SessionQuery {
            status,
            order: ListOrder::NewestFirst,
            as_of: Some(at),
            ..SessionQuery::default()
        };
        assert!(query.is_status_only(), "{status:?}");
    }
}

#[test]
fn any_one_filter_makes_a_query_more_than_status_only() {
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
    let base = SessionQuery::default;
    let filtered = [
        (
            "reason",
            SessionQuery {
                reason: Some(EligibilityReason::NeedsWorkFeedback),
                ..base()
            },
        ),
        (
            "challenge",
            SessionQuery {
                challenge_id: Some(ChallengeId(3)),
                ..base()
            },
        ),
        (
            "challenges",
            SessionQuery {
                challenge_ids: vec![ChallengeId(3), ChallengeId(4)],
                ..base()
            },
        ),
        (
            "student email",
            SessionQuery {
                student_email_contains: Some("ann".to_owned()),
                ..base()
            },
        ),
        (
            "student",
            SessionQuery {
                student: Some(UserId(7)),
                ..base()
            },
        ),
        (
            "claimed by",
            SessionQuery {
                claimed_by: Some(UserId(1)),
                ..base()
            },
        ),
        (
            "completed by",
            SessionQuery {
                completed_by: Some(UserId(1)),
                ..base()
            },
        ),
        (
            "booked from",
            SessionQuery {
                scheduled_from: Some(at),
                ..base()
            },
        ),
        (
            "booked before",
            SessionQuery {
                scheduled_before: Some(at),
                ..base()
            },
        ),
    ];
    for (filter, query) in filtered {
        assert!(!query.is_status_only(), "{filter}");
    }
}

#[test]
fn status_filters_have_stable_text_forms_and_only_claims_change_with_the_clock() {
    let forms = [
        (StatusFilter::Pending, "pending", true),
        (StatusFilter::Claimed, "claimed", true),
        (StatusFilter::Open, "open", false),
        (StatusFilter::Completed, "completed", false),
        (StatusFilter::Cancelled, "cancelled", false),
        (StatusFilter::Closed, "closed", false),
        (StatusFilter::All, "all", false),
    ];
    for (status, text, changes) in forms {
        assert_eq!(status.as_str(), text);
        assert_eq!(status.changes_with_time(), changes, "{text}");
    }
}
