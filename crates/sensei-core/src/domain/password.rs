//! The rules a new password follows, and the formats a new password's hash can be written in.
//! Checking a password against a stored hash is an adapter's job (the
//! [`crate::ports::PasswordVerifier`] port); what may become a password is decided here.

use std::fmt;

/// The fewest characters a new password may have (NIST SP 800-63B 5.1.1.2 asks for at
/// least 8).
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The most bytes (UTF-8) a new password may have: long pass phrases are welcome, but a
/// megabyte "password" would only make hashing slow.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A password refused as a new password; nothing was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    #[error("the password is too short: use at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// More than [`MAX_PASSWORD_BYTES`] bytes.
    #[error("the password is too long: use at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    /// A NUL character (U+0000), which the text rule refuses everywhere.
    #[error("the password holds a NUL character (U+0000), which is not allowed")]
    Nul,
}

/// A password that passed the rules, ready to be hashed. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Checks `raw` against the rules. The password is taken as typed: no trimming, since
    /// spaces are allowed anywhere in a pass phrase.
    ///
    /// ```
    /// use sensei_core::{NewPassword, PasswordError};
    /// assert!(NewPassword::new("correct horse".to_owned()).is_ok());
    /// assert_eq!(NewPassword::new("short".to_owned()), Err(PasswordError::TooShort));
    /// ```
    ///
    /// # Errors
    /// [`PasswordError`] naming the rule it breaks.
    pub fn new(raw: String) -> Result<Self, PasswordError> {
        if raw.contains('\0') {
            Err(PasswordError::Nul)
        } else if raw.len() > MAX_PASSWORD_BYTES {
            Err(PasswordError::TooLong)
        } else if raw.chars().count() < MIN_PASSWORD_CHARS {
            Err(PasswordError::TooShort)
        } else {
            Ok(Self(raw))
        }
    }

    /// The password's text, for the hasher.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The password's text, taken (for a hasher that runs on another thread).
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// How a new password's hash is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PasswordFormat {
    /// argon2id in a PHC string (`$argon2id$v=19$...`): the standalone default.
    #[default]
    Argon2,
    /// Werkzeug's `scrypt:32768:8:1$salt$hex`, what the platform's Flask code writes and
    /// verifies: for a database shared with the platform, so both can check the password.
    WerkzeugScrypt,
}

impl PasswordFormat {
    /// Every format, in the order they are listed to people.
    pub const ALL: [PasswordFormat; 2] = [PasswordFormat::Argon2, PasswordFormat::WerkzeugScrypt];

    /// The name people give it (`argon2`, `werkzeug-scrypt`).
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordFormat::Argon2 => "argon2",
            PasswordFormat::WerkzeugScrypt => "werkzeug-scrypt",
        }
    }

    /// Parses [`PasswordFormat::as_str`]'s names, ignoring case; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(raw))
    }
}

impl fmt::Display for PasswordFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_at_the_bottom_and_bytes_at_the_top() {
        assert_eq!(
            NewPassword::new("1234567".into()),
            Err(PasswordError::TooShort)
        );
        assert!(NewPassword::new("12345678".into()).is_ok());
        // Eight characters of two bytes each: long enough.
        assert!(NewPassword::new("éééééééé".into()).is_ok());
        assert!(NewPassword::new("x".repeat(MAX_PASSWORD_BYTES)).is_ok());
        assert_eq!(
            NewPassword::new("x".repeat(MAX_PASSWORD_BYTES + 1)),
            Err(PasswordError::TooLong)
        );
        // 513 two-byte characters are 1,026 bytes.
        assert_eq!(
            NewPassword::new("é".repeat(513)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn nul_is_refused_and_spaces_are_kept() {
        assert_eq!(
            NewPassword::new("pass\0word".into()),
            Err(PasswordError::Nul)
        );
        let spaced = NewPassword::new(" spaced out ".into()).unwrap();
        assert_eq!(spaced.expose(), " spaced out ");
        assert_eq!(format!("{spaced:?}"), "NewPassword(<redacted>)");
    }

    #[test]
    fn formats_parse_their_names() {
        for format in PasswordFormat::ALL {
            assert_eq!(PasswordFormat::parse(format.as_str()), Some(format));
        }
        assert_eq!(
            PasswordFormat::parse("Werkzeug-Scrypt"),
            Some(PasswordFormat::WerkzeugScrypt)
        );
        assert_eq!(PasswordFormat::parse("bcrypt"), None);
        assert_eq!(PasswordFormat::default(), PasswordFormat::Argon2);
    }
}
