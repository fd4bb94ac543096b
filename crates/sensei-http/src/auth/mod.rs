//! Who is asking: password sign-in on a private cookie, CSRF tokens, the optional
//! trusted-header identity, the password workers the core's sign-in and account management
//! use (argon2, and the platform's Werkzeug hashes), and the
//! extractors handlers use ([`Viewer`], [`CheckedForm`]).

pub mod bearer;
pub mod csrf;
pub mod failure_budget;
pub mod form;
mod hashing_workers;
pub mod password;
pub mod sign_in;
pub mod sign_in_gate;
mod stored_hash;
pub mod throttle;
pub mod viewer;
mod werkzeug;

pub use form::{CheckedForm, NoFields, MAX_FORM_BYTES};
pub use hashing_workers::{HashingWorkers, DEFAULT_MEMORY_BUDGET_MIB};
pub use viewer::Viewer;
