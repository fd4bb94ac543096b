//! Where a student's open session stands in the queue, and its expected wait.

use poem_openapi::{Enum, Object};
use sensei_core::{QueuePlace, WaitEstimate};

/// Whether an open session still waits for an instructor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "QueueStatus", rename_all = "snake_case")]
pub enum QueueStatusBody {
    /// No instructor has it yet (or their claim lapsed): it waits at `position`.
    Waiting,
    /// An instructor holds a live claim on it.
    WithInstructor,
}

/// An open session's place in the queue: first come, first served among open sessions, a
/// session whose claim lapsed counting as waiting.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "QueuePlace", skip_serializing_if_is_none)]
pub struct QueuePlaceBody {
    /// Waiting or with an instructor.
    pub status: QueueStatusBody,
    /// 1 is next: one more than the waiting sessions booked before it. Absent once an
    /// instructor has it.
    pub position: Option<u32>,
    /// The expected wait in minutes from when it was read; absent with an instructor and
    /// while history is too thin for an estimate.
    pub estimated_wait_minutes: Option<u32>,
    /// How many days of recent history the estimate comes from; absent without one.
    pub estimate_basis_days: Option<u32>,
    /// The same for people: "about 25 min (from the last 14 days)", "no estimate yet" or
    /// "an instructor has it".
    pub summary: String,
}

impl From<&QueuePlace> for QueuePlaceBody {
    fn from(place: &QueuePlace) -> Self {
        match place {
            QueuePlace::Waiting { position, estimate } => {
                let (minutes, days) = match estimate {
                    WaitEstimate::About {
                        minutes,
                        basis_days,
                    } => (Some(*minutes), Some(*basis_days)),
                    WaitEstimate::NotYet => (None, None),
                };
                QueuePlaceBody {
                    status: QueueStatusBody::Waiting,
                    position: Some(*position),
                    estimated_wait_minutes: minutes,
                    estimate_basis_days: days,
                    summary: estimate.describe(),
                }
            }
            QueuePlace::WithInstructor => QueuePlaceBody {
                status: QueueStatusBody::WithInstructor,
                position: None,
                estimated_wait_minutes: None,
                estimate_basis_days: None,
                summary: place.describe(),
            },
        }
    }
}
