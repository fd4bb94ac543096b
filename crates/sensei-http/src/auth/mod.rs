//! Who is asking: password sign-in, the private session cookie, CSRF tokens, the optional
//! trusted-header identity, and the extractors handlers use ([`Viewer`], [`CheckedForm`]).

pub mod csrf;
pub mod form;
pub mod password;
pub mod session;
pub mod viewer;

pub use form::{CheckedForm, NoFields, MAX_FORM_BYTES};
pub use session::SessionUser;
pub use viewer::Viewer;
