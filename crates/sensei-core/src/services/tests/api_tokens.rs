//! API tokens: who may manage which, only the digest is stored, a bearer token acts as its
//! owner with their current role until revoked, expired or disabled, and its use is written
//! at most once a minute.

use std::sync::{Arc, Mutex};

use chrono::Duration;

use super::*;
use crate::domain::ChangeActor;
use crate::domain::{
    Account, Actor, ApiToken, ApiTokenId, ApiTokenInputError, ApiTokenLifetime, Role,
    StoredAccount, API_TOKEN_BYTES,
};
use crate::error::{ApiTokenError, RepositoryError};
use crate::ports::{MockApiTokenStore, MockRandomSource, RevokeOutcome, StoredApiToken};
use crate::services::{ApiTokenService, TokenManager};

const TOKEN: ApiTokenId = ApiTokenId(11);

/// The operator, as the command line names it.
fn operator() -> TokenManager {
    TokenManager::Operator("cli:test".to_owned())
}

fn service_at(
    at: chrono::DateTime<Utc>,
    store: MockApiTokenStore,
    accounts: MockAccountRepository,
) -> ApiTokenService {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(at);
    let mut random = MockRandomSource::new();
    random
        .expect_feed_secret()
        .returning(|| Ok([9_u8; API_TOKEN_BYTES]));
    ApiTokenService::new(
        Arc::new(store),
        Arc::new(accounts),
        Arc::new(random),
        Arc::new(clock),
    )
}

fn service(store: MockApiTokenStore) -> ApiTokenService {
    service_at(now(), store, MockAccountRepository::new())
}

fn owner(role: Role) -> Account {
    Account {
        id: INSTRUCTOR,
        email: "sensei@example.com".to_owned(),
        role,
    }
}

fn stored(
    expires_at: chrono::DateTime<Utc>,
    last_used_at: Option<chrono::DateTime<Utc>>,
) -> StoredApiToken {
    StoredApiToken {
        id: TOKEN,
        owner: owner(Role::Instructor),
        expires_at,
        last_used_at,
    }
}

fn the_token() -> ApiToken {
    ApiToken::from_random([9_u8; API_TOKEN_BYTES])
}

