//! The wording of this adapter, in one place: how domain values read for people on pages and
//! in error messages (labels, badges, lifecycle, times, progress). The domain crate keeps only
//! stored forms; everything people read is chosen here.

use crate::zone::ViewerZone;
use chrono::{DateTime, Utc};
use sensei_core::{
    EligibilityReason, EngagementSnapshot, EventKind, GoalProgressEntry, GoalStatus, MessageRole,
    QueuePlace, RecordedReason, ReviewVerdict, ScheduledSession, SessionState,
};

/// What tables show where there is nothing to show.
pub const NONE: &str = "—";

/// A time in UTC as pages without a viewer show it: `2026-11-28 09:15 UTC` (a viewer's own
/// zone: [`ViewerZone::datetime`]).
pub fn datetime(at: &DateTime<Utc>) -> String {
    ViewerZone::utc().datetime(at)
}

/// The digi-trainer progress text: exactly `X passed, Y engaged / Z total`.
pub fn progress(snapshot: &EngagementSnapshot) -> String {
    format!(
        "{} passed, {} engaged / {} total",
        snapshot.goals_passed, snapshot.goals_engaged, snapshot.total_goals
    )
}

/// The badge label of an eligibility reason, as instructors see it.
pub fn reason_label(reason: EligibilityReason) -> &'static str {
    match reason {
        EligibilityReason::NeedsWorkFeedback => "Needs work feedback",
        EligibilityReason::DigiTrainerEngagement => "Digi-trainer engagement",
    }
}

/// The badge label of a stored reason; values the platform wrote that this version does not
/// know are shown as stored.
pub fn recorded_reason_label(reason: &RecordedReason) -> String {
    match reason {
        RecordedReason::Known(reason) => reason_label(*reason).to_owned(),
        RecordedReason::Unrecognized(raw) => format!("Other ({raw})"),
        RecordedReason::Missing => "Not recorded".to_owned(),
    }
}

/// A session's state: `Pending`, `Claimed`, `Completed` or `Cancelled` (templates lowercase
/// it inside sentences).
pub fn state_label(state: SessionState) -> &'static str {
    match state {
        SessionState::Pending => "Pending",
        SessionState::Claimed => "Claimed",
        SessionState::Completed => "Completed",
        SessionState::Cancelled => "Cancelled",
    }
}

/// A session's state at `now`, for people.
pub fn session_state_label(session: &ScheduledSession, now: DateTime<Utc>) -> &'static str {
    state_label(session.state_at(now))
}

/// The CSS modifier of a state badge.
pub fn state_class(state: SessionState) -> &'static str {
    state.as_str()
}

/// Who holds a session and until when, or [`NONE`]: `ann@example.com until 2026-11-28 10:30 UTC`.
pub fn holder(
    session: &ScheduledSession,
    holder_email: Option<&str>,
    now: DateTime<Utc>,
    zone: ViewerZone,
) -> String {
    match session.live_claim_at(now) {
        Some(claim) => format!(
            "{} until {}",
            holder_email.map_or_else(|| format!("instructor {}", claim.holder), str::to_owned),
            zone.datetime(&claim.expires_at)
        ),
        None => NONE.to_owned(),
    }
}

/// What happened, in a timeline: `Booked`, `Claimed`, `Renewed`, `Released`, `Completed`,
/// `Cancelled`.
pub fn event_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Booked => "Booked",
        EventKind::Claimed => "Claimed",
        EventKind::Renewed => "Renewed",
        EventKind::Released => "Released",
        EventKind::Completed => "Completed",
        EventKind::Cancelled => "Cancelled",
    }
}

/// A transition for a timeline: `Pending → Claimed`, or `→ Pending` for a booking.
pub fn transition(from: Option<SessionState>, to: SessionState) -> String {
    match from {
        Some(from) => format!("{} → {}", state_label(from), state_label(to)),
        None => format!("→ {}", state_label(to)),
    }
}

/// What the submission page says about its latest session, by its state.
pub fn latest_session_sentence(state: SessionState, scheduled: &str) -> String {
    let now = match state {
        SessionState::Pending => "it is open and waiting for an instructor",
        SessionState::Claimed => "it is open and an instructor is preparing it",
        SessionState::Completed => "it is completed",
        SessionState::Cancelled => "you cancelled it",
    };
    format!(
        "Your latest sensei session was scheduled at {scheduled} ({}): {now}.",
        state.as_str()
    )
}

/// A session's place in the queue as a student reads it: the place ("Number 3 in line" or
/// "An instructor has it") and, while waiting, the expected wait with its basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceText {
    /// Where it stands.
    pub place: String,
    /// How long it will probably wait, while waiting ("about 25 min (from the last 14
    /// days)", "no estimate yet").
    pub wait: Option<String>,
}

/// What a student reads about their open session's place (`None` once closed).
pub fn place_text(place: Option<&QueuePlace>) -> Option<PlaceText> {
    place.map(|place| match place {
        QueuePlace::Waiting { position, estimate } => PlaceText {
            place: match position {
                1 => "Next in line".to_owned(),
                _ => format!("Number {position} in line"),
            },
            wait: Some(estimate.describe()),
        },
        QueuePlace::WithInstructor => PlaceText {
            place: "An instructor has it".to_owned(),
            wait: None,
        },
    })
}

