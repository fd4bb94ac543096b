//! Reads done as one unit of work: a booking's facts, and the signed-in dashboard.

use chrono::{Duration, Utc};
use sensei_core::ports::AccountRepository;
use sensei_core::*;
use sensei_diesel::{Database, PoolOptions};

use crate::common::{at, book, created, fixture, TestDb};

/// A booking's facts come in one statement with the same answer as the submission and goal
/// ports apart; someone else's submission comes without goals, an unknown one as none.
async fn booking_facts_are_one_unit_of_work(t: TestDb) {
    use sensei_core::ports::BookingFacts;
    let f = fixture(&t.db).await;
    let writer = t.db.platform_writer();
    writer
        .set_goal_progress(f.student, f.goals[0], GoalStatus::Passed)
        .await
        .unwrap();
    writer
        .set_goal_progress(f.student, f.goals[2], GoalStatus::Engaged)
        .await
        .unwrap();
    let ports = t.db.ports();
    let submission = ports.submissions.get(f.submission).await.unwrap().unwrap();
    let goals = ports.goals.progress(f.student, f.challenge).await.unwrap();
    assert_eq!(goals.len(), 3);

    let before = t.counter.get();
    let facts = ports
        .booking
        .booking_facts(f.submission, f.student)
        .await
        .unwrap();
    assert_eq!(
        t.counter.get() - before,
        1,
        "the submission with the goal progress"
    );
    assert_eq!(
        facts,
        Some(BookingFacts {
            submission: submission.clone(),
            goals
        })
    );

    let before = t.counter.get();
    let theirs = ports
        .booking
        .booking_facts(f.submission, f.other)
        .await
        .unwrap();
    assert_eq!(t.counter.get() - before, 1, "the same one statement");
    assert_eq!(
        theirs,
        Some(BookingFacts {
            submission,
            goals: Vec::new()
        })
    );

    let unknown = ports
        .booking
        .booking_facts(SubmissionId(f.submission.get() + 1000), f.student)
        .await
        .unwrap();
    assert_eq!(unknown, None);
}

/// The signed-in dashboard read resolves the sign-in and reads the page on one connection:
/// the same answer as the two ports apart, one statement for a refused or unknown sign-in,
/// and the plan sees the resolved account.
async fn signed_in_dashboard_is_one_unit_of_work(t: TestDb) {
    use sensei_core::ports::{DashboardQueries, SignedInRead};
    let f = fixture(&t.db).await;
    let base = at(2026, 8, 1, 0, 0, 0);
    for i in 0..3 {
        created(
            book(
                &t.db,
                f.student,
                f.submission,
                base + Duration::hours(2 * i),
            )
            .await,
        );
    }
    let accounts = t.db.accounts();
    let now = Utc::now();
    let instructor_token = accounts
        .start_sign_in(f.instructor, now + Duration::hours(1))
        .await
        .unwrap();
    let student_token = accounts
        .start_sign_in(f.student, now + Duration::hours(1))
        .await
        .unwrap();
    let ports = t.db.ports();
    let queries = |viewer: UserId| DashboardQueries {
        queue: SessionQuery {
            status: StatusFilter::Open,
            ..SessionQuery::default()
        },
        mine: SessionQuery {
            status: StatusFilter::Claimed,
            claimed_by: Some(viewer),
            ..SessionQuery::default()
        },
        claimed: SessionQuery {
            status: StatusFilter::Claimed,
            ..SessionQuery::default()
        },
    };
    // Read apart through another handle on the same database: each handle keeps its own
    // dashboards, so this one does not answer the signed-in read below.
    let other = Database::connect(&t.url, PoolOptions::default()).unwrap();
    let apart = other
        .ports()
        .sessions
        .dashboard(
            &queries(f.instructor).queue,
            &queries(f.instructor).mine,
            &queries(f.instructor).claimed,
            PageRequest::default(),
        )
        .await
        .unwrap();

    let before = t.counter.get();
    let read = ports
        .signed_in
        .dashboard(
            &instructor_token,
            now,
            Box::new(move |account: &Account| {
                (account.role == Role::Instructor).then(|| queries(account.id))
            }),
            PageRequest::default(),
        )
        .await
        .unwrap();
    let statements = t.counter.get() - before;
    match read {
        SignedInRead::Read(account, read) => {
            assert_eq!(account.id, f.instructor);
            assert_eq!(read, apart);
            assert_eq!(read.open, 3);
        }
        other => panic!("expected a read, got {other:?}"),
    }
    assert_eq!(
        statements, 4,
        "the sign-in with the counter, my claims, everyone's claims, the page"
    );

    let before = t.counter.get();
    let refused = ports
        .signed_in
        .dashboard(
            &student_token,
            now,
            Box::new(|_: &Account| None),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert!(
        matches!(&refused, SignedInRead::Refused(account) if account.id == f.student),
        "{refused:?}"
    );
    assert_eq!(t.counter.get() - before, 1, "nothing read past the sign-in");

    // Unknown and expired sign-ins read as not signed in; the plan is not asked.
    let never = || -> sensei_core::ports::DashboardPlan {
        Box::new(|_: &Account| panic!("the plan must not run"))
    };
    for (token, at) in [
        (SignInToken::new("no-such-token".to_owned()), now),
        (instructor_token.clone(), now + Duration::hours(2)),
    ] {
        let read = ports
            .signed_in
            .dashboard(&token, at, never(), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(read, SignedInRead::NotSignedIn);
    }
}

crate::both_backends!(
    booking_facts_are_one_unit_of_work,
    signed_in_dashboard_is_one_unit_of_work,
);
