//! Email to students: which audit event becomes which email to whom, when an email is sent
//! or skipped, the secrets its links carry (opt-out, password reset), and the reset link's
//! expiry and single use.
//!
//! The outbox stores only ids (the event, the recipient); the email is rendered when it is
//! sent, from the data as it is then, so an erased person leaves no copy in the outbox.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::events::EventKind;

/// How long a password-reset link works after it was asked for.
pub const RESET_LIFETIME: Duration = Duration::minutes(30);

/// How long an email waits to be sent before it is given up: a day, like webhooks
/// ([`super::RetryPolicy`]); a reset email only as long as its link works.
pub fn give_up_after(kind: EmailKind) -> Duration {
    match kind {
        EmailKind::PasswordReset => RESET_LIFETIME,
        _ => Duration::hours(24),
    }
}

/// What an email says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmailKind {
    /// The receipt of a booking.
    Booked,
    /// An instructor is on it (with their meeting details, if any).
    Claimed,
    /// The session is done (with the notes for the student, if any).
    Completed,
    /// The session was cancelled.
    Cancelled,
    /// A password-reset link the recipient asked for.
    PasswordReset,
}

impl EmailKind {
    /// Every kind.
    pub const ALL: [EmailKind; 5] = [
        EmailKind::Booked,
        EmailKind::Claimed,
        EmailKind::Completed,
        EmailKind::Cancelled,
        EmailKind::PasswordReset,
    ];

    /// The stored form (for session emails, the event kind's).
    pub fn as_str(self) -> &'static str {
        match self {
            EmailKind::Booked => "booked",
            EmailKind::Claimed => "claimed",
            EmailKind::Completed => "completed",
            EmailKind::Cancelled => "cancelled",
            EmailKind::PasswordReset => "password_reset",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<EmailKind> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw.trim())
    }

    /// The email the student gets for an audit event, if any: booked, claimed, completed and
    /// cancelled do; renewals and releases are the instructors' business and send nothing.
    pub fn for_event(kind: EventKind) -> Option<EmailKind> {
        match kind {
            EventKind::Booked => Some(EmailKind::Booked),
            EventKind::Claimed => Some(EmailKind::Claimed),
            EventKind::Completed => Some(EmailKind::Completed),
            EventKind::Cancelled => Some(EmailKind::Cancelled),
            EventKind::Renewed | EventKind::Released => None,
        }
    }

    /// Whether the recipient's opt-out stops it: every session email; never a reset link
    /// they asked for themselves.
    pub fn respects_opt_out(self) -> bool {
        self != EmailKind::PasswordReset
    }
}

/// Why an email due in the outbox is not sent (it is then closed, not retried).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The recipient opted out of session emails.
    OptedOut,
    /// The recipient, the session or the reset request is gone (erased, removed).
    Gone,
    /// The reset link expired or was used before it could be sent.
    ResetSpent,
    /// The event sends no email ([`EmailKind::for_event`]).
    NotSent,
}

impl Skip {
    /// The log label.
    pub fn label(self) -> &'static str {
        match self {
            Skip::OptedOut => "opted out",
            Skip::Gone => "recipient or session gone",
            Skip::ResetSpent => "reset link expired or used",
            Skip::NotSent => "no email for this event",
        }
    }
}

/// Whether to send an email of `kind` to a recipient who has (or has not) opted out.
///
/// # Errors
/// The [`Skip`] reason when it is not sent.
pub fn decide_send(kind: EmailKind, opted_out: bool) -> Result<(), Skip> {
    if opted_out && kind.respects_opt_out() {
        Err(Skip::OptedOut)
    } else {
        Ok(())
    }
}

/// How many random bytes a link secret carries.
pub const LINK_SECRET_BYTES: usize = 32;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The secret in an emailed link (opt-out, password reset): 64 lowercase hex digits of random
/// bytes, made when the email is sent and kept by the store only as its SHA-256 digest
/// ([`LinkSecret::digest`]). Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkSecret(String);

impl LinkSecret {
    /// The secret for these random bytes.
    pub fn from_random(bytes: [u8; LINK_SECRET_BYTES]) -> LinkSecret {
        LinkSecret(hex(&bytes))
    }

    /// A secret from a link: `None` unless 64 lowercase hex digits (refused without a lookup).
    pub fn parse(raw: &str) -> Option<LinkSecret> {
        let raw = raw.trim();
        let well_formed = raw.len() == LINK_SECRET_BYTES * 2
            && raw
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        well_formed.then(|| LinkSecret(raw.to_owned()))
    }

    /// The text for the link.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digest the store keeps and looks the secret up by.
    pub fn digest(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for LinkSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkSecret(<hidden>)")
    }
}

