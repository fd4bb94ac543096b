//! API tokens: making, listing and revoking them, and turning a bearer token into the
//! account it acts as.
//!
//! A service of its own (not part of [`super::SenseiService`]): embedders that sign users in
//! themselves need no tokens. Every change goes through [`ApiTokenService::create`] or
//! [`ApiTokenService::revoke`], one function each, so whatever must happen on every change
//! (an audit record) has one place to go.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::{
    is_expired, last_use_is_due, normalize_email, Account, Actor, ApiToken, ApiTokenId,
    ApiTokenLifetime, ApiTokenName, ApiTokenRecord, ChangeActor, NewApiToken, StoredAccount,
    UserId, LAST_USE_RESOLUTION,
};
use crate::error::{ApiTokenError, RepositoryError};
use crate::ports::{AccountRepository, ApiTokenStore, Clock, RandomSource, RevokeOutcome};

/// The most tokens one listing returns.
pub const MAX_LISTED_TOKENS: u32 = 1_000;

/// Who manages tokens: the operator (the command line: anyone's tokens), or a signed-in
/// instructor or admin (their own only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenManager {
    /// Someone with the database at hand, by the name the audit records (`cli:` and the OS
    /// user).
    Operator(String),
    /// A signed-in account.
    Owner(Actor),
}

impl TokenManager {
    /// Who the audit records as having made the change.
    pub fn change_actor(&self) -> ChangeActor {
        match self {
            TokenManager::Operator(name) => ChangeActor::Operator(name.clone()),
            TokenManager::Owner(actor) => ChangeActor::User(actor.user_id),
        }
    }
}

/// A token just made: the only time its secret is seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedApiToken {
    /// Its id.
    pub id: ApiTokenId,
    /// The secret, to show once.
    pub token: ApiToken,
    /// Its name.
    pub name: ApiTokenName,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// A bearer token that was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerAccess {
    /// The owner, with their current role: the request acts as them.
    pub account: Account,
    /// Why the use could not be written, if it could not: the request still goes ahead
    /// (the record of use is a convenience, not a gate), and the adapter logs it.
    pub unrecorded_use: Option<RepositoryError>,
}

/// Listed tokens with the instant their status (active, expired) is as of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenList {
    /// The tokens, newest first.
    pub tokens: Vec<ApiTokenRecord>,
    /// When they were read.
    pub as_of: chrono::DateTime<chrono::Utc>,
}

/// The API token use cases.
#[derive(Clone)]
pub struct ApiTokenService {
    store: Arc<dyn ApiTokenStore>,
    accounts: Arc<dyn AccountRepository>,
    random: Arc<dyn RandomSource>,
    clock: Arc<dyn Clock>,
}

