//! Rows the platform wrote with odd values read with safe defaults, and the session counter
//! following every change.

use sensei_core::*;
use sensei_diesel::testing::CompleteIfPending;
use sensei_diesel::DatabaseUrl;

use crate::common::{at, book, created, fixture, TestDb};

async fn odd_rows_are_kept_with_safe_defaults(t: TestDb) {
    let f = fixture(&t.db).await;
    let (submission, user) = (f.submission, f.student);
    t.execute_sql(&format!(
        "INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed, \
           goals_engaged, total_goals, scheduled_at) VALUES \
         ({submission}, {user}, 'mystery_reason', 2, 1, 4, '2026-09-01 10:00:00'); \
         INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed, \
           goals_engaged, total_goals, scheduled_at) VALUES \
         ({submission}, {user}, NULL, NULL, NULL, NULL, '2026-09-01 11:00:00'); \
         INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed, \
           goals_engaged, total_goals, scheduled_at) VALUES \
         ({submission}, {user}, 'digi_trainer_engagement', -1, -5, 3, '2026-09-01 12:00:00'); \
         INSERT INTO scheduled_sessions (submission_id, user_id, scheduled_at, notes) VALUES \
         ({submission}, {user}, '2026-09-01 13:00:00', '   ');"
    ));
    let sessions = t.db.ports().sessions;
    let page = sessions
        .list(&SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 4);
    let rows: Vec<_> = page.items.iter().map(|r| &r.session).collect();
    assert_eq!(
        rows[0].reason,
        RecordedReason::Unrecognized("mystery_reason".to_owned())
    );
    assert_eq!(rows[0].engagement.total_goals, 4);
    assert_eq!(rows[1].reason, RecordedReason::Missing);
    assert_eq!(rows[1].engagement, EngagementSnapshot::default());
    assert_eq!(
        rows[2].reason,
        RecordedReason::Known(EligibilityReason::DigiTrainerEngagement)
    );
    assert_eq!(
        (
            rows[2].engagement.goals_passed,
            rows[2].engagement.goals_engaged
        ),
        (0, 0)
    );
    // Column defaults (0) apply to counts the insert left out.
    assert_eq!(rows[3].engagement, EngagementSnapshot::default());
    assert_eq!(rows[3].scheduled_at, at(2026, 9, 1, 13, 0, 0));
    // The trigger-maintained counter saw the raw inserts too.
    assert_eq!(sessions.count(&SessionQuery::default()).await.unwrap(), 4);
    // A filter by a known reason skips the odd ones without failing.
    let by_reason = SessionQuery {
        reason: Some(EligibilityReason::DigiTrainerEngagement),
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&by_reason).await.unwrap(), 1);
}

async fn counter_follows_every_change(t: TestDb) {
    let f = fixture(&t.db).await;
    let sessions = t.db.ports().sessions;
    let a = created(book(&t.db, f.student, f.submission, at(2026, 10, 1, 8, 0, 0)).await);
    created(book(&t.db, f.student, f.submission, at(2026, 10, 1, 10, 0, 0)).await);
    sessions
        .complete_if_pending(
            a.id,
            Completion {
                completed_at: at(2026, 10, 1, 9, 0, 0),
                completed_by: None,
                notes: None,
                student_notes: None,
            },
        )
        .await
        .unwrap();
    let pending = SessionQuery::default();
    let completed = SessionQuery {
        status: StatusFilter::Completed,
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&pending).await.unwrap(), 1);
    assert_eq!(sessions.count(&completed).await.unwrap(), 1);
    // Changes made behind the adapter's back (the platform, an operator) are counted too.
    t.execute_sql(&format!(
        "UPDATE scheduled_sessions SET session_completed_at = NULL WHERE id = {}",
        a.id
    ));
    assert_eq!(sessions.count(&pending).await.unwrap(), 2);
    assert_eq!(sessions.count(&completed).await.unwrap(), 0);
    // PostgreSQL keeps the counter in 16 slots (consecutive sessions in different ones, so
    // concurrent changes do not queue on one row); SQLite in one row.
    let (rows, used) = match t.url {
        DatabaseUrl::Sqlite(_) => (1, 1),
        DatabaseUrl::Postgres(_) => (16, 2),
    };
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_counts"),
        rows
    );
    assert_eq!(
        t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_counts WHERE pending_count <> 0"),
        used
    );
    t.execute_sql("DELETE FROM scheduled_sessions");
    assert_eq!(sessions.count(&pending).await.unwrap(), 0);
    assert_eq!(
        t.count_sql(
            "SELECT CAST(SUM(pending_count + completed_count) AS BIGINT) AS n \
             FROM scheduled_session_counts"
        ),
        0
    );
}

crate::both_backends!(
    odd_rows_are_kept_with_safe_defaults,
    counter_follows_every_change,
);
