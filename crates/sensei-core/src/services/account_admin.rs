//! Managing accounts: what an operator does with `sensei user ...` and an admin on the
//! accounts page (add, list, set a role or a password, disable, enable, import a cohort,
//! erase a person), and the record of who changed what.
//!
//! A service of its own (not part of [`super::SenseiService`]): the command line needs only
//! these ports. Access is checked here, for the page and the command line alike.

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::{
    account_email, AccountSummary, Actor, ChangeActor, ImportRow, LastAdmin, NewPassword,
    PasswordFormat, RecordedChange, Role, UserId,
};
use crate::error::AccountError;
use crate::ports::{
    AccountAdminStore, AccountQuery, AccountUpdate, Clock, CreateAccountOutcome, NewAccount,
    PasswordHasher,
};

/// The most accounts [`AccountService::list`] returns.
pub const MAX_LISTED_ACCOUNTS: u32 = 100_000;

/// The most recorded changes one [`AccountService::changes`] call returns.
pub const MAX_LISTED_CHANGES: u32 = 500;

/// What happened to one row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRow {
    /// The row's line in the file.
    pub line: u64,
    /// The new account's id, or why the row was refused.
    pub outcome: Result<UserId, AccountError>,
}

/// Who manages accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountManager {
    /// Someone with the database at hand (`sensei user ...`), named as the record of changes
    /// shows them (`cli`, `cli:alice`).
    Operator(String),
    /// A signed-in user (the accounts page): admins only.
    User(Actor),
}

impl AccountManager {
    /// Who the record of changes names, once access is granted.
    fn check(&self) -> Result<ChangeActor, AccountError> {
        match self {
            AccountManager::Operator(name) => Ok(ChangeActor::Operator(name.clone())),
            AccountManager::User(actor) if actor.is_admin() => Ok(ChangeActor::User(actor.user_id)),
            AccountManager::User(_) => Err(AccountError::Forbidden),
        }
    }
}

/// What an erasure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    /// The account with this id is erased (now, or already before).
    Erased(UserId),
    /// No account has the email: nothing to erase (an erased account keeps no email, so
    /// asking again with the old email lands here).
    NothingToErase,
}

/// The outcome of a change on an existing account as the service reports it.
fn updated(outcome: AccountUpdate, email: String) -> Result<UserId, AccountError> {
    match outcome {
        AccountUpdate::Done(id) => Ok(id),
        AccountUpdate::NoSuchAccount => Err(AccountError::NoSuchAccount(email)),
        AccountUpdate::LastAdmin => Err(AccountError::LastAdmin(LastAdmin)),
    }
}

/// The account-management use cases over an [`AccountAdminStore`] and a [`PasswordHasher`].
#[derive(Clone)]
pub struct AccountService {
    store: Arc<dyn AccountAdminStore>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
}

/// The role named by `raw` (any letter case).
///
/// # Errors
/// [`AccountError::UnknownRole`] when it names none.
pub fn parse_role(raw: &str) -> Result<Role, AccountError> {
    Role::parse(raw).ok_or_else(|| AccountError::UnknownRole(raw.trim().to_owned()))
}

