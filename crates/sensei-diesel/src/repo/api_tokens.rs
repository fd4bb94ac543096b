//! API tokens (the `api_tokens` table): the [`ApiTokenStore`] port. Only the digest of each
//! token is stored; a request's token is one indexed lookup (the unique digest) joined to
//! its owner's row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::{ApiTokenStore, RevokeOutcome, StoredApiToken};
use sensei_core::{
    Account, AccountChange, ApiTokenHash, ApiTokenId, ApiTokenName, ApiTokenRecord, ChangeActor,
    NewApiToken, RepositoryError, Role, UserId,
};

use super::account_changes::{insert_change, ChangeRow};
use crate::db::{with_conn, with_write_conn, Database, WriteConn};
use crate::error::Fail;
use crate::schema::{api_tokens, users};
use crate::timestamp::SqlaTimestamp;

/// The API tokens of a database.
#[derive(Debug, Clone)]
pub struct DieselApiTokens {
    db: Database,
}

impl DieselApiTokens {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

fn role(id: i32, raw: &str) -> Result<Role, RepositoryError> {
    Role::parse(raw)
        .ok_or_else(|| RepositoryError::Internal(format!("user {id} has an unknown role {raw:?}")))
}

/// A found token's row: id, expiry, last use, owner id, email, role.
type FoundRow = (
    i32,
    SqlaTimestamp,
    Option<SqlaTimestamp>,
    i32,
    String,
    String,
);

/// A listed token's row.
type ListedRow = (
    i32,
    i32,
    String,
    String,
    SqlaTimestamp,
    SqlaTimestamp,
    Option<SqlaTimestamp>,
    Option<SqlaTimestamp>,
);

fn record(row: ListedRow) -> ApiTokenRecord {
    let (id, owner, owner_email, name, created_at, expires_at, last_used_at, revoked_at) = row;
    ApiTokenRecord {
        id: ApiTokenId(id),
        owner: UserId(owner),
        owner_email,
        name: ApiTokenName::from_stored(name),
        created_at: created_at.utc(),
        expires_at: expires_at.utc(),
        last_used_at: last_used_at.map(SqlaTimestamp::utc),
        revoked_at: revoked_at.map(SqlaTimestamp::utc),
    }
}

#[async_trait]
impl ApiTokenStore for DieselApiTokens {
    async fn create(
        &self,
        token: NewApiToken,
        by: &ChangeActor,
    ) -> Result<ApiTokenId, RepositoryError> {
        let owner = token.owner.get();
        let by = by.clone();
        let at = token.created_at;
        let name = token.name.as_str().to_owned();
        let hash = token.hash.as_str().to_owned();
        let created_at = SqlaTimestamp::from(token.created_at);
        let expires_at = SqlaTimestamp::from(token.expires_at);
        let id: i32 = with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let id: i32 = diesel::insert_into(api_tokens::table)
                    .values((
                        api_tokens::user_id.eq(owner),
                        api_tokens::name.eq(&name),
                        api_tokens::token_hash.eq(&hash),
                        api_tokens::created_at.eq(created_at),
                        api_tokens::expires_at.eq(expires_at),
                    ))
                    .returning(api_tokens::id)
                    .get_result(conn)?;
                let change = AccountChange::TokenCreated {
                    user: UserId(owner),
                    token: i64::from(id),
                };
                insert_change(conn, ChangeRow::new(&change, &by, at))?;
                Ok::<_, Fail>(id)
            })
        })?;
        Ok(ApiTokenId(id))
    }

    /// One statement: the unique digest's index, joined to the owner's row; revoked tokens
    /// and disabled owners find nothing.
    async fn find_by_hash(
        &self,
        hash: &ApiTokenHash,
    ) -> Result<Option<StoredApiToken>, RepositoryError> {
        let hash = hash.as_str().to_owned();
        let found: Option<FoundRow> = with_conn!(self.db, |conn| {
            Ok(api_tokens::table
                .inner_join(users::table)
                .filter(api_tokens::token_hash.eq(hash))
                .filter(api_tokens::revoked_at.is_null())
                .filter(users::disabled_at.is_null())
                .select((
                    api_tokens::id,
                    api_tokens::expires_at,
                    api_tokens::last_used_at,
                    users::id,
                    users::email,
                    users::role,
                ))
                .first(conn)
                .optional()?)
        })?;
        found
            .map(|(id, expires_at, last_used_at, owner, email, raw_role)| {
                Ok(StoredApiToken {
                    id: ApiTokenId(id),
                    owner: Account {
                        id: UserId(owner),
                        email,
                        role: role(owner, &raw_role)?,
                    },
                    expires_at: expires_at.utc(),
                    last_used_at: last_used_at.map(SqlaTimestamp::utc),
                })
            })
            .transpose()
    }

    /// A conditional update, so two processes that both saw an old last use write once.
    async fn record_use(
        &self,
        id: ApiTokenId,
        now: DateTime<Utc>,
        unless_since: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let id = id.get();
        let now = SqlaTimestamp::from(now);
        let since = SqlaTimestamp::from(unless_since);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                diesel::update(
                    api_tokens::table.find(id).filter(
                        api_tokens::last_used_at
                            .is_null()
                            .or(api_tokens::last_used_at.lt(since)),
                    ),
                )
                .set(api_tokens::last_used_at.eq(now))
                .execute(conn)?;
                Ok::<_, Fail>(())
            })
        })
    }

    async fn list(
        &self,
        owner: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<ApiTokenRecord>, RepositoryError> {
        let rows: Vec<ListedRow> = with_conn!(self.db, |conn| {
            let mut query = api_tokens::table
                .inner_join(users::table)
                .order(api_tokens::id.desc())
                .limit(i64::from(limit))
                .select((
                    api_tokens::id,
                    users::id,
                    users::email,
                    api_tokens::name,
                    api_tokens::created_at,
                    api_tokens::expires_at,
                    api_tokens::last_used_at,
                    api_tokens::revoked_at,
                ))
                .into_boxed();
            if let Some(owner) = owner {
                query = query.filter(api_tokens::user_id.eq(owner.get()));
            }
            Ok(query.load(conn)?)
        })?;
        Ok(rows.into_iter().map(record).collect())
    }

    /// One transaction: read the row (and its owner), stamp it if still live.
    async fn revoke(
        &self,
        id: ApiTokenId,
        owner: Option<UserId>,
        now: DateTime<Utc>,
        by: &ChangeActor,
    ) -> Result<RevokeOutcome, RepositoryError> {
        let id = id.get();
        let owner = owner.map(UserId::get);
        let by = by.clone();
        let at = now;
        let now = SqlaTimestamp::from(now);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let row: Option<(i32, Option<SqlaTimestamp>)> = api_tokens::table
                    .find(id)
                    .select((api_tokens::user_id, api_tokens::revoked_at))
                    .first(conn)
                    .optional()?;
                let outcome = match row {
                    None => RevokeOutcome::NotFound,
                    Some((row_owner, _)) if owner.is_some_and(|owner| owner != row_owner) => {
                        RevokeOutcome::NotFound
                    }
                    Some((_, Some(_))) => RevokeOutcome::AlreadyRevoked,
                    Some((row_owner, None)) => {
                        diesel::update(api_tokens::table.find(id))
                            .set(api_tokens::revoked_at.eq(now))
                            .execute(conn)?;
                        let change = AccountChange::TokenRevoked {
                            user: UserId(row_owner),
                            token: i64::from(id),
                        };
                        insert_change(conn, ChangeRow::new(&change, &by, at))?;
                        RevokeOutcome::Revoked
                    }
                };
                Ok::<_, Fail>(outcome)
            })
        })
    }
}
