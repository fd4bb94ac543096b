//! What the service did, counted and logged by the HTTP adapter right after the service call
//! (the domain crate stays free of metrics): bookings by outcome, completions, claims (claim,
//! renew, release), cancellations, sign-in failures. Pages and the API alike pass a use
//! case's result through one of these and go on with the result they get back, so each
//! operation is counted and logged in one place.

use sensei_core::services::{Booking, BookingOutcome};
use sensei_core::{
    BookError, CancelError, ClaimError, CompleteError, DomainError, ScheduledSession,
};

/// Counter: booking requests by `outcome`: `created`, `duplicate` (the recent session was
/// shown), `refused`.
pub const BOOKINGS_TOTAL: &str = "sensei_bookings_total";

/// Counter: refused bookings by `reason`, the error's code: `ineligible`, `forbidden`,
/// `not_found`, `unavailable`, `internal`.
pub const BOOKING_REFUSALS_TOTAL: &str = "sensei_booking_refusals_total";

/// Counter: completion requests by `outcome`: `completed`, or the refusal's code
/// (`conflict` when already completed, `invalid_notes`, `forbidden`, `not_found`,
/// `unavailable`, `internal`).
pub const COMPLETIONS_TOTAL: &str = "sensei_completions_total";

/// Counter: failed sign-ins by `reason`: `invalid_credentials`, `rate_limited`,
/// `unavailable`, `internal`.
pub const SIGN_IN_FAILURES_TOTAL: &str = "sensei_sign_in_failures_total";

/// Counter: claim requests by `action` (`claim`, `renew`, `release`) and `outcome`: `done`, or
/// the refusal's code (`held_by_other`, `not_held`, `session_closed`, `claim_limit`, ...).
pub const CLAIMS_TOTAL: &str = "sensei_claims_total";

/// Counter: cancellation requests by `outcome`: `cancelled`, or the refusal's code
/// (`session_closed`, `forbidden`, `invalid_reason`, ...).
pub const CANCELLATIONS_TOTAL: &str = "sensei_cancellations_total";

/// Counts a booking's result and logs a new session; returns the result unchanged.
pub fn booking(result: Result<Booking, BookError>) -> Result<Booking, BookError> {
    let outcome = match &result {
        Ok(booking) => match booking.outcome {
            BookingOutcome::Created => {
                tracing::info!(
                    session = booking.session.id.get(),
                    submission = booking.session.submission_id.get(),
                    "session booked"
                );
                "created"
            }
            BookingOutcome::Duplicate => "duplicate",
        },
        Err(error) => {
            metrics::counter!(BOOKING_REFUSALS_TOTAL, "reason" => error.code()).increment(1);
            "refused"
        }
    };
    metrics::counter!(BOOKINGS_TOTAL, "outcome" => outcome).increment(1);
    result
}

/// Counts a completion's result and logs it; returns the result unchanged.
pub fn completion(
    result: Result<ScheduledSession, CompleteError>,
) -> Result<ScheduledSession, CompleteError> {
    let outcome = match &result {
        Ok(session) => {
            tracing::info!(session = session.id.get(), "session completed");
            "completed"
        }
        Err(error) => error.code(),
    };
    metrics::counter!(COMPLETIONS_TOTAL, "outcome" => outcome).increment(1);
    result
}

/// Counts a failed sign-in, by the refusal's code.
pub fn sign_in_failure(code: &'static str) {
    metrics::counter!(SIGN_IN_FAILURES_TOTAL, "reason" => code).increment(1);
}

/// Counts a claim, renewal or release (`action`) and its result, and logs the change;
/// returns the result unchanged.
pub fn claim(
    action: &'static str,
    result: Result<ScheduledSession, ClaimError>,
) -> Result<ScheduledSession, ClaimError> {
    let outcome = match &result {
        Ok(session) => {
            tracing::info!(session = session.id.get(), action, "claim changed");
            "done"
        }
        Err(error) => error.code(),
    };
    metrics::counter!(CLAIMS_TOTAL, "action" => action, "outcome" => outcome).increment(1);
    result
}

/// Counts a cancellation's result and logs it; returns the result unchanged.
pub fn cancellation(
    result: Result<ScheduledSession, CancelError>,
) -> Result<ScheduledSession, CancelError> {
    let outcome = match &result {
        Ok(session) => {
            tracing::info!(session = session.id.get(), "session cancelled");
            "cancelled"
        }
        Err(error) => error.code(),
    };
    metrics::counter!(CANCELLATIONS_TOTAL, "outcome" => outcome).increment(1);
    result
}
