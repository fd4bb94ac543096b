//! The read use cases: the dashboard, lists, a session's detail, conversations, a student's
//! submissions. Instructor use cases refuse students.

use chrono::Duration;

use super::*;
use crate::domain::{
    Actor, AgentMessage, AgentSession, AgentSessionId, Eligibility, EligibilityReason, MessageRole,
    Page, PageRequest, ReviewVerdict, SessionListEntry, SessionQuery, StatusFilter,
};
use crate::error::{QueryError, RepositoryError, Resource};
use crate::services::{
    CONVERSATION_MESSAGES, DETAIL_AGENT_SESSIONS, DETAIL_MESSAGES_PER_SESSION, PREVIEW_CHARS,
    STUDENT_SUBMISSIONS,
};

fn entry(session: ScheduledSession) -> SessionListEntry {
    SessionListEntry {
        session,
        student_email: "alice@example.com".to_owned(),
        challenge_id: CHALLENGE,
        challenge_name: "Linked lists".to_owned(),
        holder_email: None,
    }
}

#[tokio::test]
async fn students_are_refused_every_instructor_use_case() {
    let student = Actor::student(STUDENT);
    // No expectations: any call to a port would fail the test.
    let service = Mocks::default().service();

    assert_eq!(
        service
            .dashboard(student, SessionQuery::default(), PageRequest::default())
            .await,
        Err(QueryError::Forbidden(Resource::ScheduledSession))
    );
    assert_eq!(
        service
            .list_sessions(student, SessionQuery::default(), PageRequest::default())
            .await,
        Err(QueryError::Forbidden(Resource::ScheduledSession))
    );
    assert_eq!(
        service.session_detail(student, ScheduledSessionId(1)).await,
        Err(QueryError::Forbidden(Resource::ScheduledSession))
    );
    assert_eq!(
        service.submission_conversations(student, SUBMISSION).await,
        Err(QueryError::Forbidden(Resource::Submission))
    );
}

#[tokio::test]
async fn the_dashboard_reads_counts_my_claims_and_open_sessions_in_one_port_call() {
    let mut mocks = Mocks::at(now());
    let row = entry(pending_session(1, now() - Duration::hours(1)));
    let page = Page {
        items: vec![row],
        next: None,
    };
    let returned = page.clone();
    mocks
        .sessions
        .expect_dashboard()
        .withf(|queue, mine, claimed, _| {
            queue.status == StatusFilter::Open
                && queue.as_of == Some(now())
                && queue.reason == Some(EligibilityReason::DigiTrainerEngagement)
                && mine.status == StatusFilter::Claimed
                && mine.claimed_by == Some(INSTRUCTOR)
                && mine.as_of == Some(now())
                // Everyone's live claims, whatever the queue's filters.
                && *claimed
                    == SessionQuery {
                        status: StatusFilter::Claimed,
                        as_of: Some(now()),
                        ..SessionQuery::default()
                    }
        })
        .times(1)
        .returning(move |_, _, _, _| {
            Ok(crate::ports::DashboardRead {
                open: 4,
                completed: 2,
                mine: 1,
                claimed: 3,
                page: returned.clone(),
            })
        });

    let filters = SessionQuery {
        status: StatusFilter::Completed,
        reason: Some(EligibilityReason::DigiTrainerEngagement),
        ..SessionQuery::default()
    };
    let dashboard = mocks
        .service()
        .dashboard(
            Actor::instructor(INSTRUCTOR),
            filters,
            PageRequest::default(),
        )
        .await
        .unwrap();

    // Four open, three of them under a live claim: one pending.
    assert_eq!(dashboard.pending_count, 1);
    assert_eq!(dashboard.completed_count, 2);
    assert_eq!(dashboard.claimed_by_me, 1);
    assert_eq!(dashboard.page, page);
}

