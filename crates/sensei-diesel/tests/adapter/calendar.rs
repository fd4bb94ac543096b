//! The calendar feeds store on SQLite and PostgreSQL: one feed per instructor, a new digest
//! replaces the old at once, lookups by digest, refusals as rejected input.

use chrono::Duration;
use sensei_core::ports::CalendarFeedRepository;
use sensei_core::{Actor, FeedToken, RepositoryError, Role, UserId, FEED_TOKEN_BYTES};

use crate::common::{at, fixture, TestDb};

fn token(byte: u8) -> FeedToken {
    FeedToken::from_random([byte; FEED_TOKEN_BYTES])
}

async fn a_new_digest_replaces_the_instructors_old_one(t: TestDb) {
    let f = fixture(&t.db).await;
    let feeds = t.db.calendar_feeds();
    let now = at(2026, 11, 28, 10, 0, 0);
    let first = token(1);
    let second = token(2);
    assert_eq!(feeds.owner_of(&first.hash()).await.unwrap(), None);

    feeds
        .replace(f.instructor, first.hash(), now)
        .await
        .unwrap();
    assert_eq!(
        feeds.owner_of(&first.hash()).await.unwrap(),
        Some(Actor::instructor(f.instructor))
    );

    feeds
        .replace(f.instructor, second.hash(), now + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(feeds.owner_of(&first.hash()).await.unwrap(), None);
    assert_eq!(
        feeds.owner_of(&second.hash()).await.unwrap(),
        Some(Actor::instructor(f.instructor))
    );
    assert_eq!(t.count_sql("SELECT COUNT(*) AS n FROM calendar_feeds"), 1);
    // Only the digest is kept, never the secret.
    let stored = format!(
        "SELECT COUNT(*) AS n FROM calendar_feeds WHERE token_hash = '{}'",
        second.hash().as_str()
    );
    assert_eq!(t.count_sql(&stored), 1);
    let secret = format!(
        "SELECT COUNT(*) AS n FROM calendar_feeds WHERE token_hash = '{}'",
        second.as_str()
    );
    assert_eq!(t.count_sql(&secret), 0);
}

async fn each_instructor_has_a_feed_of_their_own(t: TestDb) {
    let f = fixture(&t.db).await;
    let other =
        t.db.accounts()
            .create("kai@example.com", Role::Instructor, "hash-k")
            .await
            .unwrap();
    let feeds = t.db.calendar_feeds();
    let now = at(2026, 11, 28, 10, 0, 0);
    feeds
        .replace(f.instructor, token(3).hash(), now)
        .await
        .unwrap();
    feeds.replace(other, token(4).hash(), now).await.unwrap();
    assert_eq!(
        feeds.owner_of(&token(3).hash()).await.unwrap(),
        Some(Actor::instructor(f.instructor))
    );
    assert_eq!(
        feeds.owner_of(&token(4).hash()).await.unwrap(),
        Some(Actor::instructor(other))
    );
    // A digest already in use by someone else is refused, and theirs keeps working.
    let taken = feeds.replace(f.instructor, token(4).hash(), now).await;
    assert!(
        matches!(taken, Err(RepositoryError::Rejected(_))),
        "{taken:?}"
    );
    assert_eq!(
        feeds.owner_of(&token(3).hash()).await.unwrap(),
        Some(Actor::instructor(f.instructor))
    );
    assert_eq!(
        feeds.owner_of(&token(4).hash()).await.unwrap(),
        Some(Actor::instructor(other))
    );
}

async fn a_feed_for_an_unknown_user_is_rejected_input(t: TestDb) {
    let feeds = t.db.calendar_feeds();
    let refused = feeds
        .replace(UserId(5_000), token(5).hash(), at(2026, 11, 28, 10, 0, 0))
        .await;
    assert!(
        matches!(refused, Err(RepositoryError::Rejected(_))),
        "{refused:?}"
    );
    assert_eq!(t.count_sql("SELECT COUNT(*) AS n FROM calendar_feeds"), 0);
}

async fn the_owner_comes_with_the_role_they_have_now(t: TestDb) {
    let f = fixture(&t.db).await;
    let feeds = t.db.calendar_feeds();
    feeds
        .replace(f.instructor, token(6).hash(), at(2026, 11, 28, 10, 0, 0))
        .await
        .unwrap();
    t.execute_sql(&format!(
        "UPDATE users SET role = 'student' WHERE id = {}",
        f.instructor.get()
    ));
    assert_eq!(
        feeds.owner_of(&token(6).hash()).await.unwrap(),
        Some(Actor {
            user_id: f.instructor,
            role: Role::Student
        })
    );
}

crate::both_backends!(
    the_owner_comes_with_the_role_they_have_now,
    a_new_digest_replaces_the_instructors_old_one,
    each_instructor_has_a_feed_of_their_own,
    a_feed_for_an_unknown_user_is_rejected_input,
);
