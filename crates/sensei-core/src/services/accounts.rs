//! Signing in and out, and who a request is from.

use crate::domain::{normalize_email, refuse_nul, Account, SignIn, SignInToken, SIGN_IN_LIFETIME};
use crate::error::{IdentifyError, RepositoryError, SignInError};

use super::SenseiService;

impl SenseiService {
    /// Checks the email and password and starts a new sign-in valid for [`SIGN_IN_LIFETIME`].
    /// `previous`, the token the client still held, is ended first, so a new sign-in never
    /// leaves an old one behind. An unknown email costs as much time as a wrong password.
    ///
    /// # Errors
    /// [`SignInError::InvalidCredentials`] for an unknown email, a wrong password or a
    /// disabled account (not told apart); [`SignInError::Repository`] when the account store fails.
    pub async fn sign_in(
        &self,
        email: &str,
        password: String,
        previous: Option<&SignInToken>,
    ) -> Result<SignIn, SignInError> {
        refuse_nul("email", email)?;
        refuse_nul("password", &password)?;
        let email = normalize_email(email);
        let stored = if email.is_empty() {
            None
        } else {
            self.ports.accounts.find_by_email(&email).await?
        };
        let hash = stored.as_ref().map(|stored| stored.password_hash.clone());
        let verified = self.ports.passwords.verify(password, hash).await?;
        // A disabled account was checked like any other (the same time), and is refused
        // like a wrong password, so that it cannot be told apart.
        let account = match stored {
            Some(stored) if verified && !stored.disabled => stored.account,
            _ => return Err(SignInError::InvalidCredentials),
        };
        if let Some(previous) = previous {
            self.ports.accounts.end_sign_in(previous).await?;
        }
        let expires_at = self.ports.clock.now() + SIGN_IN_LIFETIME;
        let token = self
            .ports
            .accounts
            .start_sign_in(account.id, expires_at)
            .await?;
        Ok(SignIn { account, token })
    }

    /// The account signed in with `token`, if that sign-in exists and has not expired, with
    /// its current email and role.
    ///
    /// # Errors
    /// [`RepositoryError`] when the account store fails.
    pub async fn signed_in_account(
        &self,
        token: &SignInToken,
    ) -> Result<Option<Account>, RepositoryError> {
        let now = self.ports.clock.now();
        self.ports.accounts.signed_in_account(token, now).await
    }

    /// Ends the sign-in, so that no copy of its token works any more.
    ///
    /// # Errors
    /// [`RepositoryError`] when the account store fails (the sign-in may still be valid).
    pub async fn sign_out(&self, token: &SignInToken) -> Result<(), RepositoryError> {
        self.ports.accounts.end_sign_in(token).await
    }

    /// The account of an email that a trusted authenticating proxy vouched for.
    ///
    /// # Errors
    /// [`IdentifyError::UnknownAccount`] when no account has it; [`IdentifyError::Disabled`]
    /// when an operator disabled it; [`IdentifyError::Repository`]
    /// when the account store fails.
    pub async fn identify_by_trusted_email(&self, email: &str) -> Result<Account, IdentifyError> {
        let email = normalize_email(email);
        match self.ports.accounts.find_by_email(&email).await? {
            Some(stored) if stored.disabled => Err(IdentifyError::Disabled(email)),
            Some(stored) => Ok(stored.account),
            None => Err(IdentifyError::UnknownAccount(email)),
        }
    }

    /// Whether the stores can serve requests now (readiness probes).
    ///
    /// # Errors
    /// [`RepositoryError`] when they cannot.
    pub async fn check_ready(&self) -> Result<(), RepositoryError> {
        self.ports.sessions.check_ready().await
    }
}
