//! The live stream meets the instructor's desk: an instructor's stream defaults to the
//! challenges they chose ("my challenges"), `all=1` shows every one, and a stream counts as
//! being on duty.

use sensei_core::ports::DeskStore;
use sensei_http::demo::{ALICE, BOB, INSTRUCTOR};

use crate::live_stream::{alices_extra_submissions, Served, SseReader, PATIENCE};

#[tokio::test]
async fn an_instructors_stream_defaults_to_their_challenges_and_all_shows_every_one() {
    let served = Served::start().await;
    let (challenge, extra) = alices_extra_submissions(&served, 1).await;
    let instructor = served.app.user_id(INSTRUCTOR).await;
    served
        .app
        .database
        .desk()
        .choose_challenges(instructor, vec![challenge])
        .await
        .unwrap();
    let cookie = served.app.sign_in_through_api(INSTRUCTOR).await;
    let mut mine = SseReader::new(served.open(&cookie, "", None).await);
    let mut all = SseReader::new(served.open(&cookie, "?all=1", None).await);

    let bob = served.book(BOB).await;
    let alice = served.book_submission(ALICE, extra[0]).await;

    let first = mine.next_event(PATIENCE).await.unwrap();
    assert_eq!(
        first.json()["session_id"],
        alice,
        "bob's challenge is not one of the instructor's"
    );
    assert_eq!(first.json()["challenge_id"], challenge.get());
    assert_eq!(
        all.next_event(PATIENCE).await.unwrap().json()["session_id"],
        bob
    );
    assert_eq!(
        all.next_event(PATIENCE).await.unwrap().json()["session_id"],
        alice
    );

    // Watching the queue is being on duty.
    let now = chrono::Utc::now();
    let on_duty = served
        .app
        .database
        .desk()
        .on_duty(now - chrono::Duration::minutes(5), now, 50)
        .await
        .unwrap();
    assert!(
        on_duty.iter().any(|entry| entry.user_id == instructor),
        "{on_duty:?}"
    );
}
