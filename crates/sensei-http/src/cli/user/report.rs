//! What `sensei user ...` prints: written in one go to a locked standard output (or error),
//! so a closed pipe (`sensei user list | head -1`) ends the output quietly instead of
//! panicking as `println!` would.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sensei_core::services::ImportedRow;
use sensei_core::AccountSummary;

use crate::cli::CliResult;
use crate::import_csv::BadRow;

/// Writes `text` and a line break to standard output.
///
/// # Errors
/// When standard output cannot be written (other than a closed pipe).
pub fn line(text: &str) -> CliResult {
    emit(&mut std::io::stdout().lock(), &format!("{text}\n"))
}

/// The account table: email, role, disabled (since when), created.
///
/// # Errors
/// As [`line`].
pub fn accounts(accounts: &[AccountSummary]) -> CliResult {
    emit(&mut std::io::stdout().lock(), &account_table(accounts))
}

/// The import's report: each failed row by line on standard error, each added row and a
/// summary on standard output. Fails (exit status 1) when any row failed.
///
/// # Errors
/// When a row failed, or an output cannot be written.
pub fn import(file: &str, bad: &[BadRow], imported: &[ImportedRow]) -> CliResult {
    let mut failures: Vec<(u64, String)> = bad
        .iter()
        .map(|row| (row.line, row.reason.clone()))
        .collect();
    let mut added = String::new();
    for row in imported {
        match &row.outcome {
            Ok(_) => {
                let _ = writeln!(added, "{file}:{}: added", row.line);
            }
            Err(error) => failures.push((row.line, error.to_string())),
        }
    }
    failures.sort_by_key(|(line, _)| *line);
    let mut errors = String::new();
    for (line, reason) in &failures {
        let _ = writeln!(errors, "{file}:{line}: {reason}");
    }
    let total = imported.len() + bad.len();
    let succeeded = total - failures.len();
    let _ = writeln!(
        added,
        "imported {succeeded} of {total} rows from {file}; {} failed",
        failures.len()
    );
    emit(&mut std::io::stderr().lock(), &errors)?;
    emit(&mut std::io::stdout().lock(), &added)?;
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of {total} rows of {file} were not imported (each is listed above with its line)",
            failures.len()
        )
        .into())
    }
}

fn account_table(accounts: &[AccountSummary]) -> String {
    if accounts.is_empty() {
        return "no accounts: add one with `sensei user add EMAIL --role ROLE`\n".to_owned();
    }
    let width = accounts
        .iter()
        .map(|summary| summary.account.email.chars().count())
        .max()
        .unwrap_or(0)
        .max("EMAIL".len());
    let mut table = format!(
        "{:<width$}  {:<10}  {:<20}  CREATED\n",
        "EMAIL", "ROLE", "DISABLED"
    );
    for summary in accounts {
        let _ = writeln!(
            table,
            "{:<width$}  {:<10}  {:<20}  {}",
            summary.account.email,
            summary.account.role.as_str(),
            when(summary.disabled_at, "no"),
            when(summary.created_at, "-"),
        );
    }
    table
}

fn when(at: Option<DateTime<Utc>>, otherwise: &str) -> String {
    at.map_or_else(
        || otherwise.to_owned(),
        |at| at.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// Writes `text` whole; a closed pipe is not an error (the reader has gone).
fn emit(out: &mut impl std::io::Write, text: &str) -> CliResult {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the output: {error}").into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use sensei_core::{Account, Role, UserId};

    use super::*;

    #[test]
    fn the_table_lines_up_and_says_no_for_enabled_accounts() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let summary = |email: &str, role, disabled_at| AccountSummary {
            account: Account {
                id: UserId(1),
                email: email.into(),
                role,
            },
            created_at: Some(at),
            disabled_at,
        };
        let table = account_table(&[
            summary("a@example.com", Role::Admin, None),
            summary("longer@example.com", Role::Student, Some(at)),
        ]);
        assert_eq!(
            table,
            "EMAIL               ROLE        DISABLED              CREATED\n\
             a@example.com       admin       no                    2026-03-01 08:00 UTC\n\
             longer@example.com  student     2026-03-01 08:00 UTC  2026-03-01 08:00 UTC\n"
        );
    }

    #[test]
    fn a_closed_pipe_ends_the_output_quietly() {
        struct Closed;
        impl std::io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        assert!(emit(&mut Closed, "text").is_ok());
    }
}
