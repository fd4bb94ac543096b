//! Access to account management, the last-admin rule as the service reports it, erasure and
//! the record of who changed what.

use std::sync::Arc;

use mockall::predicate::eq;

use super::now;
use crate::domain::{
    AccountChangeKind, Actor, ChangeActor, PasswordFormat, RecordedChange, Role, UserId,
};
use crate::error::{AccountError, DomainError, ErrorKind, RepositoryError};
use crate::ports::{AccountUpdate, MockAccountAdminStore, MockClock, MockPasswordHasher};
use crate::services::{AccountManager, AccountService, Erasure, MAX_LISTED_CHANGES};

fn service(store: MockAccountAdminStore) -> AccountService {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(now());
    AccountService::new(
        Arc::new(store),
        Arc::new(MockPasswordHasher::new()),
        Arc::new(clock),
    )
}

fn admin() -> AccountManager {
    AccountManager::User(Actor {
        user_id: UserId(1),
        role: Role::Admin,
    })
}

#[tokio::test]
async fn only_operators_and_admins_manage_accounts() {
    // No expectations: any store call would fail the test.
    let service = service(MockAccountAdminStore::new());
    for role in [Role::Student, Role::Instructor] {
        let who = AccountManager::User(Actor {
            user_id: UserId(2),
            role,
        });
        let refused = [
            service.list(&who).await.map(drop),
            service
                .add(
                    &who,
                    "a@b.c",
                    Role::Admin,
                    "long enough".into(),
                    PasswordFormat::Argon2,
                )
                .await
                .map(drop),
            service.set_role(&who, "a@b.c", Role::Admin).await,
            service
                .set_password(&who, "a@b.c", "long enough".into(), PasswordFormat::Argon2)
                .await,
            service.disable(&who, "a@b.c").await,
            service.enable(&who, "a@b.c").await,
            service.erase(&who, "a@b.c").await.map(drop),
            service.changes(&who, None, 10).await.map(drop),
            service
                .import(&who, vec![], PasswordFormat::Argon2)
                .await
                .map(drop),
        ];
        for outcome in refused {
            let error = outcome.unwrap_err();
            assert_eq!(error, AccountError::Forbidden);
            assert_eq!(error.kind(), ErrorKind::Forbidden);
        }
    }
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_disabled_or_erased() {
    let mut store = MockAccountAdminStore::new();
    let by = ChangeActor::User(UserId(1));
    store
        .expect_set_role()
        .with(
            eq("root@example.com"),
            eq(Role::Instructor),
            eq(by.clone()),
            eq(now()),
        )
        .returning(|_, _, _, _| Ok(AccountUpdate::LastAdmin));
    store
        .expect_set_disabled()
        .with(eq("root@example.com"), eq(true), eq(by.clone()), eq(now()))
        .returning(|_, _, _, _| Ok(AccountUpdate::LastAdmin));
    store
        .expect_erase_account()
        .with(eq("root@example.com"), eq(by), eq(now()))
        .returning(|_, _, _| Ok(AccountUpdate::LastAdmin));
    let service = service(store);
    let errors = [
        service
            .set_role(&admin(), "Root@example.com", Role::Instructor)
            .await
            .unwrap_err(),
        service
            .disable(&admin(), "root@example.com")
            .await
            .unwrap_err(),
        service
            .erase(&admin(), "root@example.com")
            .await
            .unwrap_err(),
    ];
    for error in errors {
        assert!(matches!(error, AccountError::LastAdmin(_)), "{error:?}");
        assert_eq!(error.kind(), ErrorKind::Refused);
        assert_eq!(error.code(), "last_admin");
        assert!(
            error.to_string().contains("last enabled admin")
                && error.to_string().contains("nothing was changed"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn erase_is_recorded_by_the_operator_and_idempotent() {
    let mut store = MockAccountAdminStore::new();
    let by = ChangeActor::Operator("cli:ops".into());
    store
        .expect_erase_account()
        .with(eq("ann@example.com"), eq(by.clone()), eq(now()))
        .times(1)
        .returning(|_, _, _| Ok(AccountUpdate::Done(UserId(7))));
    store
        .expect_erase_account()
        .with(eq("gone@example.com"), eq(by), eq(now()))
        .times(1)
        .returning(|_, _, _| Ok(AccountUpdate::NoSuchAccount));
    let service = service(store);
    let who = AccountManager::Operator("cli:ops".into());
    assert_eq!(
        service.erase(&who, " ANN@example.com").await.unwrap(),
        Erasure::Erased(UserId(7))
    );
    assert_eq!(
        service.erase(&who, "gone@example.com").await.unwrap(),
        Erasure::NothingToErase
    );
}

#[tokio::test]
async fn erase_reports_an_unreachable_store() {
    let mut store = MockAccountAdminStore::new();
    store
        .expect_erase_account()
        .returning(|_, _, _| Err(RepositoryError::Unavailable("down".into())));
    let error = service(store)
        .erase(&admin(), "ann@example.com")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
}

#[tokio::test]
async fn changes_are_listed_in_bounded_pages() {
    let mut store = MockAccountAdminStore::new();
    let change = RecordedChange {
        id: 3,
        occurred_at: now(),
        actor: ChangeActor::User(UserId(1)),
        actor_email: Some("root@example.com".into()),
        kind: AccountChangeKind::RoleChanged,
        subject_user: Some(UserId(2)),
        subject_email: Some("ann@example.com".into()),
        object_id: None,
        detail: Some("student → admin".into()),
    };
    let listed = vec![change.clone()];
    store
        .expect_list_changes()
        .with(eq(Some(10)), eq(MAX_LISTED_CHANGES))
        .returning(move |_, _| Ok(listed.clone()));
    let got = service(store)
        .changes(&admin(), Some(10), 1_000_000)
        .await
        .unwrap();
    assert_eq!(got, vec![change]);
}

#[tokio::test]
async fn an_erased_account_is_never_changed_again() {
    // Nothing reaches the store (no hash is made either: the mock hasher expects nothing).
    let store = MockAccountAdminStore::new();
    let accounts = service(store);
    let tombstone = crate::domain::erased_email(UserId(7));
    let refused = [
        accounts.enable(&admin(), &tombstone).await,
        accounts.disable(&admin(), " ERASED-7@invalid").await,
        accounts.set_role(&admin(), &tombstone, Role::Admin).await,
        accounts
            .set_password(
                &admin(),
                &tombstone,
                "a long new password".to_owned(),
                PasswordFormat::Argon2,
            )
            .await,
    ];
    for result in refused {
        let error = result.unwrap_err();
        assert_eq!(error, AccountError::Erased(tombstone.clone()));
        assert_eq!(error.kind(), ErrorKind::Refused);
        assert_eq!(error.code(), "erased_account");
    }
}
