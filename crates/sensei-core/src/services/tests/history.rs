//! History, a student's own sessions and the timeline, over mocks: exactly which query each
//! reads (the states the history shows, the student's own rows, the order, the instant claims
//! are judged at) and what a student is shown of each session.

use std::sync::Arc;

use chrono::Duration;

use super::*;
use crate::domain::{
    Actor, CancelReason, Cancellation, Claim, Completion, ListOrder, Meeting, MeetingLink, Notes,
    Page, PageRequest, SessionCursor, SessionQuery, SessionState, StatusFilter, StoredMeeting,
};
use crate::error::{QueryError, RepositoryError, Resource};
use crate::ports::MockMeetingStore;

const OTHER_INSTRUCTOR: UserId = UserId(2);

fn cursor() -> SessionCursor {
    SessionCursor {
        scheduled_at: now() - Duration::days(1),
        id: ScheduledSessionId(9),
    }
}

/// The instructor's filters with `status`, and the other filters set so that the history can
/// be seen to keep them.
fn filters(status: StatusFilter) -> SessionQuery {
    SessionQuery {
        status,
        challenge_id: Some(CHALLENGE),
        student: Some(STUDENT),
        completed_by: Some(INSTRUCTOR),
        // Asked oldest first and at another instant: the history reads newest first, now.
        order: ListOrder::OldestFirst,
        as_of: Some(now() - Duration::days(30)),
        ..SessionQuery::default()
    }
}

/// Mocks expecting the history to count and list exactly `expected`.
fn expecting_history(expected: SessionQuery) -> Mocks {
    let mut mocks = Mocks::at(now());
    let counted = expected.clone();
    mocks
        .sessions
        .expect_count()
        .withf(move |query| *query == counted)
        .times(1)
        .returning(|_| Ok(2));
    mocks
        .sessions
        .expect_list()
        .withf(move |query, page| *query == expected && page.after == Some(cursor()))
        .times(1)
        .returning(|_, _| {
            Ok(Page {
                items: vec![entry_of(pending_session(1, now()))],
                next: Some(cursor()),
            })
        });
    mocks
}

#[tokio::test]
async fn the_history_shows_the_closed_state_asked_for_and_both_for_any_other_filter() {
    let cases = [
        (StatusFilter::Completed, StatusFilter::Completed),
        (StatusFilter::Cancelled, StatusFilter::Cancelled),
        (StatusFilter::Closed, StatusFilter::Closed),
        (StatusFilter::Open, StatusFilter::Closed),
        (StatusFilter::Pending, StatusFilter::Closed),
        (StatusFilter::Claimed, StatusFilter::Closed),
        (StatusFilter::All, StatusFilter::Closed),
    ];
    for (asked, read) in cases {
        let expected = SessionQuery {
            status: read,
            order: ListOrder::NewestFirst,
            as_of: Some(now()),
            ..filters(asked)
        };
        let listing = expecting_history(expected)
            .service()
            .history(
                Actor::instructor(INSTRUCTOR),
                filters(asked),
                PageRequest {
                    after: Some(cursor()),
                    ..PageRequest::default()
                },
            )
            .await
            .unwrap_or_else(|error| panic!("{asked:?}: {error}"));
        assert_eq!(listing.total, 2, "{asked:?}");
        assert_eq!(listing.as_of, now(), "{asked:?}");
        assert_eq!(listing.page.items.len(), 1, "{asked:?}");
        assert_eq!(listing.page.next, Some(cursor()), "{asked:?}");
    }
}

#[tokio::test]
async fn students_see_neither_the_history_nor_a_timeline() {
    // No expectations: a read would fail the test.
    let service = Mocks::default().service();
    let student = Actor::student(STUDENT);
    assert_eq!(
        service
            .history(
                student,
                filters(StatusFilter::Closed),
                PageRequest::default()
            )
            .await,
        Err(QueryError::Forbidden(Resource::ScheduledSession))
    );
    assert_eq!(
        service.timeline(student, ScheduledSessionId(1)).await,
        Err(QueryError::Forbidden(Resource::ScheduledSession))
    );
}

