//! Every error's kind and code, in one table. The codes are the API's `code` field and
//! clients match on them: a code may be added, but one in this table never changes.

use chrono::{TimeZone, Utc};

use super::*;
use crate::domain::{
    ApiTokenId, ApiTokenInputError, EmailError, LastAdmin, MeetingError, PasswordError,
    ResetRefusal, UnmetCondition, WebhookEndpointId, WebhookInputError,
};

fn held_by() -> HeldBy {
    HeldBy {
        session: ScheduledSessionId(4),
        holder: "ann@example.com".to_owned(),
        expires_at: Utc.with_ymd_and_hms(2026, 11, 28, 10, 30, 0).unwrap(),
    }
}

fn session() -> ScheduledSessionId {
    ScheduledSessionId(4)
}

/// Each error as `(kind, code, what)`.
fn table() -> Vec<(ErrorKind, &'static str, String)> {
    fn row(error: &dyn DomainError) -> (ErrorKind, &'static str, String) {
        (error.kind(), error.code(), error.to_string())
    }
    let nul = NulInText { field: "text" };
    let unavailable = RepositoryError::Unavailable("down".into());
    let ineligible = Ineligibility {
        unmet: vec![UnmetCondition::NoNeedsWorkReview {
            latest_verdict: None,
        }],
    };
    vec![
        row(&RepositoryError::Unavailable("down".into())),
        row(&RepositoryError::Rejected("constraint".into())),
        row(&RepositoryError::Internal("bad row".into())),
        row(&QueryError::NotFound {
            resource: Resource::Submission,
            id: 3,
        }),
        row(&QueryError::Forbidden(Resource::ScheduledSession)),
        row(&QueryError::InvalidText(nul)),
        row(&QueryError::Repository(RepositoryError::Internal(
            "x".into(),
        ))),
        row(&BookError::NotFound(3)),
        row(&BookError::Forbidden),
        row(&BookError::Ineligible(ineligible)),
        row(&BookError::TooManyOpen { open: 3, max: 3 }),
        row(&BookError::Repository(unavailable.clone())),
        row(&CompleteError::NotFound(session())),
        row(&CompleteError::Forbidden),
        row(&CompleteError::InvalidNotes(NotesError::TooLong {
            chars: 10_001,
        })),
        row(&CompleteError::InvalidNotes(NotesError::Nul(nul))),
        row(&CompleteError::HeldByOther(held_by())),
        row(&CompleteError::Cancelled(session())),
        row(&CompleteError::Repository(unavailable.clone())),
        row(&ClaimError::NotFound(session())),
        row(&ClaimError::Forbidden),
        row(&ClaimError::HeldByOther(held_by())),
        row(&ClaimError::NotHeld(session())),
        row(&ClaimError::Closed {
            id: session(),
            state: SessionState::Completed,
        }),
        row(&ClaimError::TooManyClaims { live: 4, max: 4 }),
        row(&ClaimError::InvalidMeeting(MeetingError::NotHttp)),
        row(&ClaimError::Repository(unavailable.clone())),
        row(&CancelError::NotFound(session())),
        row(&CancelError::Forbidden),
        row(&CancelError::Closed {
            id: session(),
            state: SessionState::Cancelled,
        }),
        row(&CancelError::InvalidReason(CancelReasonError::TooLong {
            chars: 501,
        })),
        row(&CancelError::InvalidReason(CancelReasonError::Nul(nul))),
        row(&CancelError::Repository(unavailable.clone())),
        row(&SignInError::InvalidCredentials),
        row(&SignInError::InvalidText(nul)),
        row(&SignInError::Repository(unavailable.clone())),
        row(&IdentifyError::UnknownAccount("x@example.com".into())),
        row(&IdentifyError::Disabled("x@example.com".into())),
        row(&IdentifyError::Repository(unavailable.clone())),
        row(&AccountError::InvalidEmail(EmailError::Malformed)),
        row(&AccountError::UnknownRole("teacher".into())),
        row(&AccountError::InvalidPassword(PasswordError::TooShort)),
        row(&AccountError::EmailTaken("x@example.com".into())),
        row(&AccountError::DuplicateRow {
            email: "x@example.com".into(),
            first_line: 2,
        }),
        row(&AccountError::NoSuchAccount("x@example.com".into())),
        row(&AccountError::Forbidden),
        row(&AccountError::Erased("erased-7@invalid".into())),
        row(&AccountError::LastAdmin(LastAdmin)),
        row(&AccountError::Repository(unavailable.clone())),
        row(&ApiTokenError::InvalidToken),
        row(&ApiTokenError::Forbidden),
        row(&ApiTokenError::NoSuchAccount("x@example.com".into())),
        row(&ApiTokenError::AccountDisabled("x@example.com".into())),
        row(&ApiTokenError::NoSuchToken(ApiTokenId(5))),
        row(&ApiTokenError::InvalidInput(
            ApiTokenInputError::NameControl,
        )),
        row(&ApiTokenError::Repository(unavailable.clone())),
        row(&CalendarError::Forbidden),
        row(&CalendarError::UnknownFeed),
        row(&CalendarError::Repository(unavailable.clone())),
        row(&EmailLinkError::UnknownLink),
        row(&EmailLinkError::Reset(ResetRefusal::Expired)),
        row(&EmailLinkError::Password(PasswordError::TooLong)),
        row(&EmailLinkError::Off),
        row(&EmailLinkError::Repository(unavailable.clone())),
        row(&PreferenceError::UnknownTimeZone("Mars/Base".into())),
        row(&PreferenceError::Repository(unavailable.clone())),
        row(&WebhookError::Forbidden),
        row(&WebhookError::Invalid(WebhookInputError::UrlTooLong(3000))),
        row(&WebhookError::NotFound(WebhookEndpointId(2))),
        row(&WebhookError::Repository(unavailable)),
    ]
}

