//! What the service did, counted by the HTTP adapter right after the service call (the domain
//! crate stays free of metrics): bookings by outcome, completions, claims (claim, renew,
//! release), cancellations, sign-in failures.

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

/// Counts a booking's result.
pub fn booking(result: &Result<Booking, BookError>) {
    let outcome = match result {
        Ok(booking) => match booking.outcome {
            BookingOutcome::Created => "created",
            BookingOutcome::Duplicate => "duplicate",
        },
        Err(error) => {
            metrics::counter!(BOOKING_REFUSALS_TOTAL, "reason" => error.code()).increment(1);
            "refused"
        }
    };
    metrics::counter!(BOOKINGS_TOTAL, "outcome" => outcome).increment(1);
}

/// Counts a completion's result.
pub fn completion(result: &Result<ScheduledSession, CompleteError>) {
    let outcome = match result {
        Ok(_) => "completed",
        Err(error) => error.code(),
    };
    metrics::counter!(COMPLETIONS_TOTAL, "outcome" => outcome).increment(1);
}

/// Counts a failed sign-in, by the refusal's code.
pub fn sign_in_failure(code: &'static str) {
    metrics::counter!(SIGN_IN_FAILURES_TOTAL, "reason" => code).increment(1);
}

/// Counts a claim, renewal or release (`action`) and its result.
pub fn claim(action: &'static str, result: &Result<ScheduledSession, ClaimError>) {
    let outcome = match result {
        Ok(_) => "done",
        Err(error) => error.code(),
    };
    metrics::counter!(CLAIMS_TOTAL, "action" => action, "outcome" => outcome).increment(1);
}

/// Counts a cancellation's result.
pub fn cancellation(result: &Result<ScheduledSession, CancelError>) {
    let outcome = match result {
        Ok(_) => "cancelled",
        Err(error) => error.code(),
    };
    metrics::counter!(CANCELLATIONS_TOTAL, "outcome" => outcome).increment(1);
}
