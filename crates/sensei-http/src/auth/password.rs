//! argon2id password hashes, and [`Argon2Verifier`], the core's password-verification port.
//! Hashing and verifying are CPU-heavy, so the async helpers run them on the blocking pool,
//! never on a runtime worker.

use std::sync::OnceLock;

use async_trait::async_trait;
use sensei_core::ports::PasswordVerifier as VerifyPasswords;

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

/// Verifies argon2 (PHC) hashes on the blocking pool: the password port of the core's
/// sign-in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Argon2Verifier;

#[async_trait]
impl VerifyPasswords for Argon2Verifier {
    async fn verify(&self, password: String, hash: Option<String>) -> bool {
        verify_password_async(password, hash).await
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
}
