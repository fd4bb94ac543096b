//! Kept dashboards (`repo/sessions/dashboard_cache.rs`) on SQLite and PostgreSQL: a dashboard
//! read again while nothing changed costs one statement and gives the same answer; any change
//! to a session, whoever makes it (this handle, another handle standing for another server
//! process, SQL standing for the platform), and the expiry of a counted claim are seen at the
//! next read; names from the platform's tables are seen within the kept dashboard's age.

use chrono::{DateTime, Duration, Utc};
use sensei_core::ports::{
    AccountRepository, CreateOutcome, DashboardPlan, DashboardQueries, DashboardRead, SignedInRead,
};
use sensei_core::*;
use sensei_diesel::{Database, PoolOptions};

use crate::common::{at, fixture, new_session, TestDb};

/// Books a session for `user`'s `submission` at `now`; its id.
async fn book(db: &Database, user: UserId, submission: SubmissionId, now: DateTime<Utc>) -> i32 {
    let outcome = db
        .ports()
        .sessions
        .create_unless_recent(
            new_session(user, submission, now),
            now - Duration::hours(1),
            u32::MAX,
        )
        .await
        .unwrap();
    match outcome {
        CreateOutcome::Created(session) => session.id.get(),
        other => panic!("expected a new session, got {other:?}"),
    }
}

/// The instructor's dashboard at `now` (open queue, live claims), as the service plans it;
/// with the statements it took.
async fn dashboard(t: &TestDb, token: &SignInToken, now: DateTime<Utc>) -> (DashboardRead, u64) {
    let plan: DashboardPlan = Box::new(move |account: &Account| {
        Some(DashboardQueries {
            queue: SessionQuery {
                status: StatusFilter::Open,
                as_of: Some(now),
                ..SessionQuery::default()
            },
            mine: SessionQuery {
                status: StatusFilter::Claimed,
                claimed_by: Some(account.id),
                as_of: Some(now),
                ..SessionQuery::default()
            },
            claimed: SessionQuery {
                status: StatusFilter::Claimed,
                as_of: Some(now),
                ..SessionQuery::default()
            },
        })
    });
    let before = t.counter.get();
    let read =
        t.db.ports()
            .signed_in
            .dashboard(token, now, plan, PageRequest::default())
            .await
            .unwrap();
    let statements = t.counter.get() - before;
    match read {
        SignedInRead::Read(_, read) => (read, statements),
        other => panic!("expected a read, got {other:?}"),
    }
}

/// A timestamp as SQL text both backends read.
fn sql_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

