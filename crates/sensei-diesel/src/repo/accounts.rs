//! Accounts and server-side sign-ins (the standalone platform schema's `users` and
//! `auth_sessions` tables): the [`AccountRepository`] port.

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use sensei_core::ports::{AccountRepository, Clock, SystemClock};
use sensei_core::{
    normalize_email, Account, RepositoryError, Role, SignInToken, StoredAccount, UserId,
};

use crate::db::{cached, sql_for, with_conn, with_write_conn, Database, WriteConn};
use crate::error::Fail;
use crate::schema::{auth_sessions, users};
use crate::timestamp::SqlaTimestamp;

/// A user row as read: id, email, role, password hash, when it was disabled.
pub(crate) type AccountRow = (i32, String, String, String, Option<SqlaTimestamp>);

/// The columns of an [`AccountRow`], in order.
pub(crate) type AccountColumns = (
    users::id,
    users::email,
    users::role,
    users::password_hash,
    users::disabled_at,
);

/// The columns of an [`AccountRow`], in order.
pub(crate) const ACCOUNT_COLUMNS: AccountColumns = (
    users::id,
    users::email,
    users::role,
    users::password_hash,
    users::disabled_at,
);

/// The user signed in with `token` whose sign-in has not expired at `now` and who is not
/// disabled. (The signed-in reads have their own statement, which also reads the session
/// counter.)
#[diesel::dsl::auto_type]
fn signed_in_row(token: String, now: SqlaTimestamp) -> _ {
    let columns: AccountColumns = ACCOUNT_COLUMNS;
    auth_sessions::table
        .inner_join(users::table)
        .filter(auth_sessions::id.eq(token))
        .filter(auth_sessions::expires_at.gt(now))
        .filter(users::disabled_at.is_null())
        .select(columns)
}

/// The account of a user row; an unknown role is an internal error (the schema's check
/// constraint should make it impossible).
pub(crate) fn stored_account(row: AccountRow) -> Result<StoredAccount, RepositoryError> {
    let (id, email, role, password_hash, disabled_at) = row;
    let role = Role::parse(&role).ok_or_else(|| {
        RepositoryError::Internal(format!("user {id} has an unknown role {role:?}"))
    })?;
    Ok(StoredAccount {
        account: Account {
            id: UserId(id),
            email,
            role,
        },
        password_hash,
        disabled: disabled_at.is_some(),
    })
}

/// At most this many expired sign-ins are deleted per sign-in, so a sign-in never waits for a
/// large purge; each sign-in removes more expired rows than it adds.
pub const SIGN_IN_PURGE_BATCH: i64 = 100;

/// Deletes a bounded batch of expired sign-ins (an index range on `expires_at`).
const PURGE_EXPIRED_SIGN_INS: &str = "DELETE FROM auth_sessions WHERE id IN \
     (SELECT id FROM auth_sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)";

/// A fresh sign-in token: 32 bytes from the OS random source, base64url without padding.
fn new_sign_in_token() -> Result<String, RepositoryError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| {
        RepositoryError::Internal(format!("no randomness for a sign-in token: {error}"))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Users of the standalone platform schema and their sign-ins.
#[derive(Debug, Clone)]
pub struct AccountStore {
    db: Database,
}

impl AccountStore {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The database (for the other ports this store implements).
    pub(crate) fn db(&self) -> &Database {
        &self.db
    }

    /// The account with this id.
    ///
    /// # Errors
    /// As [`AccountRepository::find_by_email`].
    pub async fn find_by_id(&self, id: UserId) -> Result<Option<StoredAccount>, RepositoryError> {
        let id = id.get();
        let row: Option<AccountRow> = with_conn!(self.db, |conn| {
            Ok(users::table
                .find(id)
                .select(ACCOUNT_COLUMNS)
                .first(conn)
                .optional()?)
        })?;
        row.map(stored_account).transpose()
    }

    /// Creates an account; the email is stored as [`normalize_email`] gives it.
    ///
    /// # Errors
    /// [`RepositoryError::Rejected`] when the email is taken (unique constraint);
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    pub async fn create(
        &self,
        email: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<UserId, RepositoryError> {
        let email = normalize_email(email);
        let hash = password_hash.to_owned();
        let now = SqlaTimestamp::from(SystemClock.now());
        // In a write transaction: the id comes back only after COMMIT succeeded.
        let id: i32 = with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                Ok(diesel::insert_into(users::table)
                    .values((
                        users::email.eq(email),
                        users::role.eq(role.as_str()),
                        users::password_hash.eq(hash),
                        users::created_at.eq(now),
                    ))
                    .returning(users::id)
                    .get_result(conn)?)
            })
        })?;
        Ok(UserId(id))
    }
}

#[async_trait]
impl AccountRepository for AccountStore {
    async fn find_by_email(&self, email: &str) -> Result<Option<StoredAccount>, RepositoryError> {
        let email = normalize_email(email);
        let row: Option<AccountRow> = with_conn!(self.db, |conn| {
            Ok(users::table
                .filter(users::email.eq(email))
                .select(ACCOUNT_COLUMNS)
                .first(conn)
                .optional()?)
        })?;
        row.map(stored_account).transpose()
    }

    async fn start_sign_in(
        &self,
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<SignInToken, RepositoryError> {
        let token = new_sign_in_token()?;
        let id = token.clone();
        let user_id = user.get();
        let now = SqlaTimestamp::from(SystemClock.now());
        let expires = SqlaTimestamp::from(expires_at);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                cached(
                    diesel::sql_query(sql_for(conn, PURGE_EXPIRED_SIGN_INS))
                        .bind::<Timestamp, _>(now)
                        .bind::<BigInt, _>(SIGN_IN_PURGE_BATCH),
                )
                .execute(conn)?;
                diesel::insert_into(auth_sessions::table)
                    .values((
                        auth_sessions::id.eq(&id),
                        auth_sessions::user_id.eq(user_id),
                        auth_sessions::created_at.eq(now),
                        auth_sessions::expires_at.eq(expires),
                    ))
                    .execute(conn)?;
                Ok::<_, Fail>(())
            })
        })?;
        Ok(SignInToken::new(token))
    }

    /// One statement: the sign-in's primary key joined to its user, so the role and email are
    /// always the current ones, a deleted user's sign-ins are gone with them, and a disabled
    /// user's sign-ins stop working at once (disabling also deletes them).
    async fn signed_in_account(
        &self,
        token: &SignInToken,
        now: DateTime<Utc>,
    ) -> Result<Option<Account>, RepositoryError> {
        let token = token.as_str().to_owned();
        let now = SqlaTimestamp::from(now);
        let row: Option<AccountRow> = with_conn!(self.db, |conn| {
            Ok(signed_in_row(token, now).first(conn).optional()?)
        })?;
        Ok(row
            .map(stored_account)
            .transpose()?
            .map(|stored| stored.account))
    }

    async fn end_sign_in(&self, token: &SignInToken) -> Result<(), RepositoryError> {
        let token = token.as_str().to_owned();
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                diesel::delete(auth_sessions::table.find(token)).execute(conn)?;
                Ok(())
            })
        })
    }
}
