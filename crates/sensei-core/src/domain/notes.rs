//! Completion notes: trimmed, optional, bounded.

use std::fmt;

/// The most characters (Unicode scalar values, not bytes) a completion note may hold.
pub const MAX_NOTES_CHARS: usize = 10_000;

/// Non-empty, trimmed completion notes of at most [`MAX_NOTES_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Notes(String);

/// Why notes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotesError {
    /// Longer than the limit.
    #[error("notes are {chars} characters long; at most {max} are allowed", max = MAX_NOTES_CHARS)]
    TooLong {
        /// Characters after trimming.
        chars: usize,
    },
}

impl Notes {
    /// Trims the input; blank input means no notes (`Ok(None)`); more than
    /// [`MAX_NOTES_CHARS`] characters is refused.
    ///
    /// ```
    /// use sensei_core::Notes;
    /// assert_eq!(Notes::parse("  ok  ").unwrap().unwrap().as_str(), "ok");
    /// assert_eq!(Notes::parse("   ").unwrap(), None);
    /// assert!(Notes::parse(&"é".repeat(10_001)).is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<Option<Notes>, NotesError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let chars = trimmed.chars().count();
        if chars > MAX_NOTES_CHARS {
            return Err(NotesError::TooLong { chars });
        }
        Ok(Some(Notes(trimmed.to_owned())))
    }

    /// Wraps notes read back from storage without re-checking them: rows the platform wrote
    /// are shown as they are.
    pub fn from_stored(raw: String) -> Option<Notes> {
        if raw.trim().is_empty() {
            None
        } else {
            Some(Notes(raw))
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Notes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
