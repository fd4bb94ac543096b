//! Email to students: the sending worker's use cases (keep email on, lease due emails and
//! gather what each says from the data as it is now, decide the next attempt), the opt-out
//! link and the password-reset link.
//!
//! A service of its own (not part of [`super::SenseiService`]): the worker and the link pages
//! need only these ports.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::domain::{
    decide_send, give_up_after, normalize_email, EmailKind, LinkSecret, Meeting, NewPassword,
    NextStep, PasswordFormat, RetryPolicy, ScheduledSessionId, SessionLifecycle, Skip,
};
use crate::error::{EmailLinkError, RepositoryError};
use crate::ports::{
    Clock, EmailAttempt, EmailStore, FoundReset, Jitter, LeasedEmail, LinkDigest, MeetingStore,
    PasswordHasher, RandomSource, ScheduledSessionRepository,
};

/// What an email says, gathered when it is sent. Text written by people (notes, reasons,
/// names, the link) is carried as it is: the renderer escapes it and keeps it out of headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailContent {
    /// The recipient's address.
    pub to: String,
    /// What it is about.
    pub kind: EmailKind,
    /// The session (session emails).
    pub session_id: Option<ScheduledSessionId>,
    /// The challenge's name (session emails).
    pub challenge: Option<String>,
    /// When the event happened (or the reset was asked for).
    pub occurred_at: DateTime<Utc>,
    /// The recipient's time zone as stored (times are written in it, UTC beside them);
    /// `None`: UTC.
    pub time_zone: Option<String>,
    /// The instructor's email (claim, completion).
    pub instructor_email: Option<String>,
    /// The notes for the student (completion).
    pub notes_for_student: Option<String>,
    /// The student's reason (cancellation).
    pub cancel_reason: Option<String>,
    /// The claiming instructor's meeting details (claim).
    pub meeting: Option<Meeting>,
    /// The opt-out link's secret (session emails).
    pub unsubscribe: Option<LinkSecret>,
    /// The reset link's secret (reset emails).
    pub reset: Option<LinkSecret>,
}

/// A leased email: sent with this content, or closed unsent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueEmail {
    /// The outbox row.
    pub leased: LeasedEmail,
    /// What to send, or why not.
    pub prepared: Result<EmailContent, Skip>,
}

/// The email use cases over an [`EmailStore`].
#[derive(Clone)]
pub struct EmailService {
    store: Arc<dyn EmailStore>,
    sessions: Arc<dyn ScheduledSessionRepository>,
    meetings: Arc<dyn MeetingStore>,
    clock: Arc<dyn Clock>,
    jitter: Arc<dyn Jitter>,
    random: Arc<dyn RandomSource>,
    retry: RetryPolicy,
    sending: bool,
}

/// The ports the email service runs on.
#[derive(Clone)]
pub struct EmailPorts {
    /// The outbox, opt-outs and reset requests.
    pub store: Arc<dyn EmailStore>,
    /// The sessions, read when an email is sent.
    pub sessions: Arc<dyn ScheduledSessionRepository>,
    /// Meeting details.
    pub meetings: Arc<dyn MeetingStore>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Retry jitter.
    pub jitter: Arc<dyn Jitter>,
    /// Link secrets.
    pub random: Arc<dyn RandomSource>,
}

impl EmailService {
    /// The instant by this service's clock: what an attempt is stamped with, and the
    /// one "now" its adapters read.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The service over these ports with this retry schedule (its give-up period is set per
    /// email by [`give_up_after`]); `sending` says whether this process sends email (a reset
    /// can be asked for only then).
    pub fn new(ports: EmailPorts, retry: RetryPolicy, sending: bool) -> Self {
        Self {
            store: ports.store,
            sessions: ports.sessions,
            meetings: ports.meetings,
            clock: ports.clock,
            jitter: ports.jitter,
            random: ports.random,
            retry,
            sending,
        }
    }

    /// Whether this process sends email (`--smtp-url`).
    pub fn is_sending(&self) -> bool {
        self.sending
    }

