//! Calendar feeds: instructors only, a new link replaces the old, the feed lists exactly the
//! holder's live claims with the span of each hold.

use std::sync::Arc;

use chrono::Duration;

use super::*;
use crate::domain::{
    Actor, CalendarFeed, Claim, FeedToken, FeedTokenHash, ListOrder, Page, SessionQuery,
    StatusFilter, FEED_TOKEN_BYTES,
};
use crate::error::{CalendarError, RepositoryError};
use crate::ports::{MockCalendarFeedRepository, MockRandomSource};
use crate::services::CalendarFeeds;

const OTHER_INSTRUCTOR: UserId = UserId(2);

/// The feeds over these mocks, with the default policy (30-minute claims).
fn feeds_over(
    feeds: MockCalendarFeedRepository,
    sessions: MockScheduledSessionRepository,
    random: MockRandomSource,
) -> CalendarFeeds {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(now());
    CalendarFeeds::new(
        Arc::new(feeds),
        Arc::new(sessions),
        Arc::new(random),
        Arc::new(clock),
        &Policy::default(),
    )
}

fn random_returning(bytes: [u8; FEED_TOKEN_BYTES]) -> MockRandomSource {
    let mut random = MockRandomSource::new();
    random.expect_feed_secret().returning(move || Ok(bytes));
    random
}

fn claimed_by(id: i32, holder: UserId, expires_at: chrono::DateTime<Utc>) -> ScheduledSession {
    ScheduledSession {
        lifecycle: SessionLifecycle::Claimed(Claim { holder, expires_at }),
        ..pending_session(id, now() - Duration::hours(2))
    }
}

#[tokio::test]
async fn a_student_gets_no_feed_link_and_nothing_is_stored() {
    let feeds = feeds_over(
        MockCalendarFeedRepository::new(),
        MockScheduledSessionRepository::new(),
        MockRandomSource::new(),
    );
    assert_eq!(
        feeds.new_link(Actor::student(STUDENT)).await,
        Err(CalendarError::Forbidden)
    );
}

