//! Wake-ups for the live stream: something may have been appended to the audit trail, by
//! this process or any other (another server, the platform's Python code through the
//! package). The reader then reads the events after its position ([`crate::DieselEventFeed`]);
//! a wake-up carries no data, so a spurious one costs one indexed read.
//!
//! * PostgreSQL: a dedicated connection `LISTEN`s on [`NOTIFY_CHANNEL`] (the trigger of
//!   migration `2024-01-15-000000_live_event_notify` notifies at each commit of events), on a
//!   thread of its own that polls libpq without blocking every [`PG_POLL`]. A dropped
//!   connection is reopened with backoff, then a wake-up makes the reader replay from its
//!   position: nothing committed meanwhile is missed.
//! * SQLite: the change counter the dashboards already keep, read every [`SQLITE_POLL`]
//!   through the pool; a new value wakes the reader.

use std::time::Duration;

use tokio::sync::watch;

use crate::db::{with_conn, Pools};
use crate::repo::sessions::counter::read_counter;
use crate::Database;

/// The PostgreSQL channel the audit trail's trigger notifies.
pub const NOTIFY_CHANNEL: &str = "sensei_session_events";

/// How often the listening PostgreSQL connection is checked for notifications.
pub const PG_POLL: Duration = Duration::from_millis(50);

/// How often SQLite's change counter is read.
pub const SQLITE_POLL: Duration = Duration::from_millis(150);

/// How often the listening connection proves it is alive (a dead peer that never closed the
/// socket is otherwise silent for ever).
pub const LIVENESS_CHECK: Duration = Duration::from_secs(10);

/// The first wait before reopening a dropped listening connection; it doubles up to
/// [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// The longest wait between attempts to reopen the listening connection.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The `application_name` of the listening connection (it shows in `pg_stat_activity`).
pub const LISTENER_NAME: &str = "sensei-live-listener";

/// Wake-ups from a [`Database::watch_events`] source. The source stops when this is dropped.
#[derive(Debug)]
pub struct EventWakeups {
    changes: watch::Receiver<u64>,
}

impl EventWakeups {
    /// Waits for the next wake-up (several folded into one); `false` when the source has
    /// stopped (then nothing more comes).
    pub async fn next(&mut self) -> bool {
        self.changes.changed().await.is_ok()
    }
}

impl Database {
    /// Starts watching for new events (see the module's documentation). Call from within a
    /// Tokio runtime. The watch stops when the returned [`EventWakeups`] is dropped.
    pub fn watch_events(&self) -> EventWakeups {
        let (wake, changes) = watch::channel(0_u64);
        match &self.pools {
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(_) => {
                tokio::spawn(poll_counter(self.clone(), wake));
            }
            #[cfg(feature = "postgres")]
            Pools::Postgres(_) => {
                let url = self.target.to_string();
                let started = std::thread::Builder::new()
                    .name("sensei-listen".to_owned())
                    .spawn(move || postgres::listen(&url, &wake));
                if let Err(error) = started {
                    tracing::error!(%error, "cannot start the live-event listener thread");
                }
            }
        }
        EventWakeups { changes }
    }
}

/// One wake-up (the value only changes so receivers see something new).
fn wake(sender: &watch::Sender<u64>) {
    sender.send_modify(|generation| *generation = generation.wrapping_add(1));
}

/// SQLite: reads the change counter every [`SQLITE_POLL`] and wakes when it moved (or on
/// every read when the counter has no row: a database migrated by hand).
async fn poll_counter(db: Database, sender: watch::Sender<u64>) {
    let mut every = tokio::time::interval(SQLITE_POLL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last: Option<i64> = None;
    loop {
        every.tick().await;
        if sender.is_closed() {
            return;
        }
        let read = with_conn!(db, |conn| { Ok(read_counter(conn)?) });
        match read {
            Ok(Some(totals)) => {
                if last.is_some_and(|seen| seen != totals.changes) {
                    wake(&sender);
                }
                last = Some(totals.changes);
            }
            Ok(None) => wake(&sender),
            Err(error) => tracing::debug!(%error, "live events: cannot read the change counter"),
        }
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use std::time::{Duration, Instant};

    use diesel::connection::SimpleConnection;
    use diesel::pg::PgConnection;
    use diesel::Connection;
    use tokio::sync::watch;

    use super::{
        wake, FIRST_BACKOFF, LISTENER_NAME, LIVENESS_CHECK, MAX_BACKOFF, NOTIFY_CHANNEL, PG_POLL,
    };

    /// Listens until the receivers are gone, reopening the connection when it drops.
    pub(super) fn listen(url: &str, sender: &watch::Sender<u64>) {
        let mut backoff = FIRST_BACKOFF;
        while !sender.is_closed() {
            match open(url) {
                Ok(mut conn) => {
                    backoff = FIRST_BACKOFF;
                    // Whatever was committed while no connection listened is read now.
                    wake(sender);
                    if let Err(error) = watch_connection(&mut conn, sender) {
                        tracing::warn!(%error, "live events: the listening connection dropped; reopening");
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, wait_ms = backoff.as_millis(), "live events: cannot listen yet");
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    fn open(url: &str) -> diesel::QueryResult<PgConnection> {
        let mut conn = PgConnection::establish(url)
            .map_err(|error| diesel::result::Error::QueryBuilderError(Box::new(error)))?;
        conn.batch_execute(&format!(
            "SET application_name = '{LISTENER_NAME}'; LISTEN {NOTIFY_CHANNEL}"
        ))?;
        Ok(conn)
    }

    /// Polls the connection's notifications until it fails or the receivers are gone.
    fn watch_connection(
        conn: &mut PgConnection,
        sender: &watch::Sender<u64>,
    ) -> diesel::QueryResult<()> {
        let mut checked = Instant::now();
        loop {
            if sender.is_closed() {
                return Ok(());
            }
            let mut notified = false;
            for notification in conn.notifications_iter() {
                notification?;
                notified = true;
            }
            if notified {
                wake(sender);
            }
            if checked.elapsed() >= LIVENESS_CHECK {
                conn.batch_execute("SELECT 1")?;
                checked = Instant::now();
            }
            std::thread::sleep(PG_POLL.min(Duration::from_secs(1)));
        }
    }
}
