//! `sensei backup --to FILE`: an online, consistent copy of a SQLite database (`VACUUM INTO`),
//! taken while the service keeps serving. PostgreSQL is backed up with its own tools.

use std::path::PathBuf;

use clap::Args;
use sensei_diesel::{DatabaseUrl, POSTGRES_BACKUP_HINT};

use super::database::DatabaseArgs;
use super::CliResult;

/// `sensei backup --to FILE [--database-url URL]`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The database to copy (SQLite).
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The new file to write the copy to; it must not exist yet (a backup never overwrites).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

/// Copies the database and prints a summary line.
///
/// # Errors
/// For a PostgreSQL URL (with how to back it up instead), an existing target file or a
/// symbolic link, a missing directory, or a copy that fails or does not pass its check.
pub async fn run(args: BackupArgs) -> CliResult {
    let url = args.database.url(None)?;
    if matches!(url, DatabaseUrl::Postgres(_)) {
        return Err(POSTGRES_BACKUP_HINT.into());
    }
    // The target (existing, a link, a missing directory) is checked where the file is
    // created, by `Database::backup_to`: checking here too would follow links.
    let database = args.database.connect(&url).await?;
    super::output::error_line(format_args!(
        "backing up {url} to {} ...",
        args.to.display()
    ));
    let summary = database.backup_to(&args.to).await?;
    super::output::line(format_args!(
        "backed up {url} to {}: {} scheduled sessions, {:.1} MiB, checked, in {:.2} s",
        summary.path.display(),
        summary.scheduled_sessions,
        mebibytes(summary.bytes),
        summary.elapsed.as_secs_f64()
    ))?;
    Ok(())
}

/// Bytes in MiB, for people.
fn mebibytes(bytes: u64) -> f64 {
    // Precision is irrelevant at these sizes; `as` would be flagged, so go through u32 parts.
    let whole = u32::try_from(bytes >> 20).unwrap_or(u32::MAX);
    let part = u32::try_from(bytes & 0xF_FFFF).unwrap_or(0);
    f64::from(whole) + f64::from(part) / f64::from(1_u32 << 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_mebibytes() {
        assert!((mebibytes(3 << 20) - 3.0).abs() < 1e-9);
        assert!((mebibytes(1 << 19) - 0.5).abs() < 1e-9);
    }
}
