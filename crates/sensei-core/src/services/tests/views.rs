//! The read views carry their verdicts and their instant: what the viewer may do to each
//! session, decided by the workflow's rules as of the service's clock, and the trusted
//! embedder reading what instructors read.

use std::sync::Arc;

use chrono::Duration;

use super::fake::FakeSessions;
use super::*;
use crate::domain::{Actor, Claim, PageRequest, Reader, SessionQuery, SessionState, StatusFilter};
use crate::error::{QueryError, Resource};

const OTHER_INSTRUCTOR: UserId = UserId(99);

fn claimed(id: i32, holder: UserId, expires_at: DateTime<Utc>) -> ScheduledSession {
    ScheduledSession {
        lifecycle: SessionLifecycle::Claimed(Claim { holder, expires_at }),
        ..pending_session(
            id,
            now() - Duration::hours(2) + Duration::minutes(i64::from(id)),
        )
    }
}

fn queue() -> Arc<FakeSessions> {
    Arc::new(FakeSessions::with(vec![
        pending_session(1, now() - Duration::hours(3)),
        claimed(2, INSTRUCTOR, now() + Duration::minutes(20)),
        claimed(3, OTHER_INSTRUCTOR, now() + Duration::minutes(20)),
        // Lapsed at the service's instant: claimable by anyone again.
        claimed(4, OTHER_INSTRUCTOR, now()),
    ]))
}

#[tokio::test]
async fn the_dashboard_says_for_each_row_what_the_viewer_may_do_as_of_its_clock() {
    let service = Mocks::at(now()).service_over(queue(), Policy::default());
    let dashboard = service
        .dashboard(
            Actor::instructor(INSTRUCTOR),
            SessionQuery::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(dashboard.as_of, now());
    assert_eq!(dashboard.actions.len(), dashboard.page.items.len());
    let verdicts: Vec<(i32, bool, bool, bool)> = dashboard
        .rows()
        .map(|(entry, actions)| {
            (
                entry.session.id.get(),
                actions.claim,
                actions.held_by_viewer,
                actions.complete,
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            (1, true, false, true),
            (2, false, true, true),
            (3, false, false, false),
            (4, true, false, true),
        ]
    );
}

#[tokio::test]
async fn a_sessions_detail_offers_only_what_the_workflow_would_accept() {
    let detail_for = |id: i32| async move {
        let mocks = Mocks::at(now())
            .with_submission(submission(STUDENT, None))
            .with_progress(progress(1, 1, 1));
        let mut mocks = mocks;
        mocks
            .digi_trainer
            .expect_sessions_with_messages()
            .return_const(Ok(Vec::new()));
        mocks
            .service_over(queue(), Policy::default())
            .session_detail(Actor::instructor(INSTRUCTOR), ScheduledSessionId(id))
            .await
            .unwrap()
    };
    let held_by_other = detail_for(3).await;
    assert_eq!(held_by_other.as_of, now());
    assert_eq!(held_by_other.actions.state, SessionState::Claimed);
    assert!(!held_by_other.actions.complete, "no completion form");
    assert_eq!(
        held_by_other.actions.held_by_other(),
        Some((OTHER_INSTRUCTOR, now() + Duration::minutes(20)))
    );
    let mine = detail_for(2).await;
    assert!(mine.actions.held_by_viewer && mine.actions.complete && !mine.actions.claim);
    let lapsed = detail_for(4).await;
    assert_eq!(lapsed.actions.state, SessionState::Pending);
    assert!(lapsed.actions.claim && lapsed.actions.complete);
}

#[tokio::test]
async fn lists_and_timelines_are_as_of_the_services_clock() {
    let service = Mocks::at(now()).service_over(queue(), Policy::default());
    let listing = service
        .list_sessions(
            Actor::instructor(INSTRUCTOR),
            SessionQuery {
                status: StatusFilter::Pending,
                ..SessionQuery::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(listing.as_of, now());
    // The lapsed claim is pending as of the service's clock, not the wall clock's.
    let ids: Vec<i32> = listing
        .page
        .items
        .iter()
        .map(|e| e.session.id.get())
        .collect();
    assert_eq!(ids, [1, 4]);
    let timeline = service
        .timeline(Actor::instructor(INSTRUCTOR), ScheduledSessionId(4))
        .await
        .unwrap();
    assert_eq!(timeline.as_of, now());
    assert_eq!(service.now(), now());
}

#[tokio::test]
async fn the_trusted_embedder_reads_what_instructors_read_and_students_do_not() {
    let service = Mocks::at(now()).service_over(queue(), Policy::default());
    let listing = service
        .list_sessions(
            Reader::TrustedEmbedder,
            SessionQuery {
                status: StatusFilter::Open,
                ..SessionQuery::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(listing.total, 4);
    assert!(service
        .timeline(Reader::TrustedEmbedder, ScheduledSessionId(1))
        .await
        .is_ok());
    assert!(service
        .history(
            Reader::TrustedEmbedder,
            SessionQuery::default(),
            PageRequest::default()
        )
        .await
        .is_ok());
    let student = Actor::student(STUDENT);
    assert_eq!(
        service
            .list_sessions(student, SessionQuery::default(), PageRequest::default())
            .await,
        Err(QueryError::Forbidden(Resource::ScheduledSession))
    );
    assert_eq!(
        service.timeline(student, ScheduledSessionId(1)).await,
        Err(QueryError::Forbidden(Resource::ScheduledSession))
    );
}
