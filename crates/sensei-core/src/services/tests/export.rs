//! The export: instructors only, every page in keyset order, claims judged at one instant.

use chrono::Duration;

use super::*;
use crate::domain::{
    Actor, EligibilityReason, ListOrder, Page, SessionCursor, SessionQuery, StatusFilter,
    MAX_PAGE_SIZE,
};
use crate::error::{QueryError, Resource};

#[tokio::test]
async fn a_student_may_not_export_and_nothing_is_read() {
    // No expectations: any call to a port would fail the test.
    let service = Mocks::default().service();
    let refused = service
        .export(Actor::student(STUDENT), SessionQuery::default())
        .err();
    assert_eq!(
        refused,
        Some(QueryError::Forbidden(Resource::ScheduledSession))
    );
}

#[tokio::test]
async fn an_export_reads_every_page_after_the_last_cursor_with_the_filters_and_one_instant() {
    let mut mocks = Mocks::at(now());
    let first = entry_of(pending_session(1, now() - Duration::hours(3)));
    let second = entry_of(pending_session(2, now() - Duration::hours(2)));
    let cursor = SessionCursor {
        scheduled_at: first.session.scheduled_at,
        id: first.session.id,
    };
    let first_page = Page {
        items: vec![first.clone()],
        next: Some(cursor),
    };
    let second_page = Page {
        items: vec![second.clone()],
        next: None,
    };
    let mut sequence = mockall::Sequence::new();
    mocks
        .sessions
        .expect_list()
        .withf(|query, page| {
            query.status == StatusFilter::All
                && query.reason == Some(EligibilityReason::NeedsWorkFeedback)
                && query.as_of == Some(now())
                && query.order == ListOrder::OldestFirst
                && page.after.is_none()
                && page.size.get() == MAX_PAGE_SIZE
        })
        .times(1)
        .in_sequence(&mut sequence)
        .return_once(move |_, _| Ok(first_page));
    mocks
        .sessions
        .expect_list()
        .withf(move |query, page| query.as_of == Some(now()) && page.after == Some(cursor))
        .times(1)
        .in_sequence(&mut sequence)
        .return_once(move |_, _| Ok(second_page));
    let service = mocks.service();
    let filters = SessionQuery {
        status: StatusFilter::All,
        reason: Some(EligibilityReason::NeedsWorkFeedback),
        // The caller's order and instant are replaced by the export's own.
        order: ListOrder::NewestFirst,
        as_of: Some(now() - Duration::days(1)),
        ..SessionQuery::default()
    };
    let mut export = service
        .export(Actor::instructor(INSTRUCTOR), filters)
        .unwrap();
    assert_eq!(export.as_of(), now());
    assert_eq!(export.next_page().await.unwrap(), Some(vec![first]));
    assert_eq!(export.next_page().await.unwrap(), Some(vec![second]));
    // The last page said there is no next one: no further read.
    assert_eq!(export.next_page().await.unwrap(), None);
    assert_eq!(export.next_page().await.unwrap(), None);
}

#[tokio::test]
async fn an_export_of_nothing_ends_after_one_empty_read() {
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_list().times(1).returning(|_, _| {
        Ok(Page {
            items: Vec::new(),
            next: None,
        })
    });
    let service = mocks.service();
    let mut export = service
        .export(Actor::instructor(INSTRUCTOR), SessionQuery::default())
        .unwrap();
    assert_eq!(export.next_page().await.unwrap(), None);
    assert_eq!(export.next_page().await.unwrap(), None);
}

#[tokio::test]
async fn a_store_failure_during_an_export_is_reported_as_such() {
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_list().times(1).returning(|_, _| {
        Err(crate::error::RepositoryError::Unavailable(
            "locked".to_owned(),
        ))
    });
    let service = mocks.service();
    let mut export = service
        .export(Actor::instructor(INSTRUCTOR), SessionQuery::default())
        .unwrap();
    assert_eq!(
        export.next_page().await,
        Err(QueryError::Repository(
            crate::error::RepositoryError::Unavailable("locked".to_owned())
        ))
    );
}
