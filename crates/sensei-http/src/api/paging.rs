//! The API's paging parameters, `limit` and `after`, read once for every list.

use sensei_core::{PageRequest, PageSize, SessionCursor};

use super::error::ApiError;

/// The page asked for: `limit` sessions (1 to 100, 25 when absent) after the cursor `after`
/// (a previous page's `next_cursor`).
///
/// # Errors
/// 400 `bad_request` for a limit out of range or a malformed cursor.
pub(crate) fn page_request(
    limit: Option<u32>,
    after: Option<&str>,
) -> Result<PageRequest, ApiError> {
    let size = match limit {
        None => PageSize::DEFAULT,
        Some(raw) => PageSize::new(raw)
            .ok_or_else(|| ApiError::bad_request("limit must be between 1 and 100"))?,
    };
    let after = after
        .map(|raw| {
            SessionCursor::decode(raw).ok_or_else(|| {
                ApiError::bad_request(
                    "after is not a cursor: pass the next_cursor of the previous page",
                )
            })
        })
        .transpose()?;
    Ok(PageRequest { size, after })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_out_of_range_or_a_malformed_cursor_is_a_bad_request() {
        assert_eq!(
            page_request(None, None).map(|page| page.size),
            Ok(PageSize::DEFAULT)
        );
        assert!(page_request(Some(0), None).is_err());
        assert!(page_request(Some(101), None).is_err());
        assert!(page_request(None, Some("zzz")).is_err());
    }
}
