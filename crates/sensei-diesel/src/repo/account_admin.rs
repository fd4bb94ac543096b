//! The [`AccountAdminStore`] port on [`AccountStore`]: what `sensei user ...` changes in the
//! `users` table (and, on disabling, in `auth_sessions`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::{AccountAdminStore, CreateAccountOutcome};
use sensei_core::{Account, AccountSummary, RepositoryError, Role, UserId};

use super::accounts::AccountStore;
use crate::db::{with_conn, with_write_conn, WriteConn};
use crate::error::Fail;
use crate::schema::{auth_sessions, users};
use crate::timestamp::SqlaTimestamp;

/// A listed user row: id, email, role, created, disabled.
type SummaryRow = (
    i32,
    String,
    String,
    Option<SqlaTimestamp>,
    Option<SqlaTimestamp>,
);

fn summary(row: SummaryRow) -> Result<AccountSummary, RepositoryError> {
    let (id, email, role, created_at, disabled_at) = row;
    let role = Role::parse(&role).ok_or_else(|| {
        RepositoryError::Internal(format!("user {id} has an unknown role {role:?}"))
    })?;
    Ok(AccountSummary {
        account: Account {
            id: UserId(id),
            email,
            role,
        },
        created_at: created_at.map(SqlaTimestamp::utc),
        disabled_at: disabled_at.map(SqlaTimestamp::utc),
    })
}

#[async_trait]
impl AccountAdminStore for AccountStore {
    /// `INSERT ... ON CONFLICT (email) DO NOTHING RETURNING id`: a taken email is an answer,
    /// not an error, on both backends, and nothing is half-written.
    async fn create_account(
        &self,
        email: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<CreateAccountOutcome, RepositoryError> {
        let email = email.to_owned();
        let hash = password_hash.to_owned();
        let now = SqlaTimestamp::from(now);
        let id: Option<i32> = with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                Ok::<_, Fail>(
                    diesel::insert_into(users::table)
                        .values((
                            users::email.eq(email),
                            users::role.eq(role.as_str()),
                            users::password_hash.eq(hash),
                            users::created_at.eq(now),
                        ))
                        .on_conflict(users::email)
                        .do_nothing()
                        .returning(users::id)
                        .get_result(conn)
                        .optional()?,
                )
            })
        })?;
        Ok(match id {
            Some(id) => CreateAccountOutcome::Created(UserId(id)),
            None => CreateAccountOutcome::EmailTaken,
        })
    }

    async fn list_accounts(&self, limit: u32) -> Result<Vec<AccountSummary>, RepositoryError> {
        let rows: Vec<SummaryRow> = with_conn!(self.db(), |conn| {
            Ok(users::table
                .order((users::email, users::id))
                .limit(i64::from(limit))
                .select((
                    users::id,
                    users::email,
                    users::role,
                    users::created_at.nullable(),
                    users::disabled_at,
                ))
                .load(conn)?)
        })?;
        rows.into_iter().map(summary).collect()
    }

    async fn set_role(&self, email: &str, role: Role) -> Result<bool, RepositoryError> {
        let email = email.to_owned();
        let changed: usize = with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                Ok::<_, Fail>(
                    diesel::update(users::table.filter(users::email.eq(email)))
                        .set(users::role.eq(role.as_str()))
                        .execute(conn)?,
                )
            })
        })?;
        Ok(changed > 0)
    }

    async fn set_password_hash(&self, email: &str, hash: &str) -> Result<bool, RepositoryError> {
        let email = email.to_owned();
        let hash = hash.to_owned();
        let changed: usize = with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                Ok::<_, Fail>(
                    diesel::update(users::table.filter(users::email.eq(email)))
                        .set(users::password_hash.eq(hash))
                        .execute(conn)?,
                )
            })
        })?;
        Ok(changed > 0)
    }

    /// One transaction: the user's row is stamped (a date already there is kept) and, when
    /// disabling, every sign-in of the user is deleted, so none outlives the change.
    async fn set_disabled(
        &self,
        email: &str,
        disabled_at: Option<DateTime<Utc>>,
    ) -> Result<bool, RepositoryError> {
        let email = email.to_owned();
        let at = disabled_at.map(SqlaTimestamp::from);
        with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                let id: Option<i32> = users::table
                    .filter(users::email.eq(email))
                    .select(users::id)
                    .first(conn)
                    .optional()?;
                let Some(id) = id else {
                    return Ok::<_, Fail>(false);
                };
                match at {
                    Some(at) => {
                        diesel::update(users::table.find(id).filter(users::disabled_at.is_null()))
                            .set(users::disabled_at.eq(at))
                            .execute(conn)?;
                        diesel::delete(auth_sessions::table.filter(auth_sessions::user_id.eq(id)))
                            .execute(conn)?;
                    }
                    None => {
                        diesel::update(users::table.find(id))
                            .set(users::disabled_at.eq(None::<SqlaTimestamp>))
                            .execute(conn)?;
                    }
                }
                Ok(true)
            })
        })
    }
}