#[tokio::test]
async fn the_timeline_of_an_unknown_session_is_not_found_and_a_known_one_has_its_events() {
    let mut mocks = Mocks::at(now());
    mocks
        .sessions
        .expect_get()
        .returning(|id| Ok((id.get() == 1).then(|| entry_of(pending_session(1, now())))));
    mocks
        .sessions
        .expect_events()
        .withf(|id, limit| id.get() == 1 && *limit == crate::services::TIMELINE_EVENTS)
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let service = mocks.service();
    let instructor = Actor::instructor(INSTRUCTOR);
    assert_eq!(
        service.timeline(instructor, ScheduledSessionId(5)).await,
        Err(QueryError::NotFound {
            resource: Resource::ScheduledSession,
            id: 5
        })
    );
    let timeline = service
        .timeline(instructor, ScheduledSessionId(1))
        .await
        .unwrap();
    assert_eq!(timeline.entry.session.id, ScheduledSessionId(1));
    assert_eq!(timeline.as_of, now());
    assert!(timeline.events.is_empty());
}

fn session_with(id: i32, lifecycle: SessionLifecycle) -> ScheduledSession {
    ScheduledSession {
        lifecycle,
        ..pending_session(id, now() - Duration::hours(i64::from(id)))
    }
}

fn claimed_by(holder: UserId, expires_at: chrono::DateTime<Utc>) -> SessionLifecycle {
    SessionLifecycle::Claimed(Claim { holder, expires_at })
}

fn meeting(link: &str) -> Meeting {
    Meeting {
        link: Some(MeetingLink::from_stored(link)),
        at: None,
    }
}

/// A student's own sessions in every state: completed with both notes, cancelled with a
/// reason, held by each instructor, and one whose claim lapsed.
fn my_rows() -> Vec<ScheduledSession> {
    vec![
        session_with(
            1,
            SessionLifecycle::Completed(Completion {
                completed_at: now() - Duration::minutes(10),
                completed_by: Some(INSTRUCTOR),
                notes: Notes::parse("private: rushed the tests").unwrap(),
                student_notes: Notes::parse("keep going").unwrap(),
            }),
        ),
        session_with(
            2,
            SessionLifecycle::Cancelled(Cancellation {
                cancelled_at: now() - Duration::minutes(20),
                reason: CancelReason::from_stored("sorted it out".to_owned()),
            }),
        ),
        session_with(3, claimed_by(INSTRUCTOR, now() + Duration::minutes(5))),
        session_with(
            4,
            claimed_by(OTHER_INSTRUCTOR, now() + Duration::minutes(5)),
        ),
        // Lapsed exactly now: pending again, its holder's details no longer shown.
        session_with(5, claimed_by(INSTRUCTOR, now())),
    ]
}

