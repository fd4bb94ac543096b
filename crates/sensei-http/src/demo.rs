//! The demo data (the accounts listed in `README.md`), loaded by `sensei serve --demo`. Idempotent: a person whose
//! account exists is left as they are, so running it twice duplicates nothing.
//!
//! Two parts: [`load_accounts`], the instructor and three students of the README's demo
//! table with their submissions (no sessions, so alice and bob can book), and [`load`], which adds a second
//! instructor and more students with sessions in every state of the workflow (pending,
//! claimed by ann, completed with both kinds of notes, cancelled with a reason), made through
//! the use cases so that every one has its events.

use chrono::Duration;
use sensei_core::ports::{AccountRepository, Clock, SystemClock};
use sensei_core::{
    Actor, BookError, CancelError, ClaimError, CompleteError, GoalStatus, Policy, RepositoryError,
    Role, SenseiService, UserId,
};
use sensei_diesel::{Database, PlatformWriter};

use crate::passwords::{hash_password_async, HashError};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "sensei-demo";

/// The demo instructor.
pub const INSTRUCTOR: &str = "sensei@example.com";
/// Eligible through a `needs_work` review.
pub const ALICE: &str = "alice@example.com";
/// Eligible through digi-trainer engagement.
pub const BOB: &str = "bob@example.com";
/// Not eligible.
pub const CAROL: &str = "carol@example.com";

/// The second demo instructor, who holds a claim in the demo.
pub const ANN: &str = "ann@example.com";
/// A student whose session waits in the queue.
pub const DAVE: &str = "dave@example.com";
/// A student whose session ann has claimed.
pub const ERIN: &str = "erin@example.com";
/// A student whose session was completed, with notes of both kinds.
pub const FRANK: &str = "frank@example.com";
/// A student who cancelled their session, with a reason.
pub const GRACE: &str = "grace@example.com";

/// The challenge of the workflow demo students.
pub const WORKFLOW_CHALLENGE: &str = "Weather Dashboard";
/// The private notes of frank's completed session.
pub const FRANK_NOTES: &str =
    "Frank rushed the caching goal; check next time whether he measured before optimising.";
/// The notes frank sees.
pub const FRANK_STUDENT_NOTES: &str =
    "Great progress! Next step: add a test for the cache expiry before refactoring.";
/// Grace's reason for cancelling.
pub const GRACE_REASON: &str = "I found the bug myself, thanks!";

/// The demo challenge names.
pub const ALICE_CHALLENGE: &str = "URL Shortener Service";
/// Bob's challenge.
pub const BOB_CHALLENGE: &str = "Inventory REST API";
/// Carol's challenge.
pub const CAROL_CHALLENGE: &str = "Markdown to HTML Converter";

/// Loading the demo data failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database failed.
    #[error("could not load the demo data: {0}")]
    Repository(#[from] RepositoryError),
    /// Hashing the demo password failed.
    #[error("could not load the demo data: {0}")]
    Hash(#[from] HashError),
    /// A use case refused a demo step.
    #[error("could not load the demo data: {0}")]
    Workflow(String),
}

macro_rules! workflow_error {
    ($($source:ty),*) => {$(
        impl From<$source> for DemoError {
            fn from(error: $source) -> Self {
                DemoError::Workflow(error.to_string())
            }
        }
    )*};
}

workflow_error!(BookError, ClaimError, CompleteError, CancelError);

/// What [`load`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoLoaded {
    /// Accounts created now (0 when everything was there).
    pub created_accounts: u32,
}

/// Creates every demo account and its data where missing: [`load_accounts`], then a second
/// instructor and students with sessions in every state.
///
/// # Errors
/// [`DemoError`] when the database, hashing or a use case fails.
pub async fn load(database: &Database) -> Result<DemoLoaded, DemoError> {
    let base = load_accounts(database).await?;
    let workflow = load_workflow(database).await?;
    Ok(DemoLoaded {
        created_accounts: base.created_accounts + workflow,
    })
}

/// Creates the first demo accounts (sensei, alice, bob, carol) and their data where missing;
/// no sessions.
///
/// # Errors
/// [`DemoError`] when the database or hashing fails.
pub async fn load_accounts(database: &Database) -> Result<DemoLoaded, DemoError> {
    let accounts = database.accounts();
    let writer = database.platform_writer();
    let hash = hash_password_async(DEMO_PASSWORD.to_owned()).await?;
    let mut created = 0;
    for (email, role) in [
        (INSTRUCTOR, Role::Instructor),
        (ALICE, Role::Student),
        (BOB, Role::Student),
        (CAROL, Role::Student),
    ] {
        if accounts.find_by_email(email).await?.is_some() {
            continue;
        }
        let user = accounts.create(email, role, &hash).await?;
        created += 1;
        match email {
            ALICE => alice(&writer, user).await?,
            BOB => bob(&writer, user).await?,
            CAROL => carol(&writer, user).await?,
            _ => {}
        }
    }
    Ok(DemoLoaded {
        created_accounts: created,
    })
}

