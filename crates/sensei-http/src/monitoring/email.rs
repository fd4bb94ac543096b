//! Email to students: what became of each email the worker took.

use sensei_core::NextStep;

/// Counter: emails the worker took, by `outcome`: `delivered` (the SMTP server accepted it),
/// `retry` (it failed and is tried again later), `failed` (given up), `skipped` (nothing to
/// send: the student opted out, the account is gone or disabled, the session changed).
pub const EMAILS_TOTAL: &str = "sensei_emails_total";

/// Counts one email the worker took; `skipped` when nothing was sent on purpose.
pub fn email(next: NextStep, skipped: bool) {
    let outcome = if skipped { "skipped" } else { next.outcome() };
    metrics::counter!(EMAILS_TOTAL, "outcome" => outcome).increment(1);
}
