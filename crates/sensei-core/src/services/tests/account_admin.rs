//! Managing accounts: add, list, role, password, disable/enable, import.

use std::sync::Arc;

use mockall::predicate::eq;

use super::now;
use crate::domain::{
    Account, AccountSummary, EmailError, ImportRow, NewPassword, PasswordError, PasswordFormat,
    Role, UserId,
};
use crate::error::{AccountError, DomainError, ErrorKind, RepositoryError};
use crate::ports::{
    AccountQuery, AccountUpdate, CreateAccountOutcome, MockAccountAdminStore, MockClock,
    MockPasswordHasher,
};
use crate::services::{parse_role, AccountManager, AccountService, MAX_LISTED_ACCOUNTS};

/// The operator of these tests.
fn op() -> AccountManager {
    AccountManager::Operator("cli:test".into())
}

fn by_op() -> crate::domain::ChangeActor {
    crate::domain::ChangeActor::Operator("cli:test".into())
}

#[derive(Default)]
struct AdminMocks {
    store: MockAccountAdminStore,
    hasher: MockPasswordHasher,
    clock: MockClock,
}

impl AdminMocks {
    fn at_now() -> Self {
        let mut mocks = Self::default();
        mocks.clock.expect_now().return_const(now());
        mocks
    }

    /// Every password hashes to `hash:<password>:<format>`.
    fn hashing(mut self) -> Self {
        self.hasher.expect_hash().returning(|password, format| {
            Ok(format!("hash:{}:{}", password.expose(), format.as_str()))
        });
        self
    }

    fn service(self) -> AccountService {
        AccountService::new(
            Arc::new(self.store),
            Arc::new(self.hasher),
            Arc::new(self.clock),
        )
    }
}

#[tokio::test]
async fn add_normalizes_the_email_and_stores_the_hash_in_the_format_asked() {
    let mut mocks = AdminMocks::at_now().hashing();
    mocks
        .store
        .expect_create_account()
        .withf(|new, by| {
            new.email == "ann@example.com"
                && new.role == Role::Instructor
                && new.password_hash == "hash:long enough:werkzeug-scrypt"
                && new.created_at == now()
                && !new.imported
                && *by == by_op()
        })
        .times(1)
        .returning(|_, _| Ok(CreateAccountOutcome::Created(UserId(5))));
    let id = mocks
        .service()
        .add(
            &op(),
            " Ann@Example.com ",
            Role::Instructor,
            "long enough".into(),
            PasswordFormat::WerkzeugScrypt,
        )
        .await
        .unwrap();
    assert_eq!(id, UserId(5));
}

#[tokio::test]
async fn add_refuses_a_bad_email_or_password_before_hashing_anything() {
    // No expectations: hashing or storing would fail the test.
    let service = AdminMocks::default().service();
    let error = service
        .add(
            &op(),
            "ann",
            Role::Student,
            "long enough".into(),
            PasswordFormat::Argon2,
        )
        .await
        .unwrap_err();
    assert_eq!(error, AccountError::InvalidEmail(EmailError::Malformed));
    let error = service
        .add(
            &op(),
            "ann@example.com",
            Role::Student,
            "short".into(),
            PasswordFormat::Argon2,
        )
        .await
        .unwrap_err();
    assert_eq!(
        error,
        AccountError::InvalidPassword(PasswordError::TooShort)
    );
    assert_eq!(error.kind(), ErrorKind::Refused);
    assert_eq!(
        error.to_string(),
        "the password is too short: use at least 8 characters; nothing was saved"
    );
}