/// The history page's state filter options: value and label.
pub const HISTORY_STATES: [(&str, &str); 3] = [
    ("closed", "Completed or cancelled"),
    ("completed", "Completed"),
    ("cancelled", "Cancelled"),
];

/// The label of the private notes field: instructors only.
pub const PRIVATE_NOTES_LABEL: &str =
    "Private notes (instructors only; never shown to the student)";
/// The label of the notes for the student.
pub const STUDENT_NOTES_LABEL: &str = "Notes for the student (shown on their sessions page)";

/// A goal's status: `Passed`, `Engaged` or `Not started`.
pub fn goal_status_label(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::NotStarted => "Not started",
        GoalStatus::Engaged => "Engaged",
        GoalStatus::Passed => "Passed",
    }
}

/// Who wrote a conversation message: `Student`, `Digi-trainer`, or the stored role.
pub fn message_role_label(role: &MessageRole) -> &str {
    match role {
        MessageRole::Student => "Student",
        MessageRole::Assistant => "Digi-trainer",
        MessageRole::Other(raw) => raw,
    }
}

/// A message for people as a sentence: first letter capitalized, ending with a full stop.
/// Domain messages are written lowercase without one, so the API can embed them.
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut text = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => return String::new(),
    };
    if !text.ends_with(['.', '!', '?', ':']) {
        text.push('.');
    }
    text
}

/// The CSS modifier of a reason badge.
pub fn reason_class(reason: &RecordedReason) -> &'static str {
    match reason.known() {
        Some(EligibilityReason::NeedsWorkFeedback) => "needs-work",
        Some(EligibilityReason::DigiTrainerEngagement) => "engagement",
        None => "other",
    }
}

/// A review verdict for people.
pub fn verdict(verdict: Option<&ReviewVerdict>) -> String {
    match verdict {
        None => "Not reviewed yet".to_owned(),
        Some(ReviewVerdict::NeedsWork) => "Needs work".to_owned(),
        Some(ReviewVerdict::Approved) => "Approved".to_owned(),
        Some(ReviewVerdict::Other(raw)) => raw.clone(),
    }
}

/// One row of a goal progress table.
#[derive(Debug, Clone)]
pub struct GoalRow {
    /// The goal's title.
    pub title: String,
    /// `Passed`, `Engaged` or `Not started`.
    pub status_label: &'static str,
    /// The CSS modifier of the status.
    pub status_class: &'static str,
}

/// The rows of a goal progress table.
pub fn goal_rows(goals: &[GoalProgressEntry]) -> Vec<GoalRow> {
    goals
        .iter()
        .map(|goal| GoalRow {
            title: goal.title.clone(),
            status_label: goal_status_label(goal.status),
            status_class: match goal.status {
                GoalStatus::Passed => "passed",
                GoalStatus::Engaged => "engaged",
                GoalStatus::NotStarted => "not-started",
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_exactly_as_the_dashboard_column() {
        let snapshot = EngagementSnapshot {
            goals_passed: 1,
            goals_engaged: 1,
            total_goals: 3,
        };
        assert_eq!(progress(&snapshot), "1 passed, 1 engaged / 3 total");
    }

    #[test]
    fn badge_labels_are_the_ones_instructors_see() {
        assert_eq!(
            recorded_reason_label(&EligibilityReason::NeedsWorkFeedback.into()),
            "Needs work feedback"
        );
        assert_eq!(
            recorded_reason_label(&EligibilityReason::DigiTrainerEngagement.into()),
            "Digi-trainer engagement"
        );
        assert_eq!(
            recorded_reason_label(&RecordedReason::Unrecognized("manual_override".into())),
            "Other (manual_override)"
        );
        assert_eq!(
            recorded_reason_label(&RecordedReason::Missing),
            "Not recorded"
        );
    }

    #[test]
    fn messages_become_sentences_once() {
        assert_eq!(
            sentence("submission 9 does not exist"),
            "Submission 9 does not exist."
        );
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(sentence(""), "");
        assert_eq!(sentence("élan"), "Élan.");
    }

    #[test]
    fn times_read_the_same_as_chronos_pattern() {
        use chrono::TimeZone;
        for at in [
            Utc.with_ymd_and_hms(2026, 11, 28, 9, 5, 59).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 2, 23, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(999, 12, 31, 0, 59, 1).unwrap(),
            Utc.with_ymd_and_hms(10_000, 6, 1, 12, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 6, 1, 12, 30, 0).unwrap(),
        ] {
            assert_eq!(
                datetime(&at),
                at.format("%Y-%m-%d %H:%M UTC").to_string(),
                "{at:?}"
            );
        }
        assert_eq!(
            datetime(&Utc.with_ymd_and_hms(2026, 11, 28, 9, 15, 0).unwrap()),
            "2026-11-28 09:15 UTC"
        );
    }
}