#[tokio::test]
async fn a_new_link_stores_only_the_digest_of_the_secret_it_returns() {
    let bytes = [0x5a_u8; FEED_TOKEN_BYTES];
    let expected = FeedToken::from_random(bytes);
    let expected_hash = expected.hash();
    let mut store = MockCalendarFeedRepository::new();
    store
        .expect_replace()
        .withf(move |instructor, hash, at| {
            *instructor == INSTRUCTOR && *hash == expected_hash && *at == now()
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let feeds = feeds_over(
        store,
        MockScheduledSessionRepository::new(),
        random_returning(bytes),
    );
    let token = feeds.new_link(Actor::instructor(INSTRUCTOR)).await.unwrap();
    assert_eq!(token, expected);
    assert_ne!(token.hash().as_str(), token.as_str());
}

#[tokio::test]
async fn without_randomness_no_link_is_made() {
    let mut random = MockRandomSource::new();
    random
        .expect_feed_secret()
        .returning(|| Err(RepositoryError::Internal("no entropy".to_owned())));
    let feeds = feeds_over(
        MockCalendarFeedRepository::new(),
        MockScheduledSessionRepository::new(),
        random,
    );
    assert_eq!(
        feeds.new_link(Actor::instructor(INSTRUCTOR)).await,
        Err(CalendarError::Repository(RepositoryError::Internal(
            "no entropy".to_owned()
        )))
    );
}

#[tokio::test]
async fn a_malformed_secret_is_unknown_without_a_lookup() {
    let feeds = feeds_over(
        MockCalendarFeedRepository::new(),
        MockScheduledSessionRepository::new(),
        MockRandomSource::new(),
    );
    for raw in ["", "abc", &"Z".repeat(64), &"0".repeat(65)] {
        assert_eq!(
            feeds.feed(raw).await,
            Err(CalendarError::UnknownFeed),
            "{raw:?}"
        );
    }
}

#[tokio::test]
async fn a_secret_no_current_feed_has_is_unknown() {
    let token = FeedToken::from_random([1_u8; FEED_TOKEN_BYTES]);
    let hash = token.hash();
    let mut store = MockCalendarFeedRepository::new();
    store
        .expect_owner_of()
        .withf(move |looked_up| *looked_up == hash)
        .times(1)
        .returning(|_| Ok(None));
    let feeds = feeds_over(
        store,
        MockScheduledSessionRepository::new(),
        MockRandomSource::new(),
    );
    assert_eq!(
        feeds.feed(token.as_str()).await,
        Err(CalendarError::UnknownFeed)
    );
}

#[tokio::test]
async fn the_feed_lists_the_holders_live_claims_with_the_span_of_each_hold() {
    let token = FeedToken::from_random([2_u8; FEED_TOKEN_BYTES]);
    let mut store = MockCalendarFeedRepository::new();
    let hash: FeedTokenHash = token.hash();
    store
        .expect_owner_of()
        .withf(move |looked_up| *looked_up == hash)
        .returning(|_| Ok(Some(Actor::instructor(INSTRUCTOR))));
    let expires_at = now() + Duration::minutes(20);
    let mine = entry_of(claimed_by(1, INSTRUCTOR, expires_at));
    // A row a faulty store might return: another holder, or an expired claim. Never listed.
    let others = entry_of(claimed_by(2, OTHER_INSTRUCTOR, expires_at));
    let expired = entry_of(claimed_by(3, INSTRUCTOR, now()));
    let page = Page {
        items: vec![mine.clone(), others, expired],
        next: None,
    };
    let mut sessions = MockScheduledSessionRepository::new();
    sessions
        .expect_list()
        .withf(|query: &SessionQuery, _| {
            query.status == StatusFilter::Claimed
                && query.claimed_by == Some(INSTRUCTOR)
                && query.as_of == Some(now())
                && query.order == ListOrder::OldestFirst
        })
        .times(1)
        .return_once(move |_, _| Ok(page));
    let feeds = feeds_over(store, sessions, MockRandomSource::new());
    let feed: CalendarFeed = feeds.feed(token.as_str()).await.unwrap();
    assert_eq!(feed.instructor, INSTRUCTOR);
    assert_eq!(feed.as_of, now());
    assert_eq!(feed.sessions.len(), 1);
    let held = &feed.sessions[0];
    assert_eq!(held.entry, mine);
    assert_eq!(held.held_until, expires_at);
    // Claimed (or renewed) 10 minutes ago under the default 30-minute claim time.
    assert_eq!(held.held_from, now() - Duration::minutes(10));
}

#[tokio::test]
async fn a_feed_follows_the_stores_pages() {
    let token = FeedToken::from_random([3_u8; FEED_TOKEN_BYTES]);
    let mut store = MockCalendarFeedRepository::new();
    store
        .expect_owner_of()
        .returning(|_| Ok(Some(Actor::instructor(INSTRUCTOR))));
    let first = entry_of(claimed_by(1, INSTRUCTOR, now() + Duration::minutes(5)));
    let second = entry_of(claimed_by(2, INSTRUCTOR, now() + Duration::minutes(6)));
    let cursor = crate::domain::SessionCursor {
        scheduled_at: first.session.scheduled_at,
        id: first.session.id,
    };
    let mut sessions = MockScheduledSessionRepository::new();
    let first_page = Page {
        items: vec![first],
        next: Some(cursor),
    };
    let second_page = Page {
        items: vec![second],
        next: None,
    };
    sessions
        .expect_list()
        .withf(|_, page| page.after.is_none())
        .times(1)
        .return_once(move |_, _| Ok(first_page));
    sessions
        .expect_list()
        .withf(move |_, page| page.after == Some(cursor))
        .times(1)
        .return_once(move |_, _| Ok(second_page));
    let feeds = feeds_over(store, sessions, MockRandomSource::new());
    let feed = feeds.feed(token.as_str()).await.unwrap();
    let ids: Vec<i32> = feed
        .sessions
        .iter()
        .map(|held| held.entry.session.id.get())
        .collect();
    assert_eq!(ids, vec![1, 2]);
}

#[tokio::test]
async fn a_feed_whose_owner_is_no_longer_an_instructor_is_unknown_without_a_read() {
    let token = FeedToken::from_random([4_u8; FEED_TOKEN_BYTES]);
    let mut store = MockCalendarFeedRepository::new();
    store
        .expect_owner_of()
        .times(1)
        .returning(|_| Ok(Some(Actor::student(INSTRUCTOR))));
    // No session is read: a mock without expectations fails the test if one is.
    let feeds = feeds_over(
        store,
        MockScheduledSessionRepository::new(),
        MockRandomSource::new(),
    );
    assert_eq!(
        feeds.feed(token.as_str()).await,
        Err(CalendarError::UnknownFeed)
    );
}

#[tokio::test]
async fn a_feed_with_a_meeting_store_shows_the_holders_meeting_details() {
    use crate::domain::{Meeting, MeetingLink, StoredMeeting};
    use crate::ports::MockMeetingStore;
    let token = FeedToken::from_random([4_u8; FEED_TOKEN_BYTES]);
    let mut store = MockCalendarFeedRepository::new();
    store
        .expect_owner_of()
        .returning(|_| Ok(Some(Actor::instructor(INSTRUCTOR))));
    let held = entry_of(claimed_by(1, INSTRUCTOR, now() + Duration::minutes(5)));
    let mut sessions = MockScheduledSessionRepository::new();
    sessions.expect_list().return_once(move |_, _| {
        Ok(Page {
            items: vec![held],
            next: None,
        })
    });
    let meeting = Meeting {
        link: Some(MeetingLink::parse("https://meet.example.org/room").unwrap()),
        at: None,
    };
    let stored = StoredMeeting {
        session_id: ScheduledSessionId(1),
        instructor: INSTRUCTOR,
        meeting: meeting.clone(),
    };
    let mut meetings = MockMeetingStore::new();
    meetings
        .expect_meetings()
        .times(1)
        .return_once(move |_| Ok(vec![stored]));
    let feeds =
        feeds_over(store, sessions, MockRandomSource::new()).with_meetings(Arc::new(meetings));
    let feed = feeds.feed(token.as_str()).await.unwrap();
    assert_eq!(feed.sessions[0].meeting, Some(meeting));
}
