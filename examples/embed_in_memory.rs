//! A platform embedding `sensei-core` with its own (in-memory) repositories.
//!
//! Walks through the feature: a student who is not eligible yet, a booking after an instructor
//! asks for more work, a repeated booking that finds the same session, the instructor
//! dashboard and detail, a completion, and a second completion that is refused.
//!
//! ```text
//! cargo run -p sensei-examples --example embed_in_memory
//! ```

use std::error::Error;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use sensei_core::services::BookingOutcome;
use sensei_core::{
    Actor, CompleteError, GoalStatus, MessageRole, PageRequest, Policy, ReviewVerdict,
    SessionListEntry, SessionQuery,
};
use sensei_examples::in_memory::{InMemoryPlatform, ManualClock};

fn describe(entry: &SessionListEntry) -> String {
    let session = &entry.session;
    format!(
        "#{} | {} | {} | {} | {} passed, {} engaged / {} total ({}%) | scheduled {}",
        session.id,
        entry.student_email,
        entry.challenge_name,
        session.reason.to_stored().unwrap_or("(not recorded)"),
        session.engagement.goals_passed,
        session.engagement.goals_engaged,
        session.engagement.total_goals,
        session.engagement.percent(),
        session.scheduled_at.format("%Y-%m-%d %H:%M UTC"),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // 1. The platform's data, in its own store.
    let start = Utc
        .with_ymd_and_hms(2026, 11, 28, 9, 0, 0)
        .single()
        .ok_or("invalid start time")?;
    let platform = InMemoryPlatform::new();
    let instructor = platform.add_user("sensei@example.com");
    let alice = platform.add_user("alice@example.com");
    let (challenge, goals) = platform.add_challenge(
        "Linked lists",
        &["Insert at head", "Reverse in place", "Detect a cycle"],
    );
    let submission = platform.add_submission(alice, challenge, start - Duration::days(1));
    if let [first, second, _] = goals[..] {
        platform.set_progress(alice, first, GoalStatus::Passed);
        platform.set_progress(alice, second, GoalStatus::Engaged);
        platform.add_agent_session(
            alice,
            challenge,
            Some(second),
            &[
                (
                    MessageRole::Student,
                    "How do I reverse the list without allocating?",
                    start - Duration::hours(5),
                ),
                (
                    MessageRole::Assistant,
                    "Walk the list once, keeping three pointers: previous, current and next. \
                     At each step point current.next at previous, then move all three one \
                     node forward. What is previous when current becomes None?",
                    start - Duration::hours(5) + Duration::minutes(1),
                ),
            ],
        );
    }

    // 2. The domain service over the platform's repositories, a clock and the policy.
    let clock = Arc::new(ManualClock::new(start));
    let service = platform.service(clock.clone(), Policy::default());
    let student = Actor::student(alice);
    let sensei = Actor::instructor(instructor);

    println!("== Alice asks for a sensei session (1 passed, 1 engaged, 1 not started; no review)");
    match service.book(student, submission).await {
        Ok(booking) => println!("unexpected booking: {booking:?}"),
        Err(refusal) => println!("refused: {refusal}"),
    }

    println!("\n== An instructor reviews the submission: needs work; Alice asks again");
    platform.add_review(
        submission,
        ReviewVerdict::NeedsWork,
        start + Duration::minutes(5),
    );
    clock.advance(Duration::minutes(10));
    let booking = service.book(student, submission).await?;
    println!(
        "booked session #{} ({:?}), reason {}",
        booking.session.id,
        booking.outcome,
        booking
            .session
            .reason
            .to_stored()
            .unwrap_or("(not recorded)")
    );

    println!("\n== 20 minutes later Alice clicks the button again");
    clock.advance(Duration::minutes(20));
    let again = service.book(student, submission).await?;
    let same = again.outcome == BookingOutcome::Duplicate && again.session.id == booking.session.id;
    println!(
        "{:?}: session #{} scheduled at {} (same session: {same})",
        again.outcome,
        again.session.id,
        again.session.scheduled_at.format("%H:%M"),
    );

    println!("\n== The instructor's dashboard");
    let dashboard = service
        .dashboard(sensei, SessionQuery::default(), PageRequest::default())
        .await?;
    println!(
        "Pending scheduled sessions: {}   Completed: {}",
        dashboard.pending_count, dashboard.completed_count
    );
    for entry in &dashboard.page.items {
        println!("  {}", describe(entry));
    }

    println!("\n== View Details");
    let detail = service.session_detail(sensei, booking.session.id).await?;
    for goal in &detail.goals {
        println!("  goal {:<18} {}", goal.title, goal.status.as_str());
    }
    for agent_session in &detail.agent_sessions {
        println!(
            "  digi-trainer session #{} on {:?} ({} messages)",
            agent_session.id,
            agent_session
                .goal_title
                .as_deref()
                .unwrap_or("the challenge"),
            agent_session.message_count
        );
        for message in &agent_session.messages {
            println!(
                "    {:?}: {}",
                message.role,
                sensei_core::services::preview(&message.content, 60)
            );
        }
    }

    println!("\n== The instructor completes the session");
    clock.advance(Duration::hours(1));
    let completed = service
        .complete(
            sensei,
            booking.session.id,
            "  Paired on the three-pointer reversal; she has it now.  ",
        )
        .await?;
    if let Some(completion) = completed.completion() {
        println!(
            "completed at {} with notes {:?}",
            completion.completed_at.format("%H:%M"),
            completion.notes.as_ref().map(|notes| notes.as_str())
        );
    }
    let dashboard = service
        .dashboard(sensei, SessionQuery::default(), PageRequest::default())
        .await?;
    println!(
        "Pending scheduled sessions: {}   Completed: {}",
        dashboard.pending_count, dashboard.completed_count
    );

    println!("\n== A second instructor tries to complete it too");
    let second_sensei = Actor::instructor(platform.add_user("miyagi@example.com"));
    match service
        .complete(second_sensei, booking.session.id, "Second notes")
        .await
    {
        Ok(session) => println!("unexpected second completion: {session:?}"),
        Err(CompleteError::AlreadyCompleted(kept)) => {
            println!("refused: {}", CompleteError::AlreadyCompleted(kept.clone()));
            if let Some(completion) = kept.completion() {
                println!(
                    "the first completion stands: {} with notes {:?}",
                    completion.completed_at.format("%H:%M"),
                    completion.notes.as_ref().map(|notes| notes.as_str())
                );
            }
        }
        Err(other) => println!("refused: {other}"),
    }
    Ok(())
}
