//! What an operator manages about accounts: a new account's email, an account as listed, an
//! import row and its outcome.

use chrono::{DateTime, Utc};

use super::account::{normalize_email, Account};

/// The most characters an email may have (`users.email` is `VARCHAR(255)`).
pub const MAX_EMAIL_CHARS: usize = 255;

/// An email refused for a new account; nothing was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing but whitespace.
    #[error("the email is empty")]
    Empty,
    /// Not `local@domain` with something on both sides of one `@`.
    #[error("the email must look like name@example.com")]
    Malformed,
    /// Whitespace or a control character inside it.
    #[error("the email must not contain spaces or control characters")]
    BadCharacter,
    /// Longer than [`MAX_EMAIL_CHARS`].
    #[error("the email is too long: at most {MAX_EMAIL_CHARS} characters")]
    TooLong,
}

/// A new account's email: normalized ([`normalize_email`]) and plausible. Deliverability is
/// not checked (the platform's addresses may be internal).
///
/// ```
/// use sensei_core::account_email;
/// assert_eq!(account_email(" Ann@Example.COM ").unwrap(), "ann@example.com");
/// assert!(account_email("ann").is_err());
/// ```
///
/// # Errors
/// [`EmailError`] naming what is wrong.
pub fn account_email(raw: &str) -> Result<String, EmailError> {
    let email = normalize_email(raw);
    if email.is_empty() {
        return Err(EmailError::Empty);
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(EmailError::TooLong);
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(EmailError::BadCharacter);
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(email)
        }
        _ => Err(EmailError::Malformed),
    }
}

/// An account as the operator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// The account.
    pub account: Account,
    /// When it was created (`None` when a platform row has no date).
    pub created_at: Option<DateTime<Utc>>,
    /// When it was disabled; `None` while it may sign in.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// One row of an account import, as read from the file.
#[derive(Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The row's line number in the file (for the report).
    pub line: u64,
    /// The email as written.
    pub email: String,
    /// The role as written.
    pub role: String,
    /// The password as written.
    pub password: String,
}

impl std::fmt::Debug for ImportRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportRow")
            .field("line", &self.line)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(account_email("  A@B.C "), Ok("a@b.c".to_owned()));
        assert_eq!(account_email("   "), Err(EmailError::Empty));
        assert_eq!(account_email("a b@c.d"), Err(EmailError::BadCharacter));
        assert_eq!(account_email("a@b\u{7}"), Err(EmailError::BadCharacter));
        for malformed in ["ab", "@b", "a@", "a@b@c"] {
            assert_eq!(
                account_email(malformed),
                Err(EmailError::Malformed),
                "{malformed}"
            );
        }
        let long = format!("{}@example.com", "a".repeat(MAX_EMAIL_CHARS));
        assert_eq!(account_email(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn an_import_rows_debug_hides_the_password() {
        let row = ImportRow {
            line: 2,
            email: "a@b.c".into(),
            role: "student".into(),
            password: "hunter22".into(),
        };
        assert!(!format!("{row:?}").contains("hunter22"));
    }
}
