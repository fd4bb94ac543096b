//! Keyset paging for the session queue: the cost of a page does not grow with its depth.

use chrono::{DateTime, Datelike, Utc};

use super::ids::ScheduledSessionId;

/// The largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u32 = 100;

/// A page size from 1 to [`MAX_PAGE_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(u32);

impl PageSize {
    /// The default page size of the dashboard.
    pub const DEFAULT: PageSize = PageSize(25);

    /// A checked page size; `None` when out of range.
    pub fn new(size: u32) -> Option<PageSize> {
        (1..=MAX_PAGE_SIZE)
            .contains(&size)
            .then_some(PageSize(size))
    }

    /// The size.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for PageSize {
    fn default() -> Self {
        PageSize::DEFAULT
    }
}

/// The position after which a page starts: the last row of the previous page, in queue order
/// (`scheduled_at`, then `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCursor {
    /// `scheduled_at` of the last row seen.
    pub scheduled_at: DateTime<Utc>,
    /// `id` of the last row seen.
    pub id: ScheduledSessionId,
}

impl SessionCursor {
    /// An opaque text form for links: `<unix micros>.<id>`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.scheduled_at.timestamp_micros(), self.id)
    }

    /// Parses [`SessionCursor::encode`]'s form; `None` if malformed or if the time lies outside
    /// the years 1 to 9999, which every supported database can store.
    pub fn decode(raw: &str) -> Option<SessionCursor> {
        let (micros, id) = raw.split_once('.')?;
        let scheduled_at = DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?;
        if !(1..=9999).contains(&scheduled_at.year()) {
            return None;
        }
        Some(SessionCursor {
            scheduled_at,
            id: id.parse().ok()?,
        })
    }
}

/// Which page to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageRequest {
    /// Rows per page.
    pub size: PageSize,
    /// Start after this row; `None` for the first page.
    pub after: Option<SessionCursor>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows, in queue order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<SessionCursor>,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_cursor_survives_encoding_and_decoding_to_the_microsecond() {
        let scheduled_at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 15, 2).unwrap()
            + chrono::Duration::microseconds(123_456);
        let cursor = SessionCursor {
            scheduled_at,
            id: ScheduledSessionId(42),
        };
        let encoded = cursor.encode();
        assert_eq!(encoded, format!("{}.42", scheduled_at.timestamp_micros()));
        assert_eq!(SessionCursor::decode(&encoded), Some(cursor));
    }

    #[test]
    fn a_cursor_before_1970_survives_the_round_trip() {
        let cursor = SessionCursor {
            scheduled_at: Utc.with_ymd_and_hms(1969, 7, 20, 20, 17, 40).unwrap(),
            id: ScheduledSessionId(1),
        };
        assert_eq!(SessionCursor::decode(&cursor.encode()), Some(cursor));
    }

    #[test]
    fn malformed_cursors_decode_to_none() {
        for raw in [
            "",
            ".",
            "abc",
            "12345",
            "12345.",
            ".7",
            "12345.x",
            "x.7",
            "1.2.3",
            "1.5e3",
            "99999999999999999999.1",
            "9223372036854775807.1",
            "12345.99999999999",
            // Representable by chrono but not storable by PostgreSQL: refused, not a 5xx later.
            "-999999999999999999.1",
            "-210866803200000001.1",
            "253402300800000000.1",
        ] {
            assert_eq!(SessionCursor::decode(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn page_sizes_from_1_to_the_maximum_are_accepted() {
        assert_eq!(PageSize::new(1).map(PageSize::get), Some(1));
        assert_eq!(
            PageSize::new(MAX_PAGE_SIZE).map(PageSize::get),
            Some(MAX_PAGE_SIZE)
        );
        assert_eq!(PageSize::default().get(), 25);
    }

    #[test]
    fn a_page_size_of_0_or_above_the_maximum_is_refused() {
        assert_eq!(PageSize::new(0), None);
        assert_eq!(PageSize::new(MAX_PAGE_SIZE + 1), None);
    }

    #[test]
    fn the_default_page_request_is_the_first_page() {
        let request = PageRequest::default();
        assert_eq!(request.after, None);
        assert_eq!(request.size, PageSize::DEFAULT);
    }
}
