//! The query planner stability guarantee (QPSG) switched on for each pooled SQLite connection at
//! run time, so the adapter does not depend on the SQLite library being compiled with
//! `SQLITE_ENABLE_QPSG` (this workspace's `.cargo/config.toml` sets it; an embedder's build
//! does not). Without it, SQLite (3.4x) reads the value bound to a `LIMIT ?` while planning
//! and re-plans the statement whenever that value is bound again: every page and every
//! `.first()` was parsed and planned on each execution although Diesel keeps it prepared.
//!
//! The setting is per connection (`sqlite3_db_config(SQLITE_DBCONFIG_ENABLE_QPSG)`) and needs
//! the connection's handle, which Diesel does not expose. SQLite hands it to an automatic
//! extension, which it runs on the thread that opens a connection, inside the open. So one
//! entry point is registered once per process, and acts only while [`while_opening`] runs
//! on that thread: connections opened by anyone else in the process (a Python platform's own
//! `sqlite3` module shares the library) are left as they are.

use std::cell::Cell;
use std::ffi::{c_char, c_int};
use std::sync::OnceLock;

use diesel::r2d2::{ConnectionManager, ManageConnection};
use diesel::sqlite::SqliteConnection;
use libsqlite3_sys as ffi;

/// What the automatic extension did for the connection opened by [`while_opening`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Qpsg {
    /// The connection plans independently of bound values.
    On,
    /// SQLite refused the setting (a library older than 3.20).
    Refused,
    /// The entry point did not run: it could not be registered.
    NotRun,
}

thread_local! {
    /// `Some` while [`while_opening`] runs on this thread: the entry point's report.
    static OPENING: Cell<Option<Qpsg>> = const { Cell::new(None) };
}

/// Whether the entry point is registered (`SQLITE_OK` from `sqlite3_auto_extension`).
static REGISTERED: OnceLock<bool> = OnceLock::new();

/// Runs `open` (which opens one SQLite connection on this thread) with the stability guarantee
/// switched on for the connection it opens, and says whether it was.
pub(crate) fn while_opening<T>(open: impl FnOnce() -> T) -> (T, Qpsg) {
    if !*REGISTERED.get_or_init(register) {
        return (open(), Qpsg::NotRun);
    }
    /// Clears this thread's flag however `open` ends (a panic included), so later opens on
    /// the thread that are not the pool's are left alone.
    struct Clear;
    impl Drop for Clear {
        fn drop(&mut self) {
            OPENING.with(|cell| cell.set(None));
        }
    }
    OPENING.with(|cell| cell.set(Some(Qpsg::NotRun)));
    let clear = Clear;
    let opened = open();
    let report = OPENING.with(Cell::get).unwrap_or(Qpsg::NotRun);
    drop(clear);
    (opened, report)
}

/// The pool's way of opening a SQLite connection: Diesel's, with the guarantee switched on.
/// A library that refuses it was reported when the database was opened ([`works`]).
pub(crate) fn open_connection(
    manager: &ConnectionManager<SqliteConnection>,
) -> Result<SqliteConnection, diesel::r2d2::Error> {
    while_opening(|| manager.connect()).0
}

/// Whether this process's SQLite library takes the guarantee at run time (it does from 3.20).
pub(crate) fn works() -> bool {
    use diesel::Connection;
    let (opened, qpsg) = while_opening(|| SqliteConnection::establish(":memory:"));
    opened.is_ok() && qpsg == Qpsg::On
}

/// Registers [`enable_on_open`] with SQLite for every later open in this process.
#[allow(unsafe_code)]
fn register() -> bool {
    // SAFETY: `enable_on_open` has the signature SQLite calls automatic extensions with and
    // lives as long as the process (it is a function of this library, never unloaded while
    // the process opens connections). Registering the same pointer again is a no-op.
    let rc = unsafe { ffi::sqlite3_auto_extension(Some(enable_on_open)) };
    rc == ffi::SQLITE_OK
}

/// SQLite's automatic extension: on a connection opened inside [`while_opening`], switches the
/// stability guarantee on and reads it back; on any other, does nothing. Never fails the open.
#[allow(unsafe_code)]
unsafe extern "C" fn enable_on_open(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    let ours = OPENING.with(|cell| cell.get().is_some());
    if ours && !db.is_null() {
        let (on, mut now): (c_int, c_int) = (1, 0);
        // SAFETY: `db` is the connection SQLite is opening, valid for this call. The
        // QPSG option takes an int (1: on, -1: leave as is) and an `int*` for the value now,
        // here a live local.
        let set = unsafe {
            ffi::sqlite3_db_config(
                db,
                ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
                on,
                std::ptr::from_mut(&mut now),
            )
        };
        let report = if set == ffi::SQLITE_OK && now == 1 {
            Qpsg::On
        } else {
            Qpsg::Refused
        };
        OPENING.with(|cell| cell.set(Some(report)));
    }
    ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use diesel::{Connection, SqliteConnection};

    #[test]
    fn a_connection_opened_here_gets_the_guarantee() {
        let (conn, qpsg) = while_opening(|| SqliteConnection::establish(":memory:"));
        assert!(conn.is_ok());
        assert_eq!(qpsg, Qpsg::On);
    }

    #[test]
    fn this_library_takes_the_guarantee_at_run_time() {
        assert!(works());
    }

    #[test]
    fn connections_opened_elsewhere_are_left_alone() {
        let _ = while_opening(|| SqliteConnection::establish(":memory:"));
        // The entry point stays registered, but acts only inside `while_opening`.
        SqliteConnection::establish(":memory:").unwrap();
        assert_eq!(OPENING.with(|cell| cell.get()), None);
    }
}
