//! The [`AccountAdminStore`] port on [`AccountStore`]: what `sensei user ...` and the accounts
//! page change in the `users` table (and, on disabling, in `auth_sessions`; on erasing, in
//! every table `repo/erase.rs` lists), each change recorded in `admin_audit` in the same
//! transaction. Changes that could leave no enabled admin take one lock for all accounts
//! (PostgreSQL; SQLite has one writer) and apply the core's [`keeps_an_admin`] inside it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::query_dsl::methods::LoadQuery;
use sensei_core::ports::{
    AccountAdminStore, AccountQuery, AccountUpdate, CreateAccountOutcome, NewAccount,
};
use sensei_core::{
    keeps_an_admin, Account, AccountChange, AccountSummary, AdminStanding, ChangeActor,
    NewAccountChange, RecordedChange, RepositoryError, Role, UserId,
};

use super::account_changes::{insert_change, list_changes, ChangeRow};
use super::accounts::AccountStore;
use super::erase::erase_person;
use crate::db::{with_conn, with_write_conn, UserLock, WriteConn};
use crate::error::Fail;
use crate::schema::{api_tokens, auth_sessions, users};
use crate::timestamp::SqlaTimestamp;

/// A stored account as [`find_account`] reads it: id, role, when it was disabled.
type FoundAccount = (i32, String, Option<SqlaTimestamp>);

/// The account with this email.
#[diesel::dsl::auto_type]
fn account_by_email<'a>(email: &'a str) -> _ {
    users::table
        .filter(users::email.eq(email))
        .select((users::id, users::role, users::disabled_at))
}

/// The account with this email, inside the caller's transaction.
fn find_account<C>(conn: &mut C, email: &str) -> QueryResult<Option<FoundAccount>>
where
    C: Connection,
    for<'a> diesel::dsl::Limit<account_by_email<'a>>: LoadQuery<'a, C, FoundAccount>,
{
    account_by_email(email).first(conn).optional()
}

/// The enabled admins other than `id`.
#[diesel::dsl::auto_type]
fn other_enabled_admins(id: i32) -> _ {
    let admin: String = Role::Admin.as_str().to_owned();
    users::table
        .filter(users::role.eq(admin))
        .filter(users::disabled_at.is_null())
        .filter(users::id.ne(id))
        .count()
}

/// Whether the last-admin rule refuses taking account `id` from `before` to `after`: enabled
/// admins besides it are counted only when it matters.
fn refuses_last_admin<C>(
    conn: &mut C,
    id: i32,
    before: AdminStanding,
    after: AdminStanding,
) -> QueryResult<bool>
where
    C: Connection,
    other_enabled_admins: LoadQuery<'static, C, i64>,
{
    if before.is_active_admin() && !after.is_active_admin() {
        let others: i64 = other_enabled_admins(id).get_result(conn)?;
        Ok(keeps_an_admin(before, after, u64::try_from(others).unwrap_or(0)).is_err())
    } else {
        Ok(false)
    }
}

/// Where a stored account stands (an unknown role counts as no admin).
fn standing(role: &str, disabled_at: Option<SqlaTimestamp>) -> AdminStanding {
    AdminStanding {
        role: Role::parse(role).unwrap_or(Role::Student),
        enabled: disabled_at.is_none(),
    }
}

