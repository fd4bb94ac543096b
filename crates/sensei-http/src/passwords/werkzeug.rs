//! The platform's password hashes, as Flask's `werkzeug.security.generate_password_hash`
//! writes them: `METHOD$SALT$HEX`, where `SALT` is used as its UTF-8 text (not decoded) and
//! `HEX` is the derived key in hexadecimal.
//!
//! * `scrypt:N:r:p$salt$hex` (Werkzeug's default `scrypt:32768:8:1`): a 64-byte scrypt key.
//! * `pbkdf2:sha256:ITERATIONS$salt$hex` (also `sha512`): PBKDF2-HMAC with the digest's
//!   size as the key length.
//!
//! Checked as they are (never rewritten), in constant time; scrypt hashes are also written
//! (`--password-format werkzeug-scrypt`) so that the platform can check a password set here.

use pbkdf2::pbkdf2_hmac;
use sha2::{Sha256, Sha512};
use subtle::ConstantTimeEq;

/// The scrypt parameters Werkzeug writes by default (and `scrypt` alone means).
pub const DEFAULT_SCRYPT: ScryptCost = ScryptCost {
    log_n: 15,
    r: 8,
    p: 1,
};

/// The key length of Werkzeug's scrypt hashes (Python's `hashlib.scrypt` default).
const SCRYPT_KEY_BYTES: usize = 64;

/// PBKDF2 iterations when the method names none (Werkzeug 3.1's default).
const DEFAULT_PBKDF2_ITERATIONS: u32 = 1_000_000;

/// The most PBKDF2 iterations a stored hash may ask for: more never matches, so a corrupt row
/// cannot hold a hashing thread for minutes.
pub const MAX_PBKDF2_ITERATIONS: u32 = 5_000_000;

/// The largest scrypt `p` accepted (Werkzeug writes 1); `p` multiplies the time.
const MAX_SCRYPT_P: u32 = 16;

/// Werkzeug's salt alphabet (`string.ascii_letters + string.digits`).
const SALT_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Werkzeug's salt length.
const SALT_LEN: usize = 16;

/// scrypt's cost parameters: `N = 2^log_n`, block size `r`, parallelism `p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScryptCost {
    /// log2 of `N`.
    pub log_n: u8,
    /// Block size.
    pub r: u32,
    /// Parallelism.
    pub p: u32,
}

impl ScryptCost {
    /// The bytes of scrypt's work area, `128 · r · N` (what dominates its memory).
    pub const fn work_area_bytes(self) -> u64 {
        (128 * self.r as u64) << self.log_n
    }
}

/// The PRF of a PBKDF2 hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pbkdf2Digest {
    /// HMAC-SHA-256 (32-byte key).
    Sha256,
    /// HMAC-SHA-512 (64-byte key).
    Sha512,
}

/// A parsed Werkzeug hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WerkzeugHash<'a> {
    /// `scrypt:N:r:p$salt$hex`.
    Scrypt {
        /// The cost.
        cost: ScryptCost,
        /// The salt, as text.
        salt: &'a str,
        /// The expected key.
        expected: Vec<u8>,
    },
    /// `pbkdf2:DIGEST:ITERATIONS$salt$hex`.
    Pbkdf2 {
        /// The PRF.
        digest: Pbkdf2Digest,
        /// The iteration count.
        iterations: u32,
        /// The salt, as text.
        salt: &'a str,
        /// The expected key.
        expected: Vec<u8>,
    },
}

/// Whether `hash` is in a Werkzeug method's shape (`scrypt...$` or `pbkdf2...$`), whether or
/// not it parses: such a hash is never taken for another format.
pub fn looks_like_werkzeug(hash: &str) -> bool {
    let method = hash.split('$').next().unwrap_or_default();
    let name = method.split(':').next().unwrap_or_default();
    hash.contains('$') && (name == "scrypt" || name == "pbkdf2")
}

