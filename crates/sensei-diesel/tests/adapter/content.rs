//! The platform's content through the ports: submissions, goals and progress, digi-trainer
//! sessions and anatomy conversations.

use sensei_core::*;

use crate::common::{at, fixture, TestDb};

async fn submissions_goals_and_conversations(t: TestDb) {
    let f = fixture(&t.db).await;
    let ports = t.db.ports();
    let writer = t.db.platform_writer();

    let info = ports.submissions.get(f.submission).await.unwrap().unwrap();
    assert_eq!(info.owner, f.student);
    assert_eq!(info.owner_email, "alice@example.com");
    assert_eq!(info.challenge_id, f.challenge);
    assert_eq!(info.challenge_name, "Linked lists");
    assert_eq!(info.submitted_at, at(2026, 1, 1, 9, 0, 0));
    assert_eq!(info.latest_verdict, None);
    assert_eq!(
        ports.submissions.get(SubmissionId(777_777)).await.unwrap(),
        None
    );

    // Latest review by created_at, then id: the later `needs_work` wins over an earlier
    // approval; equal times fall back to the higher id.
    writer
        .add_review(f.submission, "needs_work", at(2026, 1, 2, 9, 0, 0))
        .await
        .unwrap();
    writer
        .add_review(f.submission, "approved", at(2026, 1, 1, 12, 0, 0))
        .await
        .unwrap();
    let info = ports.submissions.get(f.submission).await.unwrap().unwrap();
    assert_eq!(info.latest_verdict, Some(ReviewVerdict::NeedsWork));
    writer
        .add_review(f.submission, "approved", at(2026, 1, 2, 9, 0, 0))
        .await
        .unwrap();
    let info = ports.submissions.get(f.submission).await.unwrap().unwrap();
    assert_eq!(info.latest_verdict, Some(ReviewVerdict::Approved));

    let second = writer
        .create_submission(f.student, f.challenge, at(2026, 1, 5, 9, 0, 0))
        .await
        .unwrap();
    let mine = ports
        .submissions
        .list_by_owner(f.student, 10)
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![second, f.submission]
    );
    assert_eq!(
        ports
            .submissions
            .list_by_owner(f.student, 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(ports
        .submissions
        .list_by_owner(f.other, 10)
        .await
        .unwrap()
        .is_empty());

    // Goal progress: every goal in order, NotStarted where nothing is recorded.
    writer
        .set_goal_progress(f.student, f.goals[0], GoalStatus::Engaged)
        .await
        .unwrap();
    writer
        .set_goal_progress(f.student, f.goals[0], GoalStatus::Passed)
        .await
        .unwrap();
    writer
        .set_goal_progress(f.student, f.goals[1], GoalStatus::Engaged)
        .await
        .unwrap();
    writer
        .set_goal_progress(f.other, f.goals[2], GoalStatus::Passed)
        .await
        .unwrap();
    let progress = ports.goals.progress(f.student, f.challenge).await.unwrap();
    assert_eq!(
        progress
            .iter()
            .map(|g| (g.goal_id, g.title.as_str(), g.status))
            .collect::<Vec<_>>(),
        vec![
            (f.goals[0], "push", GoalStatus::Passed),
            (f.goals[1], "pop", GoalStatus::Engaged),
            (f.goals[2], "iterate", GoalStatus::NotStarted),
        ]
    );
    let snapshot = EngagementSnapshot::from_progress(&progress);
    assert_eq!((snapshot.goals_passed, snapshot.goals_engaged), (1, 1));
    // The same for several challenges in one statement: each challenge's goals in order;
    // challenges without goals are absent.
    let (empty, _) = writer.create_challenge("empty", "", &[]).await.unwrap();
    let batch = ports
        .goals
        .progress_for_challenges(f.student, &[f.challenge, empty])
        .await
        .unwrap();
    assert_eq!(batch, vec![(f.challenge, progress.clone())]);
    assert!(ports
        .goals
        .progress_for_challenges(f.student, &[])
        .await
        .unwrap()
        .is_empty());

    // Digi-trainer sessions: newest first, limited, first messages oldest first.
    let older = writer
        .add_agent_session(
            f.student,
            f.challenge,
            Some(f.goals[0]),
            at(2026, 1, 3, 9, 0, 0),
            &[
                ("user", "hi"),
                ("assistant", "hello"),
                ("user", "help"),
                ("assistant", "ok"),
            ],
        )
        .await
        .unwrap();
    let newer = writer
        .add_agent_session(
            f.student,
            f.challenge,
            None,
            at(2026, 1, 4, 9, 0, 0),
            &[("user", "again")],
        )
        .await
        .unwrap();
    let _elsewhere = writer
        .add_agent_session(f.other, f.challenge, None, at(2026, 1, 4, 9, 0, 0), &[])
        .await
        .unwrap();
    let sessions = ports
        .digi_trainer
        .sessions_with_messages(f.student, f.challenge, 10, 3)
        .await
        .unwrap();
    assert_eq!(
        sessions.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![newer, older]
    );
    assert_eq!(sessions[0].goal_id, None);
    assert_eq!(sessions[0].message_count, 1);
    assert_eq!(sessions[1].goal_title.as_deref(), Some("push"));
    assert_eq!(sessions[1].message_count, 4);
    assert_eq!(
        sessions[1]
            .messages
            .iter()
            .map(|m| (m.role.clone(), m.content.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (MessageRole::Student, "hi"),
            (MessageRole::Assistant, "hello"),
            (MessageRole::Student, "help"),
        ]
    );
    let limited = ports
        .digi_trainer
        .sessions_with_messages(f.student, f.challenge, 1, 0)
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
    assert!(limited[0].messages.is_empty());

    // Anatomy conversations: oldest first, messages limited.
    let first = writer
        .add_anatomy_conversation(
            f.submission,
            "Why a Box?",
            at(2026, 1, 2, 8, 0, 0),
            &[
                ("user", "why"),
                ("assistant", "because"),
                ("user", "thanks"),
            ],
        )
        .await
        .unwrap();
    let second_conv = writer
        .add_anatomy_conversation(f.submission, "Lifetimes", at(2026, 1, 3, 8, 0, 0), &[])
        .await
        .unwrap();
    let conversations = ports.anatomy.conversations(f.submission, 2).await.unwrap();
    assert_eq!(
        conversations.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![first, second_conv]
    );
    assert_eq!(conversations[0].title, "Why a Box?");
    assert_eq!(conversations[0].submission_id, f.submission);
    assert_eq!(
        conversations[0]
            .messages
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        vec!["why", "because"]
    );
    assert!(conversations[1].messages.is_empty());
    assert!(ports
        .anatomy
        .conversations(second, 10)
        .await
        .unwrap()
        .is_empty());
}

crate::both_backends!(submissions_goals_and_conversations,);
