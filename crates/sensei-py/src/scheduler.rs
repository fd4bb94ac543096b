//! `Scheduler`: the core's use cases over the platform's database, for Python threads.
//!
//! One Tokio runtime per scheduler runs the core's async services; every call releases the
//! GIL while it waits (`Python::detach`), so other Python threads (a threaded Flask or
//! gunicorn worker) keep running, and one scheduler can be shared by all of them.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;
use sensei_core::{
    Actor, ChallengeId, DomainError, EligibilityReason, Policy, Reader, ScheduledSession,
    ScheduledSessionId, SenseiService, SessionQuery, SubmissionId,
};
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};
use tokio::runtime::Runtime;

use crate::args::{bounded, duration, id, page, record_id, status_filter, user_id};
use crate::errors::{database_error, domain_error, invalid_input, raise};
use crate::objects::{PyBooking, PySession, PySessionPage};
use crate::queue::PyQueuePosition;

/// Books, lists, reads, claims, completes and cancels sensei sessions in the platform's
/// database, with the same rules and deduplication as the sensei service.
///
/// The platform signs its users in: each call names who acts (`user_id` for a student,
/// `instructor_id` for an instructor) and the rules check what that person may do. The
/// listing (`pending`) is the instructors' queue: check the role before showing it.
#[pyclass(frozen, module = "sensei", name = "Scheduler")]
pub struct Scheduler {
    service: SenseiService,
    database: Database,
    runtime: Runtime,
    /// The process that created the runtime: a forked child cannot use it.
    pid: u32,
}

/// The URL as `DatabaseUrl` takes it: SQLAlchemy's `postgresql+psycopg://` and
/// `sqlite+pysqlite://` name a Python driver, which means nothing here.
fn without_driver(raw: &str) -> String {
    match raw.split_once("://") {
        Some((scheme, rest)) => match scheme.split_once('+') {
            Some((backend, _driver)) => format!("{backend}://{rest}"),
            None => raw.to_owned(),
        },
        None => raw.to_owned(),
    }
}

/// The policy from the keyword arguments.
fn policy(
    engagement_threshold: &Bound<'_, PyAny>,
    dedup_window: Option<&Bound<'_, PyAny>>,
    claim_time: Option<&Bound<'_, PyAny>>,
    max_live_claims: &Bound<'_, PyAny>,
    max_open_sessions: &Bound<'_, PyAny>,
) -> PyResult<Policy> {
    let defaults = Policy::default();
    let threshold = bounded(engagement_threshold, "engagement_threshold", 100)?;
    let window = dedup_window
        .map(|value| duration(value, "dedup_window"))
        .transpose()?
        .unwrap_or(defaults.dedup_window());
    let claim = claim_time
        .map(|value| duration(value, "claim_time"))
        .transpose()?
        .unwrap_or(defaults.claim_time());
    let live = bounded(max_live_claims, "max_live_claims", 100)?;
    let open = bounded(max_open_sessions, "max_open_sessions", 100)?;
    Policy::new(threshold, window)
        .and_then(|policy| policy.with_claim_time(claim))
        .and_then(|policy| policy.with_max_live_claims(live))
        .and_then(|policy| policy.with_max_open_sessions(open))
        .map_err(|error| invalid_input(error.to_string()))
}

