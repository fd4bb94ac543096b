//! Signing in, resolving a sign-in, signing out, trusted-proxy identity, readiness.

use mockall::predicate::eq;

use super::{now, Mocks, STUDENT};
use crate::domain::{Account, Role, SignInToken, StoredAccount, SIGN_IN_LIFETIME};
use crate::error::{DomainError, ErrorKind, IdentifyError, RepositoryError, SignInError};

fn alice() -> Account {
    Account {
        id: STUDENT,
        email: "alice@example.com".to_owned(),
        role: Role::Student,
    }
}

fn stored_alice() -> StoredAccount {
    StoredAccount {
        account: alice(),
        password_hash: "$argon2id$hash".to_owned(),
        disabled: false,
    }
}

#[tokio::test]
async fn a_correct_password_starts_a_sign_in_that_lasts_the_sign_in_lifetime() {
    let mut mocks = Mocks::at(now());
    mocks
        .accounts
        .expect_find_by_email()
        .with(eq("alice@example.com"))
        .returning(|_| Ok(Some(stored_alice())));
    mocks
        .passwords
        .expect_verify()
        .withf(|password, hash| {
            password == "sensei-demo" && hash.as_deref() == Some("$argon2id$hash")
        })
        .returning(|_, _| Ok(true));
    mocks
        .accounts
        .expect_start_sign_in()
        .with(eq(STUDENT), eq(now() + SIGN_IN_LIFETIME))
        .returning(|_, _| Ok(SignInToken::new("fresh")));
    let sign_in = mocks
        .service()
        .sign_in("  Alice@Example.COM ", "sensei-demo".to_owned(), None)
        .await
        .unwrap();
    assert_eq!(sign_in.account, alice());
    assert_eq!(sign_in.token, SignInToken::new("fresh"));
}

