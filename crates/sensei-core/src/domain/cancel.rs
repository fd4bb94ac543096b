//! A student's reason for cancelling: trimmed, optional, bounded.

use super::text::{refuse_nul, NulInText};

/// The most characters a cancellation reason may hold.
pub const MAX_CANCEL_REASON_CHARS: usize = 500;

/// A non-empty, trimmed reason of at most [`MAX_CANCEL_REASON_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CancelReason(String);

/// Why a reason was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancelReasonError {
    /// Longer than the limit.
    #[error(
        "the reason is {chars} characters long; at most {max} are allowed",
        max = MAX_CANCEL_REASON_CHARS
    )]
    TooLong {
        /// Characters after trimming.
        chars: usize,
    },
    /// Holds a NUL character.
    #[error(transparent)]
    Nul(#[from] NulInText),
}

impl CancelReason {
    /// Trims the input; blank means no reason (`Ok(None)`); longer than the limit, or holding
    /// a NUL character, is refused.
    ///
    /// ```
    /// use sensei_core::CancelReason;
    /// assert_eq!(CancelReason::parse(" sorted it out ").unwrap().unwrap().as_str(), "sorted it out");
    /// assert_eq!(CancelReason::parse("").unwrap(), None);
    /// assert!(CancelReason::parse(&"x".repeat(501)).is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<Option<CancelReason>, CancelReasonError> {
        refuse_nul("reason", raw)?;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let chars = trimmed.chars().count();
        if chars > MAX_CANCEL_REASON_CHARS {
            return Err(CancelReasonError::TooLong { chars });
        }
        Ok(Some(CancelReason(trimmed.to_owned())))
    }

    /// A reason read back from storage, shown as stored.
    pub fn from_stored(raw: String) -> Option<CancelReason> {
        if raw.trim().is_empty() {
            None
        } else {
            Some(CancelReason(raw))
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_500_characters_are_accepted_and_501_refused() {
        assert!(CancelReason::parse(&"é".repeat(500)).unwrap().is_some());
        assert_eq!(
            CancelReason::parse(&"é".repeat(501)),
            Err(CancelReasonError::TooLong { chars: 501 })
        );
    }

    #[test]
    fn a_nul_character_is_refused() {
        assert_eq!(
            CancelReason::parse("changed my mind\0"),
            Err(CancelReasonError::Nul(NulInText { field: "reason" }))
        );
    }
}
