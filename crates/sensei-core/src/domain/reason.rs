//! Why a student was eligible for a session.

use std::fmt;
use std::str::FromStr;

/// The condition that made a booking eligible. Stored as the exact strings of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EligibilityReason {
    /// The submission's latest review verdict is `needs_work`.
    NeedsWorkFeedback,
    /// The student's digi-trainer engagement reached the policy threshold.
    DigiTrainerEngagement,
}

impl EligibilityReason {
    /// The stored form: `needs_work_feedback` or `digi_trainer_engagement`.
    pub fn as_str(self) -> &'static str {
        match self {
            EligibilityReason::NeedsWorkFeedback => "needs_work_feedback",
            EligibilityReason::DigiTrainerEngagement => "digi_trainer_engagement",
        }
    }

    /// Every reason, for filters and documentation.
    pub const ALL: [EligibilityReason; 2] = [
        EligibilityReason::NeedsWorkFeedback,
        EligibilityReason::DigiTrainerEngagement,
    ];
}

impl fmt::Display for EligibilityReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reason string that is not one of [`EligibilityReason`]'s stored forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown eligibility reason {0:?}: expected \"needs_work_feedback\" or \"digi_trainer_engagement\"")]
pub struct UnknownReason(pub String);

impl FromStr for EligibilityReason {
    type Err = UnknownReason;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "needs_work_feedback" => Ok(EligibilityReason::NeedsWorkFeedback),
            "digi_trainer_engagement" => Ok(EligibilityReason::DigiTrainerEngagement),
            other => Err(UnknownReason(other.to_owned())),
        }
    }
}

/// The reason as found in a stored row. Rows written by the platform may hold NULL or a string
/// this version does not know; they are kept and shown, never dropped or turned into a panic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordedReason {
    /// One of the known reasons.
    Known(EligibilityReason),
    /// A string this version does not know.
    Unrecognized(String),
    /// NULL in the database.
    Missing,
}

impl RecordedReason {
    /// Reads the stored column.
    pub fn from_stored(raw: Option<&str>) -> RecordedReason {
        match raw {
            None => RecordedReason::Missing,
            Some(text) => match text.parse::<EligibilityReason>() {
                Ok(reason) => RecordedReason::Known(reason),
                Err(UnknownReason(other)) => RecordedReason::Unrecognized(other),
            },
        }
    }

    /// The stored column value.
    pub fn to_stored(&self) -> Option<&str> {
        match self {
            RecordedReason::Known(reason) => Some(reason.as_str()),
            RecordedReason::Unrecognized(raw) => Some(raw),
            RecordedReason::Missing => None,
        }
    }

    /// The known reason, if any.
    pub fn known(&self) -> Option<EligibilityReason> {
        match self {
            RecordedReason::Known(reason) => Some(*reason),
            _ => None,
        }
    }
}

impl From<EligibilityReason> for RecordedReason {
    fn from(reason: EligibilityReason) -> Self {
        RecordedReason::Known(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_round_trips_through_the_platforms_exact_string() {
        assert_eq!(
            EligibilityReason::NeedsWorkFeedback.as_str(),
            "needs_work_feedback"
        );
        assert_eq!(
            EligibilityReason::DigiTrainerEngagement.as_str(),
            "digi_trainer_engagement"
        );
        for reason in EligibilityReason::ALL {
            assert_eq!(reason.as_str().parse::<EligibilityReason>(), Ok(reason));
            assert_eq!(reason.to_string(), reason.as_str());
            let recorded = RecordedReason::from_stored(Some(reason.as_str()));
            assert_eq!(recorded, RecordedReason::Known(reason));
            assert_eq!(recorded.to_stored(), Some(reason.as_str()));
            assert_eq!(recorded.known(), Some(reason));
        }
    }

    #[test]
    fn reasons_are_parsed_exactly_without_case_folding_or_trimming() {
        for raw in [
            "Needs_Work_Feedback",
            " needs_work_feedback",
            "needs work feedback",
            "",
        ] {
            assert_eq!(
                raw.parse::<EligibilityReason>(),
                Err(UnknownReason(raw.to_owned()))
            );
        }
    }

    #[test]
    fn an_unknown_stored_reason_is_kept_as_written() {
        let recorded = RecordedReason::from_stored(Some("manual_override"));
        assert_eq!(
            recorded,
            RecordedReason::Unrecognized("manual_override".to_owned())
        );
        assert_eq!(recorded.to_stored(), Some("manual_override"));
        assert_eq!(recorded.known(), None);
    }

    #[test]
    fn a_null_stored_reason_reads_as_missing_and_writes_back_as_null() {
        let recorded = RecordedReason::from_stored(None);
        assert_eq!(recorded, RecordedReason::Missing);
        assert_eq!(recorded.to_stored(), None);
        assert_eq!(recorded.known(), None);
    }

    #[test]
    fn the_unknown_reason_error_names_the_accepted_values() {
        let message = UnknownReason("x".to_owned()).to_string();
        assert!(message.contains("needs_work_feedback"));
        assert!(message.contains("digi_trainer_engagement"));
    }
}
