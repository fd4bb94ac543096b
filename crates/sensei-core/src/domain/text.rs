//! The one rule every text input follows, whatever the adapter or the database: no NUL
//! character (U+0000).
//!
//! Why here and not in the stores: PostgreSQL cannot store NUL in text and refuses it, SQLite
//! stores it and compares only up to it (a filter holding one matched everything), and
//! programs that read exports or logs as C strings cut text there. One rule in the domain
//! gives every backend and every adapter the same answer: the input is refused.

/// Text input holding a NUL character; nothing was read or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{field}: a NUL character (U+0000) is not allowed in text; remove it and send it again")]
pub struct NulInText {
    /// What the text was, in words ("notes", "student filter").
    pub field: &'static str,
}

/// Refuses `text` when it holds a NUL character; `field` names it in the error.
///
/// ```
/// use sensei_core::refuse_nul;
/// assert!(refuse_nul("notes", "fine").is_ok());
/// assert_eq!(
///     refuse_nul("notes", "a\0b").unwrap_err().to_string(),
///     "notes: a NUL character (U+0000) is not allowed in text; remove it and send it again"
/// );
/// ```
///
/// # Errors
/// [`NulInText`] naming `field` when `text` holds U+0000.
pub fn refuse_nul(field: &'static str, text: &str) -> Result<(), NulInText> {
    if text.contains('\0') {
        Err(NulInText { field })
    } else {
        Ok(())
    }
}