#[test]
fn every_error_has_its_kind_and_stable_code() {
    use ErrorKind::{
        Conflict, Forbidden, Internal, InvalidInput, NotFound, Refused, Unauthenticated,
        Unavailable,
    };
    let expected: [(ErrorKind, &str); 70] = [
        // RepositoryError
        (Unavailable, "unavailable"),
        (InvalidInput, "invalid_input"),
        (Internal, "internal"),
        // QueryError
        (NotFound, "not_found"),
        (Forbidden, "forbidden"),
        (InvalidInput, "invalid_input"),
        (Internal, "internal"),
        // BookError
        (NotFound, "not_found"),
        (Forbidden, "forbidden"),
        (Refused, "ineligible"),
        (Refused, "too_many_open_sessions"),
        (Unavailable, "unavailable"),
        // CompleteError
        (NotFound, "not_found"),
        (Forbidden, "forbidden"),
        (Refused, "invalid_notes"),
        (InvalidInput, "invalid_input"),
        (Conflict, "held_by_other"),
        (Conflict, "session_closed"),
        (Unavailable, "unavailable"),
        // ClaimError
        (NotFound, "not_found"),
        (Forbidden, "forbidden"),
        (Conflict, "held_by_other"),
        (Conflict, "not_held"),
        (Conflict, "session_closed"),
        (Refused, "claim_limit"),
        (Refused, "invalid_meeting"),
        (Unavailable, "unavailable"),
        // CancelError
        (NotFound, "not_found"),
        (Forbidden, "forbidden"),
        (Conflict, "session_closed"),
        (Refused, "invalid_reason"),
        (InvalidInput, "invalid_input"),
        (Unavailable, "unavailable"),
        // SignInError
        (Unauthenticated, "invalid_credentials"),
        (InvalidInput, "invalid_input"),
        (Unavailable, "unavailable"),
        // IdentifyError
        (Forbidden, "forbidden"),
        (Forbidden, "forbidden"),
        (Unavailable, "unavailable"),
        // AccountError
        (Refused, "invalid_email"),
        (Refused, "unknown_role"),
        (Refused, "invalid_password"),
        (Conflict, "email_taken"),
        (Conflict, "email_taken"),
        (NotFound, "not_found"),
        (Forbidden, "forbidden"),
        (Refused, "erased_account"),
        (Refused, "last_admin"),
        (Unavailable, "unavailable"),
        // ApiTokenError
        (Unauthenticated, "invalid_token"),
        (Forbidden, "forbidden"),
        (NotFound, "not_found"),
        (Conflict, "account_disabled"),
        (NotFound, "not_found"),
        (Refused, "invalid_input"),
        (Unavailable, "unavailable"),
        // CalendarError
        (Forbidden, "forbidden"),
        (NotFound, "not_found"),
        (Unavailable, "unavailable"),
        // EmailLinkError
        (NotFound, "unknown_link"),
        (Refused, "reset_link_invalid"),
        (Refused, "invalid_password"),
        (NotFound, "email_off"),
        (Unavailable, "unavailable"),
        // PreferenceError
        (InvalidInput, "invalid_input"),
        (Unavailable, "unavailable"),
        // WebhookError
        (Forbidden, "forbidden"),
        (Refused, "invalid_webhook"),
        (NotFound, "not_found"),
        (Unavailable, "unavailable"),
    ];
    let table = table();
    assert_eq!(table.len(), expected.len());
    for ((kind, code, what), want) in table.into_iter().zip(expected) {
        assert_eq!((kind, code), want, "{what}");
    }
}

#[test]
fn each_kind_has_its_own_default_code() {
    let kinds = [
        (ErrorKind::NotFound, "not_found"),
        (ErrorKind::Unauthenticated, "unauthenticated"),
        (ErrorKind::Forbidden, "forbidden"),
        (ErrorKind::Refused, "refused"),
        (ErrorKind::Conflict, "conflict"),
        (ErrorKind::InvalidInput, "invalid_input"),
        (ErrorKind::Unavailable, "unavailable"),
        (ErrorKind::Internal, "internal"),
    ];
    for (kind, code) in kinds {
        assert_eq!(kind.default_code(), code);
    }
}

#[test]
fn a_missing_record_names_what_was_looked_for() {
    assert_eq!(
        QueryError::NotFound {
            resource: Resource::Submission,
            id: 3
        }
        .to_string(),
        "submission 3 does not exist"
    );
    assert_eq!(
        QueryError::Forbidden(Resource::ScheduledSession).to_string(),
        "you do not have access to this scheduled session"
    );
}
