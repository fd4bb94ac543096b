//! `sensei user erase EMAIL [--yes]`: the answer to a deletion request (docs/operations.md,
//! "Deletion requests"). It cannot be undone, so it asks for the email again unless `--yes`.

use std::io::BufRead as _;

use sensei_core::services::{AccountManager, AccountService, Erasure};

use super::report;
use crate::cli::CliResult;

/// Confirms (unless `yes`), erases, and says what happened. An email no account has is
/// reported and succeeds: a person erased before keeps no email, so asking again is safe.
///
/// # Errors
/// When the confirmation does not match (nothing erased), the account is the last enabled
/// admin, or the database cannot be reached.
pub async fn run(
    service: &AccountService,
    who: &AccountManager,
    email: &str,
    yes: bool,
) -> CliResult {
    let email = sensei_core::normalize_email(email);
    if !yes {
        confirm(&email).await?;
    }
    match service.erase(who, &email).await? {
        Erasure::Erased(id) => report::line(&format!(
            "erased {email}: the account is now {} (disabled), its notes and cancel reasons \
             read \"{}\"; recorded as erasure of user {}",
            sensei_core::erased_email(id),
            sensei_core::ERASED_TEXT,
            id.0
        )),
        Erasure::NothingToErase => report::line(&format!(
            "nothing to erase: no account has the email {email} (an erased account keeps none)"
        )),
    }
}

/// Asks on standard error for the email again and reads one line of standard input.
async fn confirm(email: &str) -> CliResult {
    let prompt = format!(
        "This erases {email} for good: their email, notes and cancel reasons are replaced \
         and cannot be brought back.\nType the email again to confirm: "
    );
    let typed = tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(prompt.as_bytes());
        let _ = err.flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .await??;
    if sensei_core::normalize_email(&typed) == email {
        Ok(())
    } else {
        Err(
            "not confirmed: the email typed does not match; nothing was erased (use --yes in \
             scripts)"
                .into(),
        )
    }
}