#[tokio::test]
async fn the_default_dashboard_read_composes_counts_and_a_page() {
    use std::sync::Arc;
    let store = Arc::new(super::fake::FakeSessions::with(vec![
        pending_session(1, now() - Duration::hours(2)),
        pending_session(2, now() - Duration::hours(1)),
    ]));
    let service = Mocks::at(now()).service_over(store, crate::domain::Policy::default());
    let dashboard = service
        .dashboard(
            Actor::instructor(INSTRUCTOR),
            SessionQuery::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(dashboard.pending_count, 2);
    assert_eq!(dashboard.completed_count, 0);
    assert_eq!(dashboard.claimed_by_me, 0);
    assert_eq!(dashboard.page.items.len(), 2);
}

#[tokio::test]
async fn the_pending_card_leaves_out_live_claims_and_counts_lapsed_ones() {
    use crate::domain::{Claim, SessionLifecycle};
    use std::sync::Arc;
    let claimed = |id: i32, expires_at| ScheduledSession {
        lifecycle: SessionLifecycle::Claimed(Claim {
            holder: INSTRUCTOR,
            expires_at,
        }),
        ..pending_session(id, now() - Duration::hours(3))
    };
    let store = Arc::new(super::fake::FakeSessions::with(vec![
        pending_session(1, now() - Duration::hours(2)),
        claimed(2, now() + Duration::minutes(30)),
        // Lapsed: pending again, as the Pending status filter has it.
        claimed(3, now() - Duration::minutes(1)),
    ]));
    let service = Mocks::at(now()).service_over(store, crate::domain::Policy::default());
    let dashboard = service
        .dashboard(
            Actor::instructor(INSTRUCTOR),
            SessionQuery::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(dashboard.pending_count, 2);
    assert_eq!(dashboard.claimed_by_me, 1);
    // The queue still shows every open session.
    assert_eq!(dashboard.page.items.len(), 3);
}

#[tokio::test]
async fn listing_sessions_returns_the_page_and_the_total_for_the_same_query() {
    let mut mocks = Mocks::at(now());
    mocks
        .sessions
        .expect_count()
        .withf(|query| query.status == StatusFilter::All)
        .return_const(Ok(7));
    mocks
        .sessions
        .expect_list()
        .withf(|query, _| query.status == StatusFilter::All)
        .return_const(Ok(Page {
            items: Vec::new(),
            next: None,
        }));

    let query = SessionQuery {
        status: StatusFilter::All,
        ..SessionQuery::default()
    };
    let listing = mocks
        .service()
        .list_sessions(Actor::instructor(INSTRUCTOR), query, PageRequest::default())
        .await
        .unwrap();

    assert_eq!(listing.total, 7);
    assert!(listing.page.items.is_empty());
}

#[tokio::test]
async fn the_detail_of_an_unknown_session_is_not_found() {
    let mut mocks = Mocks::default();
    mocks.sessions.expect_get().return_const(Ok(None));

    let error = mocks
        .service()
        .session_detail(Actor::instructor(INSTRUCTOR), ScheduledSessionId(404))
        .await
        .unwrap_err();

    assert_eq!(
        error,
        QueryError::NotFound {
            resource: Resource::ScheduledSession,
            id: 404
        }
    );
    assert_eq!(error.to_string(), "scheduled session 404 does not exist");
}

#[tokio::test]
async fn the_detail_shows_current_progress_and_message_previews_cut_to_the_preview_length() {
    let session = pending_session(12, now() - Duration::hours(1));
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, Some(ReviewVerdict::NeedsWork)))
        .with_progress(progress(2, 1, 0));
    let stored = entry(session.clone());
    mocks
        .sessions
        .expect_get()
        .withf(|id| *id == ScheduledSessionId(12))
        .return_const(Ok(Some(stored)));
    let long = "é".repeat(PREVIEW_CHARS + 50);
    let agent_session = AgentSession {
        id: AgentSessionId(5),
        goal_id: None,
        goal_title: None,
        started_at: now() - Duration::days(1),
        message_count: 9,
        messages: vec![
            AgentMessage {
                role: MessageRole::Student,
                content: "How do I reverse a list?".to_owned(),
                created_at: now() - Duration::days(1),
            },
            AgentMessage {
                role: MessageRole::Assistant,
                content: long,
                created_at: now() - Duration::days(1),
            },
        ],
    };
    mocks
        .digi_trainer
        .expect_sessions_with_messages()
        .withf(|student, challenge, sessions, messages| {
            *student == STUDENT
                && *challenge == CHALLENGE
                && *sessions == DETAIL_AGENT_SESSIONS
                && *messages == DETAIL_MESSAGES_PER_SESSION
        })
        .times(1)
        .return_const(Ok(vec![agent_session]));
    mocks
        .sessions
        .expect_events()
        .withf(|id, limit| {
            *id == ScheduledSessionId(12) && *limit == crate::services::TIMELINE_EVENTS
        })
        .times(1)
        .return_const(Ok(Vec::new()));

    let detail = mocks
        .service()
        .session_detail(Actor::instructor(INSTRUCTOR), ScheduledSessionId(12))
        .await
        .unwrap();

    assert_eq!(detail.entry.session, session);
    assert_eq!(detail.current_engagement.goals_passed, 2);
    assert_eq!(detail.current_engagement.goals_engaged, 1);
    assert_eq!(detail.goals.len(), 3);
    let messages = &detail.agent_sessions[0].messages;
    assert_eq!(messages[0].content, "How do I reverse a list?");
    assert_eq!(messages[1].content.chars().count(), PREVIEW_CHARS + 1);
    assert!(messages[1].content.ends_with('…'));
    assert!(detail.events.is_empty());
}

