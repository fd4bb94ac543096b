//! The SQLite library's compile-time options the adapter's performance relies on, checked
//! when a SQLite database is opened.
//!
//! This workspace's `.cargo/config.toml` compiles the bundled SQLite with the flags in
//! [`SQLITE_BUILD_FLAGS`]; an embedder building `sensei-diesel` from its own workspace does not
//! get them. Nothing breaks without them, but SQLite (3.4x) reads the value bound to a
//! `LIMIT ?` while planning and re-plans such a statement whenever it is bound again, so every
//! page and every `.first()` was parsed and planned on every execution although Diesel keeps it
//! prepared. The pool switches that guarantee on for each connection at run time
//! (`sqlite_qpsg.rs`), so the flag only matters to a library too old to take it then; the
//! other two options save mutexes and can only be compiled in.
//! [`Database::connect`](crate::Database::connect) logs a warning with the fix for each
//! missing option, and keeps them for
//! [`Database::sqlite_build_warnings`](crate::Database::sqlite_build_warnings).

#[cfg(feature = "sqlite")]
use diesel::{
    sql_types::Text, sqlite::SqliteConnection, QueryResult, QueryableByName, RunQueryDsl,
};

/// The environment variable, as this workspace's `.cargo/config.toml` sets it, that compiles the
/// bundled SQLite (`libsqlite3-sys`, feature `sqlite-bundled`) with every option
/// [`SqliteBuildWarning`] asks for. Set it in your environment or in the `[env]` table of your
/// own workspace's `.cargo/config.toml`, then rebuild (`cargo clean -p libsqlite3-sys`).
pub const SQLITE_BUILD_FLAGS: &str = "LIBSQLITE3_FLAGS=\"-DSQLITE_ENABLE_QPSG \
     -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_THREADSAFE=2\"";

/// The stability guarantee's option, as `PRAGMA compile_options` lists it.
#[cfg(feature = "sqlite")]
const QPSG: &str = "ENABLE_QPSG";

/// Each wanted option, as `PRAGMA compile_options` lists it, and what its absence costs.
#[cfg(feature = "sqlite")]
const WANTED: [(&str, &str); 3] = [
    (
        "ENABLE_QPSG",
        "statements with a bound LIMIT (every page, every single-row read) are parsed and \
         planned again on each execution",
    ),
    (
        "DEFAULT_MEMSTATUS=0",
        "every SQLite allocation takes a global mutex to keep memory statistics",
    ),
    (
        "THREADSAFE=2",
        "every SQLite call takes a per-connection mutex (a pooled connection is used by one \
         thread at a time)",
    ),
];

/// A compile-time option the SQLite library lacks: the adapter works, slower.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteBuildWarning {
    /// The option, as `PRAGMA compile_options` lists it (without `SQLITE_`).
    pub option: &'static str,
    /// What its absence costs.
    pub cost: &'static str,
}

impl std::fmt::Display for SqliteBuildWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SQLite was compiled without SQLITE_{}: {}. Fix: build with the bundled SQLite \
             (sensei-diesel feature `sqlite-bundled`) and {SQLITE_BUILD_FLAGS} set in the \
             environment or in the [env] table of your workspace's .cargo/config.toml, then \
             `cargo clean -p libsqlite3-sys` and rebuild (a system SQLite cannot take the flags)",
            self.option, self.cost
        )
    }
}

/// One row of `PRAGMA compile_options`.
#[cfg(feature = "sqlite")]
#[derive(QueryableByName)]
struct CompileOption {
    #[diesel(sql_type = Text)]
    compile_options: String,
}

/// The wanted options `listed` (as `PRAGMA compile_options` gives them) lacks.
#[cfg(feature = "sqlite")]
pub(crate) fn missing(listed: &[String]) -> Vec<SqliteBuildWarning> {
    WANTED
        .iter()
        .filter(|(option, _)| !listed.iter().any(|have| have == option))
        .map(|&(option, cost)| SqliteBuildWarning { option, cost })
        .collect()
}

/// The wanted options the SQLite library behind `conn` lacks. `ENABLE_QPSG` only when the
/// library also refuses it at run time: the pool switches it on for each connection
/// (`sqlite_qpsg.rs`), so only a library older than 3.20 still plans per execution.
#[cfg(feature = "sqlite")]
pub(crate) fn check(conn: &mut SqliteConnection) -> QueryResult<Vec<SqliteBuildWarning>> {
    let rows: Vec<CompileOption> = diesel::sql_query("PRAGMA compile_options").load(conn)?;
    let listed: Vec<String> = rows.into_iter().map(|row| row.compile_options).collect();
    let mut warnings = missing(&listed);
    if warnings.iter().any(|w| w.option == QPSG) && super::sqlite_qpsg::works() {
        warnings.retain(|w| w.option != QPSG);
    }
    Ok(warnings)
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn a_library_without_the_options_is_reported_with_the_fix() {
        let listed = vec!["ENABLE_FTS5".to_owned(), "THREADSAFE=1".to_owned()];
        let warnings = missing(&listed);
        let options: Vec<&str> = warnings.iter().map(|w| w.option).collect();
        assert_eq!(
            options,
            ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0", "THREADSAFE=2"]
        );
        let text = warnings[0].to_string();
        assert!(text.contains("SQLITE_ENABLE_QPSG"), "{text}");
        assert!(text.contains(SQLITE_BUILD_FLAGS), "{text}");
    }

    #[test]
    fn a_library_with_the_options_is_not_reported() {
        let listed: Vec<String> = ["COMPILER=gcc", "DEFAULT_MEMSTATUS=0", "ENABLE_QPSG"]
            .into_iter()
            .chain(["THREADSAFE=2"])
            .map(str::to_owned)
            .collect();
        assert!(missing(&listed).is_empty());
    }

    /// This workspace builds the bundled SQLite with every option (`.cargo/config.toml`), so
    /// opening a database here warns about nothing.
    #[cfg(feature = "sqlite-bundled")]
    #[test]
    fn this_workspace_sqlite_has_every_option() {
        use diesel::Connection;
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        assert_eq!(check(&mut conn).unwrap(), Vec::new());
    }
}
