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
        self.migration_job(Job::Apply {
            with_platform: true,
        })
        .await
    }

    /// Runs only the feature's own migrations (`scheduled_sessions`, its indexes and counter):
    /// for a platform that already has its users and submissions tables.
    ///
    /// # Errors
    /// As [`Database::migrate`]; also fails when the platform's `users` or `submissions`
    /// tables are missing on PostgreSQL (foreign keys).
    pub async fn migrate_feature_only(&self) -> Result<Vec<String>, DatabaseError> {
        self.migration_job(Job::Apply {
            with_platform: false,
        })
        .await
    }

    /// The versions of the feature's migrations embedded in this build that the database has
    /// not run yet, oldest first: empty on an up-to-date database. A server started on a
    /// database that misses some fails on what they add (new columns, functions); `sensei
    /// serve` warns with this at start-up. The platform's own migrations are not looked at (a
    /// platform may keep its tables with its own tools).
    ///
    /// # Errors
    /// [`DatabaseError::Connect`] when no connection can be had; [`DatabaseError::Migration`]
    /// when the applied migrations cannot be read.
    pub async fn pending_feature_migrations(&self) -> Result<Vec<String>, DatabaseError> {
        self.migration_job(Job::ListPending).await
    }

    async fn migration_job(&self, job: Job) -> Result<Vec<String>, DatabaseError> {
        let backend = self.backend_name();
        let pools = self.pools.clone();
        let task = tokio::task::spawn_blocking(move || match pools {
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(pool) => {
                let mut conn = pool.get().map_err(|e| connect_error(backend, &e))?;
                let sets = (migrations::SQLITE_PLATFORM, migrations::SQLITE_FEATURE);
                job.run(&mut conn.conn, backend, sets)
            }
            #[cfg(feature = "postgres")]
            Pools::Postgres(pool) => {
                let mut conn = pool.get().map_err(|e| connect_error(backend, &e))?;
                let sets = (migrations::POSTGRES_PLATFORM, migrations::POSTGRES_FEATURE);
                job.run(&mut conn.conn, backend, sets)
            }
        });
        task.await
            .map_err(|error| DatabaseError::Task(error.to_string()))?
    }
}

/// What to do with a backend's migration sets (platform, feature), on one connection.
#[derive(Debug, Clone, Copy)]
enum Job {
    /// Run the pending ones: the platform's and the feature's, or the feature's only.
    Apply { with_platform: bool },
    /// List the feature's pending ones.
    ListPending,
}

impl Job {
    fn run<C>(
        self,
        conn: &mut C,
        backend: &'static str,
        (platform, feature): (EmbeddedMigrations, EmbeddedMigrations),
    ) -> Result<Vec<String>, DatabaseError>
    where
        C: MigrationHarness<C::Backend> + Connection,
    {
        match self {
            Job::Apply {
                with_platform: true,
            } => apply(conn, backend, vec![platform, feature]),
            Job::Apply {
                with_platform: false,
            } => apply(conn, backend, vec![feature]),
            Job::ListPending => pending(conn, backend, feature),
        }
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

fn pending<C>(
    conn: &mut C,
    backend: &'static str,
    source: EmbeddedMigrations,
) -> Result<Vec<String>, DatabaseError>
where
    C: MigrationHarness<C::Backend> + Connection,
{
    let migrations = conn
        .pending_migrations(source)
        .map_err(|error| DatabaseError::Migration {
            backend,
            reason: error.to_string(),
        })?;
    Ok(migrations
        .iter()
        .map(|migration| migration.name().version().to_string())
        .collect())
}