impl AccountService {
    /// The service over these ports.
    pub fn new(
        store: Arc<dyn AccountAdminStore>,
        hasher: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            hasher,
            clock,
        }
    }

    /// Adds an account: the email is normalized and checked, the password checked against
    /// the rules and hashed in `format`; recorded as added by `who`.
    ///
    /// # Errors
    /// [`AccountError::Forbidden`] for anyone but operators and admins;
    /// [`AccountError::InvalidEmail`], [`AccountError::InvalidPassword`] (nothing hashed or
    /// saved), [`AccountError::EmailTaken`], [`AccountError::Repository`].
    pub async fn add(
        &self,
        who: &AccountManager,
        email: &str,
        role: Role,
        password: String,
        format: PasswordFormat,
    ) -> Result<UserId, AccountError> {
        let by = who.check()?;
        self.create(&by, email, role, password, format, false).await
    }

    async fn create(
        &self,
        by: &ChangeActor,
        email: &str,
        role: Role,
        password: String,
        format: PasswordFormat,
        imported: bool,
    ) -> Result<UserId, AccountError> {
        let email = account_email(email)?;
        let password = NewPassword::new(password)?;
        let password_hash = self.hasher.hash(password, format).await?;
        let account = NewAccount {
            email: email.clone(),
            role,
            password_hash,
            created_at: self.clock.now(),
            imported,
        };
        match self.store.create_account(account, by).await? {
            CreateAccountOutcome::Created(id) => Ok(id),
            CreateAccountOutcome::EmailTaken => Err(AccountError::EmailTaken(email)),
        }
    }

    /// Every account (at most [`MAX_LISTED_ACCOUNTS`]), by email.
    ///
    /// # Errors
    /// [`AccountError::Forbidden`]; [`AccountError::Repository`] when the store fails.
    pub async fn list(&self, who: &AccountManager) -> Result<Vec<AccountSummary>, AccountError> {
        self.page(who, &AccountQuery::default(), MAX_LISTED_ACCOUNTS)
            .await
    }

    /// The accounts `query` selects, by email, at most `limit` (capped at
    /// [`MAX_LISTED_ACCOUNTS`]).
    ///
    /// # Errors
    /// [`AccountError::Forbidden`]; [`AccountError::Repository`] when the store fails.
    pub async fn page(
        &self,
        who: &AccountManager,
        query: &AccountQuery,
        limit: u32,
    ) -> Result<Vec<AccountSummary>, AccountError> {
        who.check()?;
        let limit = limit.clamp(1, MAX_LISTED_ACCOUNTS);
        Ok(self.store.list_accounts(query, limit).await?)
    }

    /// Gives the account a new role; it applies to its sign-ins at once.
    ///
    /// # Errors
    /// [`AccountError::Forbidden`], [`AccountError::NoSuchAccount`],
    /// [`AccountError::LastAdmin`] (demoting the last enabled admin),
    /// [`AccountError::Repository`].
    pub async fn set_role(
        &self,
        who: &AccountManager,
        email: &str,
        role: Role,
    ) -> Result<(), AccountError> {
        let by = who.check()?;
        let email = changeable(email)?;
        let outcome = self
            .store
            .set_role(&email, role, &by, self.clock.now())
            .await?;
        updated(outcome, email).map(drop)
    }

    /// Sets a new password, checked against the rules and hashed in `format`.
    ///
    /// # Errors
    /// [`AccountError::Forbidden`], [`AccountError::InvalidPassword`] (nothing hashed or
    /// saved), [`AccountError::NoSuchAccount`], [`AccountError::Repository`].
    pub async fn set_password(
        &self,
        who: &AccountManager,
        email: &str,
        password: String,
        format: PasswordFormat,
    ) -> Result<(), AccountError> {
        let by = who.check()?;
        let email = changeable(email)?;
        let password = NewPassword::new(password)?;
        let hash = self.hasher.hash(password, format).await?;
        let outcome = self
            .store
            .set_password_hash(&email, &hash, &by, self.clock.now())
            .await?;
        updated(outcome, email).map(drop)
    }

    /// Disables the account: it cannot sign in any more, and its sign-ins end now.
    ///
    /// # Errors
    /// [`AccountError::Forbidden`], [`AccountError::NoSuchAccount`],
    /// [`AccountError::LastAdmin`], [`AccountError::Repository`].
    pub async fn disable(&self, who: &AccountManager, email: &str) -> Result<(), AccountError> {
        self.set_disabled(who, email, true).await
    }

    /// Enables a disabled account again (its password is unchanged).
    ///
    /// # Errors
    /// [`AccountError::Forbidden`], [`AccountError::NoSuchAccount`],
    /// [`AccountError::Repository`].
    pub async fn enable(&self, who: &AccountManager, email: &str) -> Result<(), AccountError> {
        self.set_disabled(who, email, false).await
    }

    async fn set_disabled(
        &self,
        who: &AccountManager,
        email: &str,
        disabled: bool,
    ) -> Result<(), AccountError> {
        let by = who.check()?;
        let email = changeable(email)?;
        let outcome = self
            .store
            .set_disabled(&email, disabled, &by, self.clock.now())
            .await?;
        updated(outcome, email).map(drop)
    }

    /// Erases a person (the answer to a deletion request): see
    /// [`AccountAdminStore::erase_account`] for what is replaced. Idempotent: an email no
    /// account has is [`Erasure::NothingToErase`], not an error.
    ///
    /// # Errors
    /// [`AccountError::Forbidden`], [`AccountError::LastAdmin`] (the last enabled admin
    /// cannot be erased), [`AccountError::Repository`].
    pub async fn erase(&self, who: &AccountManager, email: &str) -> Result<Erasure, AccountError> {
        let by = who.check()?;
        let email = crate::normalize_email(email);
        match self
            .store
            .erase_account(&email, &by, self.clock.now())
            .await?
        {
            AccountUpdate::Done(id) => Ok(Erasure::Erased(id)),
            AccountUpdate::NoSuchAccount => Ok(Erasure::NothingToErase),
            AccountUpdate::LastAdmin => Err(AccountError::LastAdmin(LastAdmin)),
        }
    }

    /// The recorded changes, newest first, older than `before` (the keyset cursor of the
    /// next page), at most `limit` (capped at [`MAX_LISTED_CHANGES`]).
    ///
    /// # Errors
    /// [`AccountError::Forbidden`]; [`AccountError::Repository`].
    pub async fn changes(
        &self,
        who: &AccountManager,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<RecordedChange>, AccountError> {
        who.check()?;
        let limit = limit.clamp(1, MAX_LISTED_CHANGES);
        Ok(self.store.list_changes(before, limit).await?)
    }

    /// Adds an account for every row, in order, each on its own: a refused row is reported
    /// and the next one goes on. A row whose email came earlier in the file is refused as a
    /// duplicate of that line (whether or not the earlier one was added). Only a store that
    /// cannot be reached stops the import: the rows after it are not tried and the error is
    /// returned (the rows before it are added).
    ///
    /// # Errors
    /// [`AccountError::Forbidden`]; [`AccountError::Repository`] with
    /// [`crate::RepositoryError::Unavailable`] when the store cannot be reached.
    pub async fn import(
        &self,
        who: &AccountManager,
        rows: Vec<ImportRow>,
        format: PasswordFormat,
    ) -> Result<Vec<ImportedRow>, AccountError> {
        let by = who.check()?;
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut report = Vec::with_capacity(rows.len());
        for row in rows {
            let outcome = self.import_row(&by, &row, format, &mut seen).await;
            if let Err(AccountError::Repository(error @ crate::RepositoryError::Unavailable(_))) =
                &outcome
            {
                return Err(AccountError::Repository(error.clone()));
            }
            report.push(ImportedRow {
                line: row.line,
                outcome,
            });
        }
        Ok(report)
    }

    /// One import row: checked, then added.
    async fn import_row(
        &self,
        by: &ChangeActor,
        row: &ImportRow,
        format: PasswordFormat,
        seen: &mut HashMap<String, u64>,
    ) -> Result<UserId, AccountError> {
        let email = account_email(&row.email)?;
        if let Some(&first_line) = seen.get(&email) {
            return Err(AccountError::DuplicateRow { email, first_line });
        }
        seen.insert(email.clone(), row.line);
        let role = parse_role(&row.role)?;
        self.create(by, &email, role, row.password.clone(), format, true)
            .await
    }
}

/// `email` normalized, unless it is an erased account's tombstone (never changed again).
fn changeable(email: &str) -> Result<String, AccountError> {
    let email = crate::normalize_email(email);
    if crate::domain::is_erased_email(&email) {
        return Err(AccountError::Erased(email));
    }
    Ok(email)
}