impl ApiTokenService {
    /// Tokens kept in `store`, owners looked up in `accounts`, secrets from `random`.
    pub fn new(
        store: Arc<dyn ApiTokenStore>,
        accounts: Arc<dyn AccountRepository>,
        random: Arc<dyn RandomSource>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            accounts,
            random,
            clock,
        }
    }

    /// The account named by `email` (the operator's `--user EMAIL`), disabled or not.
    ///
    /// # Errors
    /// [`ApiTokenError::NoSuchAccount`], [`ApiTokenError::Repository`].
    pub async fn owner_by_email(&self, email: &str) -> Result<Account, ApiTokenError> {
        Ok(self.stored_owner(email).await?.account)
    }

    async fn stored_owner(&self, email: &str) -> Result<StoredAccount, ApiTokenError> {
        let email = normalize_email(email);
        self.accounts
            .find_by_email(&email)
            .await?
            .ok_or(ApiTokenError::NoSuchAccount(email))
    }

    /// [`ApiTokenService::create`] for the account named by `email`, which must be enabled
    /// (a disabled account's token would not work); returns the owner with the token.
    ///
    /// # Errors
    /// [`ApiTokenError::NoSuchAccount`], [`ApiTokenError::AccountDisabled`], and those of
    /// [`ApiTokenService::create`].
    pub async fn create_for_email(
        &self,
        by: TokenManager,
        email: &str,
        name: &str,
        lifetime: ApiTokenLifetime,
    ) -> Result<(Account, CreatedApiToken), ApiTokenError> {
        let stored = self.stored_owner(email).await?;
        if stored.disabled {
            return Err(ApiTokenError::AccountDisabled(stored.account.email));
        }
        let created = self.create(by, stored.account.id, name, lifetime).await?;
        Ok((stored.account, created))
    }

    /// Makes a token for `owner`, named `name`, lasting `lifetime`, and returns its secret
    /// (the store keeps only the digest). Instructors and admins make their own; the operator
    /// anyone's (students' tokens come from the operator).
    ///
    /// # Errors
    /// [`ApiTokenError::Forbidden`] for anyone else; [`ApiTokenError::InvalidInput`] for the
    /// name; [`ApiTokenError::Repository`] when no randomness is available or the store
    /// fails.
    pub async fn create(
        &self,
        by: TokenManager,
        owner: UserId,
        name: &str,
        lifetime: ApiTokenLifetime,
    ) -> Result<CreatedApiToken, ApiTokenError> {
        may_manage(&by, Some(owner))?;
        let name = ApiTokenName::new(name)?;
        let token = ApiToken::from_random(self.random.feed_secret()?);
        let now = self.clock.now();
        let expires_at = lifetime.expiry_from(now);
        let id = self
            .store
            .create(
                NewApiToken {
                    owner,
                    name: name.clone(),
                    hash: token.hash(),
                    created_at: now,
                    expires_at,
                },
                &by.change_actor(),
            )
            .await?;
        Ok(CreatedApiToken {
            id,
            token,
            name,
            expires_at,
        })
    }

    /// Tokens, newest first (at most [`MAX_LISTED_TOKENS`]): `owner`'s, or everyone's for
    /// the operator when `owner` is `None`.
    ///
    /// # Errors
    /// [`ApiTokenError::Forbidden`] when a signed-in account asks for someone else's (or for
    /// everyone's); [`ApiTokenError::Repository`].
    pub async fn list(
        &self,
        by: TokenManager,
        owner: Option<UserId>,
    ) -> Result<ApiTokenList, ApiTokenError> {
        may_manage(&by, owner)?;
        let tokens = self.store.list(owner, MAX_LISTED_TOKENS).await?;
        Ok(ApiTokenList {
            tokens,
            as_of: self.clock.now(),
        })
    }

    /// Revokes a token: it stops working at once. A signed-in account revokes only its own.
    ///
    /// # Errors
    /// [`ApiTokenError::Forbidden`] unless an instructor, admin or the operator;
    /// [`ApiTokenError::NoSuchToken`] when there is none (or it is someone else's), also when
    /// revoked before; [`ApiTokenError::Repository`].
    pub async fn revoke(&self, by: TokenManager, id: ApiTokenId) -> Result<(), ApiTokenError> {
        let owner = match &by {
            TokenManager::Operator(_) => None,
            TokenManager::Owner(actor) => Some(actor.user_id),
        };
        may_manage(&by, owner)?;
        let outcome = self
            .store
            .revoke(id, owner, self.clock.now(), &by.change_actor())
            .await?;
        match outcome {
            RevokeOutcome::Revoked => Ok(()),
            RevokeOutcome::AlreadyRevoked | RevokeOutcome::NotFound => {
                Err(ApiTokenError::NoSuchToken(id))
            }
        }
    }

    /// The account a bearer token acts as: a well-formed token of the store, not revoked,
    /// not expired, of an enabled owner, with the owner's role as it is now. Its use is
    /// written at most once a minute.
    ///
    /// # Errors
    /// [`ApiTokenError::InvalidToken`] for any token that does not work (one answer, so a
    /// guess learns nothing); [`ApiTokenError::Repository`] when the store cannot be read.
    pub async fn authenticate(&self, bearer: &str) -> Result<BearerAccess, ApiTokenError> {
        let token = ApiToken::parse(bearer).ok_or(ApiTokenError::InvalidToken)?;
        let found = self
            .store
            .find_by_hash(&token.hash())
            .await?
            .ok_or(ApiTokenError::InvalidToken)?;
        let now = self.clock.now();
        if is_expired(found.expires_at, now) {
            return Err(ApiTokenError::InvalidToken);
        }
        let unrecorded_use = if last_use_is_due(found.last_used_at, now) {
            self.store
                .record_use(found.id, now, now - LAST_USE_RESOLUTION)
                .await
                .err()
        } else {
            None
        };
        Ok(BearerAccess {
            account: found.owner,
            unrecorded_use,
        })
    }
}

/// Whether `by` may manage the tokens of `owner` (`None`: everyone's).
fn may_manage(by: &TokenManager, owner: Option<UserId>) -> Result<(), ApiTokenError> {
    match by {
        TokenManager::Operator(_) => Ok(()),
        TokenManager::Owner(actor) if actor.is_instructor() && owner == Some(actor.user_id) => {
            Ok(())
        }
        TokenManager::Owner(_) => Err(ApiTokenError::Forbidden),
    }
}