#[tokio::test]
async fn conversations_of_an_unknown_submission_are_not_found() {
    let mut mocks = Mocks::default();
    mocks.submissions.expect_get().return_const(Ok(None));

    let error = mocks
        .service()
        .submission_conversations(Actor::instructor(INSTRUCTOR), SubmissionId(404))
        .await
        .unwrap_err();

    assert_eq!(
        error,
        QueryError::NotFound {
            resource: Resource::Submission,
            id: 404
        }
    );
}

#[tokio::test]
async fn conversations_are_read_with_the_message_limit() {
    let mut mocks = Mocks::default().with_submission(submission(STUDENT, None));
    mocks
        .anatomy
        .expect_conversations()
        .withf(|id, limit| *id == SUBMISSION && *limit == CONVERSATION_MESSAGES)
        .times(1)
        .return_const(Ok(Vec::new()));

    let conversations = mocks
        .service()
        .submission_conversations(Actor::instructor(INSTRUCTOR), SUBMISSION)
        .await
        .unwrap();

    assert_eq!(conversations.submission.id, SUBMISSION);
    assert!(conversations.conversations.is_empty());
}

#[tokio::test]
async fn a_student_sees_their_own_submissions() {
    let mut mocks = Mocks::default();
    mocks
        .submissions
        .expect_list_by_owner()
        .withf(|owner, limit| *owner == STUDENT && *limit == STUDENT_SUBMISSIONS)
        .times(1)
        .return_const(Ok(vec![submission(STUDENT, None)]));

    let submissions = mocks
        .service()
        .student_submissions(Actor::student(STUDENT))
        .await
        .unwrap();

    assert_eq!(submissions.len(), 1);
}

#[tokio::test]
async fn a_student_sees_the_eligibility_and_latest_session_of_their_own_submission() {
    let mut mocks = Mocks::at(now())
        .with_submission(submission(STUDENT, None))
        .with_progress(progress(1, 1, 3));
    let latest = pending_session(3, now() - Duration::days(1));
    mocks
        .sessions
        .expect_latest_for()
        .withf(|user, submission| *user == STUDENT && *submission == SUBMISSION)
        .return_const(Ok(Some(latest.clone())));
    mocks
        .sessions
        .expect_count()
        .withf(|query| {
            query.status == StatusFilter::Pending
                && query.scheduled_before == Some(now() - Duration::days(1))
        })
        .times(1)
        .returning(|_| Ok(4));

    let overview = mocks
        .service()
        .submission_overview(Actor::student(STUDENT), SUBMISSION)
        .await
        .unwrap();

    assert_eq!(overview.engagement.goals_touched(), 2);
    assert_eq!(overview.latest_session, Some(latest));
    assert_eq!(
        overview
            .place
            .as_ref()
            .and_then(crate::domain::QueuePlace::position),
        Some(5)
    );
    let Eligibility::Ineligible(why) = overview.eligibility else {
        panic!("expected ineligible");
    };
    assert!(why.to_string().contains("2 of 5 goals engaged; 5 needed"));
}