impl Scheduler {
    /// Runs one use case on the runtime with the GIL released.
    fn run<T, F>(&self, py: Python<'_>, work: F) -> PyResult<T>
    where
        T: Send,
        F: Future<Output = T> + Send,
    {
        if std::process::id() != self.pid {
            return Err(raise(
                "Unavailable",
                "this Scheduler was created in another process (before a fork): create one in \
                 each worker process, e.g. lazily on first use or in gunicorn's post_fork hook"
                    .to_owned(),
                "unavailable",
            ));
        }
        Ok(py.detach(|| self.runtime.block_on(work)))
    }

    /// An instructor's change to one session (complete, claim, renew, release): the ids
    /// checked, the use case run with the GIL released, the session as it now is.
    fn instructor_change<'a, F, Fut, E>(
        &'a self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        instructor_id: &Bound<'_, PyAny>,
        change: F,
    ) -> PyResult<PySession>
    where
        F: FnOnce(&'a SenseiService, Actor, ScheduledSessionId) -> Fut,
        Fut: Future<Output = Result<ScheduledSession, E>> + Send,
        E: DomainError + Send,
    {
        let instructor = Actor::instructor(user_id(instructor_id, "instructor_id")?);
        let id = ScheduledSessionId(record_id(session_id, "scheduled session")?);
        let session = self
            .run(py, change(&self.service, instructor, id))?
            .map_err(domain_error)?;
        Ok(PySession::from_session(&session, self.service.now()))
    }
}

#[pymethods]
impl Scheduler {
    /// Opens the database (a SQLite file, or PostgreSQL: the URL as SQLAlchemy takes it) and
    /// sets the policy. Nothing is migrated: call `migrate()` once (deployment) when the
    /// feature's tables or columns may be missing.
    #[new]
    #[pyo3(signature = (
        database_url,
        *,
        engagement_threshold = None,
        dedup_window = None,
        claim_time = None,
        max_live_claims = None,
        max_open_sessions = None,
        max_connections = None,
        timeout = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        database_url: &str,
        engagement_threshold: Option<&Bound<'_, PyAny>>,
        dedup_window: Option<&Bound<'_, PyAny>>,
        claim_time: Option<&Bound<'_, PyAny>>,
        max_live_claims: Option<&Bound<'_, PyAny>>,
        max_open_sessions: Option<&Bound<'_, PyAny>>,
        max_connections: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let defaults = Policy::default();
        let number = |value: u32| value.into_pyobject(py).map(Bound::into_any);
        let threshold = match engagement_threshold {
            Some(value) => value.clone(),
            None => number(defaults.engagement_threshold_percent())?,
        };
        let live = match max_live_claims {
            Some(value) => value.clone(),
            None => number(defaults.max_live_claims())?,
        };
        let open = match max_open_sessions {
            Some(value) => value.clone(),
            None => number(defaults.max_open_sessions())?,
        };
        let policy = policy(&threshold, dedup_window, claim_time, &live, &open)?;
        let url = DatabaseUrl::parse(&without_driver(database_url)).map_err(database_error)?;
        let mut options = PoolOptions::for_url(&url);
        if let Some(value) = max_connections {
            options.max_connections = bounded(value, "max_connections", 1000)?;
        }
        if let Some(value) = timeout {
            let wait = duration(value, "timeout")?;
            options.connection_timeout = wait
                .to_std()
                .ok()
                .filter(|wait| {
                    *wait >= Duration::from_millis(1) && *wait <= Duration::from_secs(600)
                })
                .ok_or_else(|| invalid_input("timeout must be from 1 ms to 10 minutes"))?;
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(64)
            .thread_name("sensei-py")
            .enable_all()
            .build()
            .map_err(|error| {
                raise(
                    "InternalError",
                    format!("cannot start the runtime: {error}"),
                    "internal",
                )
            })?;
        let database = py
            .detach(|| {
                let _entered = runtime.enter();
                Database::connect(&url, options)
            })
            .map_err(database_error)?;
        // Estimates from the same history the service's pages use.
        let service = SenseiService::new(database.ports(), policy)
            .with_wait_history(std::sync::Arc::new(database.wait_history()));
        Ok(Scheduler {
            service,
            database,
            runtime,
            pid: std::process::id(),
        })
    }

    /// `"sqlite"` or `"postgres"`.
    #[getter]
    fn backend(&self) -> &'static str {
        self.database.backend_name()
    }