#[tokio::test]
async fn a_new_sign_in_ends_the_one_the_client_still_held() {
    let mut mocks = Mocks::at(now());
    mocks
        .accounts
        .expect_find_by_email()
        .returning(|_| Ok(Some(stored_alice())));
    mocks.passwords.expect_verify().returning(|_, _| Ok(true));
    mocks
        .accounts
        .expect_end_sign_in()
        .with(eq(SignInToken::new("old")))
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .accounts
        .expect_start_sign_in()
        .returning(|_, _| Ok(SignInToken::new("new")));
    let previous = SignInToken::new("old");
    let sign_in = mocks
        .service()
        .sign_in(
            "alice@example.com",
            "sensei-demo".to_owned(),
            Some(&previous),
        )
        .await
        .unwrap();
    assert_eq!(sign_in.token, SignInToken::new("new"));
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_starts_nothing() {
    let mut mocks = Mocks::at(now());
    mocks
        .accounts
        .expect_find_by_email()
        .returning(|_| Ok(Some(stored_alice())));
    mocks.passwords.expect_verify().returning(|_, _| Ok(false));
    let error = mocks
        .service()
        .sign_in("alice@example.com", "wrong".to_owned(), None)
        .await
        .unwrap_err();
    assert_eq!(error, SignInError::InvalidCredentials);
    assert_eq!(error.kind(), ErrorKind::Unauthenticated);
    assert_eq!(error.to_string(), "incorrect email or password");
}

#[tokio::test]
async fn an_unknown_email_still_spends_a_password_check_and_reads_like_a_wrong_password() {
    let mut mocks = Mocks::at(now());
    mocks
        .accounts
        .expect_find_by_email()
        .returning(|_| Ok(None));
    mocks
        .passwords
        .expect_verify()
        .withf(|_, hash| hash.is_none())
        .times(1)
        .returning(|_, _| Ok(false));
    let error = mocks
        .service()
        .sign_in("nobody@example.com", "x".to_owned(), None)
        .await
        .unwrap_err();
    assert_eq!(error, SignInError::InvalidCredentials);
}

#[tokio::test]
async fn a_disabled_account_with_the_right_password_reads_like_a_wrong_password() {
    let mut mocks = Mocks::at(now());
    mocks.accounts.expect_find_by_email().returning(|_| {
        Ok(Some(StoredAccount {
            disabled: true,
            ..stored_alice()
        }))
    });
    // The real hash is still checked, so a disabled account takes as long to refuse.
    mocks
        .passwords
        .expect_verify()
        .withf(|_, hash| hash.as_deref() == Some("$argon2id$hash"))
        .times(1)
        .returning(|_, _| Ok(true));
    let error = mocks
        .service()
        .sign_in("alice@example.com", "sensei-demo".to_owned(), None)
        .await
        .unwrap_err();
    assert_eq!(error, SignInError::InvalidCredentials);
}

#[tokio::test]
async fn a_trusted_email_of_a_disabled_account_is_forbidden() {
    let mut mocks = Mocks::default();
    mocks.accounts.expect_find_by_email().returning(|_| {
        Ok(Some(StoredAccount {
            disabled: true,
            ..stored_alice()
        }))
    });
    let error = mocks
        .service()
        .identify_by_trusted_email("alice@example.com")
        .await
        .unwrap_err();
    assert_eq!(error, IdentifyError::Disabled("alice@example.com".into()));
    assert_eq!(error.kind(), ErrorKind::Forbidden);
}

#[tokio::test]
async fn a_blank_email_is_not_looked_up() {
    let mut mocks = Mocks::at(now());
    mocks.passwords.expect_verify().returning(|_, _| Ok(false));
    let error = mocks
        .service()
        .sign_in("   ", "x".to_owned(), None)
        .await
        .unwrap_err();
    assert_eq!(error, SignInError::InvalidCredentials);
}

#[tokio::test]
async fn an_account_store_outage_during_sign_in_is_unavailable_not_a_wrong_password() {
    let mut mocks = Mocks::at(now());
    mocks
        .accounts
        .expect_find_by_email()
        .returning(|_| Err(RepositoryError::Unavailable("connection refused".into())));
    let error = mocks
        .service()
        .sign_in("alice@example.com", "x".to_owned(), None)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
}

#[tokio::test]
async fn a_sign_in_resolves_at_the_clocks_now() {
    let mut mocks = Mocks::at(now());
    mocks
        .accounts
        .expect_signed_in_account()
        .with(eq(SignInToken::new("t")), eq(now()))
        .returning(|_, _| Ok(Some(alice())));
    let account = mocks
        .service()
        .signed_in_account(&SignInToken::new("t"))
        .await
        .unwrap();
    assert_eq!(
        account.map(|account| account.actor().user_id),
        Some(STUDENT)
    );
}

#[tokio::test]
async fn signing_out_ends_the_sign_in() {
    let mut mocks = Mocks::default();
    mocks
        .accounts
        .expect_end_sign_in()
        .with(eq(SignInToken::new("t")))
        .times(1)
        .returning(|_| Ok(()));
    mocks
        .service()
        .sign_out(&SignInToken::new("t"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_trusted_email_without_an_account_is_forbidden() {
    let mut mocks = Mocks::default();
    mocks
        .accounts
        .expect_find_by_email()
        .with(eq("mallory@example.com"))
        .returning(|_| Ok(None));
    let error = mocks
        .service()
        .identify_by_trusted_email(" Mallory@example.com")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        IdentifyError::UnknownAccount("mallory@example.com".into())
    );
    assert_eq!(error.kind(), ErrorKind::Forbidden);
}

#[tokio::test]
async fn a_trusted_email_with_an_account_identifies_it() {
    let mut mocks = Mocks::default();
    mocks
        .accounts
        .expect_find_by_email()
        .returning(|_| Ok(Some(stored_alice())));
    let account = mocks
        .service()
        .identify_by_trusted_email("alice@example.com")
        .await
        .unwrap();
    assert_eq!(account, alice());
}

#[test]
fn tokens_and_hashes_never_appear_in_debug_output() {
    assert!(!format!("{:?}", SignInToken::new("secret")).contains("secret"));
    assert!(!format!("{:?}", stored_alice()).contains("argon2"));
}