#[tokio::test]
async fn creating_stores_only_the_digest_with_the_expiry_and_shows_the_secret_once() {
    let mut store = MockApiTokenStore::new();
    store
        .expect_create()
        .withf(|new, by| {
            assert_eq!(*by, ChangeActor::Operator("cli:test".to_owned()));
            new.owner == STUDENT
                && new.name.as_str() == "nightly"
                && new.hash == the_token().hash()
                && new.created_at == now()
                && new.expires_at == now() + Duration::days(30)
        })
        .times(1)
        .returning(|_, _| Ok(TOKEN));
    let created = service(store)
        .create(
            operator(),
            STUDENT,
            " nightly ",
            ApiTokenLifetime::days(30).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(created.id, TOKEN);
    assert_eq!(created.token, the_token());
    assert_eq!(created.expires_at, now() + Duration::days(30));
}

#[tokio::test]
async fn instructors_and_admins_make_their_own_tokens_only_and_students_none() {
    let mut store = MockApiTokenStore::new();
    store.expect_create().times(2).returning(|_, _| Ok(TOKEN));
    let tokens = service(store);
    let lifetime = ApiTokenLifetime::default();
    let instructor = Actor::instructor(INSTRUCTOR);
    assert!(tokens
        .create(TokenManager::Owner(instructor), INSTRUCTOR, "", lifetime)
        .await
        .is_ok());
    let admin = Actor {
        user_id: UserId(3),
        role: Role::Admin,
    };
    assert!(tokens
        .create(TokenManager::Owner(admin), UserId(3), "", lifetime)
        .await
        .is_ok());
    assert_eq!(
        tokens
            .create(TokenManager::Owner(instructor), STUDENT, "", lifetime)
            .await,
        Err(ApiTokenError::Forbidden)
    );
    assert_eq!(
        tokens
            .create(
                TokenManager::Owner(Actor::student(STUDENT)),
                STUDENT,
                "",
                lifetime
            )
            .await,
        Err(ApiTokenError::Forbidden)
    );
}

#[tokio::test]
async fn a_bad_name_saves_nothing() {
    let refused = service(MockApiTokenStore::new())
        .create(operator(), STUDENT, "a\nb", ApiTokenLifetime::default())
        .await;
    assert_eq!(
        refused,
        Err(ApiTokenError::InvalidInput(ApiTokenInputError::NameControl))
    );
}

#[tokio::test]
async fn the_owner_by_email_must_exist_and_gets_a_token_only_while_enabled() {
    let mut accounts = MockAccountRepository::new();
    accounts.expect_find_by_email().returning(|email| {
        Ok((email != "nobody@example.com").then(|| StoredAccount {
            account: Account {
                id: STUDENT,
                email: email.to_owned(),
                role: Role::Student,
            },
            password_hash: String::new(),
            disabled: email == "gone@example.com",
        }))
    });
    let mut store = MockApiTokenStore::new();
    store
        .expect_create()
        .withf(|new, _| new.owner == STUDENT)
        .times(1)
        .returning(|_, _| Ok(TOKEN));
    let tokens = service_at(now(), store, accounts);
    assert_eq!(
        tokens
            .owner_by_email(" Alice@Example.com")
            .await
            .unwrap()
            .id,
        STUDENT
    );
    // Listing a disabled account's tokens is fine; making one is not.
    assert!(tokens.owner_by_email("gone@example.com").await.is_ok());
    assert_eq!(
        tokens.owner_by_email("nobody@example.com").await,
        Err(ApiTokenError::NoSuchAccount(
            "nobody@example.com".to_owned()
        ))
    );
    let lifetime = ApiTokenLifetime::default();
    let (owner, created) = tokens
        .create_for_email(operator(), "alice@example.com", "", lifetime)
        .await
        .unwrap();
    assert_eq!((owner.id, created.id), (STUDENT, TOKEN));
    assert_eq!(
        tokens
            .create_for_email(operator(), "gone@example.com", "", lifetime)
            .await,
        Err(ApiTokenError::AccountDisabled(
            "gone@example.com".to_owned()
        ))
    );
}

#[tokio::test]
async fn listing_is_the_owners_own_or_everyones_for_the_operator() {
    let mut store = MockApiTokenStore::new();
    store
        .expect_list()
        .withf(|owner, _| *owner == Some(INSTRUCTOR))
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    store
        .expect_list()
        .withf(|owner, _| owner.is_none())
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let tokens = service(store);
    let instructor = TokenManager::Owner(Actor::instructor(INSTRUCTOR));
    assert!(tokens
        .list(instructor.clone(), Some(INSTRUCTOR))
        .await
        .is_ok());
    assert!(tokens.list(operator(), None).await.is_ok());
    assert_eq!(
        tokens.list(instructor.clone(), None).await,
        Err(ApiTokenError::Forbidden)
    );
    assert_eq!(
        tokens.list(instructor.clone(), Some(STUDENT)).await,
        Err(ApiTokenError::Forbidden)
    );
}

#[tokio::test]
async fn an_owner_revokes_only_their_own_and_the_operator_any() {
    let mut store = MockApiTokenStore::new();
    store
        .expect_revoke()
        .withf(|id, owner, at, by| {
            *id == TOKEN
                && *owner == Some(INSTRUCTOR)
                && *at == now()
                && *by == ChangeActor::User(INSTRUCTOR)
        })
        .times(1)
        .returning(|_, _, _, _| Ok(RevokeOutcome::NotFound));
    store
        .expect_revoke()
        .withf(|id, owner, _, by| *id == TOKEN && owner.is_none() && by.operator().is_some())
        .times(2)
        .returning({
            let calls = Mutex::new(0);
            move |_, _, _, _| {
                let mut calls = calls.lock().unwrap();
                *calls += 1;
                Ok(if *calls == 1 {
                    RevokeOutcome::Revoked
                } else {
                    RevokeOutcome::AlreadyRevoked
                })
            }
        });
    let tokens = service(store);
    assert_eq!(
        tokens
            .revoke(TokenManager::Owner(Actor::instructor(INSTRUCTOR)), TOKEN)
            .await,
        Err(ApiTokenError::NoSuchToken(TOKEN))
    );
    assert_eq!(tokens.revoke(operator(), TOKEN).await, Ok(()));
    assert_eq!(
        tokens.revoke(operator(), TOKEN).await,
        Err(ApiTokenError::NoSuchToken(TOKEN))
    );
    assert_eq!(
        tokens
            .revoke(TokenManager::Owner(Actor::student(STUDENT)), TOKEN)
            .await,
        Err(ApiTokenError::Forbidden)
    );
}

#[tokio::test]
async fn a_malformed_token_is_refused_without_a_lookup() {
    let tokens = service(MockApiTokenStore::new());
    for raw in ["", "sst_", "Bearer x", &"0".repeat(64)] {
        assert_eq!(
            tokens.authenticate(raw).await,
            Err(ApiTokenError::InvalidToken),
            "{raw:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_revoked_or_disabled_token_is_invalid() {
    let mut store = MockApiTokenStore::new();
    store
        .expect_find_by_hash()
        .withf(|hash| *hash == the_token().hash())
        .returning(|_| Ok(None));
    assert_eq!(
        service(store).authenticate(the_token().as_str()).await,
        Err(ApiTokenError::InvalidToken)
    );
}

#[tokio::test]
async fn an_expired_token_is_invalid_from_its_expiry_on() {
    for expires_at in [now(), now() - Duration::days(1)] {
        let mut store = MockApiTokenStore::new();
        store
            .expect_find_by_hash()
            .returning(move |_| Ok(Some(stored(expires_at, None))));
        assert_eq!(
            service(store).authenticate(the_token().as_str()).await,
            Err(ApiTokenError::InvalidToken)
        );
    }
}

#[tokio::test]
async fn a_token_acts_as_its_owner_with_the_current_role() {
    let mut store = MockApiTokenStore::new();
    store.expect_find_by_hash().returning(|_| {
        Ok(Some(StoredApiToken {
            owner: owner(Role::Student),
            ..stored(now() + Duration::days(1), Some(now()))
        }))
    });
    let access = service(store)
        .authenticate(the_token().as_str())
        .await
        .unwrap();
    assert_eq!(access.account, owner(Role::Student));
    assert_eq!(access.unrecorded_use, None);
}

#[tokio::test]
async fn the_first_use_and_one_a_minute_later_are_written_and_nothing_between() {
    let cases = [
        (None, true),
        (Some(now() - Duration::seconds(30)), false),
        (Some(now() - Duration::seconds(59)), false),
        (Some(now() - Duration::minutes(1)), true),
        (Some(now() - Duration::days(3)), true),
    ];
    for (last_used_at, written) in cases {
        let mut store = MockApiTokenStore::new();
        store
            .expect_find_by_hash()
            .returning(move |_| Ok(Some(stored(now() + Duration::days(1), last_used_at))));
        store
            .expect_record_use()
            .withf(|id, at, unless_since| {
                *id == TOKEN && *at == now() && *unless_since == now() - Duration::minutes(1)
            })
            .times(usize::from(written))
            .returning(|_, _, _| Ok(()));
        let access = service(store)
            .authenticate(the_token().as_str())
            .await
            .unwrap();
        assert_eq!(access.account.id, INSTRUCTOR, "{last_used_at:?}");
    }
}

#[tokio::test]
async fn a_use_that_cannot_be_written_still_lets_the_request_through() {
    let mut store = MockApiTokenStore::new();
    store
        .expect_find_by_hash()
        .returning(|_| Ok(Some(stored(now() + Duration::days(1), None))));
    store
        .expect_record_use()
        .returning(|_, _, _| Err(RepositoryError::Unavailable("locked".to_owned())));
    let access = service(store)
        .authenticate(the_token().as_str())
        .await
        .unwrap();
    assert_eq!(
        access.unrecorded_use,
        Some(RepositoryError::Unavailable("locked".to_owned()))
    );
}

#[tokio::test]
async fn a_store_that_cannot_be_read_is_an_outage_not_a_bad_token() {
    let mut store = MockApiTokenStore::new();
    store
        .expect_find_by_hash()
        .returning(|_| Err(RepositoryError::Unavailable("down".to_owned())));
    assert_eq!(
        service(store).authenticate(the_token().as_str()).await,
        Err(ApiTokenError::Repository(RepositoryError::Unavailable(
            "down".to_owned()
        )))
    );
}