#[tokio::test]
async fn a_student_reads_their_own_sessions_newest_first_with_only_the_notes_meant_for_them() {
    let mut mocks = Mocks::at(now());
    mocks
        .sessions
        .expect_list()
        .withf(|query, page| {
            *query
                == SessionQuery {
                    status: StatusFilter::All,
                    student: Some(STUDENT),
                    order: ListOrder::NewestFirst,
                    as_of: Some(now()),
                    ..SessionQuery::default()
                }
                && page.after == Some(cursor())
        })
        .times(1)
        .returning(|_, _| {
            Ok(Page {
                items: my_rows().into_iter().map(entry_of).collect(),
                next: Some(cursor()),
            })
        });
    // Only the pending session (5, its claim lapsed) is counted for its place in line.
    mocks
        .sessions
        .expect_count()
        .withf(|query| {
            *query
                == SessionQuery {
                    status: StatusFilter::Pending,
                    scheduled_before: Some(now() - Duration::hours(5)),
                    as_of: Some(now()),
                    ..SessionQuery::default()
                }
        })
        .times(1)
        .returning(|_| Ok(2));
    let mut meetings = MockMeetingStore::new();
    meetings
        .expect_meetings()
        // Only the sessions under a live claim are looked up.
        .withf(|ids| *ids == [ScheduledSessionId(3), ScheduledSessionId(4)])
        .times(1)
        .returning(|_| {
            Ok(vec![
                StoredMeeting {
                    session_id: ScheduledSessionId(3),
                    instructor: INSTRUCTOR,
                    meeting: meeting("https://meet.example.com/three"),
                },
                StoredMeeting {
                    session_id: ScheduledSessionId(4),
                    instructor: OTHER_INSTRUCTOR,
                    meeting: meeting("https://meet.example.com/four"),
                },
                // Details an instructor gave before another took the session over.
                StoredMeeting {
                    session_id: ScheduledSessionId(4),
                    instructor: INSTRUCTOR,
                    meeting: meeting("https://meet.example.com/stale"),
                },
            ])
        });

    let mine = mocks
        .service()
        .with_meetings(Arc::new(meetings))
        .my_sessions(
            Actor::student(STUDENT),
            PageRequest {
                after: Some(cursor()),
                ..PageRequest::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(mine.as_of, now());
    let page = mine.page;
    assert_eq!(page.next, Some(cursor()));
    let states: Vec<_> = page.items.iter().map(|item| item.state).collect();
    assert_eq!(
        states,
        [
            SessionState::Completed,
            SessionState::Cancelled,
            SessionState::Claimed,
            SessionState::Claimed,
            SessionState::Pending,
        ]
    );
    let done = &page.items[0];
    assert_eq!(done.challenge_name, "Linked lists");
    assert_eq!(done.submission_id, SUBMISSION);
    assert_eq!(done.completed_at, Some(now() - Duration::minutes(10)));
    assert_eq!(
        done.student_notes.as_ref().map(Notes::as_str),
        Some("keep going")
    );
    assert!(
        !format!("{done:?}").contains("rushed"),
        "the private notes never reach the student"
    );
    assert_eq!(
        (done.cancelled_at.as_ref(), done.cancel_reason.as_ref()),
        (None, None)
    );
    let cancelled = &page.items[1];
    assert_eq!(cancelled.cancelled_at, Some(now() - Duration::minutes(20)));
    assert_eq!(
        cancelled.cancel_reason.as_ref().map(CancelReason::as_str),
        Some("sorted it out")
    );
    assert_eq!(cancelled.completed_at, None);
    let links: Vec<Option<&str>> = page
        .items
        .iter()
        .map(|item| {
            item.meeting
                .as_ref()
                .and_then(|meeting| meeting.link.as_ref())
                .map(MeetingLink::as_str)
        })
        .collect();
    assert_eq!(
        links,
        [
            None,
            None,
            Some("https://meet.example.com/three"),
            Some("https://meet.example.com/four"),
            None,
        ]
    );
    // Closed sessions have no place; held ones are with an instructor; the lapsed one waits
    // behind the two pending sessions booked before it (no history: no estimate yet).
    let places: Vec<_> = page.items.iter().map(|item| item.place.clone()).collect();
    assert_eq!(
        places,
        [
            None,
            None,
            Some(crate::domain::QueuePlace::WithInstructor),
            Some(crate::domain::QueuePlace::WithInstructor),
            Some(crate::domain::QueuePlace::Waiting {
                position: 3,
                estimate: crate::domain::WaitEstimate::NotYet,
            }),
        ]
    );
}

#[tokio::test]
async fn a_student_without_held_sessions_costs_no_meeting_read_and_a_failing_one_is_reported() {
    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_list().times(1).returning(|_, _| {
        Ok(Page {
            items: vec![entry_of(pending_session(1, now()))],
            next: None,
        })
    });
    mocks.sessions.expect_count().times(1).returning(|_| Ok(0));
    let mut meetings = MockMeetingStore::new();
    meetings.expect_meetings().never();
    let page = mocks
        .service()
        .with_meetings(Arc::new(meetings))
        .my_sessions(Actor::student(STUDENT), PageRequest::default())
        .await
        .unwrap()
        .page;
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].meeting, None);

    let mut mocks = Mocks::at(now());
    mocks.sessions.expect_list().times(1).returning(|_, _| {
        Ok(Page {
            items: vec![entry_of(session_with(
                3,
                claimed_by(INSTRUCTOR, now() + Duration::minutes(5)),
            ))],
            next: None,
        })
    });
    let mut meetings = MockMeetingStore::new();
    meetings
        .expect_meetings()
        .times(1)
        .returning(|_| Err(RepositoryError::Unavailable("down".into())));
    assert_eq!(
        mocks
            .service()
            .with_meetings(Arc::new(meetings))
            .my_sessions(Actor::student(STUDENT), PageRequest::default())
            .await,
        Err(QueryError::Repository(RepositoryError::Unavailable(
            "down".into()
        )))
    );
}

#[tokio::test]
async fn only_students_have_sessions_of_their_own() {
    let service = Mocks::default().service();
    for actor in [
        Actor::instructor(INSTRUCTOR),
        Actor {
            user_id: INSTRUCTOR,
            role: crate::domain::Role::Admin,
        },
    ] {
        assert_eq!(
            service.my_sessions(actor, PageRequest::default()).await,
            Err(QueryError::Forbidden(Resource::ScheduledSession))
        );
    }
}
