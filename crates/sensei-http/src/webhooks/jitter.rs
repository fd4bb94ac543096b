//! Random draws for the retry jitter, from the OS random source.

use sensei_core::ports::Jitter;

/// Draws from `getrandom`; if the source fails, no jitter (0).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsJitter;

impl Jitter for OsJitter {
    fn unit(&self) -> f64 {
        let mut bytes = [0_u8; 4];
        if getrandom::fill(&mut bytes).is_err() {
            return 0.0;
        }
        let draw = f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX);
        draw * 2.0 - 1.0
    }
}

/// A fresh endpoint secret: 32 bytes from the OS.
///
/// # Errors
/// The OS random source's failure, as text.
pub fn new_secret() -> Result<sensei_core::WebhookSecret, String> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| format!("no randomness for a secret: {error}"))?;
    Ok(sensei_core::WebhookSecret::from_bytes(&bytes))
}