#[tokio::test]
async fn someone_elses_submission_overview_is_forbidden_and_an_unknown_one_not_found() {
    let mocks = Mocks::default().with_submission(submission(OTHER_STUDENT, None));
    assert_eq!(
        mocks
            .service()
            .submission_overview(Actor::student(STUDENT), SUBMISSION)
            .await,
        Err(QueryError::Forbidden(Resource::Submission))
    );

    let mut mocks = Mocks::default();
    mocks.submissions.expect_get().return_const(Ok(None));
    assert_eq!(
        mocks
            .service()
            .submission_overview(Actor::student(STUDENT), SubmissionId(9))
            .await,
        Err(QueryError::NotFound {
            resource: Resource::Submission,
            id: 9
        })
    );
}

#[tokio::test]
async fn my_submissions_reads_eligibility_and_latest_sessions_in_three_calls() {
    let mut mocks = Mocks::at(now());
    let mut other = submission(STUDENT, None);
    other.id = SubmissionId(31);
    other.challenge_id = ChallengeId(4);
    let first = submission(STUDENT, Some(ReviewVerdict::NeedsWork));
    let listed = vec![first.clone(), other.clone()];
    mocks
        .submissions
        .expect_list_by_owner()
        .withf(|owner, limit| *owner == STUDENT && *limit == STUDENT_SUBMISSIONS)
        .times(1)
        .return_const(Ok(listed));
    mocks
        .goals
        .expect_progress_for_challenges()
        .withf(|student, challenges| {
            *student == STUDENT && challenges == [CHALLENGE, ChallengeId(4)]
        })
        .times(1)
        .return_const(Ok(vec![
            (CHALLENGE, progress(0, 0, 3)),
            (ChallengeId(4), progress(1, 0, 1)),
        ]));
    let older = pending_session(1, now() - Duration::days(2));
    let newer = pending_session(2, now() - Duration::hours(1));
    mocks
        .sessions
        .expect_list()
        .withf(|query, page| {
            query.student == Some(STUDENT)
                && query.status == StatusFilter::All
                && query.order == crate::domain::ListOrder::NewestFirst
                && query.as_of == Some(now())
                && page.size.get() == crate::domain::MAX_PAGE_SIZE
        })
        .times(1)
        .return_const(Ok(Page {
            items: vec![entry(newer.clone()), entry(older)],
            next: None,
        }));

    let mine = mocks
        .service()
        .my_submissions(Actor::student(STUDENT))
        .await
        .unwrap()
        .items;

    assert_eq!(mine.len(), 2);
    assert_eq!(
        mine[0].eligibility,
        Eligibility::Eligible(EligibilityReason::NeedsWorkFeedback)
    );
    assert_eq!(mine[0].latest_session, Some(newer));
    assert!(matches!(mine[1].eligibility, Eligibility::Ineligible(_)));
    assert_eq!(mine[1].engagement.goals_passed, 1);
    assert_eq!(mine[1].latest_session, None);
    assert_eq!(
        Mocks::default()
            .service()
            .my_submissions(Actor::instructor(INSTRUCTOR))
            .await,
        Err(QueryError::Forbidden(Resource::Submission))
    );
}

fn account(id: UserId, role: crate::domain::Role) -> crate::domain::Account {
    crate::domain::Account {
        id,
        email: format!("user{}@example.com", id.get()),
        role,
    }
}

