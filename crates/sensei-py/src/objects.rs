//! The plain Python objects the scheduler returns: a session, a booking, a page of sessions.
//! Each is an immutable snapshot with typed attributes (`datetime` in UTC, string enums).

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use sensei_core::services::{Booking as CoreBooking, BookingOutcome as CoreOutcome};
use sensei_core::{RecordedReason, ScheduledSession, SessionListEntry, SessionState as CoreState};

/// The Python module that defines the string enums.
const ENUMS_MODULE: &str = "sensei._enums";

/// The member of the string enum `class` whose value is `value`.
pub fn enum_member<'py>(py: Python<'py>, class: &str, value: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import(ENUMS_MODULE)?.getattr(class)?.call1((value,))
}

/// A scheduled session as it was read or written, with the student's and challenge's names
/// when the call read them (`Scheduler.get`, `Scheduler.pending`).
#[pyclass(frozen, module = "sensei", name = "Session")]
#[derive(Debug, Clone)]
pub struct PySession {
    /// The session's id.
    #[pyo3(get)]
    id: i32,
    /// The submission it is about.
    #[pyo3(get)]
    submission_id: i32,
    /// The student who booked it.
    #[pyo3(get)]
    user_id: i32,
    reason: RecordedReason,
    /// Goals passed when the student booked.
    #[pyo3(get)]
    goals_passed: u32,
    /// Goals engaged (not passed) when the student booked.
    #[pyo3(get)]
    goals_engaged: u32,
    /// Goals of the challenge when the student booked.
    #[pyo3(get)]
    total_goals: u32,
    /// When the student booked (UTC).
    #[pyo3(get)]
    scheduled_at: DateTime<Utc>,
    state: CoreState,
    /// The instructor holding a live claim, if any.
    #[pyo3(get)]
    claimed_by: Option<i32>,
    /// When that claim lapses (UTC), if claimed.
    #[pyo3(get)]
    claim_expires_at: Option<DateTime<Utc>>,
    /// When an instructor completed it (UTC), if completed.
    #[pyo3(get)]
    completed_at: Option<DateTime<Utc>>,
    /// Who completed it, if known.
    #[pyo3(get)]
    completed_by: Option<i32>,
    /// The instructors' private notes.
    #[pyo3(get)]
    notes: Option<String>,
    /// The notes shown to the student.
    #[pyo3(get)]
    student_notes: Option<String>,
    /// When the student cancelled it (UTC), if cancelled.
    #[pyo3(get)]
    cancelled_at: Option<DateTime<Utc>>,
    /// The student's reason for cancelling.
    #[pyo3(get)]
    cancel_reason: Option<String>,
    /// The student's email (when read with the queue's joins).
    #[pyo3(get)]
    student_email: Option<String>,
    /// The submission's challenge (when read with the queue's joins).
    #[pyo3(get)]
    challenge_id: Option<i32>,
    /// The challenge's name (when read with the queue's joins).
    #[pyo3(get)]
    challenge_name: Option<String>,
    /// The claim holder's email (when read with the queue's joins and claimed).
    #[pyo3(get)]
    holder_email: Option<String>,
}

impl PySession {
    /// A session as the core returned it, its state as of `now`.
    pub fn from_session(session: &ScheduledSession, now: DateTime<Utc>) -> Self {
        let claim = session.live_claim_at(now);
        let completion = session.completion();
        let cancellation = session.cancellation();
        PySession {
            id: session.id.get(),
            submission_id: session.submission_id.get(),
            user_id: session.user_id.get(),
            reason: session.reason.clone(),
            goals_passed: session.engagement.goals_passed,
            goals_engaged: session.engagement.goals_engaged,
            total_goals: session.engagement.total_goals,
            scheduled_at: session.scheduled_at,
            state: session.state_at(now),
            claimed_by: claim.map(|claim| claim.holder.get()),
            claim_expires_at: claim.map(|claim| claim.expires_at),
            completed_at: completion.map(|done| done.completed_at),
            completed_by: completion.and_then(|done| done.completed_by.map(|id| id.get())),
            notes: completion.and_then(|done| done.notes.as_ref().map(|n| n.as_str().to_owned())),
            student_notes: completion
                .and_then(|done| done.student_notes.as_ref().map(|n| n.as_str().to_owned())),
            cancelled_at: cancellation.map(|cancel| cancel.cancelled_at),
            cancel_reason: cancellation
                .and_then(|cancel| cancel.reason.as_ref().map(|r| r.as_str().to_owned())),
            student_email: None,
            challenge_id: None,
            challenge_name: None,
            holder_email: None,
        }
    }

