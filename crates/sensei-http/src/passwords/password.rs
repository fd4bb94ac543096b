//! argon2id password hashes (demo accounts, tests). Hashing is CPU-heavy, so the async
//! helper runs it on the blocking pool, never on a runtime worker; sign-ins verify on
//! [`super::HashingWorkers`]' own threads.

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

/// A hash of nothing in particular (argon2id with the default parameters), verified against
/// when the email is unknown so that an unknown account takes as long to refuse as a wrong
/// password. A constant: computing it at run time would allocate argon2's memory once more.
pub(super) fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$AAuSAK8ZpBLJn8dR09sg6Q$OGZofCfd1ORl4mUyRoXxlTIZ2M4SWP2iI0SJrhz/EH4"
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

    #[test]
    fn the_decoy_is_a_real_argon2_hash_of_the_default_cost() {
        assert!(verify_password(
            "decoy password for unknown accounts",
            decoy_hash()
        ));
        assert!(decoy_hash().contains("m=19456,t=2,p=1"));
    }
}