    /// Applies the migrations that have not run yet and returns their versions. By default
    /// only the feature's (the `scheduled_sessions` table, adopted as is where the platform's
    /// migration made it, its indexes, the workflow's columns and events); `platform=True`
    /// also creates the standalone platform schema (users, challenges, submissions, ...), as
    /// `sensei migrate` does.
    #[pyo3(signature = (*, platform = false))]
    fn migrate(&self, py: Python<'_>, platform: bool) -> PyResult<Vec<String>> {
        let database = &self.database;
        self.run(py, async move {
            if platform {
                database.migrate().await
            } else {
                database.migrate_feature_only().await
            }
        })?
        .map_err(database_error)
    }

    /// Books a sensei session for the student's own submission, or returns the session they
    /// booked within the dedup window (`Booking.created` is then `False`).
    ///
    /// Raises `NotEligible` (the message says which conditions were not met and by how much,
    /// or that the student has the most open sessions), `Forbidden` (someone else's
    /// submission), `NotFound` (no such submission), `Unavailable`.
    fn book(
        &self,
        py: Python<'_>,
        user_id: &Bound<'_, PyAny>,
        submission_id: &Bound<'_, PyAny>,
    ) -> PyResult<PyBooking> {
        let student = Actor::student(self::user_id(user_id, "user_id")?);
        let submission = SubmissionId(record_id(submission_id, "submission")?);
        let booking = self
            .run(py, self.service.book(student, submission))?
            .map_err(domain_error)?;
        PyBooking::new(py, &booking, booking.as_of)
    }

    /// One page of sessions with the student's email and the challenge, oldest first, and
    /// the total: the instructors' queue (`status="pending"`, the default), or any other
    /// status (`claimed`, `open`, `completed`, `cancelled`, `closed`, `all`). Filters as the
    /// API's: `reason`, `challenge_id`, `student` (email contains, case-insensitive). Pass
    /// the page's `next_cursor` as `after` for the next page; `limit` is 1 to 100.
    #[pyo3(signature = (*, status = "pending", reason = None, challenge_id = None, student = None, limit = None, after = None))]
    #[allow(clippy::too_many_arguments)]
    fn pending(
        &self,
        py: Python<'_>,
        status: &str,
        reason: Option<&str>,
        challenge_id: Option<&Bound<'_, PyAny>>,
        student: Option<&str>,
        limit: Option<&Bound<'_, PyAny>>,
        after: Option<&str>,
    ) -> PyResult<PySessionPage> {
        let reason = reason
            .map(|raw| {
                raw.parse::<EligibilityReason>()
                    .map_err(|error| invalid_input(error.to_string()))
            })
            .transpose()?;
        let challenge_id = match challenge_id {
            None => None,
            // A challenge id that cannot exist matches nothing: i32::MIN is never an id.
            Some(value) => Some(ChallengeId(id(value)?.unwrap_or(i32::MIN))),
        };
        let student = sensei_core::student_search(student)
            .map_err(|too_long| invalid_input(too_long.to_string()))?;
        let request = match limit {
            Some(value) => page(value, after)?,
            None => page(&25_u32.into_pyobject(py)?.into_any(), after)?,
        };
        let query = SessionQuery {
            status: status_filter(status)?,
            reason,
            challenge_id,
            student_email_contains: student,
            ..SessionQuery::default()
        };
        let listing = self
            .run(
                py,
                self.service
                    .list_sessions(Reader::TrustedEmbedder, query, request),
            )?
            .map_err(domain_error)?;
        PySessionPage::new(
            py,
            &listing.page.items,
            listing.total,
            listing.page.next.map(|cursor| cursor.encode()),
            listing.as_of,
        )
    }

    /// One session with the student's email and the challenge. Raises `NotFound`.
    fn get(&self, py: Python<'_>, session_id: &Bound<'_, PyAny>) -> PyResult<PySession> {
        let id = ScheduledSessionId(record_id(session_id, "scheduled session")?);
        let timeline = self
            .run(py, self.service.timeline(Reader::TrustedEmbedder, id))?
            .map_err(domain_error)?;
        Ok(PySession::from_entry(&timeline.entry, timeline.as_of))
    }

