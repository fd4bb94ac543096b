//! Keyset paging for the session queue: the cost of a page does not grow with its depth.

use chrono::{DateTime, Utc};

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

    /// Parses [`SessionCursor::encode`]'s form; `None` if malformed.
    pub fn decode(raw: &str) -> Option<SessionCursor> {
        let (micros, id) = raw.split_once('.')?;
        let scheduled_at = DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?;
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
