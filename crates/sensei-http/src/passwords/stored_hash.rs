//! Which format a stored password hash is in, and how much memory checking it takes: argon2
//! (PHC strings, written here) or the platform's Werkzeug `scrypt:` and `pbkdf2:` hashes.
//! Anything else never matches, and is logged once per format, not once per sign-in.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use argon2::password_hash::phc::PasswordHash;
use argon2::Params;

use super::werkzeug::{self, WerkzeugHash};

/// A mebibyte.
pub const MIB: u64 = 1 << 20;

/// How a stored hash is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredHash<'a> {
    /// An argon2 PHC string needing this many 1 KiB blocks.
    Argon2 {
        /// The PHC string.
        phc: &'a str,
        /// Its memory cost in 1 KiB blocks.
        blocks: usize,
    },
    /// One of the platform's Werkzeug hashes.
    Werkzeug(WerkzeugHash<'a>),
    /// A format this build cannot check (or parameters out of range): never matches. The
    /// label names the format for the log, without the salt or the hash.
    Unknown(String),
}

impl<'a> StoredHash<'a> {
    /// Sorts `hash` by its format.
    pub fn classify(hash: &'a str) -> Self {
        if hash.starts_with('$') {
            return match argon2_blocks(hash) {
                Some(blocks) => StoredHash::Argon2 { phc: hash, blocks },
                None => StoredHash::Unknown(label(hash)),
            };
        }
        if werkzeug::looks_like_werkzeug(hash) {
            if let Some(parsed) = werkzeug::parse(hash) {
                return StoredHash::Werkzeug(parsed);
            }
        }
        StoredHash::Unknown(label(hash))
    }

    /// The memory a check takes, in whole MiB (at least 1): argon2's blocks, scrypt's
    /// `128 · r · N` work area; PBKDF2 and unknown formats next to nothing.
    pub fn memory_mib(&self) -> u64 {
        let bytes = match self {
            StoredHash::Argon2 { blocks, .. } => (*blocks as u64).saturating_mul(1024),
            StoredHash::Werkzeug(WerkzeugHash::Scrypt { cost, .. }) => cost.work_area_bytes(),
            StoredHash::Werkzeug(WerkzeugHash::Pbkdf2 { .. }) | StoredHash::Unknown(_) => 0,
        };
        bytes.div_ceil(MIB).max(1)
    }
}

/// The blocks an argon2 PHC string asks for; `None` when it is not one.
fn argon2_blocks(hash: &str) -> Option<usize> {
    let parsed = PasswordHash::new(hash).ok()?;
    argon2::Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
    Params::try_from(&parsed)
        .ok()
        .map(|params| params.block_count())
}

/// Hash scheme names the log may show: a closed set, so that a row holding something else
/// (a plain-text password, say) never reaches the log, not even in part.
const KNOWN_SCHEMES: &[&str] = &[
    "1",
    "2",
    "2a",
    "2b",
    "2x",
    "2y",
    "5",
    "6",
    "7",
    "y",
    "gy",
    "apr1",
    "argon2i",
    "argon2d",
    "argon2id",
    "bcrypt",
    "bcrypt-sha256",
    "md5",
    "md5-crypt",
    "pbkdf2",
    "pbkdf2-sha1",
    "pbkdf2-sha256",
    "pbkdf2-sha512",
    "pbkdf2_sha256",
    "scrypt",
    "sha1",
    "sha256",
    "sha512",
    "sha256-crypt",
    "sha512-crypt",
    "yescrypt",
];

/// The format's name as the log shows it: the text before the first `$` (after a leading
/// one) or `:`, when it is one of [`KNOWN_SCHEMES`]; otherwise `unrecognised`. Never the
/// salt, the hash or anything else from the row.
fn label(hash: &str) -> String {
    let name = hash
        .trim_start_matches('$')
        .split(['$', ':'])
        .next()
        .unwrap_or_default();
    let delimited = hash.trim_start_matches('$').len() > name.len();
    match KNOWN_SCHEMES.iter().find(|known| **known == name) {
        Some(known) if delimited => (*known).to_owned(),
        _ => "unrecognised".to_owned(),
    }
}

/// The most formats remembered; past it, further new ones are not logged (a table full of
/// odd hashes cannot grow memory).
const MAX_REMEMBERED: usize = 32;

/// Remembers which unknown formats were logged, so each is logged once.
#[derive(Debug, Default)]
pub struct UnknownFormats {
    seen: Mutex<HashSet<String>>,
}

impl UnknownFormats {
    /// Logs a warning the first time `label` is met; `true` when it logged.
    pub fn warn_once(&self, label: &str) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= MAX_REMEMBERED || seen.contains(label) {
            return false;
        }
        seen.insert(label.to_owned());
        drop(seen);
        tracing::warn!(
            format = label,
            "a stored password hash is in a format this service cannot check (argon2, \
             Werkzeug scrypt: and pbkdf2:sha256: are): sign-ins with it fail as a wrong \
             password; set a new password with `sensei user set-password`"
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_with_their_memory() {
        let argon2 = "$argon2id$v=19$m=19456,t=2,p=1$AAuSAK8ZpBLJn8dR09sg6Q$OGZofCfd1ORl4mUyRoXxlTIZ2M4SWP2iI0SJrhz/EH4";
        let hash = StoredHash::classify(argon2);
        assert!(matches!(hash, StoredHash::Argon2 { blocks: 19456, .. }));
        assert_eq!(hash.memory_mib(), 19);
        let scrypt = StoredHash::classify("scrypt:32768:8:1$salt$00ff");
        assert!(matches!(scrypt, StoredHash::Werkzeug(_)));
        assert_eq!(scrypt.memory_mib(), 32);
        let pbkdf2 = StoredHash::classify("pbkdf2:sha256:1000$salt$00ff");
        assert_eq!(pbkdf2.memory_mib(), 1);
    }

    #[test]
    fn unknown_formats_are_labelled_without_secrets() {
        for (hash, expected) in [
            ("$2b$12$abcdefghijklmnopqrstuv", "2b"),
            ("bcrypt$salt$hash", "bcrypt"),
            ("pbkdf2:md5:1000$salt$00", "pbkdf2"),
            ("$argon2id$broken", "argon2id"),
            ("plaintext password", "unrecognised"),
            ("hunter22:x", "unrecognised"),
            ("sha1", "unrecognised"),
            ("", "unrecognised"),
            ("sha1$salt$deadbeef", "sha1"),
        ] {
            assert_eq!(
                StoredHash::classify(hash),
                StoredHash::Unknown(expected.to_owned()),
                "{hash}"
            );
        }
    }

    #[test]
    fn each_unknown_format_is_logged_once() {
        let formats = UnknownFormats::default();
        assert!(formats.warn_once("bcrypt"));
        assert!(!formats.warn_once("bcrypt"));
        assert!(formats.warn_once("sha1"));
        for i in 0..100 {
            formats.warn_once(&format!("f{i}"));
        }
        assert_eq!(
            formats.seen.lock().unwrap().len(),
            MAX_REMEMBERED,
            "bounded"
        );
    }
}
