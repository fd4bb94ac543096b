//! Feed secrets from the operating system's random source.

use sensei_core::ports::RandomSource;
use sensei_core::{RepositoryError, FEED_TOKEN_BYTES};

/// The operating system's random source (`getrandom`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn feed_secret(&self) -> Result<[u8; FEED_TOKEN_BYTES], RepositoryError> {
        let mut bytes = [0_u8; FEED_TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|error| {
            RepositoryError::Internal(format!("no randomness for a calendar feed: {error}"))
        })?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_secrets_differ() {
        let first = OsRandom.feed_secret().unwrap();
        let second = OsRandom.feed_secret().unwrap();
        assert_ne!(first, second);
    }
}
