//! The example's in-memory repositories keep the port's contract: the dedup boundary, one
//! record under concurrent bookings, one winner of concurrent completions, keyset paging.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sensei_core::services::BookingOutcome;
use sensei_core::{
    Actor, CompleteError, GoalStatus, PageRequest, PageSize, Policy, ReviewVerdict, SessionQuery,
    SubmissionId, UserId,
};
use sensei_examples::in_memory::{InMemoryPlatform, ManualClock};

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap()
}

/// A platform with one instructor (user 1) and `students` students, each with one submission
/// reviewed `needs_work` (so every booking is eligible).
fn platform(students: usize) -> (InMemoryPlatform, Vec<(UserId, SubmissionId)>) {
    let platform = InMemoryPlatform::new();
    platform.add_user("sensei@example.com");
    let (challenge, goals) = platform.add_challenge("Sorting", &["Bubble", "Merge"]);
    let pairs = (0..students)
        .map(|index| {
            let student = platform.add_user(&format!("student{index}@example.com"));
            let submission = platform.add_submission(student, challenge, start());
            platform.add_review(submission, ReviewVerdict::NeedsWork, start());
            platform.set_progress(student, goals[0], GoalStatus::Engaged);
            (student, submission)
        })
        .collect();
    (platform, pairs)
}

#[tokio::test]
async fn a_booking_59_minutes_59_seconds_later_is_a_duplicate_and_one_60_minutes_later_is_not() {
    let (platform, pairs) = platform(1);
    let (student, submission) = pairs[0];
    let clock = Arc::new(ManualClock::new(start()));
    let service = platform.service(clock.clone(), Policy::default());

    let first = service
        .book(Actor::student(student), submission)
        .await
        .unwrap();
    clock.advance(Duration::minutes(59) + Duration::seconds(59));
    let duplicate = service
        .book(Actor::student(student), submission)
        .await
        .unwrap();
    clock.advance(Duration::seconds(1));
    let next = service
        .book(Actor::student(student), submission)
        .await
        .unwrap();

    assert_eq!(first.outcome, BookingOutcome::Created);
    assert_eq!(duplicate.outcome, BookingOutcome::Duplicate);
    assert_eq!(duplicate.session, first.session);
    assert_eq!(next.outcome, BookingOutcome::Created);
    assert_ne!(next.session.id, first.session.id);
    assert_eq!(platform.data().scheduled_sessions.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_bookings_of_the_same_submission_record_one_session() {
    let (platform, pairs) = platform(1);
    let (student, submission) = pairs[0];
    let service = platform.service(Arc::new(ManualClock::new(start())), Policy::default());

    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let service = service.clone();
            tokio::spawn(async move { service.book(Actor::student(student), submission).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        if task.await.unwrap().unwrap().outcome == BookingOutcome::Created {
            created += 1;
        }
    }

    assert_eq!(created, 1);
    assert_eq!(platform.data().scheduled_sessions.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_completions_exactly_one_wins_and_its_notes_are_kept() {
    let (platform, pairs) = platform(1);
    let (student, submission) = pairs[0];
    let service = platform.service(Arc::new(ManualClock::new(start())), Policy::default());
    let id = service
        .book(Actor::student(student), submission)
        .await
        .unwrap()
        .session
        .id;

    let tasks: Vec<_> = (0..16)
        .map(|index| {
            let service = service.clone();
            tokio::spawn(async move {
                service
                    .complete(Actor::instructor(UserId(1)), id, &format!("notes {index}"))
                    .await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(session) => winners.push(session),
            Err(CompleteError::AlreadyCompleted(_)) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }

    assert_eq!(winners.len(), 1);
    let stored = platform.data().scheduled_sessions[0].clone();
    assert_eq!(stored, winners[0]);
}

#[tokio::test]
async fn the_dashboard_pages_through_the_queue_oldest_first() {
    let (platform, pairs) = platform(5);
    let clock = Arc::new(ManualClock::new(start()));
    let service = platform.service(clock.clone(), Policy::default());
    for (student, submission) in &pairs {
        service
            .book(Actor::student(*student), *submission)
            .await
            .unwrap();
        clock.advance(Duration::minutes(1));
    }
    let instructor = Actor::instructor(UserId(1));
    let size = PageSize::new(2).unwrap();

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let dashboard = service
            .dashboard(
                instructor,
                SessionQuery::default(),
                PageRequest { size, after },
            )
            .await
            .unwrap();
        assert_eq!(dashboard.pending_count, 5);
        seen.extend(
            dashboard
                .page
                .items
                .iter()
                .map(|entry| entry.student_email.clone()),
        );
        match dashboard.page.next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }

    let expected: Vec<String> = (0..5).map(|i| format!("student{i}@example.com")).collect();
    assert_eq!(seen, expected);
}
