//! The instructor workflow at the adapter, on SQLite and PostgreSQL: compare-and-set
//! transitions with their events, the open-session limit with the dedup, the append-only
//! events table, rows the platform wrote without the workflow's columns, and the one-trip
//! dashboard read. The races between processes are in `workflow_processes.rs`.

use chrono::{Duration, Utc};
use sensei_core::ports::CreateOutcome;
use sensei_core::*;

use crate::common::{fixture, new_session, TestDb};

pub(crate) fn service(t: &TestDb) -> SenseiService {
    SenseiService::new(t.db.ports(), Policy::default())
}

fn window() -> chrono::DateTime<Utc> {
    Utc::now() - Duration::hours(1)
}

pub(crate) async fn book(
    t: &TestDb,
    student: UserId,
    submission: SubmissionId,
) -> ScheduledSession {
    match t
        .db
        .ports()
        .sessions
        .create_unless_recent(new_session(student, submission, Utc::now()), window(), 3)
        .await
        .unwrap()
    {
        CreateOutcome::Created(session) => session,
        other => panic!("expected Created, got {other:?}"),
    }
}

pub(crate) async fn new_submission(t: &TestDb, f: &crate::common::Fixture) -> SubmissionId {
    t.db.platform_writer()
        .create_submission(f.student, f.challenge, Utc::now() - Duration::days(1))
        .await
        .unwrap()
}

pub(crate) fn kinds(events: &[SessionEvent]) -> Vec<EventKind> {
    events.iter().map(|event| event.kind).collect()
}

async fn every_transition_appends_exactly_one_event(t: TestDb) {
    let f = fixture(&t.db).await;
    let session = book(&t, f.student, f.submission).await;
    let service = service(&t);
    let sensei = Actor::instructor(f.instructor);
    let claimed = service.claim(sensei, session.id).await.unwrap();
    assert!(claimed.live_claim_at(Utc::now()).is_some());
    service.renew_claim(sensei, session.id).await.unwrap();
    let released = service.release_claim(sensei, session.id).await.unwrap();
    assert_eq!(released.lifecycle, SessionLifecycle::Pending);
    service.claim(sensei, session.id).await.unwrap();
    let done = service
        .complete_with_notes(sensei, session.id, "private", "for you")
        .await
        .unwrap();
    let completion = done.completion().unwrap();
    assert_eq!(completion.completed_by, Some(f.instructor));
    assert_eq!(
        completion.student_notes.as_ref().map(Notes::as_str),
        Some("for you")
    );
    let timeline = service.timeline(sensei, session.id).await.unwrap();
    assert_eq!(
        kinds(&timeline.events),
        [
            EventKind::Booked,
            EventKind::Claimed,
            EventKind::Renewed,
            EventKind::Released,
            EventKind::Claimed,
            EventKind::Completed
        ]
    );
    assert_eq!(
        timeline.events[0].actor_email.as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(
        timeline.events[1].actor_email.as_deref(),
        Some("sensei@example.com")
    );
    let last = timeline.events.last().unwrap();
    assert_eq!(last.from_state, Some(SessionState::Claimed));
    assert_eq!(last.to_state, SessionState::Completed);
    // The stored row reads back as written.
    let stored =
        t.db.ports()
            .sessions
            .get(session.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.session, done);
}

async fn events_are_never_updated_or_deleted(t: TestDb) {
    let f = fixture(&t.db).await;
    let session = book(&t, f.student, f.submission).await;
    let count = || t.count_sql("SELECT COUNT(*) AS n FROM scheduled_session_events");
    assert_eq!(count(), 1);
    for sql in [
        "UPDATE scheduled_session_events SET kind = 'claimed'".to_owned(),
        "DELETE FROM scheduled_session_events".to_owned(),
        format!(
            "DELETE FROM scheduled_session_events WHERE session_id = {}",
            session.id
        ),
    ] {
        let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            t.execute_sql(&sql);
        }));
        assert!(refused.is_err(), "{sql} must be refused");
    }
    assert_eq!(count(), 1);
    let events = t.db.ports().sessions.events(session.id, 10).await.unwrap();
    assert_eq!(kinds(&events), [EventKind::Booked]);
}

