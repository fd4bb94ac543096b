//! Each account's time zone on both backends: none until chosen, replaced in place, forgotten
//! with `None`, refused for a user who does not exist, gone with the account.

use sensei_core::ports::{AccountAdminStore, CreateAccountOutcome, NewAccount, PreferenceStore};
use sensei_core::*;

use crate::common::{at, TestDb};

async fn a_time_zone_is_chosen_replaced_and_forgotten(t: TestDb) {
    let id = match t
        .db
        .accounts()
        .create_account(
            NewAccount {
                email: "tz@example.com".into(),
                role: Role::Student,
                password_hash: "$argon2id$x".into(),
                created_at: at(2026, 3, 1, 8, 0, 0),
                imported: false,
            },
            &ChangeActor::Operator("cli:test".into()),
        )
        .await
        .unwrap()
    {
        CreateAccountOutcome::Created(id) => id,
        other => panic!("expected Created, got {other:?}"),
    };
    let preferences = t.db.preferences();
    assert_eq!(preferences.time_zone(id).await.unwrap(), None);

    let berlin = TimeZoneName::from_catalog("Europe/Berlin");
    preferences
        .set_time_zone(id, Some(berlin), at(2026, 3, 1, 9, 0, 0))
        .await
        .unwrap();
    assert_eq!(
        preferences.time_zone(id).await.unwrap().as_deref(),
        Some("Europe/Berlin")
    );

    let tokyo = TimeZoneName::from_catalog("Asia/Tokyo");
    preferences
        .set_time_zone(id, Some(tokyo), at(2026, 3, 2, 9, 0, 0))
        .await
        .unwrap();
    assert_eq!(
        preferences.time_zone(id).await.unwrap().as_deref(),
        Some("Asia/Tokyo"),
        "a second choice replaces the first"
    );

    preferences
        .set_time_zone(id, None, at(2026, 3, 3, 9, 0, 0))
        .await
        .unwrap();
    assert_eq!(preferences.time_zone(id).await.unwrap(), None);

    assert_eq!(preferences.time_zone(UserId(999_999)).await.unwrap(), None);
    let error = preferences
        .set_time_zone(UserId(999_999), None, at(2026, 3, 3, 9, 0, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(error, RepositoryError::Rejected(_)),
        "no such user: {error:?}"
    );
}

crate::both_backends!(a_time_zone_is_chosen_replaced_and_forgotten);