/// Alice: 3 goals, latest review `needs_work`, 1 passed / 1 engaged / 1 not started,
/// digi-trainer conversations and an anatomy conversation.
async fn alice(writer: &PlatformWriter, user: UserId) -> Result<(), RepositoryError> {
    let now = SystemClock.now();
    let (challenge, goals) = writer
        .create_challenge(
            ALICE_CHALLENGE,
            "Build a small service that shortens URLs and redirects visitors.",
            &[
                "Validate incoming URLs",
                "Generate unique short codes",
                "Redirect with the right status code",
            ],
        )
        .await?;
    let submission = writer
        .create_submission(user, challenge, now - Duration::days(3))
        .await?;
    writer
        .add_review(
            submission,
            "approved",
            now - Duration::days(2) - Duration::hours(4),
        )
        .await?;
    writer
        .add_review(submission, "needs_work", now - Duration::days(2))
        .await?;
    let statuses = [GoalStatus::Passed, GoalStatus::Engaged];
    for (goal, status) in goals.iter().zip(statuses) {
        writer.set_goal_progress(user, *goal, status).await?;
    }
    writer
        .add_agent_session(
            user,
            challenge,
            goals.first().copied(),
            now - Duration::days(4),
            &[
                ("user", "How strict should URL validation be? Should I accept URLs without a scheme?"),
                ("assistant", "Good question. What does the challenge say about relative URLs and missing schemes?"),
                ("user", "It says only http and https URLs are valid."),
                ("assistant", "Then parse the URL and check its scheme explicitly. Which cases would you test first?"),
                ("user", "Empty strings, ftp URLs and URLs with spaces."),
            ],
        )
        .await?;
    writer
        .add_agent_session(
            user,
            challenge,
            goals.get(1).copied(),
            now - Duration::days(2) - Duration::hours(1),
            &[
                ("user", "My short codes collide when two requests arrive at the same time."),
                ("assistant", "Where is the uniqueness of a code guaranteed today: in your code or in the database?"),
                ("user", "Only in my code, I check before inserting."),
                ("assistant", "Check-then-insert races. What could the database enforce for you?"),
            ],
        )
        .await?;
    writer
        .add_anatomy_conversation(
            submission,
            "Walk-through of the redirect handler",
            now - Duration::days(2) - Duration::hours(2),
            &[
                ("user", "Can you explain why my redirect returns 200 instead of 301?"),
                ("assistant", "Your handler writes the Location header but never sets the status; the framework defaults to 200."),
                ("user", "So I should set 301 or 302 explicitly?"),
                ("assistant", "Yes. Think about which one fits a short link that might change later."),
            ],
        )
        .await?;
    Ok(())
}

/// Bob: 4 goals, no `needs_work` review, 2 passed / 2 engaged, digi-trainer conversations.
async fn bob(writer: &PlatformWriter, user: UserId) -> Result<(), RepositoryError> {
    let now = SystemClock.now();
    let (challenge, goals) = writer
        .create_challenge(
            BOB_CHALLENGE,
            "Design and build a REST API for a small shop's inventory.",
            &[
                "Model products and stock levels",
                "List products with paging",
                "Update stock atomically",
                "Return helpful error responses",
            ],
        )
        .await?;
    writer
        .create_submission(user, challenge, now - Duration::days(1))
        .await?;
    let statuses = [
        GoalStatus::Passed,
        GoalStatus::Passed,
        GoalStatus::Engaged,
        GoalStatus::Engaged,
    ];
    for (goal, status) in goals.iter().zip(statuses) {
        writer.set_goal_progress(user, *goal, status).await?;
    }
    writer
        .add_agent_session(
            user,
            challenge,
            goals.get(2).copied(),
            now - Duration::hours(20),
            &[
                ("user", "Two orders can both take the last item. How do I stop that?"),
                ("assistant", "What happens between reading the stock level and writing the new one?"),
                ("user", "Another request can change it in between."),
                ("assistant", "Right. Could a single UPDATE with a condition do the check and the change together?"),
            ],
        )
        .await?;
    writer
        .add_agent_session(
            user,
            challenge,
            goals.get(3).copied(),
            now - Duration::hours(6),
            &[
                ("user", "Should a missing product be 404 or 400?"),
                (
                    "assistant",
                    "What is wrong in each case: the request, or the thing it points at?",
                ),
                ("user", "The thing it points at, so 404."),
            ],
        )
        .await?;
    Ok(())
}

