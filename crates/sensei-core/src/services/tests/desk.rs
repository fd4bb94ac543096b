//! The desk: presence is written at most once a minute per instructor (never for students),
//! the on-duty list asks the store for the last five minutes, and a challenge choice is
//! checked against the challenges that exist before it is saved.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use mockall::predicate::eq;

use super::*;
use crate::domain::{Actor, ChallengeChoice, OnDuty};
use crate::error::{DeskError, RepositoryError};
use crate::ports::{Clock, MockDeskStore};
use crate::services::{Desk, ON_DUTY_HOLDINGS};

/// A clock the test moves.
#[derive(Default)]
struct StepClock(Mutex<Duration>);

impl StepClock {
    fn advance(&self, by: Duration) {
        let mut offset = self.0.lock().unwrap();
        *offset += by;
    }
}

impl Clock for StepClock {
    fn now(&self) -> DateTime<Utc> {
        now() + *self.0.lock().unwrap()
    }
}

fn desk(store: MockDeskStore) -> (Desk, Arc<StepClock>) {
    let clock = Arc::new(StepClock::default());
    (Desk::new(Arc::new(store), clock.clone()), clock)
}

#[tokio::test]
async fn presence_is_written_once_a_minute_per_instructor() {
    let mut store = MockDeskStore::new();
    store
        .expect_record_presence()
        .with(eq(INSTRUCTOR), eq(now()))
        .times(1)
        .returning(|_, _| Ok(()));
    store
        .expect_record_presence()
        .with(eq(INSTRUCTOR), eq(now() + Duration::seconds(60)))
        .times(1)
        .returning(|_, _| Ok(()));
    let (desk, clock) = desk(store);
    let actor = Actor::instructor(INSTRUCTOR);
    assert!(desk.touch(actor).await.unwrap());
    clock.advance(Duration::seconds(59));
    assert!(!desk.touch(actor).await.unwrap(), "59 s later: no write");
    clock.advance(Duration::seconds(1));
    assert!(desk.touch(actor).await.unwrap(), "60 s later: a write");
}

#[tokio::test]
async fn each_instructor_has_their_own_minute_and_clones_share_the_memo() {
    let mut store = MockDeskStore::new();
    store
        .expect_record_presence()
        .times(2)
        .returning(|_, _| Ok(()));
    let (desk, _clock) = desk(store);
    let copy = desk.clone();
    assert!(desk.touch(Actor::instructor(INSTRUCTOR)).await.unwrap());
    assert!(!copy.touch(Actor::instructor(INSTRUCTOR)).await.unwrap());
    assert!(copy.touch(Actor::instructor(UserId(2))).await.unwrap());
}

#[tokio::test]
async fn students_are_never_on_duty() {
    let mut store = MockDeskStore::new();
    store.expect_record_presence().never();
    store.expect_on_duty().never();
    let (desk, _clock) = desk(store);
    assert!(!desk.touch(Actor::student(STUDENT)).await.unwrap());
    assert_eq!(
        desk.on_duty(Actor::student(STUDENT)).await,
        Err(DeskError::Forbidden)
    );
    assert_eq!(
        desk.my_challenges(Actor::student(STUDENT)).await,
        Ok(vec![])
    );
}

#[tokio::test]
async fn a_failed_write_is_reported_and_not_retried_within_the_minute() {
    let mut store = MockDeskStore::new();
    store
        .expect_record_presence()
        .times(1)
        .returning(|_, _| Err(RepositoryError::Unavailable("down".to_owned())));
    let (desk, _clock) = desk(store);
    let actor = Actor::instructor(INSTRUCTOR);
    assert!(matches!(
        desk.touch(actor).await,
        Err(DeskError::Repository(RepositoryError::Unavailable(_)))
    ));
    assert!(!desk.touch(actor).await.unwrap());
}

#[tokio::test]
async fn the_on_duty_list_covers_the_last_five_minutes() {
    let mut store = MockDeskStore::new();
    let fresh = OnDuty {
        user_id: INSTRUCTOR,
        email: "sensei@example.com".to_owned(),
        last_seen: now() - Duration::minutes(5),
        holds: vec![],
    };
    let stale = OnDuty {
        last_seen: now() - Duration::minutes(5) - Duration::seconds(1),
        ..fresh.clone()
    };
    let listed = vec![fresh.clone(), stale];
    store
        .expect_on_duty()
        .with(
            eq(now() - Duration::minutes(5)),
            eq(now()),
            eq(ON_DUTY_HOLDINGS),
        )
        .times(1)
        .returning(move |_, _, _| Ok(listed.clone()));
    let (desk, _clock) = desk(store);
    assert_eq!(
        desk.on_duty(Actor::instructor(INSTRUCTOR)).await,
        Ok(vec![fresh])
    );
}

fn offered() -> Vec<ChallengeChoice> {
    [3, 4]
        .into_iter()
        .map(|id| ChallengeChoice {
            id: ChallengeId(id),
            name: format!("Challenge {id}"),
            chosen: false,
        })
        .collect()
}

#[tokio::test]
async fn a_choice_of_existing_challenges_is_saved_sorted() {
    let mut store = MockDeskStore::new();
    store
        .expect_challenge_choices()
        .returning(|_, _| Ok(offered()));
    store
        .expect_choose_challenges()
        .with(eq(INSTRUCTOR), eq(vec![ChallengeId(3), ChallengeId(4)]))
        .times(1)
        .returning(|_, _| Ok(()));
    let (desk, _clock) = desk(store);
    let chosen = desk
        .choose_challenges(
            Actor::instructor(INSTRUCTOR),
            &[ChallengeId(4), ChallengeId(3)],
        )
        .await;
    assert_eq!(chosen, Ok(vec![ChallengeId(3), ChallengeId(4)]));
}

#[tokio::test]
async fn a_choice_naming_an_unknown_challenge_saves_nothing() {
    let mut store = MockDeskStore::new();
    store
        .expect_challenge_choices()
        .returning(|_, _| Ok(offered()));
    store.expect_choose_challenges().never();
    let (desk, _clock) = desk(store);
    let refused = desk
        .choose_challenges(Actor::instructor(INSTRUCTOR), &[ChallengeId(99)])
        .await
        .unwrap_err();
    assert_eq!(refused, DeskError::UnknownChallenge(ChallengeId(99)));
    assert_eq!(
        refused.to_string(),
        "challenge 99 does not exist: reload the page and choose from the listed challenges"
    );
}

#[tokio::test]
async fn students_cannot_choose_challenges() {
    let mut store = MockDeskStore::new();
    store.expect_challenge_choices().never();
    store.expect_choose_challenges().never();
    let (desk, _clock) = desk(store);
    assert_eq!(
        desk.choose_challenges(Actor::student(STUDENT), &[]).await,
        Err(DeskError::Forbidden)
    );
}
