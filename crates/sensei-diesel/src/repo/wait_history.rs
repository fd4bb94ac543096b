//! The history the wait estimate learns from: the [`WaitHistory`] port over
//! `scheduled_sessions` and the first `claimed` event of each in `scheduled_session_events`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::WaitHistory;
use sensei_core::{EventKind, RepositoryError, WaitHistoryEntry};

use crate::db::{with_conn, Database};
use crate::schema::{scheduled_session_events as events, scheduled_sessions as sessions};
use crate::timestamp::SqlaTimestamp;
use crate::DieselScheduledSessions;

impl Database {
    /// The sessions' store, read as the wait estimate's history.
    pub fn wait_history(&self) -> DieselScheduledSessions {
        DieselScheduledSessions::new(self.clone())
    }
}

/// A session's booking, first claim and cancellation, as read.
type HistoryRow = (SqlaTimestamp, Option<SqlaTimestamp>, Option<SqlaTimestamp>);

#[async_trait]
impl WaitHistory for DieselScheduledSessions {
    /// One statement: a range of `idx_scheduled_sessions_booked` (`scheduled_at, id`), each
    /// row's first claim from `idx_scheduled_session_events_session` (`session_id, id`).
    async fn wait_history(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<WaitHistoryEntry>, RepositoryError> {
        let (since, until) = (SqlaTimestamp::from(since), SqlaTimestamp::from(until));
        let rows: Vec<HistoryRow> = with_conn!(self.database(), |conn| {
            let first_claim = events::table
                .filter(events::session_id.eq(sessions::id))
                .filter(events::kind.eq(EventKind::Claimed.as_str()))
                .select(diesel::dsl::min(events::occurred_at))
                .single_value();
            Ok(sessions::table
                .filter(sessions::scheduled_at.ge(since))
                .filter(sessions::scheduled_at.lt(until))
                .order((sessions::scheduled_at, sessions::id))
                .select((sessions::scheduled_at, first_claim, sessions::cancelled_at))
                .load(conn)?)
        })?;
        Ok(rows.into_iter().map(entry).collect())
    }
}

/// A cancellation counts as closing the session unclaimed only when no claim came before it
/// (a session cancelled after a released claim had its wait ended by that claim).
fn entry((booked, claimed, cancelled): HistoryRow) -> WaitHistoryEntry {
    let first_claimed_at = claimed.map(SqlaTimestamp::utc);
    let cancelled = cancelled.map(SqlaTimestamp::utc);
    let closed_unclaimed_at = match (first_claimed_at, cancelled) {
        (Some(claim), Some(cancel)) if cancel < claim => Some(cancel),
        (None, cancel) => cancel,
        _ => None,
    };
    WaitHistoryEntry {
        booked_at: booked.utc(),
        first_claimed_at,
        closed_unclaimed_at,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(minute: u32) -> SqlaTimestamp {
        SqlaTimestamp::from(Utc.with_ymd_and_hms(2026, 12, 1, 10, minute, 0).unwrap())
    }

    #[test]
    fn a_cancellation_closes_the_session_unclaimed_only_before_any_claim() {
        let never_claimed = entry((at(0), None, Some(at(5))));
        assert_eq!(never_claimed.closed_unclaimed_at, Some(at(5).utc()));
        let claimed_then_cancelled = entry((at(0), Some(at(3)), Some(at(5))));
        assert_eq!(claimed_then_cancelled.first_claimed_at, Some(at(3).utc()));
        assert_eq!(claimed_then_cancelled.closed_unclaimed_at, None);
        let open = entry((at(0), None, None));
        assert_eq!(
            (open.first_claimed_at, open.closed_unclaimed_at),
            (None, None)
        );
    }
}
