//! `QueuePosition`: where an open session stands in the queue and how long it will probably
//! wait, as `Scheduler.position` returns it.

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use sensei_core::{QueuePlace, WaitEstimate};

/// An open session's place in the queue (first come, first served among open sessions; a
/// lapsed claim waits again) and its expected wait, read at `as_of`.
#[pyclass(frozen, module = "sensei", name = "QueuePosition")]
#[derive(Debug, Clone)]
pub struct PyQueuePosition {
    /// 1 is next; `None` once an instructor holds it.
    #[pyo3(get)]
    position: Option<u32>,
    /// Whether an instructor holds a live claim on it.
    #[pyo3(get)]
    with_instructor: bool,
    /// The expected wait in minutes from `as_of`; `None` with an instructor or while history
    /// is too thin.
    #[pyo3(get)]
    estimated_wait_minutes: Option<u32>,
    /// How many days of history the estimate comes from.
    #[pyo3(get)]
    estimate_basis_days: Option<u32>,
    /// For people: "number 3 in line, about 25 min (from the last 14 days)".
    #[pyo3(get)]
    summary: String,
    /// When it was read (UTC).
    #[pyo3(get)]
    as_of: DateTime<Utc>,
}

impl PyQueuePosition {
    /// The Python object of a place read at `as_of`.
    pub fn new(place: &QueuePlace, as_of: DateTime<Utc>) -> Self {
        let (minutes, days) = match place {
            QueuePlace::Waiting {
                estimate:
                    WaitEstimate::About {
                        minutes,
                        basis_days,
                    },
                ..
            } => (Some(*minutes), Some(*basis_days)),
            _ => (None, None),
        };
        PyQueuePosition {
            position: place.position(),
            with_instructor: matches!(place, QueuePlace::WithInstructor),
            estimated_wait_minutes: minutes,
            estimate_basis_days: days,
            summary: place.describe(),
            as_of,
        }
    }
}

#[pymethods]
impl PyQueuePosition {
    fn __repr__(&self) -> String {
        format!("<QueuePosition {}>", self.summary)
    }
}