    /// A session read with the student's email and the challenge.
    pub fn from_entry(entry: &SessionListEntry, now: DateTime<Utc>) -> Self {
        let mut session = PySession::from_session(&entry.session, now);
        session.student_email = Some(entry.student_email.clone());
        session.challenge_id = Some(entry.challenge_id.get());
        session.challenge_name = Some(entry.challenge_name.clone());
        session.holder_email = session.claimed_by.and(entry.holder_email.clone());
        session
    }
}

#[pymethods]
impl PySession {
    /// Why the student was eligible: an `EligibilityReason`, the stored text when another
    /// version of the platform wrote something else, or `None` when nothing was recorded.
    #[getter]
    fn eligibility_reason<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match &self.reason {
            RecordedReason::Known(reason) => {
                enum_member(py, "EligibilityReason", reason.as_str()).map(Some)
            }
            RecordedReason::Unrecognized(raw) => {
                Ok(Some(raw.clone().into_pyobject(py)?.into_any()))
            }
            RecordedReason::Missing => Ok(None),
        }
    }

    /// Pending, claimed, completed or cancelled (a `SessionState`; a claim past its expiry
    /// reads as pending).
    #[getter]
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_member(py, "SessionState", self.state.as_str())
    }

    /// The engagement percentage of the snapshot, as the platform's model computes it.
    #[getter]
    fn engagement_percent(&self) -> u32 {
        sensei_core::engagement_percent(self.goals_passed, self.goals_engaged, self.total_goals)
    }

    fn __repr__(&self) -> String {
        format!(
            "Session(id={}, user_id={}, submission_id={}, state='{}', scheduled_at='{}')",
            self.id,
            self.user_id,
            self.submission_id,
            self.state.as_str(),
            self.scheduled_at.format("%Y-%m-%d %H:%M:%S%.6f+00:00")
        )
    }
}

/// The result of `Scheduler.book`: the new or existing session, and which.
#[pyclass(frozen, module = "sensei", name = "Booking")]
#[derive(Debug)]
pub struct PyBooking {
    /// The new session, or the one booked within the dedup window.
    #[pyo3(get)]
    session: Py<PySession>,
    outcome: CoreOutcome,
}

impl PyBooking {
    /// A booking as the core returned it.
    pub fn new(py: Python<'_>, booking: &CoreBooking, now: DateTime<Utc>) -> PyResult<Self> {
        Ok(PyBooking {
            session: Py::new(py, PySession::from_session(&booking.session, now))?,
            outcome: booking.outcome,
        })
    }
}

#[pymethods]
impl PyBooking {
    /// `BookingOutcome.CREATED` or `BookingOutcome.DUPLICATE`.
    #[getter]
    fn outcome<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = match self.outcome {
            CoreOutcome::Created => "created",
            CoreOutcome::Duplicate => "duplicate",
        };
        enum_member(py, "BookingOutcome", value)
    }

    /// Whether a new session was recorded (`False`: the recent one is shown).
    #[getter]
    fn created(&self) -> bool {
        self.outcome == CoreOutcome::Created
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let session = self.session.bind(py).get().__repr__();
        format!("Booking(created={}, session={session})", self.created())
    }
}

/// One page of sessions (`Scheduler.pending`), with the total matching the filters and the
/// cursor of the next page.
#[pyclass(frozen, module = "sensei", name = "SessionPage")]
#[derive(Debug)]
pub struct PySessionPage {
    /// The sessions of this page, oldest first.
    #[pyo3(get)]
    items: Py<pyo3::types::PyList>,
    /// How many sessions match the filters, on all pages.
    #[pyo3(get)]
    total: u64,
    /// Pass as `after=` for the next page; `None` on the last page.
    #[pyo3(get)]
    next_cursor: Option<String>,
}

impl PySessionPage {
    /// A page of entries.
    pub fn new(
        py: Python<'_>,
        entries: &[SessionListEntry],
        total: u64,
        next_cursor: Option<String>,
        now: DateTime<Utc>,
    ) -> PyResult<Self> {
        let sessions = entries
            .iter()
            .map(|entry| Py::new(py, PySession::from_entry(entry, now)))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PySessionPage {
            items: pyo3::types::PyList::new(py, sessions)?.unbind(),
            total,
            next_cursor,
        })
    }
}

#[pymethods]
impl PySessionPage {
    fn __len__(&self, py: Python<'_>) -> usize {
        self.items.bind(py).len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.items.bind(py).as_any().try_iter().map(Bound::into_any)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "SessionPage(items={}, total={}, next_cursor={:?})",
            self.items.bind(py).len(),
            self.total,
            self.next_cursor
        )
    }
}