async fn a_claim_is_held_against_others_and_listed_with_its_holder(t: TestDb) {
    let f = fixture(&t.db).await;
    let other_instructor =
        t.db.accounts()
            .create("ann@example.com", Role::Instructor, "hash")
            .await
            .unwrap();
    let session = book(&t, f.student, f.submission).await;
    let service = service(&t);
    service
        .claim(Actor::instructor(other_instructor), session.id)
        .await
        .unwrap();
    let refused = service
        .claim(Actor::instructor(f.instructor), session.id)
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("claimed by ann@example.com until"),
        "{refused}"
    );
    let sessions = t.db.ports().sessions;
    let now = Utc::now();
    let query = |status, claimed_by| SessionQuery {
        status,
        claimed_by,
        as_of: Some(now),
        ..SessionQuery::default()
    };
    let open = sessions
        .list(&query(StatusFilter::Open, None), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(open.items.len(), 1);
    assert_eq!(
        open.items[0].holder_email.as_deref(),
        Some("ann@example.com")
    );
    assert_eq!(
        sessions
            .count(&query(StatusFilter::Claimed, Some(other_instructor)))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        sessions
            .count(&query(StatusFilter::Claimed, Some(f.instructor)))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        sessions
            .count(&query(StatusFilter::Pending, None))
            .await
            .unwrap(),
        0
    );
    // Half an hour later the claim has lapsed: pending for everyone, without any write.
    let later = SessionQuery {
        as_of: Some(now + Duration::minutes(31)),
        ..query(StatusFilter::Pending, None)
    };
    assert_eq!(sessions.count(&later).await.unwrap(), 1);
    assert_eq!(
        sessions
            .count(&query(StatusFilter::Open, None))
            .await
            .unwrap(),
        1
    );
}

async fn cancelled_sessions_leave_the_queue_are_no_duplicates_and_free_the_limit(t: TestDb) {
    let f = fixture(&t.db).await;
    let mut booked = Vec::new();
    for _ in 0..3 {
        let submission = new_submission(&t, &f).await;
        booked.push((book(&t, f.student, submission).await, submission));
    }
    // At the limit: a fourth submission is refused.
    let fourth = new_submission(&t, &f).await;
    let refused =
        t.db.ports()
            .sessions
            .create_unless_recent(new_session(f.student, fourth, Utc::now()), window(), 3)
            .await
            .unwrap();
    assert_eq!(refused, CreateOutcome::TooManyOpen { open: 3 });
    // Cancelling one frees a place and its pair may be booked again at once.
    let (cancelled, submission) = &booked[0];
    service(&t)
        .cancel(Actor::student(f.student), cancelled.id, "no longer needed")
        .await
        .unwrap();
    let again = book(&t, f.student, *submission).await;
    assert_ne!(again.id, cancelled.id);
    let sessions = t.db.ports().sessions;
    let open = SessionQuery {
        status: StatusFilter::Open,
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&open).await.unwrap(), 3);
    let cancelled_only = SessionQuery {
        status: StatusFilter::Cancelled,
        ..SessionQuery::default()
    };
    assert_eq!(sessions.count(&cancelled_only).await.unwrap(), 1);
    let listed = sessions
        .list(&cancelled_only, PageRequest::default())
        .await
        .unwrap();
    let cancellation = listed.items[0].session.cancellation().unwrap();
    assert_eq!(
        cancellation.reason.as_ref().map(CancelReason::as_str),
        Some("no longer needed")
    );
    // The counter (its rows summed) agrees with the table.
    assert_eq!(
        t.count_sql("SELECT CAST(SUM(pending_count) AS BIGINT) AS n FROM scheduled_session_counts"),
        3
    );
    assert_eq!(
        t.count_sql(
            "SELECT CAST(SUM(cancelled_count) AS BIGINT) AS n FROM scheduled_session_counts"
        ),
        1
    );
}

