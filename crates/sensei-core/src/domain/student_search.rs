//! The student filter of session lists: the text a student's email must contain. One limit
//! for every adapter (pages, the JSON API, the Python package).

/// The longest student filter accepted, in characters (an email address has at most 320).
pub const MAX_STUDENT_SEARCH_CHARS: usize = 320;

/// A student filter longer than [`MAX_STUDENT_SEARCH_CHARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the student filter is limited to {MAX_STUDENT_SEARCH_CHARS} characters")]
pub struct StudentSearchTooLong;

/// The filter as typed, trimmed; `None` when absent or blank (no filter).
///
/// # Errors
/// [`StudentSearchTooLong`] past [`MAX_STUDENT_SEARCH_CHARS`] characters.
///
/// ```
/// use sensei_core::{student_search, MAX_STUDENT_SEARCH_CHARS};
/// assert_eq!(student_search(Some("  ann@ ")), Ok(Some("ann@".to_owned())));
/// assert_eq!(student_search(Some("   ")), Ok(None));
/// assert!(student_search(Some(&"a".repeat(MAX_STUDENT_SEARCH_CHARS + 1))).is_err());
/// ```
pub fn student_search(raw: Option<&str>) -> Result<Option<String>, StudentSearchTooLong> {
    match raw.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) if text.chars().count() > MAX_STUDENT_SEARCH_CHARS => Err(StudentSearchTooLong),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        let at_limit = "é".repeat(MAX_STUDENT_SEARCH_CHARS);
        assert_eq!(student_search(Some(&at_limit)), Ok(Some(at_limit.clone())));
        let over = format!("{at_limit}é");
        assert_eq!(student_search(Some(&over)), Err(StudentSearchTooLong));
        assert_eq!(student_search(None), Ok(None));
    }
}
