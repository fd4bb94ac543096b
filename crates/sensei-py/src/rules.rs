//! The pure rules, for the platform's own code: the engagement percentage and eligibility
//! over facts the caller already has.

use chrono::TimeDelta;
use pyo3::prelude::*;
use sensei_core::{
    evaluate_eligibility as core_eligibility, Eligibility as CoreEligibility, EngagementSnapshot,
    Policy, ReviewVerdict,
};

use crate::args::{bounded, count};
use crate::errors::invalid_input;
use crate::objects::enum_member;

/// The engagement percentage exactly as the platform's Python computes it:
/// `round((goals_engaged + goals_passed) / total_goals * 100)` (half to even), and 0 when
/// `total_goals` is 0.
///
/// Raises `InvalidInput` for a negative count or one above 2^32 - 1.
#[pyfunction]
#[pyo3(signature = (goals_passed, goals_engaged, total_goals))]
pub fn engagement_percent(
    goals_passed: &Bound<'_, PyAny>,
    goals_engaged: &Bound<'_, PyAny>,
    total_goals: &Bound<'_, PyAny>,
) -> PyResult<u32> {
    Ok(sensei_core::engagement_percent(
        count(goals_passed, "goals_passed")?,
        count(goals_engaged, "goals_engaged")?,
        count(total_goals, "total_goals")?,
    ))
}

/// The outcome of the eligibility rules: truthy when eligible.
#[pyclass(frozen, module = "sensei", name = "Eligibility")]
#[derive(Debug, Clone)]
pub struct PyEligibility {
    reason: Option<&'static str>,
    /// Why not, as the service words it (e.g. "... 2 of 5 goals engaged; 5 needed ..."),
    /// or `None` when eligible.
    #[pyo3(get)]
    refusal: Option<String>,
}

#[pymethods]
impl PyEligibility {
    /// Whether the student may book.
    #[getter]
    fn eligible(&self) -> bool {
        self.reason.is_some()
    }

    /// The `EligibilityReason` a booking would record, or `None` when not eligible.
    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.reason
            .map(|reason| enum_member(py, "EligibilityReason", reason))
            .transpose()
    }

    fn __bool__(&self) -> bool {
        self.eligible()
    }

    fn __repr__(&self) -> String {
        match (self.reason, &self.refusal) {
            (Some(reason), _) => format!("Eligibility(reason='{reason}')"),
            (None, Some(refusal)) => format!("Eligibility(refusal={refusal:?})"),
            (None, None) => "Eligibility()".to_owned(),
        }
    }
}

/// The eligibility rules over given facts: `needs_work_feedback` when the latest review
/// verdict is `"needs_work"`, else `digi_trainer_engagement` when the engagement reaches
/// `engagement_threshold` percent (1-100), else a refusal saying which conditions were not
/// met and by how much.
#[pyfunction]
#[pyo3(signature = (latest_verdict, goals_passed, goals_engaged, total_goals, *, engagement_threshold=None))]
pub fn evaluate_eligibility(
    latest_verdict: Option<&str>,
    goals_passed: &Bound<'_, PyAny>,
    goals_engaged: &Bound<'_, PyAny>,
    total_goals: &Bound<'_, PyAny>,
    engagement_threshold: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyEligibility> {
    let engagement = EngagementSnapshot {
        goals_passed: count(goals_passed, "goals_passed")?,
        goals_engaged: count(goals_engaged, "goals_engaged")?,
        total_goals: count(total_goals, "total_goals")?,
    };
    if engagement.goals_touched() > engagement.total_goals {
        return Err(invalid_input(format!(
            "goals_passed + goals_engaged ({}) cannot exceed total_goals ({})",
            engagement.goals_touched(),
            engagement.total_goals
        )));
    }
    let threshold = match engagement_threshold {
        None => Policy::default().engagement_threshold_percent(),
        Some(value) => bounded(value, "engagement_threshold", 100)?,
    };
    let policy = Policy::new(threshold, TimeDelta::hours(1))
        .map_err(|error| invalid_input(error.to_string()))?;
    let verdict = latest_verdict.map(ReviewVerdict::parse);
    Ok(
        match core_eligibility(verdict.as_ref(), &engagement, &policy) {
            CoreEligibility::Eligible(reason) => PyEligibility {
                reason: Some(reason.as_str()),
                refusal: None,
            },
            CoreEligibility::Ineligible(why) => PyEligibility {
                reason: None,
                refusal: Some(why.to_string()),
            },
        },
    )
}
