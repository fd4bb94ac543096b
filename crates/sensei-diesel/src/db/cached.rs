//! Hand-written SQL, prepared once per connection.
//!
//! Diesel caches the prepared statements of the queries it builds, but never those of
//! `sql_query`: it cannot know whether the text was assembled from input, which would fill the
//! cache without bound. Our hand-written statements are constants (one text per backend), so
//! re-preparing them on every request only costs the database its parsing and planning again
//! (SQLite's tokeniser showed in the detail page's profile). [`cached`] marks such a query as
//! safe to keep: the connection's statement cache then holds it under its SQL text.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

/// A query over constant SQL text, kept in the connection's statement cache.
#[derive(Debug, Clone, Copy)]
#[must_use = "queries run only when loaded or executed"]
pub(crate) struct Cached<Q>(Q);

/// Keeps this hand-written query's prepared statement for the connection's next use.
///
/// Only for SQL text that is a constant of this crate (binds carry every value): a text built
/// from input would make every request a new cache entry.
pub(crate) fn cached<Q>(query: Q) -> Cached<Q> {
    Cached(query)
}

impl<DB, Q> QueryFragment<DB> for Cached<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        // The text is a constant (see `cached`): cache it under its SQL.
        Ok(true)
    }
}

impl<Q> QueryId for Cached<Q> {
    // No static id: the cache key is the SQL text, which differs per backend.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Cached<Q> {}
