//! The API token store on SQLite and PostgreSQL: only the digest is kept, a lookup finds a
//! live token with its owner's current role, revoked tokens and disabled owners find
//! nothing, last use is written once however many racers, listings and revocation by owner.

use chrono::{DateTime, Duration, Utc};
use sensei_core::ports::{AccountAdminStore, ApiTokenStore, RevokeOutcome};
use sensei_core::{
    ApiToken, ApiTokenId, ApiTokenName, ChangeActor, NewApiToken, RepositoryError, Role, UserId,
    API_TOKEN_BYTES,
};

use crate::common::{at, fixture, TestDb};

fn token(byte: u8) -> ApiToken {
    ApiToken::from_random([byte; API_TOKEN_BYTES])
}

fn now() -> DateTime<Utc> {
    at(2026, 11, 28, 10, 0, 0)
}

/// The operator, as the record of changes names them.
fn cli() -> ChangeActor {
    ChangeActor::Operator("cli:test".to_owned())
}

fn new_token(owner: UserId, byte: u8, name: &str) -> NewApiToken {
    NewApiToken {
        owner,
        name: ApiTokenName::new(name).unwrap(),
        hash: token(byte).hash(),
        created_at: now(),
        expires_at: now() + Duration::days(90),
    }
}

async fn only_the_digest_is_stored_and_found_with_its_owner(t: TestDb) {
    let f = fixture(&t.db).await;
    let tokens = t.db.api_tokens();
    assert_eq!(tokens.find_by_hash(&token(1).hash()).await.unwrap(), None);
    let id = tokens
        .create(new_token(f.instructor, 1, "nightly export"), &cli())
        .await
        .unwrap();
    let found = tokens
        .find_by_hash(&token(1).hash())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.owner.id, f.instructor);
    assert_eq!(found.owner.email, "sensei@example.com");
    assert_eq!(found.owner.role, Role::Instructor);
    assert_eq!(found.expires_at, now() + Duration::days(90));
    assert_eq!(found.last_used_at, None);
    assert_eq!(tokens.find_by_hash(&token(2).hash()).await.unwrap(), None);
    let digest = format!(
        "SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = '{}'",
        token(1).hash().as_str()
    );
    assert_eq!(t.count_sql(&digest), 1);
    let secret = format!(
        "SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = '{0}' OR name = '{0}'",
        token(1).as_str()
    );
    assert_eq!(t.count_sql(&secret), 0);
}

async fn the_owner_comes_with_the_role_they_have_now(t: TestDb) {
    let f = fixture(&t.db).await;
    let tokens = t.db.api_tokens();
    tokens
        .create(new_token(f.instructor, 3, ""), &cli())
        .await
        .unwrap();
    t.execute_sql(&format!(
        "UPDATE users SET role = 'student' WHERE id = {}",
        f.instructor.get()
    ));
    let found = tokens
        .find_by_hash(&token(3).hash())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.owner.role, Role::Student);
}

async fn a_disabled_owners_tokens_find_nothing_until_enabled(t: TestDb) {
    let f = fixture(&t.db).await;
    let tokens = t.db.api_tokens();
    tokens
        .create(new_token(f.student, 4, ""), &cli())
        .await
        .unwrap();
    t.execute_sql(&format!(
        "UPDATE users SET disabled_at = '2026-11-28 09:00:00.000000' WHERE id = {}",
        f.student.get()
    ));
    assert_eq!(tokens.find_by_hash(&token(4).hash()).await.unwrap(), None);
    t.execute_sql(&format!(
        "UPDATE users SET disabled_at = NULL WHERE id = {}",
        f.student.get()
    ));
    assert!(tokens
        .find_by_hash(&token(4).hash())
        .await
        .unwrap()
        .is_some());
}

async fn a_revoked_token_finds_nothing_and_is_revoked_once(t: TestDb) {
    let f = fixture(&t.db).await;
    let tokens = t.db.api_tokens();
    let id = tokens
        .create(new_token(f.instructor, 5, ""), &cli())
        .await
        .unwrap();
    // Someone else's token is not found for them, and stays live.
    assert_eq!(
        tokens
            .revoke(id, Some(f.student), now(), &cli())
            .await
            .unwrap(),
        RevokeOutcome::NotFound
    );
    assert!(tokens
        .find_by_hash(&token(5).hash())
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        tokens
            .revoke(id, Some(f.instructor), now(), &cli())
            .await
            .unwrap(),
        RevokeOutcome::Revoked
    );
    assert_eq!(tokens.find_by_hash(&token(5).hash()).await.unwrap(), None);
    assert_eq!(
        tokens.revoke(id, None, now(), &cli()).await.unwrap(),
        RevokeOutcome::AlreadyRevoked
    );
    assert_eq!(
        tokens
            .revoke(ApiTokenId(9_999), None, now(), &cli())
            .await
            .unwrap(),
        RevokeOutcome::NotFound
    );
    let listed = tokens.list(None, 10).await.unwrap();
    assert_eq!(listed[0].revoked_at, Some(now()));
    // Who changed what: the creation and the one revocation that happened, in their own
    // transactions, by the operator, naming the owner and the token (never the token).
    let changes = t.db.accounts().list_changes(None, 10).await.unwrap();
    let recorded: Vec<_> = changes
        .iter()
        .map(|change| (change.kind.as_str(), change.subject_user, change.object_id))
        .collect();
    let token_id = Some(i64::from(id.get()));
    assert_eq!(
        recorded,
        vec![
            ("token_revoked", Some(f.instructor), token_id),
            ("token_created", Some(f.instructor), token_id),
        ]
    );
    assert!(changes.iter().all(|change| change.actor == cli()));
}

