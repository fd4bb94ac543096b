//! The instructor's desk on both backends: presence moves only forward and lists the
//! instructors seen since an instant with the sessions each holds (one statement); a
//! challenge choice is replaced as a whole, marked on the form's list, refused for a
//! challenge that does not exist, and filters the queue (`SessionQuery::challenge_ids`).

use chrono::{Duration, Utc};
use sensei_core::ports::DeskStore;
use sensei_core::*;

use crate::common::{fixture, TestDb};
use crate::workflow::{book, service};

async fn presence_lists_instructors_seen_since_with_what_they_hold(t: TestDb) {
    let f = fixture(&t.db).await;
    let ann =
        t.db.accounts()
            .create("ann@example.com", Role::Instructor, "hash")
            .await
            .unwrap();
    let session = book(&t, f.student, f.submission).await;
    service(&t)
        .claim(Actor::instructor(f.instructor), session.id)
        .await
        .unwrap();
    let desk = t.db.desk();
    let now = Utc::now();
    desk.record_presence(f.instructor, now).await.unwrap();
    desk.record_presence(ann, now - Duration::minutes(10))
        .await
        .unwrap();
    // An earlier instant never moves presence back.
    desk.record_presence(f.instructor, now - Duration::minutes(30))
        .await
        .unwrap();

    let listed = desk
        .on_duty(now - Duration::minutes(5), now, 50)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].email, "sensei@example.com");
    assert_eq!(
        listed[0].holds,
        vec![HeldByOnDuty {
            id: session.id,
            challenge_name: "Linked lists".to_owned()
        }]
    );
    assert!((listed[0].last_seen - now).num_seconds().abs() <= 1);

    let everyone = desk
        .on_duty(now - Duration::minutes(15), now, 50)
        .await
        .unwrap();
    let emails: Vec<_> = everyone.iter().map(|seen| seen.email.as_str()).collect();
    assert_eq!(emails, ["ann@example.com", "sensei@example.com"]);
    assert!(everyone[0].holds.is_empty());

    // After the claim expires it is no longer listed as held.
    let later = now + Duration::hours(2);
    let listed = desk
        .on_duty(now - Duration::minutes(5), later, 50)
        .await
        .unwrap();
    assert!(listed[0].holds.is_empty(), "{listed:?}");

    let error = desk
        .record_presence(UserId(999_999), now)
        .await
        .unwrap_err();
    assert!(matches!(error, RepositoryError::Rejected(_)), "{error:?}");
}

crate::both_backends!(presence_lists_instructors_seen_since_with_what_they_hold);

async fn a_challenge_choice_is_replaced_and_filters_the_queue(t: TestDb) {
    let f = fixture(&t.db).await;
    let writer = t.db.platform_writer();
    let (trees, _) = writer
        .create_challenge("Trees", "Grow one", &["root"])
        .await
        .unwrap();
    let tree_submission = writer
        .create_submission(f.other, trees, Utc::now() - Duration::days(1))
        .await
        .unwrap();
    let listed_session = book(&t, f.student, f.submission).await;
    let tree_session = book(&t, f.other, tree_submission).await;
    let desk = t.db.desk();
    assert_eq!(desk.chosen_challenges(f.instructor).await.unwrap(), vec![]);

    desk.choose_challenges(f.instructor, vec![f.challenge, trees])
        .await
        .unwrap();
    desk.choose_challenges(f.instructor, vec![trees])
        .await
        .unwrap();
    assert_eq!(
        desk.chosen_challenges(f.instructor).await.unwrap(),
        vec![trees],
        "a second choice replaces the first"
    );
    let choices = desk.challenge_choices(f.instructor, 10).await.unwrap();
    let marked: Vec<_> = choices
        .iter()
        .map(|choice| (choice.name.as_str(), choice.chosen))
        .collect();
    assert_eq!(marked, [("Linked lists", false), ("Trees", true)]);
    assert_eq!(
        desk.challenge_choices(f.instructor, 1).await.unwrap().len(),
        1
    );

    let error = desk
        .choose_challenges(f.instructor, vec![ChallengeId(999_999)])
        .await
        .unwrap_err();
    assert!(matches!(error, RepositoryError::Rejected(_)), "{error:?}");
    assert_eq!(
        desk.chosen_challenges(f.instructor).await.unwrap(),
        vec![trees],
        "a refused choice changes nothing"
    );

    let ids = |challenges: Vec<ChallengeId>| {
        let service = service(&t);
        async move {
            let query = SessionQuery {
                status: StatusFilter::Open,
                challenge_ids: challenges,
                ..SessionQuery::default()
            };
            let listing = service
                .list_sessions(Reader::TrustedEmbedder, query, PageRequest::default())
                .await
                .unwrap();
            listing
                .page
                .items
                .iter()
                .map(|entry| entry.session.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(vec![trees]).await, vec![tree_session.id]);
    assert_eq!(
        ids(vec![trees, f.challenge]).await,
        vec![listed_session.id, tree_session.id]
    );
    assert_eq!(ids(vec![]).await.len(), 2, "no choice: every challenge");

    desk.choose_challenges(f.instructor, vec![]).await.unwrap();
    assert_eq!(desk.chosen_challenges(f.instructor).await.unwrap(), vec![]);
}

crate::both_backends!(a_challenge_choice_is_replaced_and_filters_the_queue);
