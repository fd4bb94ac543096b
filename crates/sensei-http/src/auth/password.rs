//! argon2id password hashes, and [`Argon2Verifier`], the core's password-verification port.
//! Hashing and verifying are CPU-heavy, so the async helpers run them on the blocking pool,
//! never on a runtime worker.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use sensei_core::ports::PasswordVerifier as VerifyPasswords;
use sensei_core::RepositoryError;
use tokio::sync::Semaphore;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

/// Hashing failed (the random salt could not be drawn, or the hasher refused the input).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes a password into a PHC string (`$argon2id$v=19$...`) with a fresh random salt.
///
/// # Errors
/// [`HashError`] when the salt cannot be drawn or hashing fails.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| HashError(error.to_string()))
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of nothing in particular, verified against when the email is unknown so that an
/// unknown account takes as long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password for unknown accounts").unwrap_or_default())
}

/// [`hash_password`] on the blocking pool.
///
/// # Errors
/// [`HashError`] when hashing fails or the blocking task dies.
pub async fn hash_password_async(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| HashError(error.to_string()))?
}

/// Verifies on the blocking pool; with `hash` `None` (unknown account) verifies against a
/// decoy and returns `false`, taking the same time.
pub async fn verify_password_async(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&password, &hash),
        None => {
            let _ = verify_password(&password, decoy_hash());
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// Verifies argon2 (PHC) hashes on the blocking pool, at most one per core at a time: the
/// password port of the core's sign-in. Each check holds about 19 MiB, so a flood of
/// sign-ins waits here (asynchronously, bounded in time) instead of growing memory.
#[derive(Debug, Clone)]
pub struct Argon2Verifier {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Argon2Verifier {
    /// A verifier running at most `concurrent` checks at once; a check that cannot start
    /// within `wait` is refused as unavailable.
    pub fn new(concurrent: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
            wait,
        }
    }
}

impl Default for Argon2Verifier {
    /// One check per core; a check waits at most 10 seconds to start.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, Duration::from_secs(10))
    }
}

#[async_trait]
impl VerifyPasswords for Argon2Verifier {
    async fn verify(
        &self,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, RepositoryError> {
        let permit = tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| {
                RepositoryError::Unavailable(
                    "too many sign-ins are being checked right now".to_owned(),
                )
            })?
            .map_err(|_| RepositoryError::Internal("the password checker was closed".to_owned()))?;
        let verified = verify_password_async(password, hash).await;
        drop(permit);
        Ok(verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("sensei-demo").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("sensei-demo", &hash));
        assert!(!verify_password("sensei-dem0", &hash));
        assert!(!verify_password("sensei-demo", "not a hash"));
    }

    #[tokio::test]
    async fn a_check_that_cannot_start_in_time_is_unavailable_not_a_wrong_password() {
        let verifier = Argon2Verifier::new(1, Duration::from_millis(20));
        let _busy = verifier.permits.clone().acquire_owned().await.unwrap();
        let outcome = verifier.verify("x".to_owned(), None).await;
        assert!(matches!(outcome, Err(RepositoryError::Unavailable(_))));
    }
}