async fn last_use_is_written_unless_written_since(t: TestDb) {
    let f = fixture(&t.db).await;
    let tokens = t.db.api_tokens();
    let id = tokens
        .create(new_token(f.instructor, 6, ""), &cli())
        .await
        .unwrap();
    let first = now() + Duration::minutes(5);
    tokens
        .record_use(id, first, first - Duration::minutes(1))
        .await
        .unwrap();
    let last = |tokens: sensei_diesel::DieselApiTokens| async move {
        tokens
            .find_by_hash(&token(6).hash())
            .await
            .unwrap()
            .unwrap()
            .last_used_at
    };
    assert_eq!(last(tokens.clone()).await, Some(first));
    // A racer that saw no use yet, 30 s later: the row already holds a recent use.
    let racer = first + Duration::seconds(30);
    tokens
        .record_use(id, racer, racer - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(last(tokens.clone()).await, Some(first));
    let later = first + Duration::minutes(2);
    tokens
        .record_use(id, later, later - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(last(tokens.clone()).await, Some(later));
}

async fn listings_are_newest_first_and_by_owner(t: TestDb) {
    let f = fixture(&t.db).await;
    let tokens = t.db.api_tokens();
    let a = tokens
        .create(new_token(f.instructor, 7, "a"), &cli())
        .await
        .unwrap();
    let b = tokens
        .create(new_token(f.student, 8, "b"), &cli())
        .await
        .unwrap();
    let c = tokens
        .create(new_token(f.instructor, 9, "c"), &cli())
        .await
        .unwrap();
    let all: Vec<_> = tokens
        .list(None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|record| record.id)
        .collect();
    assert_eq!(all, vec![c, b, a]);
    let mine = tokens.list(Some(f.instructor), 10).await.unwrap();
    assert_eq!(
        mine.iter().map(|record| record.id).collect::<Vec<_>>(),
        vec![c, a]
    );
    assert_eq!(mine[0].name.as_str(), "c");
    assert_eq!(mine[0].owner_email, "sensei@example.com");
    assert_eq!(mine[0].created_at, now());
    assert_eq!(tokens.list(None, 1).await.unwrap().len(), 1);
}

async fn a_token_for_an_unknown_user_or_a_digest_in_use_is_rejected(t: TestDb) {
    let f = fixture(&t.db).await;
    let tokens = t.db.api_tokens();
    let unknown = tokens
        .create(new_token(UserId(5_000), 10, ""), &cli())
        .await;
    assert!(
        matches!(unknown, Err(RepositoryError::Rejected(_))),
        "{unknown:?}"
    );
    tokens
        .create(new_token(f.instructor, 11, ""), &cli())
        .await
        .unwrap();
    let again = tokens.create(new_token(f.student, 11, ""), &cli()).await;
    assert!(
        matches!(again, Err(RepositoryError::Rejected(_))),
        "{again:?}"
    );
    assert_eq!(t.count_sql("SELECT COUNT(*) AS n FROM api_tokens"), 1);
}

/// A request's token costs one statement (the digest's index joined to the owner), and one
/// more only when its use is due to be written.
async fn a_lookup_is_one_statement(t: TestDb) {
    let f = fixture(&t.db).await;
    let tokens = t.db.api_tokens();
    tokens
        .create(new_token(f.instructor, 12, ""), &cli())
        .await
        .unwrap();
    let before = t.counter.get();
    let found = tokens.find_by_hash(&token(12).hash()).await.unwrap();
    assert!(found.is_some());
    assert_eq!(t.counter.get() - before, 1);
    let before = t.counter.get();
    assert_eq!(tokens.find_by_hash(&token(13).hash()).await.unwrap(), None);
    assert_eq!(t.counter.get() - before, 1);
}

crate::both_backends!(
    a_lookup_is_one_statement,
    only_the_digest_is_stored_and_found_with_its_owner,
    the_owner_comes_with_the_role_they_have_now,
    a_disabled_owners_tokens_find_nothing_until_enabled,
    a_revoked_token_finds_nothing_and_is_revoked_once,
    last_use_is_written_unless_written_since,
    listings_are_newest_first_and_by_owner,
    a_token_for_an_unknown_user_or_a_digest_in_use_is_rejected,
);
