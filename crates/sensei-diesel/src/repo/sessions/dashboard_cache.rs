//! The dashboards a [`crate::Database`] read recently, reused while nothing they show can
//! have changed.
//!
//! A dashboard is three statements (sign-in with the counter, the viewer's claims, the page);
//! on PostgreSQL the page alone cost more than everything else in the request, and
//! instructors reload the dashboard far more often than sessions change. A kept dashboard
//! is reused only while all of these hold:
//!
//! * the counter's change total (`changes`, read in the request's first statement, before
//!   the page) is the one read before the kept page was read. Every committed insert, update
//!   and delete of a session adds to it, whoever writes: this process, another server
//!   process, the Python platform (the trigger counts them all). Reading it before the page
//!   matters: a change that commits between the two reads makes the total differ next time;
//! * the viewer's live-claims count cannot have changed with the clock alone: it stays right
//!   until the earliest of the counted claims expires;
//! * it is younger than [`MAX_AGE`]: the page also shows names from the platform's tables
//!   (student emails, challenge names), whose changes the counter does not see.
//!
//! Dashboards whose page depends on the clock (a pending or claimed queue: claims expire)
//! are never kept. At most [`CAPACITY`] dashboards are kept; the oldest goes first.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sensei_core::{Page, PageRequest, SessionListEntry, SessionQuery};

/// How long a kept dashboard may be reused at most, changes or not.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(1);

/// Dashboards kept at most (each is one page of the queue: a few kilobytes).
pub(crate) const CAPACITY: usize = 32;

/// What identifies a dashboard: its queue, its "mine" and "claimed" queries and its page,
/// without the instant
/// they are judged at (only dashboards that do not depend on it are kept).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DashboardKey {
    queue: SessionQuery,
    mine: SessionQuery,
    claimed: SessionQuery,
    page: PageRequest,
}

impl DashboardKey {
    /// The key of this dashboard, or `None` when it cannot be kept: its queue changes with
    /// the clock (pending or claimed sessions), or one of its counts does in a way a kept
    /// count cannot follow (pending sessions).
    pub(crate) fn of(
        queue: &SessionQuery,
        mine: &SessionQuery,
        claimed: &SessionQuery,
        page: PageRequest,
    ) -> Option<Self> {
        if queue.status.changes_with_time()
            || !mine.status.count_can_be_kept()
            || !claimed.status.count_can_be_kept()
        {
            return None;
        }
        Some(Self {
            queue: SessionQuery {
                as_of: None,
                ..queue.clone()
            },
            mine: SessionQuery {
                as_of: None,
                ..mine.clone()
            },
            claimed: SessionQuery {
                as_of: None,
                ..claimed.clone()
            },
            page,
        })
    }
}

/// A dashboard as kept: everything but the counter's totals, which each request reads.
#[derive(Debug, Clone)]
pub(crate) struct KeptDashboard {
    /// The "mine" count.
    pub(crate) mine: u64,
    /// The "claimed" count.
    pub(crate) claimed: u64,
    /// The page of the queue.
    pub(crate) page: Page<SessionListEntry>,
}

#[derive(Debug)]
struct Entry {
    key: DashboardKey,
    changes: i64,
    read_at: Instant,
    mine_valid_until: Option<DateTime<Utc>>,
    kept: Arc<KeptDashboard>,
}

impl Entry {
    fn answers(&self, key: &DashboardKey, changes: i64, now: DateTime<Utc>, at: Instant) -> bool {
        self.changes == changes
            && at.saturating_duration_since(self.read_at) < MAX_AGE
            && self.mine_valid_until.is_none_or(|until| now < until)
            && self.key == *key
    }
}

/// Recently read dashboards of one database (shared by the clones of its
/// [`crate::Database`]).
#[derive(Debug, Default)]
pub(crate) struct DashboardCache {
    entries: Mutex<Vec<Entry>>,
}

impl DashboardCache {
    /// The kept dashboard for `key`, if the counter still reads `changes` and `now` (the
    /// instant the request judges claims at) is before its count could have changed. Shared:
    /// the caller copies it after the lock is released.
    pub(crate) fn get(
        &self,
        key: &DashboardKey,
        changes: i64,
        now: DateTime<Utc>,
    ) -> Option<Arc<KeptDashboard>> {
        self.get_at(key, changes, now, Instant::now())
    }

    fn get_at(
        &self,
        key: &DashboardKey,
        changes: i64,
        now: DateTime<Utc>,
        at: Instant,
    ) -> Option<Arc<KeptDashboard>> {
        self.entries()
            .iter()
            .find(|entry| entry.answers(key, changes, now, at))
            .map(|entry| Arc::clone(&entry.kept))
    }

    /// Keeps a dashboard read after the counter read `changes`, replacing what was kept for
    /// its key unless that was read at a later count; the oldest entry goes when full.
    pub(crate) fn put(
        &self,
        key: DashboardKey,
        changes: i64,
        mine_valid_until: Option<DateTime<Utc>>,
        kept: Arc<KeptDashboard>,
    ) {
        let entry = Entry {
            key,
            changes,
            read_at: Instant::now(),
            mine_valid_until,
            kept,
        };
        let mut entries = self.entries();
        if let Some(same) = entries.iter_mut().find(|old| old.key == entry.key) {
            // A slower request that read an older count must not replace a newer page.
            if same.changes <= entry.changes {
                *same = entry;
            }
            return;
        }
        if entries.len() >= CAPACITY {
            if let Some(oldest) = entries
                .iter()
                .enumerate()
                .min_by_key(|(_, old)| old.read_at)
                .map(|(index, _)| index)
            {
                entries.swap_remove(oldest);
            }
        }
        entries.push(entry);
    }

