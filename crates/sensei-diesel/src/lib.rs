//! # sensei-diesel
//!
//! The Diesel persistence adapter of sensei scheduling: every port of [`sensei_core`] over
//! SQLite (bundled, the embedded default) or PostgreSQL, with embedded migrations.
//!
//! * [`DatabaseUrl::parse`] then [`Database::connect`] build an r2d2 pool (SQLite connections
//!   get `busy_timeout`, WAL, `synchronous=NORMAL` and `foreign_keys=ON` on every checkout).
//! * [`Database::migrate`] runs the standalone platform schema and the feature's tables;
//!   [`Database::migrate_feature_only`] runs only the feature's (embedding in the platform).
//! * [`Database::ports`] gives the repositories the domain's services run on. Every call
//!   runs on Tokio's blocking pool, never on a runtime worker.
//!
//! Cargo features for the backends, both on by default (at least one is required):
//!
//! * `sqlite-bundled` (default): SQLite, compiled in (no system library); `sqlite` alone links
//!   the system's libsqlite3 instead (the Python package: one SQLite library per process);
//! * `postgres`: PostgreSQL over the system's libpq; `postgres-bundled` builds libpq from
//!   source instead (no system library, no TLS), `postgres-bundled-tls` with OpenSSL.
//!
//! Cargo features for tools, both off by default:
//!
//! * `fixtures`: developer tools that write data — `generate` (the benchmark-data
//!   generator behind `sensei generate`; brings `rand` and `indicatif`) and `PlatformWriter`
//!   (`Database::platform_writer`: challenges, submissions, reviews, progress, demo data).
//! * `testing`: the `testing` module, a migrated database per test (PostgreSQL cloned from a
//!   migrated template, or a temporary SQLite file) for integration tests of this and other
//!   crates.
//!
//! See `docs/persistence.md` for the schema, the migration sets, the atomicity choices and
//! the date format.

// Unit tests may read the wall clock; the code under test reads the `Clock` port.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!(
    "sensei-diesel needs at least one database backend: enable the cargo feature `sqlite`, \
     `postgres` (or `postgres-bundled`), or both (the default features)"
);

mod db;
mod error;
#[cfg(feature = "fixtures")]
pub mod generate;
pub mod live_listener;
pub mod migrations;
mod repo;
mod schema;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timestamp;

use std::sync::Arc;

pub use db::{
    BackupSummary, Database, DatabaseUrl, PoolOptions, PoolState, SqliteBuildWarning, StartupLock,
    StatementCounter, POSTGRES_BACKUP_HINT, SQLITE_BUILD_FLAGS,
};
pub use error::DatabaseError;
#[cfg(feature = "fixtures")]
pub use repo::PlatformWriter;
pub use repo::{
    AccountStore, DieselApiTokens, DieselBookingReads, DieselCalendarFeeds, DieselContent,
    DieselDesk, DieselEmail, DieselEventFeed, DieselMeetings, DieselPreferences,
    DieselScheduledSessions, DieselSignedInReads, DieselWebhooks, MAX_FEED_PAGE,
    SIGN_IN_PURGE_BATCH,
};
pub use timestamp::SqlaTimestamp;

use sensei_core::ports::{NoAccounts, SystemClock};
use sensei_core::Ports;

impl Database {
    /// Every repository of the domain over this database, with the system clock. The
    /// password verifier refuses every password: replace `passwords` with a real one to
    /// sign users in.
    pub fn ports(&self) -> Ports {
        let content = Arc::new(DieselContent::new(self.clone()));
        Ports {
            sessions: Arc::new(DieselScheduledSessions::new(self.clone())),
            submissions: content.clone(),
            goals: content.clone(),
            digi_trainer: content.clone(),
            anatomy: content,
            accounts: Arc::new(self.accounts()),
            // Password hashing belongs to the service that signs users in (the HTTP adapter
            // brings argon2); with this default, password sign-in always fails.
            passwords: Arc::new(NoAccounts),
            clock: Arc::new(SystemClock),
            // The sign-in and the page read on one connection, in one blocking trip.
            signed_in: Arc::new(DieselSignedInReads::new(self.clone())),
            // A booking's submission and goal progress in one blocking trip.
            booking: Arc::new(DieselBookingReads::new(self.clone())),
        }
    }

    /// Sign-in accounts (standalone platform schema).
    pub fn accounts(&self) -> AccountStore {
        AccountStore::new(self.clone())
    }

    /// Instructors' calendar feeds (kept apart from [`Database::ports`]: the feeds' use cases
    /// are a service of their own, `sensei_core::services::CalendarFeeds`).
    pub fn calendar_feeds(&self) -> DieselCalendarFeeds {
        DieselCalendarFeeds::new(self.clone())
    }

    /// API tokens (kept apart from [`Database::ports`]: their use cases are a service of
    /// their own, `sensei_core::services::ApiTokenService`).
    pub fn api_tokens(&self) -> DieselApiTokens {
        DieselApiTokens::new(self.clone())
    }

    /// Each account's display preferences (a service of its own too:
    /// `sensei_core::services::Preferences`).
    pub fn preferences(&self) -> DieselPreferences {
        DieselPreferences::new(self.clone())
    }

    /// The instructor's desk: presence and "my challenges" (a service of its own too:
    /// `sensei_core::services::Desk`).
    pub fn desk(&self) -> DieselDesk {
        DieselDesk::new(self.clone())
    }

    /// Writes platform records (demo data, tests). Feature `fixtures`.
    #[cfg(feature = "fixtures")]
    pub fn platform_writer(&self) -> PlatformWriter {
        PlatformWriter::new(self.clone())
    }
}