/// A password-reset request as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetRequest {
    /// When it was asked for.
    pub requested_at: DateTime<Utc>,
    /// When its link was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
}

/// Why a reset link does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResetRefusal {
    /// Unknown, or for an account that cannot reset (disabled).
    #[error("this password-reset link is not valid; ask for a new one")]
    Unknown,
    /// Older than [`RESET_LIFETIME`].
    #[error("this password-reset link has expired (links work for 30 minutes); ask for a new one")]
    Expired,
    /// Used already.
    #[error("this password-reset link was used already; ask for a new one")]
    Used,
}

impl ResetRequest {
    /// Whether its link works at `now`: once, within [`RESET_LIFETIME`] of the request.
    ///
    /// # Errors
    /// [`ResetRefusal::Used`] or [`ResetRefusal::Expired`].
    pub fn usable_at(&self, now: DateTime<Utc>) -> Result<(), ResetRefusal> {
        if self.used_at.is_some() {
            Err(ResetRefusal::Used)
        } else if now - self.requested_at >= RESET_LIFETIME {
            Err(ResetRefusal::Expired)
        } else {
            Ok(())
        }
    }
}

/// Text safe in a header (a subject): control characters (CR, LF, tab, ...) become spaces
/// and runs of spaces one, at most `max` characters. Headers are built by a typed builder
/// anyway; this keeps user-written text from even looking like another header line.
pub fn header_text(raw: &str, max: usize) -> String {
    let mut text = String::with_capacity(raw.len().min(max * 4));
    let mut count = 0;
    for c in raw.chars() {
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' && (text.is_empty() || text.ends_with(' ')) {
            continue;
        }
        if count == max {
            text.push('…');
            break;
        }
        text.push(c);
        count += 1;
    }
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    #[test]
    fn booked_claimed_completed_and_cancelled_email_the_student_and_nothing_else_does() {
        let sent: Vec<_> = [
            EventKind::Booked,
            EventKind::Claimed,
            EventKind::Renewed,
            EventKind::Released,
            EventKind::Completed,
            EventKind::Cancelled,
        ]
        .into_iter()
        .filter_map(EmailKind::for_event)
        .collect();
        assert_eq!(
            sent,
            [
                EmailKind::Booked,
                EmailKind::Claimed,
                EmailKind::Completed,
                EmailKind::Cancelled
            ]
        );
        for kind in EmailKind::ALL {
            assert_eq!(EmailKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn an_opt_out_stops_session_emails_but_not_a_reset_link() {
        assert_eq!(decide_send(EmailKind::Booked, true), Err(Skip::OptedOut));
        assert_eq!(decide_send(EmailKind::Cancelled, true), Err(Skip::OptedOut));
        assert_eq!(decide_send(EmailKind::PasswordReset, true), Ok(()));
        assert_eq!(decide_send(EmailKind::Booked, false), Ok(()));
    }

    #[test]
    fn a_reset_link_works_once_within_thirty_minutes() {
        let request = ResetRequest {
            requested_at: at(),
            used_at: None,
        };
        assert_eq!(request.usable_at(at() + Duration::minutes(29)), Ok(()));
        assert_eq!(
            request.usable_at(at() + RESET_LIFETIME),
            Err(ResetRefusal::Expired)
        );
        let used = ResetRequest {
            used_at: Some(at()),
            ..request
        };
        assert_eq!(used.usable_at(at()), Err(ResetRefusal::Used));
        assert_eq!(give_up_after(EmailKind::PasswordReset), RESET_LIFETIME);
        assert_eq!(give_up_after(EmailKind::Booked), Duration::hours(24));
    }

    #[test]
    fn link_secrets_are_hex_kept_as_digests_and_hidden_in_debug() {
        let secret = LinkSecret::from_random([0xab; LINK_SECRET_BYTES]);
        assert_eq!(secret.as_str(), "ab".repeat(32));
        assert_eq!(LinkSecret::parse(secret.as_str()), Some(secret.clone()));
        assert_eq!(secret.digest().len(), 64);
        assert_ne!(secret.digest(), secret.as_str());
        assert_eq!(LinkSecret::parse("AB"), None);
        assert_eq!(LinkSecret::parse(&"g".repeat(64)), None);
        assert!(!format!("{secret:?}").contains("abab"));
    }

    #[test]
    fn header_text_has_no_line_breaks_and_a_bounded_length() {
        assert_eq!(
            header_text("Anatomy\r\nBcc: evil@example.org", 80),
            "Anatomy Bcc: evil@example.org"
        );
        assert_eq!(header_text("  a \t b  ", 80), "a b");
        assert_eq!(header_text("abcdef", 3), "abc…");
    }
}
