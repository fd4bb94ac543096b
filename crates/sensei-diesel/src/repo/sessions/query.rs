//! The session list's query, shared by the page, the count, `get` and the dashboard: the
//! source with its joins and the columns (plain functions), and the filtered statements
//! with keyset paging in both orders ([`ListReads`], one body expanded per backend). The
//! statements stay in Diesel's prepared-statement cache: `get` under its static type, the
//! boxed ones under their SQL text, which is constant for a given set of filters.

use diesel::backend::Backend;
use diesel::dsl;
use diesel::prelude::*;
// `table!` names each table's boxed query with these (`BoxedQuery`); Diesel exports them
// publicly only behind its `i-implement-a-third-party-backend-and-opt-into-breaking-changes`
// feature. They name the list's boxed query generically over its selection.
use diesel::internal::table_macro::{BoxedSelectStatement, FromClause};
use diesel::query_source::{Alias, AliasedField};
use sensei_core::SessionQuery;

use super::rows::{QueueRow, ScheduledSessionRow};
use crate::schema::{challenges, scheduled_sessions, submissions, users};
use crate::timestamp::SqlaTimestamp;

diesel::define_sql_function! {
    /// SQL `lower()`.
    fn lower(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

// The instructor holding a claim: `users` joined a second time.
diesel::alias! {
    pub(crate) const HOLDERS: Alias<Holders> = users as holders;
}

/// `%needle%` for LIKE, with `\`, `%` and `_` escaped (ESCAPE '\'), lower-cased (ASCII, as
/// SQLite's `lower`).
pub(crate) fn like_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for ch in needle.trim().to_ascii_lowercase().chars() {
        if matches!(ch, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The list's source: every session with its student, its submission's challenge and its
/// claim's holder. Left joins, so a row whose user or submission is missing (the platform's
/// SQLite runs without foreign keys) is still listed; flat (not nested) so SQLite drives the
/// query from the queue index and looks the others up by primary key, never materialising a
/// join.
#[dsl::auto_type]
pub(crate) fn list_source() -> _ {
    let holders: Alias<Holders> = HOLDERS;
    let holder_id: dsl::Nullable<AliasedField<Holders, users::id>> =
        HOLDERS.field(users::id).nullable();
    scheduled_sessions::table
        .left_join(users::table)
        .left_join(submissions::table)
        .left_join(challenges::table.on(challenges::id.eq(submissions::challenge_id)))
        .left_join(holders.on(scheduled_sessions::claimed_by.eq(holder_id)))
}

/// The columns of a list row ([`QueueRow`]) on backend `DB`.
pub(crate) type ListColumns<DB> = (
    dsl::AsSelect<ScheduledSessionRow, DB>,
    dsl::Nullable<users::email>,
    dsl::Nullable<submissions::challenge_id>,
    dsl::Nullable<challenges::name>,
    dsl::Nullable<AliasedField<Holders, users::email>>,
);

/// The columns of a list row ([`QueueRow`]).
pub(crate) fn list_columns<DB>() -> ListColumns<DB>
where
    DB: Backend,
{
    (
        ScheduledSessionRow::as_select(),
        users::email.nullable(),
        submissions::challenge_id.nullable(),
        challenges::name.nullable(),
        HOLDERS.field(users::email).nullable(),
    )
}

/// What [`list_source`] selects from: the sessions and their left joins, as Diesel types.
pub(crate) type ListFrom = dsl::LeftJoinQuerySource<
    dsl::LeftJoinQuerySource<
        dsl::LeftJoinQuerySource<
            dsl::LeftJoinQuerySource<scheduled_sessions::table, users::table>,
            submissions::table,
        >,
        challenges::table,
        dsl::Eq<challenges::id, submissions::challenge_id>,
    >,
    Alias<Holders>,
    dsl::Eq<scheduled_sessions::claimed_by, dsl::Nullable<AliasedField<Holders, users::id>>>,
>;

/// A boxed query over [`list_source`] selecting `ST`, on backend `DB`. Boxed because the
/// filters present vary per request; Diesel keeps a boxed statement prepared under its SQL
/// text (`StatementCacheKey::Sql`), one entry per combination of filters.
pub(crate) type ListQuery<ST, DB> = BoxedSelectStatement<'static, ST, FromClause<ListFrom>, DB>;

/// The SQL type of a count with the earliest claim expiry among the counted rows.
pub(crate) type CountWithExpiryType = (
    diesel::sql_types::BigInt,
    diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
);

/// Where a page starts and how many rows it has: the cursor (`scheduled_at`, id) of the
/// previous page's last row, newest first or oldest first, the page size.
pub(crate) type PageBounds = (Option<(SqlaTimestamp, i32)>, bool, u32);

/// The session list's filtered statements on one backend's connection (each connection type
/// implements it with `impl_list_reads!`). `pattern` is [`like_pattern`] of the student
/// filter, `now` the instant claims are judged at.
pub(crate) trait ListReads {
    /// One page of the list: `size + 1` rows (the last one only says a next page exists)
    /// past the cursor, in the filters' order.
    fn list_page(
        &mut self,
        filters: &SessionQuery,
        pattern: Option<String>,
        now: SqlaTimestamp,
        page: PageBounds,
    ) -> QueryResult<Vec<QueueRow>>;

    /// How many sessions the filters keep.
    fn list_count(
        &mut self,
        filters: &SessionQuery,
        pattern: Option<String>,
        now: SqlaTimestamp,
    ) -> QueryResult<i64>;

    /// How many sessions the filters keep, and the earliest claim expiry among them (when a
    /// count of live claims will drop).
    fn list_count_with_expiry(
        &mut self,
        filters: &SessionQuery,
        pattern: Option<String>,
        now: SqlaTimestamp,
    ) -> QueryResult<(i64, Option<SqlaTimestamp>)>;
}

/// Implements [`ListReads`] for `$conn` (backend `$db`), with `apply_filters` and
/// `past_cursor` as functions of the module it is expanded in.
// Why a macro: the filters vary per request, so these queries are boxed, and Diesel cannot
// box a query or add a WHERE to a boxed one generically over the backend: its impls require
// the private `DieselReserveSpecialization` trait and per-dialect `IntoBoxedClause` bounds,
// which a generic function cannot name (tried: `into_boxed` and `filter` do not compile
// for a `DB: Backend`). Generic over the query instead, `apply_filters` would need one
// `FilterDsl` bound per predicate type (about twenty). So the bodies are written once here and
// expanded for each backend's concrete types; everything around them (`list_source`,
// `list_columns`, the dashboard's reads over `ListReads`) is plain functions. The SQL and
// its statement-cache key are the same as before (boxed: by SQL text, one entry per
// combination of filters).
macro_rules! impl_list_reads {
    ($conn:ty, $db:ty) => {
        use diesel::prelude::*;
        use sensei_core::{SessionQuery, StatusFilter};

        use $crate::repo::sessions::query::{
            list_columns, list_source, lower, CountWithExpiryType, ListQuery, ListReads, PageBounds,
        };
        use $crate::repo::sessions::rows::QueueRow;
        use $crate::schema::{scheduled_sessions as s, submissions, users};
        use $crate::timestamp::SqlaTimestamp;

        /// Applies a [`SessionQuery`]'s filters to a boxed query over [`list_source`].
        pub(crate) fn apply_filters<ST>(
            mut q: ListQuery<ST, $db>,
            filters: &SessionQuery,
            pattern: Option<String>,
            now: SqlaTimestamp,
        ) -> ListQuery<ST, $db> {
            let open = s::session_completed_at
                .is_null()
                .and(s::cancelled_at.is_null());
            match filters.status {
                StatusFilter::Open => {
                    q = q
                        .filter(s::session_completed_at.is_null())
                        .filter(s::cancelled_at.is_null())
                }
                StatusFilter::Pending => {
                    q = q.filter(open).filter(
                        s::claimed_by
                            .is_null()
                            .or(s::claim_expires_at.is_null())
                            .or(s::claim_expires_at.le(now)),
                    )
                }
                StatusFilter::Claimed => {
                    q = q
                        .filter(open)
                        .filter(s::claimed_by.is_not_null())
                        .filter(s::claim_expires_at.gt(now))
                }
                StatusFilter::Completed => q = q.filter(s::session_completed_at.is_not_null()),
                StatusFilter::Cancelled => {
                    q = q
                        .filter(s::session_completed_at.is_null())
                        .filter(s::cancelled_at.is_not_null())
                }
                StatusFilter::Closed => {
                    q = q.filter(
                        s::session_completed_at
                            .is_not_null()
                            .or(s::cancelled_at.is_not_null()),
                    )
                }
                StatusFilter::All => {}
            }
            if let Some(reason) = filters.reason {
                q = q.filter(s::eligibility_reason.eq(reason.as_str()));
            }
            if let Some(challenge) = filters.challenge_id {
                q = q.filter(submissions::challenge_id.nullable().eq(challenge.get()));
            }
            if !filters.challenge_ids.is_empty() {
                // One `IN` list (bounded by the choice's limit): the statement is still one
                // per page; its text varies with the list's length.
                let wanted: Vec<i32> = filters.challenge_ids.iter().map(|id| id.get()).collect();
                q = q.filter(submissions::challenge_id.nullable().eq_any(wanted));
            }
            if let Some(student) = filters.student {
                q = q.filter(s::user_id.eq(student.get()));
            }
            if let Some(holder) = filters.claimed_by {
                q = q.filter(s::claimed_by.eq(holder.get()));
            }
            if let Some(completer) = filters.completed_by {
                q = q.filter(s::completed_by.eq(completer.get()));
            }
            if let Some(from) = filters.scheduled_from {
                q = q.filter(s::scheduled_at.ge(SqlaTimestamp::from(from)));
            }
            if let Some(before) = filters.scheduled_before {
                q = q.filter(s::scheduled_at.lt(SqlaTimestamp::from(before)));
            }
            if let Some(pattern) = pattern {
                q = q.filter(lower(users::email.nullable()).like(pattern).escape('\\'));
            }
            q
        }

        /// Keeps the rows past a cursor: after it in the queue's order,
        /// `(scheduled_at, id) > (at, id)`, or before it newest first. The redundant
        /// `scheduled_at >= at` (`<=`) gives the planner a range start on the queue index;
        /// with the OR alone SQLite walks the index from its first entry, so a deep page
        /// cost grew with its depth.
        pub(crate) fn past_cursor<ST>(
            q: ListQuery<ST, $db>,
            (at, id): (SqlaTimestamp, i32),
            newest_first: bool,
        ) -> ListQuery<ST, $db> {
            if newest_first {
                q.filter(s::scheduled_at.le(at)).filter(
                    s::scheduled_at
                        .lt(at)
                        .or(s::scheduled_at.eq(at).and(s::id.lt(id))),
                )
            } else {
                q.filter(s::scheduled_at.ge(at)).filter(
                    s::scheduled_at
                        .gt(at)
                        .or(s::scheduled_at.eq(at).and(s::id.gt(id))),
                )
            }
        }

        impl ListReads for $conn {
            fn list_page(
                &mut self,
                filters: &SessionQuery,
                pattern: Option<String>,
                now: SqlaTimestamp,
                (after, newest_first, size): PageBounds,
            ) -> QueryResult<Vec<QueueRow>> {
                let base = list_source().select(list_columns()).into_boxed();
                let mut q = apply_filters(base, filters, pattern, now);
                if let Some(cursor) = after {
                    q = past_cursor(q, cursor, newest_first);
                }
                q = if newest_first {
                    q.order((s::scheduled_at.desc(), s::id.desc()))
                } else {
                    q.order((s::scheduled_at.asc(), s::id.asc()))
                };
                q.limit(i64::from(size) + 1).load(self)
            }

            fn list_count(
                &mut self,
                filters: &SessionQuery,
                pattern: Option<String>,
                now: SqlaTimestamp,
            ) -> QueryResult<i64> {
                let base = list_source().select(diesel::dsl::count_star()).into_boxed();
                apply_filters(base, filters, pattern, now).first(self)
            }

            fn list_count_with_expiry(
                &mut self,
                filters: &SessionQuery,
                pattern: Option<String>,
                now: SqlaTimestamp,
            ) -> QueryResult<(i64, Option<SqlaTimestamp>)> {
                let base: ListQuery<CountWithExpiryType, $db> = list_source()
                    .select((
                        diesel::dsl::count_star(),
                        diesel::dsl::min(s::claim_expires_at),
                    ))
                    .into_boxed();
                apply_filters(base, filters, pattern, now).first(self)
            }
        }
    };
}

/// The list's statements on SQLite.
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite {
    impl_list_reads!(diesel::sqlite::SqliteConnection, diesel::sqlite::Sqlite);
}

/// The list's statements on PostgreSQL.
#[cfg(feature = "postgres")]
pub(crate) mod postgres {
    impl_list_reads!(diesel::pg::PgConnection, diesel::pg::Pg);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_pattern(" A_b%c\\ "), "%a\\_b\\%c\\\\%");
    }
}
