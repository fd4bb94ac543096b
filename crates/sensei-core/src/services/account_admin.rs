//! Managing accounts: what an operator does with `sensei user ...` (add, list, set a role or a
//! password, disable, enable, import a cohort).
//!
//! A service of its own (not part of [`super::SenseiService`]): the command line needs only
//! these ports. Only operators (people with the database at hand) reach it today.

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::{
    account_email, AccountSummary, ImportRow, NewPassword, PasswordFormat, Role, UserId,
};
use crate::error::AccountError;
use crate::ports::{AccountAdminStore, Clock, CreateAccountOutcome, PasswordHasher};

/// The most accounts [`AccountService::list`] returns.
pub const MAX_LISTED_ACCOUNTS: u32 = 100_000;

/// What happened to one row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRow {
    /// The row's line in the file.
    pub line: u64,
    /// The new account's id, or why the row was refused.
    pub outcome: Result<UserId, AccountError>,
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
    /// the rules and hashed in `format`.
    ///
    /// # Errors
    /// [`AccountError::InvalidEmail`], [`AccountError::InvalidPassword`] (nothing hashed or
    /// saved), [`AccountError::EmailTaken`], [`AccountError::Repository`].
    pub async fn add(
        &self,
        email: &str,
        role: Role,
        password: String,
        format: PasswordFormat,
    ) -> Result<UserId, AccountError> {
        let email = account_email(email)?;
        let password = NewPassword::new(password)?;
        let hash = self.hasher.hash(password, format).await?;
        let now = self.clock.now();
        match self.store.create_account(&email, role, &hash, now).await? {
            CreateAccountOutcome::Created(id) => Ok(id),
            CreateAccountOutcome::EmailTaken => Err(AccountError::EmailTaken(email)),
        }
    }

    /// Every account (at most [`MAX_LISTED_ACCOUNTS`]), by email.
    ///
    /// # Errors
    /// [`AccountError::Repository`] when the store fails.
    pub async fn list(&self) -> Result<Vec<AccountSummary>, AccountError> {
        Ok(self.store.list_accounts(MAX_LISTED_ACCOUNTS).await?)
    }

    /// Gives the account a new role; it applies to its sign-ins at once.
    ///
    /// # Errors
    /// [`AccountError::NoSuchAccount`], [`AccountError::Repository`].
    pub async fn set_role(&self, email: &str, role: Role) -> Result<(), AccountError> {
        let email = crate::normalize_email(email);
        if self.store.set_role(&email, role).await? {
            Ok(())
        } else {
            Err(AccountError::NoSuchAccount(email))
        }
    }

    /// Sets a new password, checked against the rules and hashed in `format`.
    ///
    /// # Errors
    /// [`AccountError::InvalidPassword`] (nothing hashed or saved),
    /// [`AccountError::NoSuchAccount`], [`AccountError::Repository`].
    pub async fn set_password(
        &self,
        email: &str,
        password: String,
        format: PasswordFormat,
    ) -> Result<(), AccountError> {
        let email = crate::normalize_email(email);
        let password = NewPassword::new(password)?;
        let hash = self.hasher.hash(password, format).await?;
        if self.store.set_password_hash(&email, &hash).await? {
            Ok(())
        } else {
            Err(AccountError::NoSuchAccount(email))
        }
    }

    /// Disables the account: it cannot sign in any more, and its sign-ins end now.
    ///
    /// # Errors
    /// [`AccountError::NoSuchAccount`], [`AccountError::Repository`].
    pub async fn disable(&self, email: &str) -> Result<(), AccountError> {
        let email = crate::normalize_email(email);
        let now = self.clock.now();
        if self.store.set_disabled(&email, Some(now)).await? {
            Ok(())
        } else {
            Err(AccountError::NoSuchAccount(email))
        }
    }

    /// Enables a disabled account again (its password is unchanged).
    ///
    /// # Errors
    /// [`AccountError::NoSuchAccount`], [`AccountError::Repository`].
    pub async fn enable(&self, email: &str) -> Result<(), AccountError> {
        let email = crate::normalize_email(email);
        if self.store.set_disabled(&email, None).await? {
            Ok(())
        } else {
            Err(AccountError::NoSuchAccount(email))
        }
    }

    /// Adds an account for every row, in order, each on its own: a refused row is reported
    /// and the next one goes on. A row whose email came earlier in the file is refused as a
    /// duplicate of that line (whether or not the earlier one was added). Only a store that
    /// cannot be reached stops the import: the rows after it are not tried and the error is
    /// returned (the rows before it are added).
    ///
    /// # Errors
    /// [`AccountError::Repository`] with [`crate::RepositoryError::Unavailable`] when the
    /// store cannot be reached.
    pub async fn import(
        &self,
        rows: Vec<ImportRow>,
        format: PasswordFormat,
    ) -> Result<Vec<ImportedRow>, AccountError> {
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut report = Vec::with_capacity(rows.len());
        for row in rows {
            let outcome = self.import_row(&row, format, &mut seen).await;
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
        self.add(&email, role, row.password.clone(), format).await
    }
}
