//! Errors of setting up the database (URL, connection, migrations) and the mapping of Diesel
//! and pool errors into the domain's [`RepositoryError`].

use sensei_core::RepositoryError;

/// A failure to set up or migrate the database, with a message that says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseError {
    /// The database URL could not be understood.
    #[error(
        "invalid database URL {url:?}: {reason}; expected postgres://USER@HOST:PORT/DB, \
         postgresql://..., sqlite://PATH, sqlite:PATH or a plain file path"
    )]
    InvalidUrl {
        /// The URL as given (passwords redacted).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The database could not be opened or reached.
    #[error("cannot connect to the {backend} database at {target}: {reason}{hint}")]
    Connect {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The file or URL (passwords redacted).
        target: String,
        /// The underlying error.
        reason: String,
        /// What to check.
        hint: &'static str,
    },
    /// A migration failed; the database is left at the last migration that succeeded.
    #[error("database migration failed on {backend}: {reason}")]
    Migration {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The underlying error.
        reason: String,
    },
    /// The background task running a database call failed (panicked or was cancelled).
    #[error("database task failed: {0}")]
    Task(String),
    /// The URL names a backend this build was compiled without.
    #[error(
        "this sensei was built without {backend} support, so it cannot open {target}; rebuild \
         with the cargo feature `{feature}` (on by default) or use the other backend"
    )]
    BackendNotBuilt {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// The file or URL (passwords redacted).
        target: String,
        /// The cargo feature that brings it.
        feature: &'static str,
    },
    /// The start-up lock (see `Database::startup_lock`) could not be had.
    #[error("could not take the {backend} start-up lock: {reason}")]
    StartupLock {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// Why.
        reason: String,
    },
    /// A backup could not be made.
    #[error("backup failed: {0}")]
    Backup(String),
}

/// An error inside a blocking database closure: a Diesel error or a domain-level one.
#[derive(Debug)]
pub(crate) enum Fail {
    Diesel(diesel::result::Error),
    Repo(RepositoryError),
}

impl From<diesel::result::Error> for Fail {
    fn from(error: diesel::result::Error) -> Self {
        Fail::Diesel(error)
    }
}

impl From<RepositoryError> for Fail {
    fn from(error: RepositoryError) -> Self {
        Fail::Repo(error)
    }
}

impl From<Fail> for RepositoryError {
    fn from(fail: Fail) -> Self {
        match fail {
            Fail::Repo(error) => error,
            Fail::Diesel(error) => map_diesel(&error),
        }
    }
}

/// Sorts a Diesel error into the domain's three failures:
/// * connection-level trouble (the server went away, the file is locked, the disk is full) is
///   [`RepositoryError::Unavailable`]: HTTP adapters answer 503 and a retry may succeed;
/// * the store refusing the input (a constraint violation, bytes PostgreSQL cannot store in
///   text such as NUL) is [`RepositoryError::Rejected`]: the same input fails again;
/// * everything else (unreadable rows, SQL the store does not understand) is a bug,
///   [`RepositoryError::Internal`].
pub(crate) fn map_diesel(error: &diesel::result::Error) -> RepositoryError {
    use diesel::result::{DatabaseErrorKind, Error};
    let text = error.to_string();
    match error {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _)
        | Error::BrokenTransactionManager => RepositoryError::Unavailable(text),
        Error::DatabaseError(
            DatabaseErrorKind::UniqueViolation
            | DatabaseErrorKind::ForeignKeyViolation
            | DatabaseErrorKind::NotNullViolation
            | DatabaseErrorKind::CheckViolation,
            _,
        ) => RepositoryError::Rejected(text),
        _ if is_unavailable_text(&text) => RepositoryError::Unavailable(text),
        _ if is_rejected_input_text(&text) => RepositoryError::Rejected(text),
        _ => RepositoryError::Internal(text),
    }
}

fn is_unavailable_text(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "database is locked",
        "database table is locked",
        "database or disk is full",
        "disk i/o error",
        "attempt to write a readonly database",
        "server closed the connection",
        "connection refused",
        "could not connect",
        "terminating connection",
        "no connection to the server",
        "the database system is shutting down",
        "the database system is starting up",
        "unable to open database file",
        "could not extend file",
        "no space left on device",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

/// Errors PostgreSQL gives for values it cannot take (libpq refuses NUL in text parameters
/// before sending them; the server refuses invalid encodings and out-of-range values).
fn is_rejected_input_text(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "nul byte",
        "invalid byte sequence",
        "character with value 0x00",
        "out of range",
        "value too long",
        "invalid input syntax",
        "string contains null",
        "interior nul",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

/// Hides the password of a URL such as `postgres://user:secret@host/db`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(index) => rest.split_at(index),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_violations_are_rejected_input_not_an_outage() {
        use diesel::result::{DatabaseErrorKind, Error};
        let violation = Error::DatabaseError(
            DatabaseErrorKind::ForeignKeyViolation,
            Box::new("FOREIGN KEY constraint failed".to_owned()),
        );
        assert!(matches!(
            map_diesel(&violation),
            RepositoryError::Rejected(_)
        ));
        let full = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("database or disk is full".to_owned()),
        );
        assert!(matches!(map_diesel(&full), RepositoryError::Unavailable(_)));
        let nul = Error::QueryBuilderError("nul byte found in provided data".into());
        assert!(matches!(map_diesel(&nul), RepositoryError::Rejected(_)));
        let bug = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("no such column: nope".to_owned()),
        );
        assert!(matches!(map_diesel(&bug), RepositoryError::Internal(_)));
        assert!(matches!(
            map_diesel(&Error::DeserializationError("bad".into())),
            RepositoryError::Internal(_)
        ));
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("/tmp/x.db"), "/tmp/x.db");
    }
}