    /// The entries; a panic elsewhere while holding the lock leaves them usable (each entry is
    /// written whole).
    fn entries(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use sensei_core::{StatusFilter, UserId};

    fn at(second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, second)
            .single()
            .unwrap_or_default()
    }

    fn queue() -> SessionQuery {
        SessionQuery {
            status: StatusFilter::Open,
            as_of: Some(at(0)),
            ..SessionQuery::default()
        }
    }

    fn mine(viewer: i32) -> SessionQuery {
        SessionQuery {
            status: StatusFilter::Claimed,
            claimed_by: Some(UserId(viewer)),
            as_of: Some(at(0)),
            ..SessionQuery::default()
        }
    }

    fn claimed() -> SessionQuery {
        SessionQuery {
            status: StatusFilter::Claimed,
            as_of: Some(at(0)),
            ..SessionQuery::default()
        }
    }

    fn key(viewer: i32) -> DashboardKey {
        DashboardKey::of(&queue(), &mine(viewer), &claimed(), PageRequest::default())
            .unwrap_or_else(|| {
                panic!("an open queue with a live-claims count can be kept");
            })
    }

    fn kept(mine: u64) -> Arc<KeptDashboard> {
        Arc::new(KeptDashboard {
            mine,
            claimed: mine,
            page: Page {
                items: Vec::new(),
                next: None,
            },
        })
    }

    fn mine_of(cache: &DashboardCache, key: &DashboardKey, changes: i64, now: u32) -> Option<u64> {
        cache.get(key, changes, at(now)).map(|kept| kept.mine)
    }

    #[test]
    fn keeps_a_dashboard_until_the_change_count_moves() {
        let cache = DashboardCache::default();
        cache.put(key(1), 7, None, kept(2));
        assert_eq!(mine_of(&cache, &key(1), 7, 5), Some(2));
        assert_eq!(
            mine_of(&cache, &key(1), 8, 5),
            None,
            "a change was committed"
        );
    }

    #[test]
    fn the_instant_judged_at_is_not_part_of_the_key() {
        let later = DashboardKey::of(
            &SessionQuery {
                as_of: Some(at(30)),
                ..queue()
            },
            &SessionQuery {
                as_of: Some(at(30)),
                ..mine(1)
            },
            &SessionQuery {
                as_of: Some(at(30)),
                ..claimed()
            },
            PageRequest::default(),
        );
        assert_eq!(later, Some(key(1)));
    }

    #[test]
    fn each_viewer_and_page_has_its_own_entry() {
        let cache = DashboardCache::default();
        cache.put(key(1), 7, None, kept(2));
        assert_eq!(mine_of(&cache, &key(2), 7, 0), None);
        let other_page = DashboardKey {
            page: PageRequest {
                size: sensei_core::PageSize::new(3).unwrap(),
                ..PageRequest::default()
            },
            ..key(1)
        };
        assert_eq!(mine_of(&cache, &other_page, 7, 0), None);
    }

    #[test]
    fn a_live_claims_count_expires_with_its_earliest_claim() {
        let cache = DashboardCache::default();
        cache.put(key(1), 7, Some(at(10)), kept(3));
        assert_eq!(mine_of(&cache, &key(1), 7, 9), Some(3));
        assert_eq!(
            mine_of(&cache, &key(1), 7, 10),
            None,
            "that claim is no longer live"
        );
    }

    #[test]
    fn queues_that_move_with_the_clock_are_not_kept() {
        for status in [StatusFilter::Pending, StatusFilter::Claimed] {
            let queue = SessionQuery { status, ..queue() };
            assert_eq!(
                DashboardKey::of(&queue, &mine(1), &claimed(), PageRequest::default()),
                None
            );
        }
        let pending_mine = SessionQuery {
            status: StatusFilter::Pending,
            ..mine(1)
        };
        assert_eq!(
            DashboardKey::of(&queue(), &pending_mine, &claimed(), PageRequest::default()),
            None
        );
        for status in [
            StatusFilter::Open,
            StatusFilter::Completed,
            StatusFilter::Cancelled,
            StatusFilter::Closed,
            StatusFilter::All,
        ] {
            let queue = SessionQuery { status, ..queue() };
            assert!(
                DashboardKey::of(&queue, &mine(1), &claimed(), PageRequest::default()).is_some()
            );
        }
    }

    #[test]
    fn a_kept_dashboard_is_reused_for_at_most_max_age() {
        let cache = DashboardCache::default();
        cache.put(key(1), 7, None, kept(2));
        let read_at = cache.entries()[0].read_at;
        let last = read_at + MAX_AGE - Duration::from_nanos(1);
        assert!(cache.get_at(&key(1), 7, at(0), last).is_some());
        let aged = read_at + MAX_AGE;
        assert!(cache.get_at(&key(1), 7, at(0), aged).is_none());
    }

    #[test]
    fn an_older_read_does_not_replace_a_newer_one() {
        let cache = DashboardCache::default();
        cache.put(key(1), 8, None, kept(5));
        cache.put(key(1), 7, None, kept(4));
        assert_eq!(mine_of(&cache, &key(1), 8, 0), Some(5));
        cache.put(key(1), 9, None, kept(6));
        assert_eq!(mine_of(&cache, &key(1), 9, 0), Some(6));
    }

    #[test]
    fn holds_at_most_capacity_dropping_the_oldest() {
        let cache = DashboardCache::default();
        for viewer in 0..=i32::try_from(CAPACITY).unwrap_or(i32::MAX) {
            cache.put(key(viewer), 7, None, kept(1));
        }
        assert_eq!(cache.entries().len(), CAPACITY);
        assert_eq!(mine_of(&cache, &key(0), 7, 0), None, "the oldest went");
        assert_eq!(mine_of(&cache, &key(1), 7, 0), Some(1));
    }
}
