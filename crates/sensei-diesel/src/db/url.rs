//! Where the database is: parsing `DATABASE_URL`-style strings.

use std::path::PathBuf;

use crate::error::{redact, DatabaseError};

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite database file (created if absent).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://...` or `postgresql://...`).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `postgres://…`/`postgresql://…` (PostgreSQL), `sqlite://PATH`, `sqlite:PATH` or a
    /// plain file path (SQLite).
    ///
    /// ```
    /// use sensei_diesel::DatabaseUrl;
    /// assert!(matches!(DatabaseUrl::parse("sqlite://data/s.db"), Ok(DatabaseUrl::Sqlite(_))));
    /// assert!(matches!(DatabaseUrl::parse("postgres://u@h/db"), Ok(DatabaseUrl::Postgres(_))));
    /// assert!(DatabaseUrl::parse("mysql://x").is_err());
    /// ```
    ///
    /// # Errors
    /// [`DatabaseError::InvalidUrl`] for an empty URL, an unknown scheme, an empty path or an
    /// in-memory SQLite database (each pooled connection would get its own empty database).
    pub fn parse(raw: &str) -> Result<DatabaseUrl, DatabaseError> {
        let trimmed = raw.trim();
        let invalid = |reason: &str| DatabaseError::InvalidUrl {
            url: redact(trimmed),
            reason: reason.to_owned(),
        };
        if trimmed.is_empty() {
            return Err(invalid("it is empty"));
        }
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(trimmed.to_owned()));
        }
        let path = if lower.starts_with("sqlite://") {
            &trimmed["sqlite://".len()..]
        } else if lower.starts_with("sqlite:") {
            &trimmed["sqlite:".len()..]
        } else if trimmed.contains("://") {
            return Err(invalid("unsupported scheme"));
        } else {
            trimmed
        };
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err(invalid("the SQLite file path is empty"));
        }
        if path == ":memory:" || path.starts_with("file::memory:") {
            return Err(invalid(
                "in-memory SQLite cannot be shared by a connection pool; use a file path",
            ));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }
}

impl std::fmt::Display for DatabaseUrl {
    /// The URL with any password hidden, for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/a.db").ok(),
            Some(DatabaseUrl::Sqlite(PathBuf::from("/tmp/a.db")))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:a.db").ok(),
            Some(DatabaseUrl::Sqlite(PathBuf::from("a.db")))
        );
        assert_eq!(
            DatabaseUrl::parse("data/a.db").ok(),
            Some(DatabaseUrl::Sqlite(PathBuf::from("data/a.db")))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u:p@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("sqlite::memory:").is_err());
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
    }
}