/// Carol: 5 goals, no `needs_work` review, 1 engaged: not eligible.
async fn carol(writer: &PlatformWriter, user: UserId) -> Result<(), RepositoryError> {
    let now = SystemClock.now();
    let (challenge, goals) = writer
        .create_challenge(
            CAROL_CHALLENGE,
            "Convert a subset of Markdown into safe HTML.",
            &[
                "Parse headings",
                "Parse emphasis and links",
                "Render lists",
                "Escape raw HTML",
                "Handle code blocks",
            ],
        )
        .await?;
    writer
        .create_submission(user, challenge, now - Duration::hours(30))
        .await?;
    if let Some(goal) = goals.first() {
        writer
            .set_goal_progress(user, *goal, GoalStatus::Engaged)
            .await?;
        writer
            .add_agent_session(
                user,
                challenge,
                Some(*goal),
                now - Duration::hours(28),
                &[
                    ("user", "How many levels of headings should I support?"),
                    (
                        "assistant",
                        "What does the challenge's example input contain?",
                    ),
                ],
            )
            .await?;
    }
    Ok(())
}

/// Ann and the workflow students, with a session each in another state; skipped when ann
/// exists. Returns the accounts created.
async fn load_workflow(database: &Database) -> Result<u32, DemoError> {
    let accounts = database.accounts();
    if accounts.find_by_email(ANN).await?.is_some() {
        return Ok(0);
    }
    let hash = hash_password_async(DEMO_PASSWORD.to_owned()).await?;
    let writer = database.platform_writer();
    let ann = accounts.create(ANN, Role::Instructor, &hash).await?;
    let sensei = accounts
        .find_by_email(INSTRUCTOR)
        .await?
        .map(|stored| stored.account.id)
        .ok_or_else(|| DemoError::Workflow(format!("{INSTRUCTOR} is missing")))?;
    // Claims made here last a day, so the demo shows one for a while after it starts.
    let policy = Policy::default()
        .with_claim_time(Duration::days(1))
        .map_err(|error| DemoError::Workflow(error.to_string()))?;
    let service = SenseiService::new(database.ports(), policy);
    let now = SystemClock.now();
    let (challenge, goals) = writer
        .create_challenge(
            WORKFLOW_CHALLENGE,
            "Show the weather of a few cities, cached, with a clear error when the provider fails.",
            &[
                "Fetch forecasts from the provider",
                "Cache responses",
                "Explain provider failures",
            ],
        )
        .await?;
    let mut created = 1;
    for (index, email) in [DAVE, ERIN, FRANK, GRACE].into_iter().enumerate() {
        let student = accounts.create(email, Role::Student, &hash).await?;
        created += 1;
        let days = i64::try_from(index).unwrap_or(0) + 2;
        let submission = writer
            .create_submission(student, challenge, now - Duration::days(days))
            .await?;
        writer
            .add_review(submission, "needs_work", now - Duration::days(days - 1))
            .await?;
        if let Some(goal) = goals.first() {
            writer
                .set_goal_progress(student, *goal, GoalStatus::Engaged)
                .await?;
        }
        let booking = service.book(Actor::student(student), submission).await?;
        let id = booking.session.id;
        match email {
            ERIN => {
                service.claim(Actor::instructor(ann), id).await?;
            }
            FRANK => {
                service.claim(Actor::instructor(sensei), id).await?;
                service
                    .complete_with_notes(
                        Actor::instructor(sensei),
                        id,
                        FRANK_NOTES,
                        FRANK_STUDENT_NOTES,
                    )
                    .await?;
            }
            GRACE => {
                service
                    .cancel(Actor::student(student), id, GRACE_REASON)
                    .await?;
            }
            _ => {}
        }
    }
    Ok(created)
}

/// What `serve --demo` prints: where to go and how to sign in.
pub fn banner(url: &str) -> String {
    format!(
        "\nSensei demo is running at {url}\n\
         Sign in at {url}login with password `{DEMO_PASSWORD}` as:\n  \
         {INSTRUCTOR:<20} instructor: the dashboard at {url}admin\n  \
         {ALICE:<20} student, eligible (latest review needs work)\n  \
         {BOB:<20} student, eligible (digi-trainer engagement)\n  \
         {CAROL:<20} student, not eligible yet (the page says why)\n  \
         {ANN:<20} instructor: holds a claim on erin's session\n  \
         {DAVE:<20} student with a pending session\n  \
         {ERIN:<20} student whose session ann claimed\n  \
         {FRANK:<20} student with a completed session (notes for him on /sessions)\n  \
         {GRACE:<20} student who cancelled her session\n\
         Press Ctrl-C to stop.\n"
    )
}