    /// Keeps outbox rows being written for `period` from now.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    pub async fn keep_enabled(&self, period: Duration) -> Result<(), RepositoryError> {
        self.store.keep_enabled(self.clock.now() + period).await
    }

    /// Leases at most `limit` due emails for `lease`, each with what it says now (or why it
    /// is not sent), and stores the digests of the link secrets they carry.
    ///
    /// # Errors
    /// [`RepositoryError`] from the store; then nothing is sent (the leases lapse).
    pub async fn lease_due(
        &self,
        owner: &str,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<DueEmail>, RepositoryError> {
        let now = self.clock.now();
        let leased = self
            .store
            .lease_due(owner.to_owned(), now, now + lease, limit)
            .await?;
        let mut due = Vec::with_capacity(leased.len());
        let mut links = Vec::new();
        for email in leased {
            // A failed read fails the whole lease: the rows wait for their leases to lapse.
            let prepared = match self.prepare(&email, now).await? {
                Ok((content, link)) => {
                    links.push(link);
                    Ok(content)
                }
                Err(skip) => Err(skip),
            };
            due.push(DueEmail {
                leased: email,
                prepared,
            });
        }
        if !links.is_empty() {
            self.store.save_links(links, now).await?;
        }
        Ok(due)
    }

    /// What `email` says now, with the digest of its link secret; or why it is not sent.
    async fn prepare(
        &self,
        email: &LeasedEmail,
        now: DateTime<Utc>,
    ) -> Result<Result<(EmailContent, LinkDigest), Skip>, RepositoryError> {
        let Some(to) = email.recipient_email.clone() else {
            return Ok(Err(Skip::Gone));
        };
        if let Err(skip) = decide_send(email.kind, email.opted_out) {
            return Ok(Err(skip));
        }
        let secret = LinkSecret::from_random(self.random.feed_secret()?);
        if email.kind == EmailKind::PasswordReset {
            let Some((request_id, request)) = email.reset else {
                return Ok(Err(Skip::Gone));
            };
            if request.usable_at(now).is_err() {
                return Ok(Err(Skip::ResetSpent));
            }
            let link = LinkDigest::Reset {
                request_id,
                digest: secret.digest(),
            };
            let content = EmailContent {
                to,
                kind: email.kind,
                session_id: None,
                challenge: None,
                occurred_at: request.requested_at,
                time_zone: email.recipient_time_zone.clone(),
                instructor_email: None,
                notes_for_student: None,
                cancel_reason: None,
                meeting: None,
                unsubscribe: None,
                reset: Some(secret),
            };
            return Ok(Ok((content, link)));
        }
        let Some(event) = &email.event else {
            return Ok(Err(Skip::Gone));
        };
        if EmailKind::for_event(event.kind) != Some(email.kind) {
            return Ok(Err(Skip::NotSent));
        }
        let Some(entry) = self.sessions.get(event.session_id).await? else {
            return Ok(Err(Skip::Gone));
        };
        let (mut notes_for_student, mut cancel_reason, mut meeting) = (None, None, None);
        match (&entry.session.lifecycle, email.kind) {
            (SessionLifecycle::Completed(done), EmailKind::Completed) => {
                notes_for_student = done.student_notes.as_ref().map(|n| n.as_str().to_owned());
            }
            (SessionLifecycle::Cancelled(cancelled), EmailKind::Cancelled) => {
                cancel_reason = cancelled.reason.as_ref().map(|r| r.as_str().to_owned());
            }
            (_, EmailKind::Claimed) => {
                let stored = self.meetings.meetings(vec![event.session_id]).await?;
                meeting = stored
                    .iter()
                    .find_map(|stored| stored.shown_for(event.actor))
                    .cloned();
            }
            _ => {}
        }
        let instructor_email = match email.kind {
            EmailKind::Claimed | EmailKind::Completed => event
                .actor_email
                .clone()
                .or_else(|| entry.holder_email.clone()),
            _ => None,
        };
        let link = LinkDigest::Unsubscribe {
            user: email.recipient,
            digest: secret.digest(),
        };
        let content = EmailContent {
            to,
            kind: email.kind,
            session_id: Some(event.session_id),
            challenge: Some(entry.challenge_name),
            occurred_at: event.occurred_at,
            time_zone: email.recipient_time_zone.clone(),
            instructor_email,
            notes_for_student,
            cancel_reason,
            meeting,
            unsubscribe: Some(secret),
            reset: None,
        };
        Ok(Ok((content, link)))
    }

    /// What follows an attempt of `email` that was sent (`sent`) or failed at `failed_at`:
    /// the webhooks' schedule (10 s doubling to an hour, ±20 %), for a day, or for a reset
    /// email only while its link works.
    pub fn next_step(&self, email: &LeasedEmail, sent: bool, at: DateTime<Utc>) -> NextStep {
        if sent {
            return NextStep::Delivered;
        }
        let policy = RetryPolicy {
            give_up_after: give_up_after(email.kind),
            ..self.retry
        };
        policy.after_failure(
            email.attempts.saturating_add(1),
            email.created_at,
            at,
            self.jitter.unit(),
        )
    }

    /// Records attempts.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    pub async fn record(&self, attempts: Vec<EmailAttempt>) -> Result<(), RepositoryError> {
        self.store.record(attempts).await
    }

    /// Opts out the owner of the link with secret `raw`.
    ///
    /// # Errors
    /// [`EmailLinkError::UnknownLink`] for a malformed or unknown link; [`EmailLinkError::Repository`].
    pub async fn opt_out(&self, raw: &str) -> Result<(), EmailLinkError> {
        let secret = LinkSecret::parse(raw).ok_or(EmailLinkError::UnknownLink)?;
        match self
            .store
            .opt_out(secret.digest(), self.clock.now())
            .await?
        {
            Some(_) => Ok(()),
            None => Err(EmailLinkError::UnknownLink),
        }
    }

    /// Asks for a reset link for the account with `raw_email`. The answer is the same whether
    /// or not there is such an (enabled) account.
    ///
    /// # Errors
    /// [`EmailLinkError::Off`] when this process sends no email; [`EmailLinkError::Repository`].
    pub async fn request_reset(&self, raw_email: &str) -> Result<(), EmailLinkError> {
        if !self.sending {
            return Err(EmailLinkError::Off);
        }
        let email = normalize_email(raw_email);
        if email.is_empty() || !email.contains('@') {
            return Ok(());
        }
        self.store.request_reset(email, self.clock.now()).await?;
        Ok(())
    }

    /// The reset request of the link with secret `raw`, if it works now.
    ///
    /// # Errors
    /// [`EmailLinkError::Reset`] when unknown, expired or used; [`EmailLinkError::Repository`].
    pub async fn check_reset(&self, raw: &str) -> Result<FoundReset, EmailLinkError> {
        let secret = LinkSecret::parse(raw).ok_or(crate::domain::ResetRefusal::Unknown)?;
        let found = self
            .store
            .find_reset(secret.digest())
            .await?
            .ok_or(crate::domain::ResetRefusal::Unknown)?;
        found.request.usable_at(self.clock.now())?;
        Ok(found)
    }

    /// Sets a new password through the reset link with secret `raw`: once, within its
    /// lifetime; the account's sign-ins end.
    ///
    /// # Errors
    /// [`EmailLinkError::Reset`], [`EmailLinkError::Password`] (nothing changed),
    /// [`EmailLinkError::Repository`].
    pub async fn reset_password(
        &self,
        raw: &str,
        password: String,
        hasher: &dyn PasswordHasher,
        format: PasswordFormat,
    ) -> Result<(), EmailLinkError> {
        let password = NewPassword::new(password)?;
        let found = self.check_reset(raw).await?;
        let hash = hasher.hash(password, format).await?;
        if self
            .store
            .complete_reset(found.request_id, hash, self.clock.now())
            .await?
        {
            Ok(())
        } else {
            Err(crate::domain::ResetRefusal::Used.into())
        }
    }
}
