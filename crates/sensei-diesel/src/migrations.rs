//! The embedded migrations, two sets per backend.
//!
//! * `*_PLATFORM`: the standalone platform schema (users, challenges, goals, submissions,
//!   reviews, goal progress, digi-trainer sessions and messages, anatomy conversations and
//!   messages). Only for the bundled service; an embedding platform has its own.
//! * `*_FEATURE`: the feature's own `scheduled_sessions` table (exactly the platform's DDL,
//!   `IF NOT EXISTS`), its queue and dedup indexes and the trigger-maintained counter.
//!
//! The feature set references `users` and `submissions`, so the platform set runs first
//! ([`crate::Database::migrate`]); a platform that has those tables runs only the feature set
//! ([`crate::Database::migrate_feature_only`], or these constants with its own harness).
//! Versions are unique across the sets, so both share Diesel's `__diesel_schema_migrations`.

use diesel_migrations::{embed_migrations, EmbeddedMigrations};

/// SQLite: the standalone platform schema.
#[cfg(feature = "sqlite")]
pub const SQLITE_PLATFORM: EmbeddedMigrations =
    embed_migrations!("../../migrations/sqlite/platform");
/// SQLite: the feature's own tables.
#[cfg(feature = "sqlite")]
pub const SQLITE_FEATURE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite/feature");
/// PostgreSQL: the standalone platform schema.
#[cfg(feature = "postgres")]
pub const POSTGRES_PLATFORM: EmbeddedMigrations =
    embed_migrations!("../../migrations/postgres/platform");
/// PostgreSQL: the feature's own tables.
#[cfg(feature = "postgres")]
pub const POSTGRES_FEATURE: EmbeddedMigrations =
    embed_migrations!("../../migrations/postgres/feature");
