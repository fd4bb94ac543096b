//! Who is asking: password sign-in on a private cookie, CSRF tokens, the optional
//! trusted-header identity, bearer tokens on the API, and the extractors handlers use
//! ([`Viewer`], [`CheckedForm`]). Above [`crate::state`]; the password workers
//! ([`crate::passwords`]) and the sign-in limits ([`crate::throttle`]) sit below it.

pub mod csrf;
pub mod flash;
pub mod form;
pub mod sign_in;
pub mod sign_in_gate;
pub mod viewer;

pub use form::{CheckedForm, NoFields, MAX_FORM_BYTES};
pub use viewer::Viewer;
