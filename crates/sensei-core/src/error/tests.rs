//! Unit tests of `error`, kept apart so the module itself stays one readable page.
use super::*;

#[test]
fn only_an_unreachable_store_is_unavailable() {
    assert_eq!(
        RepositoryError::Unavailable("locked".into()).kind(),
        ErrorKind::Unavailable
    );
    assert_eq!(
        RepositoryError::Rejected("NUL byte".into()).kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        RepositoryError::Internal("bad row".into()).kind(),
        ErrorKind::Internal
    );
}

#[test]
fn a_use_case_error_keeps_the_kind_and_code_of_the_store_failure_inside() {
    let error = BookError::from(RepositoryError::Rejected("constraint".into()));
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(error.code(), "invalid_input");
    let error = SignInError::from(RepositoryError::Unavailable("down".into()));
    assert_eq!(error.code(), "unavailable");
}

#[test]
fn refusals_have_their_own_codes() {
    assert_eq!(
        CompleteError::InvalidNotes(NotesError::TooLong { chars: 10_001 }).code(),
        "invalid_notes"
    );
    assert_eq!(
        SignInError::InvalidCredentials.code(),
        "invalid_credentials"
    );
    assert_eq!(
        SignInError::InvalidCredentials.kind(),
        ErrorKind::Unauthenticated
    );
    assert_eq!(BookError::Forbidden.code(), "forbidden");
    assert_eq!(
        IdentifyError::UnknownAccount("x@example.com".into()).kind(),
        ErrorKind::Forbidden
    );
}

#[test]
fn text_with_a_nul_is_invalid_input_in_every_operation() {
    let nul = NulInText { field: "text" };
    let errors: [(ErrorKind, &str); 4] = [
        {
            let error = CompleteError::InvalidNotes(NotesError::Nul(nul));
            (error.kind(), error.code())
        },
        {
            let error = CancelError::InvalidReason(CancelReasonError::Nul(nul));
            (error.kind(), error.code())
        },
        {
            let error = SignInError::InvalidText(nul);
            (error.kind(), error.code())
        },
        {
            let error = QueryError::InvalidText(nul);
            (error.kind(), error.code())
        },
    ];
    for (kind, code) in errors {
        assert_eq!((kind, code), (ErrorKind::InvalidInput, "invalid_input"));
    }
    // Over-long text stays a refusal with its own code.
    let long = CompleteError::InvalidNotes(NotesError::TooLong { chars: 10_001 });
    assert_eq!(
        (long.kind(), long.code()),
        (ErrorKind::Refused, "invalid_notes")
    );
}

#[test]
fn every_code_is_declared_once_but_the_token_inputs_kept_invalid_input() {
    for (index, declaration) in ErrorDeclaration::ALL.iter().enumerate() {
        assert!(
            declaration
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'),
            "{}",
            declaration.code
        );
        assert!(!declaration.title.is_empty() && !declaration.meaning.is_empty());
        let twin = ErrorDeclaration::ALL[index + 1..]
            .iter()
            .find(|other| other.code == declaration.code);
        if let Some(twin) = twin {
            assert_eq!(
                (declaration, twin),
                (
                    &ErrorDeclaration::INVALID_INPUT,
                    &ErrorDeclaration::INVALID_TOKEN_INPUT
                )
            );
        }
    }
    for kind in [
        ErrorKind::NotFound,
        ErrorKind::Unauthenticated,
        ErrorKind::Forbidden,
        ErrorKind::Refused,
        ErrorKind::Conflict,
        ErrorKind::InvalidInput,
        ErrorKind::Unavailable,
        ErrorKind::Internal,
    ] {
        assert_eq!(ErrorDeclaration::of_kind(kind).kind, kind);
    }
}