    /// Where an open session stands in the queue and how long it will probably wait, as
    /// students see it (`QueuePosition`); `None` once it is completed or cancelled. Reads as
    /// the platform (any session). Raises `NotFound`.
    fn position(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
    ) -> PyResult<Option<PyQueuePosition>> {
        let id = ScheduledSessionId(record_id(session_id, "scheduled session")?);
        let place = self
            .run(py, self.service.queue_place(Reader::TrustedEmbedder, id))?
            .map_err(domain_error)?;
        let as_of = self.service.now();
        Ok(place.map(|place| PyQueuePosition::new(&place, as_of)))
    }

    /// Completes a session as the instructor, with optional notes (instructors only) and
    /// student notes (shown to the student); each trimmed, at most 10,000 characters.
    ///
    /// Raises `Conflict` (already completed: the first completion is kept; cancelled; or
    /// claimed by another instructor), `Refused` (notes too long; nothing saved), `NotFound`.
    #[pyo3(signature = (session_id, *, instructor_id, notes = None, student_notes = None))]
    fn complete(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        instructor_id: &Bound<'_, PyAny>,
        notes: Option<&str>,
        student_notes: Option<&str>,
    ) -> PyResult<PySession> {
        let notes = notes.unwrap_or_default();
        let student_notes = student_notes.unwrap_or_default();
        self.instructor_change(py, session_id, instructor_id, |service, instructor, id| {
            service.complete_with_notes(instructor, id, notes, student_notes)
        })
    }

    /// Claims a pending session (or one whose claim expired) for the policy's claim time, or
    /// renews the instructor's own claim.
    ///
    /// Raises `Conflict` (claimed by another instructor: the message names them and the
    /// expiry; completed or cancelled), `Refused` (the instructor holds the most live
    /// claims), `NotFound`.
    #[pyo3(signature = (session_id, *, instructor_id))]
    fn claim(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        instructor_id: &Bound<'_, PyAny>,
    ) -> PyResult<PySession> {
        self.instructor_change(py, session_id, instructor_id, |service, instructor, id| {
            service.claim(instructor, id)
        })
    }

    /// Renews the instructor's live claim (the expiry restarts). Raises `Conflict` when they
    /// do not hold it, `NotFound`.
    #[pyo3(signature = (session_id, *, instructor_id))]
    fn renew(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        instructor_id: &Bound<'_, PyAny>,
    ) -> PyResult<PySession> {
        self.instructor_change(py, session_id, instructor_id, |service, instructor, id| {
            service.renew_claim(instructor, id)
        })
    }

    /// Releases the instructor's claim: the session is pending again. Raises `Conflict` when
    /// they do not hold it, `NotFound`.
    #[pyo3(signature = (session_id, *, instructor_id))]
    fn release(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        instructor_id: &Bound<'_, PyAny>,
    ) -> PyResult<PySession> {
        self.instructor_change(py, session_id, instructor_id, |service, instructor, id| {
            service.release_claim(instructor, id)
        })
    }

    /// Cancels the student's own pending or claimed session, with an optional reason (at
    /// most 500 characters). A cancelled session is no duplicate: the student may book again.
    ///
    /// Raises `Forbidden` (not their session), `Conflict` (completed or already cancelled),
    /// `Refused` (reason too long), `NotFound`.
    #[pyo3(signature = (session_id, *, user_id, reason = None))]
    fn cancel(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        user_id: &Bound<'_, PyAny>,
        reason: Option<&str>,
    ) -> PyResult<PySession> {
        let student = Actor::student(self::user_id(user_id, "user_id")?);
        let id = ScheduledSessionId(record_id(session_id, "scheduled session")?);
        let session = self
            .run(
                py,
                self.service.cancel(student, id, reason.unwrap_or_default()),
            )?
            .map_err(domain_error)?;
        Ok(PySession::from_session(&session, self.service.now()))
    }

    fn __repr__(&self) -> String {
        format!("Scheduler(backend='{}')", self.database.backend_name())
    }
}
