//! Email to students: the outbox of emails (one row per audit event that emails the student,
//! written by the store in the transaction that appends the event, and one per password-reset
//! request), its leases, the opt-outs and the reset requests. Rows hold ids only; the email is
//! rendered when it is sent.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{EmailKind, NextStep, ResetRequest, SessionEvent, Skip, UserId};
use crate::error::RepositoryError;

/// A leased outbox row with what the store knows of its recipient now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedEmail {
    /// The outbox row.
    pub email_id: i64,
    /// What it says.
    pub kind: EmailKind,
    /// To whom.
    pub recipient: UserId,
    /// Their address now; `None` when the account is gone or erased.
    pub recipient_email: Option<String>,
    /// Whether they opted out of session emails.
    pub opted_out: bool,
    /// The time zone they chose for pages (emails write times in it too), as stored.
    pub recipient_time_zone: Option<String>,
    /// The audit event (session emails).
    pub event: Option<SessionEvent>,
    /// The reset request's id and state (reset emails; `None` when it is gone).
    pub reset: Option<(i64, ResetRequest)>,
    /// Attempts made before this one.
    pub attempts: u32,
    /// When the row was written (the retry period counts from then).
    pub created_at: DateTime<Utc>,
}

/// The digest of a link secret an email about to be sent carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkDigest {
    /// An opt-out link for this user.
    Unsubscribe {
        /// The recipient.
        user: UserId,
        /// The secret's digest.
        digest: String,
    },
    /// The link of this reset request (replacing an earlier one: the latest email's works).
    Reset {
        /// The request.
        request_id: i64,
        /// The secret's digest.
        digest: String,
    },
}

/// What became of an email after an attempt (or a decision not to send it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAttempt {
    /// The outbox row.
    pub email_id: i64,
    /// The lease holder that made the attempt.
    pub owner: String,
    /// When.
    pub attempted_at: DateTime<Utc>,
    /// What follows: sent (`Delivered`), tried again, given up.
    pub next: NextStep,
    /// Not sent on purpose (closed without a retry).
    pub skipped: Option<Skip>,
    /// Why it failed, shortened.
    pub error: Option<String>,
}

/// A reset request found by its link's digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundReset {
    /// The request.
    pub request_id: i64,
    /// Whose.
    pub user: UserId,
    /// Its state.
    pub request: ResetRequest,
}

/// The email outbox, opt-outs and password-reset requests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EmailStore: Send + Sync {
    /// Keeps email on until `until`: audit events appended before then get an outbox row
    /// (the process that sends email renews this; when none does, rows stop being written).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn keep_enabled(&self, until: DateTime<Utc>) -> Result<(), RepositoryError>;

    /// Leases at most `limit` due, unsent emails (next attempt at or before `now`, no live
    /// lease) to `owner` until `until`, oldest due first; a row is leased to one owner at a
    /// time across processes (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite its single writer).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`]; [`RepositoryError::Internal`] for unreadable rows.
    async fn lease_due(
        &self,
        owner: String,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<LeasedEmail>, RepositoryError>;

    /// Stores the digests of the link secrets about to be sent, in one write, stamped `at`.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn save_links(
        &self,
        links: Vec<LinkDigest>,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// Records attempts in one write: sent and skipped rows are closed, others wait for their
    /// retry or are given up; the lease ends. An attempt whose `owner` no longer holds the
    /// row changes nothing.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn record(&self, attempts: Vec<EmailAttempt>) -> Result<(), RepositoryError>;

    /// Records the opt-out of the user whose opt-out link has this digest; the user, or
    /// `None` when no link has it.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn opt_out(
        &self,
        digest: String,
        at: DateTime<Utc>,
    ) -> Result<Option<UserId>, RepositoryError>;

    /// Writes a reset request and its outbox row for the enabled account with this
    /// (normalised) email, in one transaction; nothing for an unknown or disabled account.
    /// `true` when written (callers must not tell the asker).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn request_reset(
        &self,
        email: String,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;

    /// The reset request whose link has this digest, if any, for an enabled account.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn find_reset(&self, digest: String) -> Result<Option<FoundReset>, RepositoryError>;

    /// Uses the reset request: if still unused, marks it used at `at`, replaces its account's
    /// password hash and ends the account's sign-ins, in one transaction. `false` when it was
    /// used meanwhile (nothing changed).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn complete_reset(
        &self,
        request_id: i64,
        hash: String,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;
}

/// No email (embedders and handler tests without the tables): nothing is queued or sent,
/// no link is known, and a reset request writes nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEmail;

#[async_trait]
impl EmailStore for NoEmail {
    async fn keep_enabled(&self, _until: DateTime<Utc>) -> Result<(), RepositoryError> {
        Ok(())
    }

    async fn lease_due(
        &self,
        _owner: String,
        _now: DateTime<Utc>,
        _until: DateTime<Utc>,
        _limit: u32,
    ) -> Result<Vec<LeasedEmail>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn save_links(
        &self,
        _links: Vec<LinkDigest>,
        _at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        Ok(())
    }

    async fn record(&self, _attempts: Vec<EmailAttempt>) -> Result<(), RepositoryError> {
        Ok(())
    }

    async fn opt_out(
        &self,
        _digest: String,
        _at: DateTime<Utc>,
    ) -> Result<Option<UserId>, RepositoryError> {
        Ok(None)
    }

    async fn request_reset(
        &self,
        _email: String,
        _at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        Ok(false)
    }

    async fn find_reset(&self, _digest: String) -> Result<Option<FoundReset>, RepositoryError> {
        Ok(None)
    }

    async fn complete_reset(
        &self,
        _request_id: i64,
        _hash: String,
        _at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        Ok(false)
    }
}
