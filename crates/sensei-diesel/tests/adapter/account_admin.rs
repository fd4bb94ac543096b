//! The account-management port (`sensei user ...`, the accounts page) on both backends:
//! create (a taken email is an answer), list, role, password hash, disable (sign-ins end at
//! once) and enable, each recorded in `admin_audit`.

use chrono::{DateTime, Duration, Utc};
use sensei_core::ports::{
    AccountAdminStore, AccountQuery, AccountRepository, AccountUpdate, CreateAccountOutcome,
    NewAccount, SignedInRead,
};
use sensei_core::*;

use crate::common::{at, TestDb};

pub fn op() -> ChangeActor {
    ChangeActor::Operator("cli:test".into())
}

pub fn new_account(email: &str, role: Role, hash: &str, when: DateTime<Utc>) -> NewAccount {
    NewAccount {
        email: email.into(),
        role,
        password_hash: hash.into(),
        created_at: when,
        imported: false,
    }
}

pub async fn created(t: &TestDb, email: &str, role: Role) -> UserId {
    match t
        .db
        .accounts()
        .create_account(
            new_account(email, role, "$argon2id$x", at(2026, 3, 1, 8, 0, 0)),
            &op(),
        )
        .await
        .unwrap()
    {
        CreateAccountOutcome::Created(id) => id,
        other => panic!("expected Created, got {other:?}"),
    }
}

async fn accounts_are_created_once_and_listed_by_email(t: TestDb) {
    let accounts = t.db.accounts();
    let zed = created(&t, "zed@example.com", Role::Admin).await;
    let amy = created(&t, "amy@example.com", Role::Student).await;
    let again = accounts
        .create_account(
            new_account(
                "amy@example.com",
                Role::Instructor,
                "other",
                at(2026, 3, 2, 8, 0, 0),
            ),
            &op(),
        )
        .await
        .unwrap();
    assert_eq!(again, CreateAccountOutcome::EmailTaken);
    let stored = accounts
        .find_by_email("amy@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.account.role, stored.password_hash.as_str()),
        (Role::Student, "$argon2id$x"),
        "the taken email's account is unchanged"
    );

    let listed = accounts
        .list_accounts(&AccountQuery::default(), 10)
        .await
        .unwrap();
    let summary = |id, email: &str, role| AccountSummary {
        account: Account {
            id,
            email: email.into(),
            role,
        },
        created_at: Some(at(2026, 3, 1, 8, 0, 0)),
        disabled_at: None,
    };
    assert_eq!(
        listed,
        vec![
            summary(amy, "amy@example.com", Role::Student),
            summary(zed, "zed@example.com", Role::Admin),
        ]
    );
    assert_eq!(
        accounts
            .list_accounts(&AccountQuery::default(), 1)
            .await
            .unwrap()
            .len(),
        1
    );
    // An admin row reads back as an admin.
    assert_eq!(
        accounts
            .find_by_email("zed@example.com")
            .await
            .unwrap()
            .map(|stored| stored.account.role),
        Some(Role::Admin)
    );
}

async fn role_and_password_change_in_place(t: TestDb) {
    let accounts = t.db.accounts();
    let id = created(&t, "bo@example.com", Role::Student).await;
    let token = accounts
        .start_sign_in(id, Utc::now() + Duration::hours(1))
        .await
        .unwrap();
    let now = Utc::now();
    assert_eq!(
        accounts
            .set_role("bo@example.com", Role::Instructor, &op(), now)
            .await
            .unwrap(),
        AccountUpdate::Done(id)
    );
    assert_eq!(
        accounts
            .set_role("nobody@example.com", Role::Instructor, &op(), now)
            .await
            .unwrap(),
        AccountUpdate::NoSuchAccount
    );
    assert_eq!(
        accounts
            .set_password_hash("bo@example.com", "scrypt:32768:8:1$salt$00", &op(), now)
            .await
            .unwrap(),
        AccountUpdate::Done(id)
    );
    assert_eq!(
        accounts
            .set_password_hash("nobody@example.com", "x", &op(), now)
            .await
            .unwrap(),
        AccountUpdate::NoSuchAccount
    );
    let stored = accounts
        .find_by_email("bo@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.account.role, Role::Instructor);
    assert_eq!(stored.password_hash, "scrypt:32768:8:1$salt$00");
    // The sign-in goes on, with the new role.
    let signed_in = accounts
        .signed_in_account(&token, Utc::now())
        .await
        .unwrap();
    assert_eq!(signed_in.map(|a| a.role), Some(Role::Instructor));
}

async fn disabling_ends_sign_ins_and_enabling_lets_the_account_back(t: TestDb) {
    let accounts = t.db.accounts();
    let id = created(&t, "cy@example.com", Role::Instructor).await;
    let other = created(&t, "di@example.com", Role::Student).await;
    let later = Utc::now() + Duration::hours(1);
    let token = accounts.start_sign_in(id, later).await.unwrap();
    let others = accounts.start_sign_in(other, later).await.unwrap();
    let first = at(2026, 4, 1, 9, 0, 0);

    assert_eq!(
        accounts
            .set_disabled("cy@example.com", true, &op(), first)
            .await
            .unwrap(),
        AccountUpdate::Done(id)
    );
    assert_eq!(
        accounts
            .set_disabled("nobody@example.com", true, &op(), first)
            .await
            .unwrap(),
        AccountUpdate::NoSuchAccount
    );
    let now = Utc::now();
    assert_eq!(accounts.signed_in_account(&token, now).await.unwrap(), None);
    assert_eq!(
        t.count_sql(&format!(
            "SELECT COUNT(*) AS n FROM auth_sessions WHERE user_id = {}",
            id.get()
        )),
        0,
        "the rows are gone, not only hidden"
    );
    assert!(
        accounts
            .signed_in_account(&others, now)
            .await
            .unwrap()
            .is_some(),
        "other accounts keep their sign-ins"
    );
    let stored = accounts
        .find_by_email("cy@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.disabled);

    // A sign-in started anyway (a race with the disabling) signs nobody in, on the page
    // reads' own statement too.
    let raced = accounts.start_sign_in(id, later).await.unwrap();
    assert_eq!(accounts.signed_in_account(&raced, now).await.unwrap(), None);
    let read =
        t.db.ports()
            .signed_in
            .dashboard(&raced, now, Box::new(|_| None), PageRequest::default())
            .await
            .unwrap();
    assert_eq!(read, SignedInRead::NotSignedIn);

    // Disabling again keeps the first date.
    assert_eq!(
        accounts
            .set_disabled("cy@example.com", true, &op(), at(2026, 5, 1, 9, 0, 0))
            .await
            .unwrap(),
        AccountUpdate::Done(id)
    );
    let listed = accounts
        .list_accounts(&AccountQuery::default(), 10)
        .await
        .unwrap();
    assert_eq!(listed[0].account.id, id);
    assert_eq!(listed[0].disabled_at, Some(first));
    assert_eq!(listed[1].disabled_at, None);

    assert_eq!(
        accounts
            .set_disabled("cy@example.com", false, &op(), first)
            .await
            .unwrap(),
        AccountUpdate::Done(id)
    );
    let stored = accounts
        .find_by_email("cy@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.disabled);
    assert_eq!(
        accounts
            .list_accounts(&AccountQuery::default(), 10)
            .await
            .unwrap()[0]
            .disabled_at,
        None
    );
}

crate::both_backends!(
    accounts_are_created_once_and_listed_by_email,
    role_and_password_change_in_place,
    disabling_ends_sign_ins_and_enabling_lets_the_account_back,
);
