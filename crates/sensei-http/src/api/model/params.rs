//! Query values: the list filters.

use poem_openapi::Enum;
use sensei_core::{EligibilityReason, StatusFilter};

/// Why a student was eligible (a filter value and the condition of an unmet requirement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "EligibilityReason", rename_all = "snake_case")]
pub enum ReasonParam {
    /// The submission's latest review verdict is `needs_work`.
    NeedsWorkFeedback,
    /// The student's digi-trainer engagement reached the threshold.
    DigiTrainerEngagement,
}

impl From<EligibilityReason> for ReasonParam {
    fn from(reason: EligibilityReason) -> Self {
        match reason {
            EligibilityReason::NeedsWorkFeedback => ReasonParam::NeedsWorkFeedback,
            EligibilityReason::DigiTrainerEngagement => ReasonParam::DigiTrainerEngagement,
        }
    }
}

impl From<ReasonParam> for EligibilityReason {
    fn from(reason: ReasonParam) -> Self {
        match reason {
            ReasonParam::NeedsWorkFeedback => EligibilityReason::NeedsWorkFeedback,
            ReasonParam::DigiTrainerEngagement => EligibilityReason::DigiTrainerEngagement,
        }
    }
}

/// Which sessions the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "StatusFilter", rename_all = "snake_case")]
pub enum StatusParam {
    /// Waiting for an instructor, under no live claim (the default).
    Pending,
    /// Under a live claim.
    Claimed,
    /// Pending or claimed (the queue).
    Open,
    /// Completed.
    Completed,
    /// Cancelled by the student.
    Cancelled,
    /// Completed or cancelled.
    Closed,
    /// Every session.
    All,
}

impl From<StatusParam> for StatusFilter {
    fn from(status: StatusParam) -> Self {
        match status {
            StatusParam::Pending => StatusFilter::Pending,
            StatusParam::Claimed => StatusFilter::Claimed,
            StatusParam::Open => StatusFilter::Open,
            StatusParam::Completed => StatusFilter::Completed,
            StatusParam::Cancelled => StatusFilter::Cancelled,
            StatusParam::Closed => StatusFilter::Closed,
            StatusParam::All => StatusFilter::All,
        }
    }
}

/// Which closed sessions the history shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "HistoryStatus", rename_all = "snake_case")]
pub enum HistoryStatusParam {
    /// Completed or cancelled (the default).
    Closed,
    /// Completed.
    Completed,
    /// Cancelled by the student.
    Cancelled,
}

impl From<HistoryStatusParam> for StatusFilter {
    fn from(status: HistoryStatusParam) -> Self {
        match status {
            HistoryStatusParam::Closed => StatusFilter::Closed,
            HistoryStatusParam::Completed => StatusFilter::Completed,
            HistoryStatusParam::Cancelled => StatusFilter::Cancelled,
        }
    }
}
