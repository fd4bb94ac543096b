//! A student's place in the queue: first come, first served among open sessions, so a
//! pending session's position is one more than the pending sessions booked before it, and
//! its expected wait follows from that position ([`WaitModel`]).

use chrono::{DateTime, Utc};

use super::session::SessionState;
use super::wait_estimate::{WaitEstimate, WaitModel};

/// Where one open session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueuePlace {
    /// Waiting for an instructor (a session whose claim lapsed waits again).
    Waiting {
        /// 1 is next in line.
        position: u32,
        /// How long it will probably wait from the instant it was read, and on what basis.
        estimate: WaitEstimate,
    },
    /// An instructor holds a live claim on it: the wait is over.
    WithInstructor,
}

/// The position of a pending session with `pending_booked_earlier` pending sessions booked
/// before it (lapsed claims counted as pending): one more, saturating at `u32::MAX`.
pub fn queue_position(pending_booked_earlier: u64) -> u32 {
    u32::try_from(pending_booked_earlier.saturating_add(1)).unwrap_or(u32::MAX)
}

impl QueuePlace {
    /// The place of a session in `state` at `at`: pending sessions wait at
    /// [`queue_position`]`(pending_booked_earlier)` with the model's estimate; a claimed
    /// session is with an instructor; a closed one has no place (`None`).
    pub fn of(
        state: SessionState,
        pending_booked_earlier: u64,
        model: &WaitModel,
        at: DateTime<Utc>,
    ) -> Option<QueuePlace> {
        match state {
            SessionState::Pending => {
                let position = queue_position(pending_booked_earlier);
                Some(QueuePlace::Waiting {
                    position,
                    estimate: model.estimate(position, at),
                })
            }
            SessionState::Claimed => Some(QueuePlace::WithInstructor),
            SessionState::Completed | SessionState::Cancelled => None,
        }
    }

    /// The position, while waiting.
    pub fn position(&self) -> Option<u32> {
        match self {
            QueuePlace::Waiting { position, .. } => Some(*position),
            QueuePlace::WithInstructor => None,
        }
    }

    /// One line for people: "number 3 in line, about 25 min (from the last 14 days)", or
    /// "an instructor has it".
    pub fn describe(&self) -> String {
        match self {
            QueuePlace::Waiting { position, estimate } => {
                format!("number {position} in line, {}", estimate.describe())
            }
            QueuePlace::WithInstructor => "an instructor has it".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap()
    }

    fn thin_model() -> WaitModel {
        WaitModel::from_history(&[], at())
    }

    #[test]
    fn the_first_in_line_is_number_one() {
        assert_eq!(queue_position(0), 1);
        assert_eq!(queue_position(4), 5);
        assert_eq!(queue_position(u64::MAX), u32::MAX);
        assert_eq!(queue_position(u64::from(u32::MAX)), u32::MAX);
    }

    #[test]
    fn a_pending_session_waits_with_the_models_estimate() {
        let model = thin_model();
        let place = QueuePlace::of(SessionState::Pending, 2, &model, at());
        assert_eq!(
            place,
            Some(QueuePlace::Waiting {
                position: 3,
                estimate: model.estimate(3, at()),
            })
        );
        let place = place.unwrap();
        assert_eq!(place.position(), Some(3));
        assert_eq!(
            place.describe(),
            format!("number 3 in line, {}", model.estimate(3, at()).describe())
        );
    }

    #[test]
    fn a_claimed_session_is_with_an_instructor_and_a_closed_one_has_no_place() {
        let model = thin_model();
        let claimed = QueuePlace::of(SessionState::Claimed, 7, &model, at());
        assert_eq!(claimed, Some(QueuePlace::WithInstructor));
        assert_eq!(claimed.as_ref().and_then(QueuePlace::position), None);
        assert_eq!(
            claimed.map(|place| place.describe()).as_deref(),
            Some("an instructor has it")
        );
        for closed in [SessionState::Completed, SessionState::Cancelled] {
            assert_eq!(QueuePlace::of(closed, 0, &model, at()), None);
        }
    }
}
