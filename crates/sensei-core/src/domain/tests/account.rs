//! Secrets stay out of `Debug` (and so out of logs), while the rest is still shown.

use crate::domain::{normalize_email, Account, Role, SignIn, SignInToken, StoredAccount, UserId};

fn alice() -> Account {
    Account {
        id: UserId(7),
        email: "alice@example.com".to_owned(),
        role: Role::Instructor,
    }
}

#[test]
fn a_stored_account_shows_who_it_is_but_never_its_password_hash() {
    let stored = StoredAccount {
        account: alice(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$SECRETHASH".to_owned(),
        disabled: true,
    };
    let shown = format!("{stored:?}");
    assert!(!shown.contains("SECRETHASH"), "{shown}");
    assert!(!shown.contains("argon2"), "{shown}");
    assert_eq!(
        shown,
        format!(
            "StoredAccount {{ account: {:?}, password_hash: \"<redacted>\", disabled: true }}",
            alice()
        )
    );
    // The pretty form, as `{:#?}` logs print it, hides it too.
    assert!(!format!("{stored:#?}").contains("SECRETHASH"));
}

#[test]
fn a_sign_in_token_is_redacted_in_debug_but_kept_for_the_cookie() {
    let token = SignInToken::new("s3cr3t-cookie-value");
    assert_eq!(format!("{token:?}"), "SignInToken(<redacted>)");
    assert_eq!(token.as_str(), "s3cr3t-cookie-value");
    let sign_in = SignIn {
        account: alice(),
        token,
    };
    let shown = format!("{sign_in:?}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert!(shown.contains("alice@example.com"), "{shown}");
}

#[test]
fn an_account_acts_as_itself_and_emails_are_stored_trimmed_and_lowercased() {
    let actor = alice().actor();
    assert_eq!((actor.user_id, actor.role), (UserId(7), Role::Instructor));
    assert_eq!(normalize_email(" Alice@Example.COM\n"), "alice@example.com");
}