async fn history_is_newest_first_and_a_student_sees_only_their_sessions(t: TestDb) {
    let f = fixture(&t.db).await;
    let first = book(&t, f.student, f.submission).await;
    let second_submission = new_submission(&t, &f).await;
    let second = book(&t, f.student, second_submission).await;
    let service = service(&t);
    let sensei = Actor::instructor(f.instructor);
    service.complete(sensei, first.id, "").await.unwrap();
    service
        .cancel(Actor::student(f.student), second.id, "")
        .await
        .unwrap();
    let history = service
        .history(sensei, SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(history.total, 2);
    let ids: Vec<_> = history.page.items.iter().map(|e| e.session.id).collect();
    assert_eq!(ids, [second.id, first.id], "newest booking first");
    let completed_by_me = service
        .history(
            sensei,
            SessionQuery {
                status: StatusFilter::Completed,
                completed_by: Some(f.instructor),
                ..SessionQuery::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(completed_by_me.total, 1);
    let mine = service
        .my_sessions(Actor::student(f.student), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(mine.page.items.len(), 2);
    let theirs = service
        .my_sessions(Actor::student(f.other), PageRequest::default())
        .await
        .unwrap();
    assert!(theirs.page.items.is_empty());
}

async fn a_row_the_platform_wrote_without_the_new_columns_reads_claims_and_completes(t: TestDb) {
    let f = fixture(&t.db).await;
    // Exactly the seed's columns, as the platform's SQLAlchemy model writes them.
    t.execute_sql(&format!(
        "INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, \
         goals_passed, goals_engaged, total_goals, scheduled_at) \
         VALUES ({}, {}, 'needs_work_feedback', 1, 1, 3, '2026-11-28 09:15:02.123456')",
        f.submission, f.student
    ));
    let sessions = t.db.ports().sessions;
    let queue = sessions
        .list(
            &SessionQuery {
                status: StatusFilter::Open,
                ..SessionQuery::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(queue.items.len(), 1);
    let id = queue.items[0].session.id;
    assert_eq!(queue.items[0].session.lifecycle, SessionLifecycle::Pending);
    let service = service(&t);
    let sensei = Actor::instructor(f.instructor);
    service.claim(sensei, id).await.unwrap();
    let done = service.complete(sensei, id, "seen").await.unwrap();
    assert_eq!(done.completion().unwrap().completed_by, Some(f.instructor));
    // And the seed's columns hold what the platform expects.
    assert_eq!(
        t.count_sql(&format!(
            "SELECT COUNT(*) AS n FROM scheduled_sessions \
             WHERE id = {id} AND session_completed_at IS NOT NULL AND notes = 'seen'"
        )),
        1
    );
}

async fn the_one_trip_dashboard_read_agrees_with_counts_and_the_list(t: TestDb) {
    let f = fixture(&t.db).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let submission = new_submission(&t, &f).await;
        ids.push(book(&t, f.student, submission).await.id);
    }
    let service = service(&t);
    let sensei = Actor::instructor(f.instructor);
    service.claim(sensei, ids[0]).await.unwrap();
    service.complete(sensei, ids[1], "").await.unwrap();
    let dashboard = service
        .dashboard(sensei, SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        dashboard.pending_count, 1,
        "pending only: the claimed one is not"
    );
    let pending = service
        .list_sessions(
            sensei,
            SessionQuery {
                status: StatusFilter::Pending,
                ..SessionQuery::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        dashboard.pending_count, pending.total,
        "the Pending filter agrees"
    );
    assert_eq!(dashboard.completed_count, 1);
    assert_eq!(dashboard.claimed_by_me, 1);
    let listed: Vec<_> = dashboard.page.items.iter().map(|e| e.session.id).collect();
    assert_eq!(listed, [ids[0], ids[2]]);
    assert_eq!(
        dashboard.page.items[0].holder_email.as_deref(),
        Some("sensei@example.com")
    );
    // Read again with nothing changed: only the counter is read, the rest was kept.
    let before = t.counter.get();
    let again = service
        .dashboard(sensei, SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(t.counter.get() - before, 1, "the counter row only");
    assert_eq!(again.page, dashboard.page);
    // After a change, one unit of database work whatever the data: statements counted.
    service.claim(sensei, ids[2]).await.unwrap();
    let before = t.counter.get();
    let changed = service
        .dashboard(sensei, SessionQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(
        t.counter.get() - before,
        4,
        "the counter row, my claims, everyone's claims, the page"
    );
    assert_eq!(changed.claimed_by_me, 2);
    assert_eq!(changed.pending_count, 0);
}

crate::both_backends!(
    every_transition_appends_exactly_one_event,
    events_are_never_updated_or_deleted,
    a_claim_is_held_against_others_and_listed_with_its_holder,
    cancelled_sessions_leave_the_queue_are_no_duplicates_and_free_the_limit,
    history_is_newest_first_and_a_student_sees_only_their_sessions,
    a_row_the_platform_wrote_without_the_new_columns_reads_claims_and_completes,
    the_one_trip_dashboard_read_agrees_with_counts_and_the_list,
);