#[tokio::test]
async fn the_signed_in_dashboard_resolves_the_sign_in_then_reads_the_instructors_queue() {
    use crate::domain::{Role, SignInToken};
    let mut mocks = Mocks::at(now());
    let token = SignInToken::new("token-1".to_owned());
    mocks
        .accounts
        .expect_signed_in_account()
        .withf(|token, at| token.as_str() == "token-1" && *at == now())
        .times(1)
        .returning(|_, _| Ok(Some(account(INSTRUCTOR, Role::Instructor))));
    mocks
        .sessions
        .expect_dashboard()
        .withf(|queue, mine, _, _| {
            // "mine only" puts the viewer's id in the queue's filter.
            queue.status == StatusFilter::Open
                && queue.claimed_by == Some(INSTRUCTOR)
                && queue.as_of == Some(now())
                && mine.status == StatusFilter::Claimed
                && mine.claimed_by == Some(INSTRUCTOR)
        })
        .times(1)
        .returning(|_, _, _, _| {
            Ok(crate::ports::DashboardRead {
                open: 5,
                completed: 1,
                mine: 2,
                claimed: 2,
                page: Page {
                    items: Vec::new(),
                    next: None,
                },
            })
        });

    let (viewer, dashboard) = mocks
        .service()
        .dashboard_for_sign_in(
            &token,
            SessionQuery::default(),
            true,
            PageRequest::default(),
        )
        .await
        .unwrap()
        .unwrap();

    assert_eq!(viewer.id, INSTRUCTOR);
    assert_eq!(
        (
            dashboard.pending_count,
            dashboard.completed_count,
            dashboard.claimed_by_me
        ),
        (3, 1, 2)
    );
    assert_eq!(dashboard.as_of, now());
}

#[tokio::test]
async fn the_signed_in_dashboard_refuses_students_before_reading_any_session() {
    use crate::domain::{Role, SignInToken};
    let mut mocks = Mocks::at(now());
    mocks
        .accounts
        .expect_signed_in_account()
        .returning(|_, _| Ok(Some(account(STUDENT, Role::Student))));
    // No session expectation: a read would fail the test.
    let result = mocks
        .service()
        .dashboard_for_sign_in(
            &SignInToken::new("t".to_owned()),
            SessionQuery::default(),
            false,
            PageRequest::default(),
        )
        .await;
    assert_eq!(
        result,
        Err(QueryError::Forbidden(Resource::ScheduledSession))
    );
}

#[tokio::test]
async fn the_signed_in_dashboard_of_an_unknown_or_expired_sign_in_is_none() {
    use crate::domain::SignInToken;
    let mut mocks = Mocks::at(now());
    mocks
        .accounts
        .expect_signed_in_account()
        .returning(|_, _| Ok(None));
    let result = mocks
        .service()
        .dashboard_for_sign_in(
            &SignInToken::new("gone".to_owned()),
            SessionQuery::default(),
            false,
            PageRequest::default(),
        )
        .await;
    assert_eq!(result, Ok(None));
}

#[tokio::test]
async fn the_signed_in_dashboard_reports_a_store_failure() {
    use crate::domain::SignInToken;
    let mut mocks = Mocks::at(now());
    mocks
        .accounts
        .expect_signed_in_account()
        .returning(|_, _| Err(RepositoryError::Unavailable("down".to_owned())));
    let result = mocks
        .service()
        .dashboard_for_sign_in(
            &SignInToken::new("t".to_owned()),
            SessionQuery::default(),
            false,
            PageRequest::default(),
        )
        .await;
    assert!(matches!(
        result,
        Err(QueryError::Repository(RepositoryError::Unavailable(_)))
    ));
}

#[tokio::test]
async fn a_nul_in_the_student_filter_is_invalid_input_before_any_read() {
    use crate::error::DomainError;
    let instructor = Actor::instructor(INSTRUCTOR);
    // No expectations: any call to a port would fail the test.
    let service = Mocks::at(now()).service();
    let filters = || SessionQuery {
        student_email_contains: Some("ali\0".to_owned()),
        ..SessionQuery::default()
    };
    let refused = Err(QueryError::InvalidText(crate::domain::NulInText {
        field: "student filter",
    }));
    assert_eq!(
        service
            .dashboard(instructor, filters(), PageRequest::default())
            .await
            .map(|_| ()),
        refused
    );
    assert_eq!(
        service
            .list_sessions(instructor, filters(), PageRequest::default())
            .await
            .map(|_| ()),
        refused
    );
    assert_eq!(
        service
            .history(instructor, filters(), PageRequest::default())
            .await
            .map(|_| ()),
        refused
    );
    assert_eq!(service.export(instructor, filters()).map(|_| ()), refused);
    let error = QueryError::InvalidText(crate::domain::NulInText {
        field: "student filter",
    });
    assert_eq!(error.kind(), crate::error::ErrorKind::InvalidInput);
    assert_eq!(error.code(), "invalid_input");
}
