//! The database options every sub-command shares.

use std::time::Duration;

use clap::Args;
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};

/// `--database-url` and the pool settings. Global: accepted after a sub-command's own
/// sub-command too (`sensei webhook add URL --database-url X`).
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database: postgres://… or postgresql://… (PostgreSQL); sqlite://PATH, sqlite:PATH or a
    /// plain file path (SQLite).
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Most pooled database connections (default: 8 for SQLite; for PostgreSQL twice the CPU
    /// cores, between 4 and 16).
    #[arg(
        long,
        global = true,
        env = "SENSEI_DB_MAX_CONNECTIONS",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub db_max_connections: Option<u32>,
    /// How long a request waits for a database connection before it fails with 503, in
    /// milliseconds (default 2000).
    #[arg(
        long,
        global = true,
        env = "SENSEI_DB_TIMEOUT_MS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub db_timeout_ms: Option<u64>,
}

impl DatabaseArgs {
    /// The URL given, or `fallback` when none was.
    ///
    /// # Errors
    /// When neither is there, or the URL cannot be parsed.
    pub fn url(&self, fallback: Option<&str>) -> Result<DatabaseUrl, super::CliResultError> {
        let raw = self
            .database_url
            .as_deref()
            .filter(|raw| !raw.trim().is_empty())
            .or(fallback)
            .ok_or("no database given: pass --database-url URL or set DATABASE_URL (or use `serve --demo`)")?;
        Ok(DatabaseUrl::parse(raw)?)
    }

    /// The pool options for `url`.
    pub fn pool_options(&self, url: &DatabaseUrl) -> PoolOptions {
        let defaults = PoolOptions::for_url(url);
        PoolOptions {
            max_connections: self
                .db_max_connections
                .unwrap_or(defaults.max_connections)
                .max(1),
            connection_timeout: self
                .db_timeout_ms
                .map(Duration::from_millis)
                .unwrap_or(defaults.connection_timeout),
        }
    }

    /// Connects (on the blocking pool: opening a SQLite file touches the disk).
    ///
    /// # Errors
    /// When the database cannot be opened.
    pub async fn connect(&self, url: &DatabaseUrl) -> Result<Database, super::CliResultError> {
        let options = self.pool_options(url);
        let url = url.clone();
        let database =
            tokio::task::spawn_blocking(move || Database::connect(&url, options)).await??;
        Ok(database)
    }
}
