//! Turns every error of the core into one of the package's exception classes, by its kind
//! (the one table below), carrying the core's stable code and message.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use sensei_core::{DomainError, ErrorKind};
use sensei_diesel::DatabaseError;

/// The Python module that defines the exception classes.
const ERRORS_MODULE: &str = "sensei._errors";

/// The exception class for an error kind. `Unauthenticated` cannot arise here (the platform
/// signs users in and passes their ids), so it maps to `Forbidden`.
fn class_name(kind: ErrorKind, code: &str) -> &'static str {
    match kind {
        ErrorKind::NotFound => "NotFound",
        ErrorKind::Unauthenticated | ErrorKind::Forbidden => "Forbidden",
        // A refused booking is `NotEligible` (a subclass of `Refused`), so that the
        // platform's `book()` can catch exactly that.
        ErrorKind::Refused if matches!(code, "ineligible" | "too_many_open_sessions") => {
            "NotEligible"
        }
        ErrorKind::Refused => "Refused",
        ErrorKind::Conflict => "Conflict",
        ErrorKind::InvalidInput => "InvalidInput",
        ErrorKind::Unavailable => "Unavailable",
        ErrorKind::Internal => "InternalError",
    }
}

/// A Python exception of the class named `class`, with `message` and `code`.
pub fn raise(class: &str, message: String, code: &str) -> PyErr {
    Python::attach(|py| {
        let built = py
            .import(ERRORS_MODULE)
            .and_then(|module| module.getattr(class))
            .and_then(|class| class.call1((message.clone(), code)));
        match built {
            Ok(instance) => PyErr::from_value(instance),
            // Only if the package's Python files are missing: still an exception, never a
            // panic.
            Err(_) => PyRuntimeError::new_err(format!("{code}: {message}")),
        }
    })
}

/// The exception for an error of the core.
pub fn domain_error<E: DomainError>(error: E) -> PyErr {
    let code = error.code();
    raise(class_name(error.kind(), code), error.to_string(), code)
}

/// An argument out of range: `InvalidInput` (also a `ValueError`).
pub fn invalid_input(message: impl Into<String>) -> PyErr {
    raise("InvalidInput", message.into(), "invalid_input")
}

/// A database that cannot be opened, migrated or reached.
pub fn database_error(error: DatabaseError) -> PyErr {
    match error {
        DatabaseError::InvalidUrl { .. } | DatabaseError::BackendNotBuilt { .. } => {
            raise("InvalidInput", error.to_string(), "invalid_input")
        }
        DatabaseError::Migration { .. } | DatabaseError::Task(_) => {
            raise("InternalError", error.to_string(), "internal")
        }
        _ => raise("Unavailable", error.to_string(), "unavailable"),
    }
}