/// Parses a Werkzeug hash; `None` when it is not one this build can check (an unknown digest,
/// parameters out of range, a key that is not hex).
pub fn parse(hash: &str) -> Option<WerkzeugHash<'_>> {
    let mut fields = hash.splitn(3, '$');
    let (method, salt, hex_key) = (fields.next()?, fields.next()?, fields.next()?);
    let expected = hex::decode(hex_key).ok().filter(|key| !key.is_empty())?;
    let mut args = method.split(':');
    match (args.next()?, args.collect::<Vec<_>>().as_slice()) {
        ("scrypt", []) => Some(WerkzeugHash::Scrypt {
            cost: DEFAULT_SCRYPT,
            salt,
            expected,
        }),
        ("scrypt", [n, r, p]) => {
            let n: u64 = n.parse().ok()?;
            let (r, p): (u32, u32) = (r.parse().ok()?, p.parse().ok()?);
            if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 || p > MAX_SCRYPT_P {
                return None;
            }
            let log_n = u8::try_from(n.trailing_zeros()).ok()?;
            Some(WerkzeugHash::Scrypt {
                cost: ScryptCost { log_n, r, p },
                salt,
                expected,
            })
        }
        ("pbkdf2", rest) => {
            let (digest, iterations) = match rest {
                [] => ("sha256", DEFAULT_PBKDF2_ITERATIONS),
                [digest] => (*digest, DEFAULT_PBKDF2_ITERATIONS),
                [digest, iterations] => (*digest, iterations.parse().ok()?),
                _ => return None,
            };
            let digest = match digest {
                "sha256" => Pbkdf2Digest::Sha256,
                "sha512" => Pbkdf2Digest::Sha512,
                _ => return None,
            };
            if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
                return None;
            }
            Some(WerkzeugHash::Pbkdf2 {
                digest,
                iterations,
                salt,
                expected,
            })
        }
        _ => None,
    }
}

/// Whether `password` matches the parsed hash (constant-time comparison of the keys).
pub fn verify(password: &str, hash: &WerkzeugHash<'_>) -> bool {
    let computed = match hash {
        WerkzeugHash::Scrypt { cost, salt, .. } => {
            match scrypt_key(password, salt.as_bytes(), *cost) {
                Some(key) => key,
                None => return false,
            }
        }
        WerkzeugHash::Pbkdf2 {
            digest,
            iterations,
            salt,
            ..
        } => {
            let mut key = vec![0_u8; digest_len(*digest)];
            match digest {
                Pbkdf2Digest::Sha256 => {
                    pbkdf2_hmac::<Sha256>(
                        password.as_bytes(),
                        salt.as_bytes(),
                        *iterations,
                        &mut key,
                    );
                }
                Pbkdf2Digest::Sha512 => {
                    pbkdf2_hmac::<Sha512>(
                        password.as_bytes(),
                        salt.as_bytes(),
                        *iterations,
                        &mut key,
                    );
                }
            }
            key
        }
    };
    let expected = match hash {
        WerkzeugHash::Scrypt { expected, .. } | WerkzeugHash::Pbkdf2 { expected, .. } => expected,
    };
    // `ct_eq` on slices of different lengths is false (Werkzeug compares the hex the same way).
    bool::from(computed.ct_eq(expected))
}

/// A new `scrypt:32768:8:1$salt$hex` hash of `password`, as Werkzeug writes it, with a fresh
/// 16-character salt.
///
/// # Errors
/// When the operating system gives no randomness for the salt.
pub fn hash_scrypt(password: &str) -> Result<String, String> {
    let salt = new_salt()?;
    let key = scrypt_key(password, salt.as_bytes(), DEFAULT_SCRYPT)
        .ok_or_else(|| "scrypt refused its parameters".to_owned())?;
    Ok(format!(
        "scrypt:{}:{}:{}${salt}${}",
        1_u64 << DEFAULT_SCRYPT.log_n,
        DEFAULT_SCRYPT.r,
        DEFAULT_SCRYPT.p,
        hex::encode(key)
    ))
}

