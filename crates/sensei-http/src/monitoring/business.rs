//! What the service did, counted by the HTTP adapter right after the service call (the domain
//! crate stays free of metrics): bookings by outcome, completions, sign-in failures.
//!
//! Claims and cancellations (SPEC §5.6) are being built: their handlers record them here, with
//! [`CLAIMS_TOTAL`] and [`CANCELLATIONS_TOTAL`], the same way as bookings (an `outcome` label;
//! refusals by the error's code in `reason`).

use sensei_core::services::{Booking, BookingOutcome};
use sensei_core::{BookError, CompleteError, DomainError, ScheduledSession};

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

/// Counter, reserved for claims (an instructor takes a session), by `outcome`.
pub const CLAIMS_TOTAL: &str = "sensei_claims_total";

/// Counter, reserved for cancellations (a student withdraws), by `outcome`.
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
