//! Every error of the domain declared once: its stable code, its [`ErrorKind`], a title and
//! what it means. Each error enum points its variants at one of these ([`DomainError`]);
//! adapters render from the declaration (a status from the kind, the title as a page's
//! heading, the meaning in reference documentation) and never parse a code string back.
//!
//! [`DomainError`]: super::DomainError

use super::ErrorKind;

/// One error as declared once. Two errors may share a code where they mean the same to a
/// program (`invalid_password` when adding an account or following a reset link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorDeclaration {
    /// The stable snake_case code (the API's `code`): new codes may be added, existing ones
    /// keep their meaning.
    pub code: &'static str,
    /// What kind of failure it is, whatever the operation.
    pub kind: ErrorKind,
    /// A short heading for people (an error page's title).
    pub title: &'static str,
    /// What the code means, for reference documentation (one sentence, no final full stop).
    pub meaning: &'static str,
}

/// Declares the associated constants and [`ErrorDeclaration::ALL`] in one list, so that no
/// declaration can be left out of it.
macro_rules! declare {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $kind:ident, $title:literal, $meaning:literal;)*) => {
        impl ErrorDeclaration {
            $(
                $(#[$doc])*
                pub const $name: ErrorDeclaration = ErrorDeclaration {
                    code: $code,
                    kind: ErrorKind::$kind,
                    title: $title,
                    meaning: $meaning,
                };
            )*

            /// Every declaration, in the order above.
            pub const ALL: &'static [ErrorDeclaration] = &[$(ErrorDeclaration::$name),*];
        }
    };
}

declare! {
    /// No such record.
    NOT_FOUND = "not_found", NotFound, "Not found", "no such record";
    /// Nobody is signed in.
    UNAUTHENTICATED = "unauthenticated", Unauthenticated, "Sign-in required",
        "nobody is signed in";
    /// The actor may not do this.
    FORBIDDEN = "forbidden", Forbidden, "Not allowed", "signed in, but not allowed";
    /// Well-formed input the rules refuse, with no more specific code.
    REFUSED = "refused", Refused, "Request refused", "well-formed input the rules refuse";
    /// The record's state forbids it (a session already completed).
    CONFLICT = "conflict", Conflict, "Already done",
        "the record's state forbids it: the session was already completed";
    /// Input the store or the text rule cannot accept at all.
    INVALID_INPUT = "invalid_input", InvalidInput, "Bad request",
        "input that cannot be stored, such as a NUL character, or a record the database refuses";
    /// The store cannot serve now.
    UNAVAILABLE = "unavailable", Unavailable, "Temporarily unavailable",
        "the database cannot be reached; retry later";
    /// A bug or corrupt stored data.
    INTERNAL = "internal", Internal, "Something went wrong", "a bug or corrupt data; logged";

    /// A booking the eligibility rules refuse.
    INELIGIBLE = "ineligible", Refused, "Not eligible for a sensei session yet",
        "the student is not eligible for a sensei session; every unmet condition is named";
    /// A booking over the open-session limit.
    TOO_MANY_OPEN_SESSIONS = "too_many_open_sessions", Refused, "Too many open sessions",
        "the student holds as many open sessions as the policy allows";
    /// Completion notes the rules refuse.
    INVALID_NOTES = "invalid_notes", Refused, "Notes too long",
        "the completion notes were refused (over 10,000 characters)";
    /// A live claim by another instructor.
    HELD_BY_OTHER = "held_by_other", Conflict, "Claimed by another instructor",
        "another instructor holds a live claim on the session; the message names them and \
         the expiry";
    /// Renewing or releasing a claim the instructor does not hold.
    NOT_HELD = "not_held", Conflict, "Not claimed by you",
        "renewing or releasing a session the instructor holds no live claim on";
    /// A completed or cancelled session.
    SESSION_CLOSED = "session_closed", Conflict, "Session closed",
        "the session is completed or cancelled: it can no longer be claimed, completed or \
         cancelled";
    /// The claim limit.
    CLAIM_LIMIT = "claim_limit", Refused, "Too many claims",
        "the instructor holds as many live claims as the policy allows";
    /// Meeting details the rules refuse.
    INVALID_MEETING = "invalid_meeting", Refused, "Request refused",
        "the meeting link or time given with a claim was refused";
    /// A cancellation reason the rules refuse.
    INVALID_REASON = "invalid_reason", Refused, "Reason too long",
        "the cancellation reason was refused (over 500 characters)";
    /// A wrong email or password.
    INVALID_CREDENTIALS = "invalid_credentials", Unauthenticated, "Sign-in failed",
        "wrong email or password";
    /// An API token that does not work.
    INVALID_TOKEN = "invalid_token", Unauthenticated, "API token not valid",
        "an API token that is malformed, unknown, revoked or expired, or whose owner is \
         disabled";
    /// An API token's name or lifetime the rules refuse (the code of malformed input, kept
    /// for compatibility; refused as a rule).
    INVALID_TOKEN_INPUT = "invalid_input", Refused, "Request refused",
        "an API token's name or lifetime was refused";
    /// A token for a disabled account.
    ACCOUNT_DISABLED = "account_disabled", Conflict, "Account disabled",
        "the account is disabled, so a token of it would not work";
    /// An email the rules refuse.
    INVALID_EMAIL = "invalid_email", Refused, "Request refused", "the email was refused";
    /// Not one of the roles.
    UNKNOWN_ROLE = "unknown_role", Refused, "Request refused",
        "not one of the roles student, instructor or admin";
    /// A password the rules refuse.
    INVALID_PASSWORD = "invalid_password", Refused, "Request refused",
        "the password was refused";
    /// An email another account has.
    EMAIL_TAKEN = "email_taken", Conflict, "Already done", "another account has this email";
    /// A change that would leave no enabled admin.
    LAST_ADMIN = "last_admin", Refused, "Request refused",
        "the change would leave no enabled admin";
    /// A change to an erased account.
    ERASED_ACCOUNT = "erased_account", Refused, "Request refused",
        "the account was erased and is never changed again";
    /// An unsubscribe link that does not work.
    UNKNOWN_LINK = "unknown_link", NotFound, "Not found", "the unsubscribe link is not valid";
    /// A reset link that does not work.
    RESET_LINK_INVALID = "reset_link_invalid", Refused, "Request refused",
        "the password reset link is not valid (any more)";
    /// Email is off.
    EMAIL_OFF = "email_off", NotFound, "Not found", "email is not configured on this server";
    /// A webhook URL or event list the rules refuse.
    INVALID_WEBHOOK = "invalid_webhook", Refused, "Request refused",
        "the webhook URL or event list was refused";
}

impl ErrorDeclaration {
    /// The declaration of an error of this kind that has no more specific one.
    pub const fn of_kind(kind: ErrorKind) -> &'static ErrorDeclaration {
        match kind {
            ErrorKind::NotFound => &ErrorDeclaration::NOT_FOUND,
            ErrorKind::Unauthenticated => &ErrorDeclaration::UNAUTHENTICATED,
            ErrorKind::Forbidden => &ErrorDeclaration::FORBIDDEN,
            ErrorKind::Refused => &ErrorDeclaration::REFUSED,
            ErrorKind::Conflict => &ErrorDeclaration::CONFLICT,
            ErrorKind::InvalidInput => &ErrorDeclaration::INVALID_INPUT,
            ErrorKind::Unavailable => &ErrorDeclaration::UNAVAILABLE,
            ErrorKind::Internal => &ErrorDeclaration::INTERNAL,
        }
    }
}