fn digest_len(digest: Pbkdf2Digest) -> usize {
    match digest {
        Pbkdf2Digest::Sha256 => 32,
        Pbkdf2Digest::Sha512 => 64,
    }
}

fn scrypt_key(password: &str, salt: &[u8], cost: ScryptCost) -> Option<Vec<u8>> {
    let params = scrypt::Params::new(cost.log_n, cost.r, cost.p, SCRYPT_KEY_BYTES).ok()?;
    let mut key = vec![0_u8; SCRYPT_KEY_BYTES];
    scrypt::scrypt(password.as_bytes(), salt, &params, &mut key).ok()?;
    Some(key)
}

/// Werkzeug's salt: [`SALT_LEN`] characters of [`SALT_CHARS`], drawn without modulo bias.
fn new_salt() -> Result<String, String> {
    let mut salt = String::with_capacity(SALT_LEN);
    let mut bytes = [0_u8; 64];
    while salt.len() < SALT_LEN {
        getrandom::fill(&mut bytes)
            .map_err(|error| format!("no randomness for a salt: {error}"))?;
        // 248 = 4 · 62: bytes at or above it would favour the first characters.
        for byte in bytes.iter().filter(|&&byte| byte < 248) {
            if salt.len() == SALT_LEN {
                break;
            }
            if let Some(&c) = SALT_CHARS.get(usize::from(*byte) % SALT_CHARS.len()) {
                salt.push(char::from(c));
            }
        }
    }
    Ok(salt)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The password of every fixture below.
    const PASSWORD: &str = "correct horse battery";

    // Made by Werkzeug 3.1.9's `generate_password_hash(PASSWORD, method=...)`: public test
    // vectors of a known password.
    const SCRYPT_DEFAULT: &str = "scrypt:32768:8:1$N7TPJDT3x8uryypg$a8f3987074d6b31f99263d7fdc86eb70b6f6412e41c6f7ae664e48926a461e573e106f1a4b91fab01da743fc81535794cf7981b6aa507dbfcbdc1859c9c15fc2";
    const SCRYPT_16384: &str = "scrypt:16384:8:1$QzpGDNq3s2FVbyOi$842efa244fa556880c42c45c72b3c5e1d5d890bbeeca8256c3c4c837d9ee6ead11e819953fa333d2345395e2f7a3829d9784fcb4a54d25ef453e7ebc28a3d5e6";
    const PBKDF2_SHA256_1000: &str = "pbkdf2:sha256:1000$x3vG5Uo7yrVUeDeu$10aab2b844f8e012a48dce78034bdaf1f097a810269ec3a50657b19bef1951c7";
    const PBKDF2_SHA256_DEFAULT: &str = "pbkdf2:sha256:1000000$kPDjSooGovLJkAau$d657aabcc1d4d7f1c61155a453604a13c71a21382052df91a0f8d3d3c3c04fd2";
    const PBKDF2_SHA512_1000: &str = "pbkdf2:sha512:1000$jh5Gf3PnepSXnvTN$016f03c7f537c9d361e81726e5030bcf36f722171dca995f65cf3fa5a5867d999581f17af736a870750890ec5586756f832b80a4d3f82923332dae8355ebaa39";
    /// `generate_password_hash("pässwörd ünicode")`: the password is hashed as UTF-8.
    const SCRYPT_UNICODE: &str = "scrypt:32768:8:1$244zZVcUGp4tLWo8$48b35eea09cb94bc4a773864accc192049b49e705bf1efdb286bc4718bcc3eebb38e5473b232a2eac0397b1c6691246caad29267d79bdde65b0793f6047595fd";

    fn checks(password: &str, hash: &str) -> bool {
        verify(password, &parse(hash).unwrap())
    }

    #[test]
    fn werkzeug_scrypt_hashes_verify_their_password_only() {
        assert!(checks(PASSWORD, SCRYPT_DEFAULT));
        assert!(!checks("correct horse batterY", SCRYPT_DEFAULT));
        assert!(checks(PASSWORD, SCRYPT_16384));
        assert!(checks("pässwörd ünicode", SCRYPT_UNICODE));
        assert!(!checks("password unicode", SCRYPT_UNICODE));
    }

    #[test]
    fn werkzeug_pbkdf2_hashes_verify_their_password_only() {
        assert!(checks(PASSWORD, PBKDF2_SHA256_1000));
        assert!(!checks("", PBKDF2_SHA256_1000));
        assert!(checks(PASSWORD, PBKDF2_SHA512_1000));
        assert!(!checks("correct horse", PBKDF2_SHA512_1000));
    }

    #[test]
    fn werkzeugs_default_pbkdf2_cost_verifies() {
        assert!(checks(PASSWORD, PBKDF2_SHA256_DEFAULT));
    }

    #[test]
    fn parameters_are_read_from_the_method() {
        match parse(SCRYPT_16384).unwrap() {
            WerkzeugHash::Scrypt { cost, salt, .. } => {
                assert_eq!(
                    cost,
                    ScryptCost {
                        log_n: 14,
                        r: 8,
                        p: 1
                    }
                );
                assert_eq!(salt, "QzpGDNq3s2FVbyOi");
                assert_eq!(cost.work_area_bytes(), 16 << 20);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(DEFAULT_SCRYPT.work_area_bytes(), 32 << 20);
        match parse(PBKDF2_SHA256_1000).unwrap() {
            WerkzeugHash::Pbkdf2 {
                digest, iterations, ..
            } => assert_eq!((digest, iterations), (Pbkdf2Digest::Sha256, 1000)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_or_out_of_range_hashes_do_not_parse() {
        for hash in [
            "scrypt:32768:8:1$salt",           // no key
            "scrypt:32768:8:1$salt$zz",        // not hex
            "scrypt:32768:8:1$salt$",          // empty key
            "scrypt:30000:8:1$salt$00",        // N not a power of two
            "scrypt:32768:0:1$salt$00",        // r = 0
            "scrypt:32768:8:99$salt$00",       // p too large
            "scrypt:32768:8$salt$00",          // missing p
            "pbkdf2:md5:1000$salt$00",         // unknown digest
            "pbkdf2:sha256:0$salt$00",         // no iterations
            "pbkdf2:sha256:999999999$salt$00", // too many iterations
            "pbkdf2:sha256:1000:7$salt$00",    // extra field
            "bcrypt$salt$00",                  // another method
        ] {
            assert_eq!(parse(hash), None, "{hash}");
        }
        assert!(looks_like_werkzeug("scrypt:30000:8:1$salt$00"));
        assert!(looks_like_werkzeug("pbkdf2:md5:1000$salt$00"));
        assert!(!looks_like_werkzeug("$argon2id$v=19$m=19456,t=2,p=1$x$y"));
        assert!(!looks_like_werkzeug("scrypt"));
    }

    #[test]
    fn a_key_of_another_length_never_matches() {
        // The fixture's key cut in half: the prefix of the right key is still refused.
        let cut = &SCRYPT_16384[..SCRYPT_16384.len() - 64];
        assert!(!checks(PASSWORD, cut));
    }

    #[test]
    fn hashes_written_here_are_werkzeugs_default_format_and_verify() {
        let hash = hash_scrypt("a new password").unwrap();
        let (method, rest) = hash.split_once('$').unwrap();
        let (salt, key) = rest.split_once('$').unwrap();
        assert_eq!(method, "scrypt:32768:8:1");
        assert_eq!(salt.len(), 16);
        assert!(salt.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(key.len(), 128);
        assert!(checks("a new password", &hash));
        assert!(!checks("another password", &hash));
        assert_ne!(hash, hash_scrypt("a new password").unwrap(), "fresh salts");
    }
}
