//! Passwords, below everything that asks who is signing in: argon2 hashes (new ones, and
//! the decoy that keeps unknown emails as slow as known ones), the platform's Werkzeug
//! hashes, and [`HashingWorkers`], the core's password ports on dedicated threads within a
//! memory budget.

mod hashing_workers;
mod password;
mod stored_hash;
mod werkzeug;

pub use hashing_workers::{HashingWorkers, DEFAULT_MEMORY_BUDGET_MIB};
pub use password::{hash_password, hash_password_async, verify_password, HashError};
