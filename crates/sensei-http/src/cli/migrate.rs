//! `sensei migrate`: applies the embedded migrations.

use clap::Args;

use super::database::DatabaseArgs;
use super::CliResult;

/// `sensei migrate [--database-url URL] [--feature-only]`.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Only the feature's own table (`scheduled_sessions`), for a platform database that
    /// already has its users and submissions.
    #[arg(long)]
    pub feature_only: bool,
}

/// Runs the migrations and prints the versions applied.
///
/// # Errors
/// When the database cannot be reached or a migration fails.
pub async fn run(args: MigrateArgs) -> CliResult {
    let url = args.database.url(None)?;
    let database = args.database.connect(&url).await?;
    let _turn = database
        .startup_lock(super::serve::STARTUP_LOCK_WAIT)
        .await?;
    let applied = if args.feature_only {
        database.migrate_feature_only().await?
    } else {
        database.migrate().await?
    };
    if applied.is_empty() {
        super::output::line(format_args!("{url}: already up to date"))?;
    } else {
        for version in &applied {
            super::output::line(format_args!("{url}: applied {version}"))?;
        }
    }
    Ok(())
}
