//! Running the embedded migrations (both sets, or the feature's only).

use diesel::Connection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use super::{Database, Pools};
use crate::error::DatabaseError;
use crate::migrations;

impl Database {
    /// Runs the platform schema and then the feature's migrations that have not run yet
    /// (standalone service). Returns the versions applied now, in order.
    ///
    /// # Errors
    /// [`DatabaseError::Connect`] when no connection can be had; [`DatabaseError::Migration`]
    /// when a migration fails.
    pub async fn migrate(&self) -> Result<Vec<String>, DatabaseError> {
        self.run_migrations(true).await
    }

    /// Runs only the feature's own migrations (`scheduled_sessions`, its indexes and counter):
    /// for a platform that already has its users and submissions tables.
    ///
    /// # Errors
    /// As [`Database::migrate`]; also fails when the platform's `users` or `submissions`
    /// tables are missing on PostgreSQL (foreign keys).
    pub async fn migrate_feature_only(&self) -> Result<Vec<String>, DatabaseError> {
        self.run_migrations(false).await
    }

    async fn run_migrations(&self, with_platform: bool) -> Result<Vec<String>, DatabaseError> {
        let backend = self.backend_name();
        let pools = self.pools.clone();
        let task = tokio::task::spawn_blocking(move || match pools {
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(pool) => {
                let mut conn = pool.get().map_err(|e| connect_error(backend, &e))?;
                let sources = if with_platform {
                    vec![migrations::SQLITE_PLATFORM, migrations::SQLITE_FEATURE]
                } else {
                    vec![migrations::SQLITE_FEATURE]
                };
                apply(&mut conn.conn, backend, sources)
            }
            #[cfg(feature = "postgres")]
            Pools::Postgres(pool) => {
                let mut conn = pool.get().map_err(|e| connect_error(backend, &e))?;
                let sources = if with_platform {
                    vec![migrations::POSTGRES_PLATFORM, migrations::POSTGRES_FEATURE]
                } else {
                    vec![migrations::POSTGRES_FEATURE]
                };
                apply(&mut conn.conn, backend, sources)
            }
        });
        task.await
            .map_err(|error| DatabaseError::Task(error.to_string()))?
    }
}

fn connect_error(backend: &'static str, error: &diesel::r2d2::PoolError) -> DatabaseError {
    DatabaseError::Connect {
        backend,
        target: "the configured database".to_owned(),
        reason: error.to_string(),
        hint: "; check that the server is running and the URL, user and database are right",
    }
}

fn apply<C>(
    conn: &mut C,
    backend: &'static str,
    sources: Vec<EmbeddedMigrations>,
) -> Result<Vec<String>, DatabaseError>
where
    C: MigrationHarness<C::Backend> + Connection,
{
    let mut applied = Vec::new();
    for source in sources {
        let versions =
            conn.run_pending_migrations(source)
                .map_err(|error| DatabaseError::Migration {
                    backend,
                    reason: error.to_string(),
                })?;
        applied.extend(versions.into_iter().map(|version| version.to_string()));
    }
    Ok(applied)
}