/// `LIKE` text matching `raw` anywhere, with `%`, `_` and `\` taken literally.
fn contains_pattern(raw: &str) -> String {
    let mut pattern = String::with_capacity(raw.len() + 2);
    pattern.push('%');
    for ch in raw.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

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
        account: NewAccount,
        by: &ChangeActor,
    ) -> Result<CreateAccountOutcome, RepositoryError> {
        let by = by.clone();
        let now = SqlaTimestamp::from(account.created_at);
        let id: Option<i32> = with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                let id: Option<i32> = diesel::insert_into(users::table)
                    .values((
                        users::email.eq(&account.email),
                        users::role.eq(account.role.as_str()),
                        users::password_hash.eq(&account.password_hash),
                        users::created_at.eq(now),
                    ))
                    .on_conflict(users::email)
                    .do_nothing()
                    .returning(users::id)
                    .get_result(conn)
                    .optional()?;
                if let Some(id) = id {
                    let (user, role) = (UserId(id), account.role);
                    let change = if account.imported {
                        AccountChange::AccountImported { user, role }
                    } else {
                        AccountChange::AccountAdded { user, role }
                    };
                    insert_change(conn, ChangeRow::new(&change, &by, account.created_at))?;
                }
                Ok::<_, Fail>(id)
            })
        })?;
        Ok(match id {
            Some(id) => CreateAccountOutcome::Created(UserId(id)),
            None => CreateAccountOutcome::EmailTaken,
        })
    }

    /// Keyset paging on the unique email (its index gives the order); a filter on part of
    /// the email reads the index in order until the page is full.
    async fn list_accounts(
        &self,
        query: &AccountQuery,
        limit: u32,
    ) -> Result<Vec<AccountSummary>, RepositoryError> {
        let contains = query.email_contains.as_deref().map(contains_pattern);
        let role = query.role.map(Role::as_str);
        let after = query.after_email.clone();
        let rows: Vec<SummaryRow> = with_conn!(self.db(), |conn| {
            let mut listed = users::table
                .order((users::email, users::id))
                .limit(i64::from(limit))
                .select((
                    users::id,
                    users::email,
                    users::role,
                    users::created_at.nullable(),
                    users::disabled_at,
                ))
                .into_boxed();
            if let Some(pattern) = &contains {
                listed = listed.filter(users::email.like(pattern.clone()).escape('\\'));
            }
            if let Some(role) = role {
                listed = listed.filter(users::role.eq(role));
            }
            if let Some(after) = &after {
                listed = listed.filter(users::email.gt(after.clone()));
            }
            Ok(listed.load(conn)?)
        })?;
        rows.into_iter().map(summary).collect()
    }

    async fn set_role(
        &self,
        email: &str,
        role: Role,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<AccountUpdate, RepositoryError> {
        let (email, by) = (email.to_owned(), by.clone());
        with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                conn.lock_user(UserLock::Accounts, 0)?;
                let Some((id, stored, disabled_at)) = find_account(conn, &email)? else {
                    return Ok::<_, Fail>(AccountUpdate::NoSuchAccount);
                };
                let before = standing(&stored, disabled_at);
                if before.role == role && Role::parse(&stored).is_some() {
                    return Ok(AccountUpdate::Done(UserId(id)));
                }
                let after = AdminStanding { role, ..before };
                if refuses_last_admin(conn, id, before, after)? {
                    return Ok(AccountUpdate::LastAdmin);
                }
                diesel::update(users::table.find(id))
                    .set(users::role.eq(role.as_str()))
                    .execute(conn)?;
                let change = AccountChange::RoleChanged {
                    user: UserId(id),
                    from: before.role,
                    to: role,
                };
                insert_change(conn, ChangeRow::new(&change, &by, at))?;
                Ok(AccountUpdate::Done(UserId(id)))
            })
        })
    }

    async fn set_password_hash(
        &self,
        email: &str,
        hash: &str,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<AccountUpdate, RepositoryError> {
        let (email, hash, by) = (email.to_owned(), hash.to_owned(), by.clone());
        with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                let Some((id, _, _)) = find_account(conn, &email)? else {
                    return Ok::<_, Fail>(AccountUpdate::NoSuchAccount);
                };
                diesel::update(users::table.find(id))
                    .set(users::password_hash.eq(&hash))
                    .execute(conn)?;
                let change = AccountChange::PasswordSet { user: UserId(id) };
                insert_change(conn, ChangeRow::new(&change, &by, at))?;
                Ok(AccountUpdate::Done(UserId(id)))
            })
        })
    }

    /// One transaction: the user's row is stamped (a date already there is kept) and, when
    /// disabling, every sign-in of the user is deleted, so none outlives the change.
    async fn set_disabled(
        &self,
        email: &str,
        disabled: bool,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<AccountUpdate, RepositoryError> {
        let (email, by) = (email.to_owned(), by.clone());
        let stamp = SqlaTimestamp::from(at);
        with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                conn.lock_user(UserLock::Accounts, 0)?;
                let Some((id, role, disabled_at)) = find_account(conn, &email)? else {
                    return Ok::<_, Fail>(AccountUpdate::NoSuchAccount);
                };
                let before = standing(&role, disabled_at);
                let after = AdminStanding {
                    enabled: !disabled,
                    ..before
                };
                if refuses_last_admin(conn, id, before, after)? {
                    return Ok(AccountUpdate::LastAdmin);
                }
                let user = UserId(id);
                if disabled {
                    // Sign-ins and API tokens end even when the account was disabled already;
                    // enabling it again brings neither back.
                    diesel::delete(auth_sessions::table.filter(auth_sessions::user_id.eq(id)))
                        .execute(conn)?;
                    diesel::update(
                        api_tokens::table
                            .filter(api_tokens::user_id.eq(id))
                            .filter(api_tokens::revoked_at.is_null()),
                    )
                    .set(api_tokens::revoked_at.eq(stamp))
                    .execute(conn)?;
                }
                if before.enabled == after.enabled {
                    return Ok(AccountUpdate::Done(user));
                }
                let (value, change) = if disabled {
                    (Some(stamp), AccountChange::Disabled { user })
                } else {
                    (None, AccountChange::Enabled { user })
                };
                diesel::update(users::table.find(id))
                    .set(users::disabled_at.eq(value))
                    .execute(conn)?;
                insert_change(conn, ChangeRow::new(&change, &by, at))?;
                Ok(AccountUpdate::Done(user))
            })
        })
    }

    /// One transaction over every table `repo/erase.rs` lists; an account already erased
    /// (its email is the tombstone and it has no password) is left as it is.
    async fn erase_account(
        &self,
        email: &str,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<AccountUpdate, RepositoryError> {
        let (email, by) = (email.to_owned(), by.clone());
        let stamp = SqlaTimestamp::from(at);
        with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                conn.lock_user(UserLock::Accounts, 0)?;
                let Some((id, role, disabled_at)) = find_account(conn, &email)? else {
                    return Ok::<_, Fail>(AccountUpdate::NoSuchAccount);
                };
                let user = UserId(id);
                if email == sensei_core::erased_email(user) {
                    return Ok(AccountUpdate::Done(user));
                }
                let before = standing(&role, disabled_at);
                let after = AdminStanding {
                    enabled: false,
                    ..before
                };
                if refuses_last_admin(conn, id, before, after)? {
                    return Ok(AccountUpdate::LastAdmin);
                }
                erase_person!(conn, id, stamp)?;
                insert_change(
                    conn,
                    ChangeRow::new(&AccountChange::Erased { user }, &by, at),
                )?;
                Ok(AccountUpdate::Done(user))
            })
        })
    }

    async fn record_change(&self, change: NewAccountChange) -> Result<(), RepositoryError> {
        let row = ChangeRow::from(&change);
        with_write_conn!(self.db(), |conn| {
            conn.write_transaction(|conn| {
                insert_change(conn, row.clone())?;
                Ok::<_, Fail>(())
            })
        })
    }

    async fn list_changes(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<RecordedChange>, RepositoryError> {
        list_changes(self.db(), before, limit).await
    }
}