#[tokio::test]
async fn add_of_a_taken_email_says_so() {
    let mut mocks = AdminMocks::at_now().hashing();
    mocks
        .store
        .expect_create_account()
        .returning(|_, _| Ok(CreateAccountOutcome::EmailTaken));
    let error = mocks
        .service()
        .add(
            &op(),
            "ann@example.com",
            Role::Student,
            "long enough".into(),
            PasswordFormat::Argon2,
        )
        .await
        .unwrap_err();
    assert_eq!(error, AccountError::EmailTaken("ann@example.com".into()));
    assert_eq!(error.to_string(), "ann@example.com already has an account");
    assert_eq!(error.kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn list_asks_for_the_bounded_list() {
    let mut mocks = AdminMocks::default();
    let summary = AccountSummary {
        account: Account {
            id: UserId(1),
            email: "a@example.com".into(),
            role: Role::Admin,
        },
        created_at: Some(now()),
        disabled_at: None,
    };
    let listed = vec![summary.clone()];
    mocks
        .store
        .expect_list_accounts()
        .with(eq(AccountQuery::default()), eq(MAX_LISTED_ACCOUNTS))
        .returning(move |_, _| Ok(listed.clone()));
    assert_eq!(mocks.service().list(&op()).await.unwrap(), vec![summary]);
}

#[tokio::test]
async fn set_role_of_an_unknown_email_is_not_found() {
    let mut mocks = AdminMocks::at_now();
    mocks
        .store
        .expect_set_role()
        .with(
            eq("ann@example.com"),
            eq(Role::Admin),
            eq(by_op()),
            eq(now()),
        )
        .returning(|_, _, _, _| Ok(AccountUpdate::NoSuchAccount));
    let error = mocks
        .service()
        .set_role(&op(), "ANN@example.com", Role::Admin)
        .await
        .unwrap_err();
    assert_eq!(error, AccountError::NoSuchAccount("ann@example.com".into()));
    assert_eq!(error.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn set_password_checks_the_rules_then_stores_the_new_hash() {
    let mut mocks = AdminMocks::at_now().hashing();
    mocks
        .store
        .expect_set_password_hash()
        .with(
            eq("ann@example.com"),
            eq("hash:new password:argon2"),
            eq(by_op()),
            eq(now()),
        )
        .times(1)
        .returning(|_, _, _, _| Ok(AccountUpdate::Done(UserId(1))));
    let service = mocks.service();
    service
        .set_password(
            &op(),
            "ann@example.com",
            "new password".into(),
            PasswordFormat::Argon2,
        )
        .await
        .unwrap();
    let error = service
        .set_password(
            &op(),
            "ann@example.com",
            "a\0bcdefghi".into(),
            PasswordFormat::Argon2,
        )
        .await
        .unwrap_err();
    assert_eq!(error, AccountError::InvalidPassword(PasswordError::Nul));
}

#[tokio::test]
async fn disable_stamps_the_clocks_now_and_enable_clears_it() {
    let mut mocks = AdminMocks::at_now();
    mocks
        .store
        .expect_set_disabled()
        .with(eq("ann@example.com"), eq(true), eq(by_op()), eq(now()))
        .times(1)
        .returning(|_, _, _, _| Ok(AccountUpdate::Done(UserId(1))));
    mocks
        .store
        .expect_set_disabled()
        .with(eq("ann@example.com"), eq(false), eq(by_op()), eq(now()))
        .times(1)
        .returning(|_, _, _, _| Ok(AccountUpdate::Done(UserId(1))));
    mocks
        .store
        .expect_set_disabled()
        .with(eq("nobody@example.com"), eq(true), eq(by_op()), eq(now()))
        .returning(|_, _, _, _| Ok(AccountUpdate::NoSuchAccount));
    let service = mocks.service();
    service.disable(&op(), "Ann@example.com").await.unwrap();
    service.enable(&op(), "ann@example.com").await.unwrap();
    assert_eq!(
        service
            .disable(&op(), "nobody@example.com")
            .await
            .unwrap_err(),
        AccountError::NoSuchAccount("nobody@example.com".into())
    );
}

fn row(line: u64, email: &str, role: &str, password: &str) -> ImportRow {
    ImportRow {
        line,
        email: email.into(),
        role: role.into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn import_reports_each_bad_row_by_line_and_adds_the_others() {
    let mut mocks = AdminMocks::at_now().hashing();
    mocks
        .store
        .expect_create_account()
        .withf(|new, _| new.email == "taken@example.com")
        .returning(|_, _| Ok(CreateAccountOutcome::EmailTaken));
    mocks
        .store
        .expect_create_account()
        .withf(|new, _| new.email == "a@example.com" && new.imported)
        .times(1)
        .returning(|_, _| Ok(CreateAccountOutcome::Created(UserId(1))));
    mocks
        .store
        .expect_create_account()
        .withf(|new, _| new.email == "b@example.com" && new.role == Role::Instructor)
        .times(1)
        .returning(|_, _| Ok(CreateAccountOutcome::Created(UserId(2))));
    let report = mocks
        .service()
        .import(
            &op(),
            vec![
                row(2, "a@example.com", "student", "password one"),
                row(3, "bad-email", "student", "password two"),
                row(4, "c@example.com", "teacher", "password three"),
                row(5, "d@example.com", "student", "short"),
                row(6, "A@Example.com", "student", "password four"),
                row(7, "taken@example.com", "student", "password five"),
                row(8, "b@example.com", "Instructor", "password six"),
            ],
            PasswordFormat::Argon2,
        )
        .await
        .unwrap();
    let outcomes: Vec<(u64, Result<UserId, AccountError>)> = report
        .into_iter()
        .map(|row| (row.line, row.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (2, Ok(UserId(1))),
            (3, Err(AccountError::InvalidEmail(EmailError::Malformed))),
            (4, Err(AccountError::UnknownRole("teacher".into()))),
            (
                5,
                Err(AccountError::InvalidPassword(PasswordError::TooShort))
            ),
            (
                6,
                Err(AccountError::DuplicateRow {
                    email: "a@example.com".into(),
                    first_line: 2
                })
            ),
            (7, Err(AccountError::EmailTaken("taken@example.com".into()))),
            (8, Ok(UserId(2))),
        ]
    );
}

#[tokio::test]
async fn an_import_stops_when_the_store_is_unreachable() {
    let mut mocks = AdminMocks::at_now().hashing();
    mocks
        .store
        .expect_create_account()
        .times(1)
        .returning(|_, _| Err(RepositoryError::Unavailable("down".into())));
    let error = mocks
        .service()
        .import(
            &op(),
            vec![
                row(2, "a@example.com", "student", "password one"),
                row(3, "b@example.com", "student", "password two"),
            ],
            PasswordFormat::Argon2,
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
}

#[test]
fn roles_parse_in_any_case_and_unknown_ones_name_the_choices() {
    assert_eq!(parse_role("ADMIN"), Ok(Role::Admin));
    let error = parse_role(" teacher ").unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown role \"teacher\": use student, instructor or admin"
    );
    assert!(Role::Admin.is_instructor());
    assert!(!Role::Student.is_instructor());
    // A hashing port receives only passwords that passed the rules.
    assert!(NewPassword::new("12345678".into()).is_ok());
}
