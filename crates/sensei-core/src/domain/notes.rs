//! Completion notes: trimmed, optional, bounded.

use std::fmt;

use super::text::{refuse_nul, NulInText};

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
    /// Holds a NUL character (malformed input, refused whatever the session's state).
    #[error(transparent)]
    Nul(#[from] NulInText),
}

impl Notes {
    /// Trims the input; blank input means no notes (`Ok(None)`); more than
    /// [`MAX_NOTES_CHARS`] characters is refused, and so is a NUL character anywhere (even
    /// in the whitespace that trimming drops).
    ///
    /// ```
    /// use sensei_core::Notes;
    /// assert_eq!(Notes::parse("  ok  ").unwrap().unwrap().as_str(), "ok");
    /// assert_eq!(Notes::parse("   ").unwrap(), None);
    /// assert!(Notes::parse(&"é".repeat(10_001)).is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<Option<Notes>, NotesError> {
        refuse_nul("notes", raw)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed() {
        let notes = Notes::parse("  \n Went through the loop invariants.\t ").unwrap();
        assert_eq!(
            notes.map(Notes::into_inner).as_deref(),
            Some("Went through the loop invariants.")
        );
    }

    #[test]
    fn blank_notes_mean_no_notes() {
        assert_eq!(Notes::parse("").unwrap(), None);
        assert_eq!(Notes::parse(" \n\t\r ").unwrap(), None);
    }

    #[test]
    fn ten_thousand_multibyte_characters_are_accepted() {
        let raw = "é".repeat(MAX_NOTES_CHARS);
        assert_eq!(
            raw.len(),
            2 * MAX_NOTES_CHARS,
            "bytes differ from characters"
        );
        let notes = Notes::parse(&raw).unwrap().unwrap();
        assert_eq!(notes.as_str().chars().count(), MAX_NOTES_CHARS);
    }

    #[test]
    fn ten_thousand_and_one_characters_are_refused_counting_characters_not_bytes() {
        let error = Notes::parse(&"é".repeat(MAX_NOTES_CHARS + 1)).unwrap_err();
        assert_eq!(error, NotesError::TooLong { chars: 10_001 });
        assert_eq!(
            error.to_string(),
            "notes are 10001 characters long; at most 10000 are allowed"
        );
    }

    #[test]
    fn a_nul_character_anywhere_is_refused() {
        for raw in ["\0", "a\0b", "\0=1+1", "   \0   "] {
            assert_eq!(
                Notes::parse(raw),
                Err(NotesError::Nul(NulInText { field: "notes" })),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn surrounding_whitespace_does_not_count_towards_the_limit() {
        let raw = format!("   {}   ", "a".repeat(MAX_NOTES_CHARS));
        assert!(Notes::parse(&raw).unwrap().is_some());
    }

    #[test]
    fn stored_notes_are_kept_as_written_and_blank_ones_read_as_none() {
        assert_eq!(
            Notes::from_stored(" kept as is ".to_owned()).map(|notes| notes.to_string()),
            Some(" kept as is ".to_owned())
        );
        assert_eq!(Notes::from_stored("  ".to_owned()), None);
    }
}
