//! Who is asking: password sign-in on a private cookie, CSRF tokens, the optional
//! trusted-header identity, the argon2 password verifier the core's sign-in uses, and the
//! extractors handlers use ([`Viewer`], [`CheckedForm`]).

mod argon2_workers;
pub mod csrf;
pub mod failure_budget;
pub mod form;
pub mod password;
pub mod sign_in;
pub mod sign_in_gate;
pub mod throttle;
pub mod viewer;

pub use argon2_workers::Argon2Verifier;
pub use form::{CheckedForm, NoFields, MAX_FORM_BYTES};
pub use viewer::Viewer;