async fn kept_dashboards_follow_every_change(t: TestDb) {
    let f = fixture(&t.db).await;
    let base = at(2026, 8, 1, 0, 0, 0);
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            book(
                &t.db,
                f.student,
                f.submission,
                base + Duration::hours(2 * i),
            )
            .await,
        );
    }
    let now = Utc::now();
    let token =
        t.db.accounts()
            .start_sign_in(f.instructor, now + Duration::hours(1))
            .await
            .unwrap();

    let (first, statements) = dashboard(&t, &token, now).await;
    assert_eq!(
        (
            first.open,
            first.mine,
            first.claimed,
            first.page.items.len()
        ),
        (3, 0, 0, 3)
    );
    assert_eq!(
        statements, 4,
        "the sign-in with the counter, my claims, everyone's claims, the page"
    );
    let (again, statements) = dashboard(&t, &token, now).await;
    assert_eq!(again, first);
    assert_eq!(
        statements, 1,
        "only the sign-in with the counter: nothing changed"
    );

    // Another server process books: seen at once.
    let other = Database::connect(&t.url, PoolOptions::default()).unwrap();
    book(&other, f.other, f.submission, base + Duration::hours(7)).await;
    let (read, statements) = dashboard(&t, &token, now).await;
    assert_eq!((read.open, read.page.items.len(), statements), (4, 4, 4));

    // The platform claims a session for the instructor in SQL: seen at once.
    let expires = now + Duration::minutes(10);
    t.execute_sql(&format!(
        "UPDATE scheduled_sessions SET claimed_by = {}, claim_expires_at = '{}' WHERE id = {}",
        f.instructor.get(),
        sql_time(expires),
        ids[0]
    ));
    let (read, statements) = dashboard(&t, &token, now).await;
    assert_eq!((read.mine, read.claimed, statements), (1, 1, 4));
    let claimed = read
        .page
        .items
        .iter()
        .find(|entry| entry.session.id.get() == ids[0])
        .unwrap();
    assert!(matches!(
        claimed.session.lifecycle,
        SessionLifecycle::Claimed(Claim { holder, .. }) if holder == f.instructor
    ));
    let (kept, statements) = dashboard(&t, &token, now + Duration::minutes(9)).await;
    assert_eq!(
        (kept.mine, kept.claimed, statements),
        (1, 1, 1),
        "the claim is still live"
    );

    // The claim expires: no write, yet the live-claims count is read again.
    let (read, statements) = dashboard(&t, &token, expires).await;
    assert_eq!((read.mine, read.claimed, statements), (0, 0, 4));
    let (kept, statements) = dashboard(&t, &token, expires + Duration::minutes(1)).await;
    assert_eq!(
        (kept.mine, kept.claimed, statements),
        (0, 0, 1),
        "no live claim left to expire"
    );

    // A change that moves no count (notes) is a change too; so is a completion.
    t.execute_sql(&format!(
        "UPDATE scheduled_sessions SET notes = 'called' WHERE id = {}",
        ids[1]
    ));
    let (_, statements) = dashboard(&t, &token, expires).await;
    assert_eq!(statements, 4);
    t.execute_sql(&format!(
        "UPDATE scheduled_sessions SET session_completed_at = '{}' WHERE id = {}",
        sql_time(now),
        ids[2]
    ));
    let (read, statements) = dashboard(&t, &token, expires).await;
    assert_eq!((read.open, read.completed, statements), (3, 1, 4));
    assert!(read
        .page
        .items
        .iter()
        .all(|entry| entry.session.id.get() != ids[2]));
}

/// A student's email lives in the platform's `users` table, whose changes the counter does
/// not see: the kept dashboard is read again once it is older than its age limit.
async fn platform_names_show_within_the_age_limit(t: TestDb) {
    let f = fixture(&t.db).await;
    book(&t.db, f.student, f.submission, at(2026, 8, 1, 0, 0, 0)).await;
    let now = Utc::now();
    let token =
        t.db.accounts()
            .start_sign_in(f.instructor, now + Duration::hours(1))
            .await
            .unwrap();
    let (read, _) = dashboard(&t, &token, now).await;
    assert_ne!(read.page.items[0].student_email, "renamed@example.com");
    t.execute_sql(&format!(
        "UPDATE users SET email = 'renamed@example.com' WHERE id = {}",
        f.student.get()
    ));
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (read, statements) = dashboard(&t, &token, now).await;
    assert_eq!(read.page.items[0].student_email, "renamed@example.com");
    assert_eq!(statements, 4);
}

/// A database whose counter has no row (set up by hand): the dashboard counts the table, and
/// with no change total to check against, it is never kept.
async fn without_a_counter_row_the_table_is_counted_and_nothing_kept(t: TestDb) {
    let f = fixture(&t.db).await;
    t.execute_sql("DELETE FROM scheduled_session_counts");
    book(&t.db, f.student, f.submission, at(2026, 8, 1, 0, 0, 0)).await;
    book(&t.db, f.other, f.submission, at(2026, 8, 1, 2, 0, 0)).await;
    let now = Utc::now();
    let token =
        t.db.accounts()
            .start_sign_in(f.instructor, now + Duration::hours(1))
            .await
            .unwrap();
    let (first, statements) = dashboard(&t, &token, now).await;
    assert_eq!(
        (first.open, first.completed, first.page.items.len()),
        (2, 0, 2)
    );
    assert!(
        statements > 4,
        "{statements}: the open and completed counts read too"
    );
    let (again, again_statements) = dashboard(&t, &token, now).await;
    assert_eq!(again, first);
    assert_eq!(again_statements, statements, "read again, not kept");
}

crate::both_backends!(
    kept_dashboards_follow_every_change,
    platform_names_show_within_the_age_limit,
    without_a_counter_row_the_table_is_counted_and_nothing_kept,
);
