//! The session list's query, shared by the page, the count and `get`: the source with its
//! joins, the filters, and keyset paging in both orders.

use crate::schema::users;

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
macro_rules! list_source {
    () => {
        $crate::schema::scheduled_sessions::table
            .left_join($crate::schema::users::table)
            .left_join($crate::schema::submissions::table)
            .left_join(
                $crate::schema::challenges::table
                    .on($crate::schema::challenges::id
                        .eq($crate::schema::submissions::challenge_id)),
            )
            .left_join(
                $crate::repo::sessions::query::HOLDERS.on(
                    $crate::schema::scheduled_sessions::claimed_by.eq(
                        $crate::repo::sessions::query::HOLDERS
                            .field($crate::schema::users::id)
                            .nullable(),
                    ),
                ),
            )
    };
}
pub(crate) use list_source;

/// The columns of a list row ([`super::rows::QueueRow`]).
macro_rules! list_columns {
    () => {
        (
            $crate::repo::sessions::rows::ScheduledSessionRow::as_select(),
            $crate::schema::users::email.nullable(),
            $crate::schema::submissions::challenge_id.nullable(),
            $crate::schema::challenges::name.nullable(),
            $crate::repo::sessions::query::HOLDERS
                .field($crate::schema::users::email)
                .nullable(),
        )
    };
}
pub(crate) use list_columns;

/// Applies a [`sensei_core::SessionQuery`]'s filters to a boxed query over [`list_source!`];
/// `$now` is the instant claims are judged at.
macro_rules! apply_filters {
    ($query:ident, $filters:expr, $pattern:expr, $now:expr) => {{
        use sensei_core::StatusFilter;
        use $crate::schema::{scheduled_sessions as s, submissions, users};
        let mut q = $query;
        let now = $now;
        let open = s::session_completed_at
            .is_null()
            .and(s::cancelled_at.is_null());
        match $filters.status {
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
        if let Some(reason) = $filters.reason {
            q = q.filter(s::eligibility_reason.eq(reason.as_str()));
        }
        if let Some(challenge) = $filters.challenge_id {
            q = q.filter(submissions::challenge_id.nullable().eq(challenge.get()));
        }
        if let Some(student) = $filters.student {
            q = q.filter(s::user_id.eq(student.get()));
        }
        if let Some(holder) = $filters.claimed_by {
            q = q.filter(s::claimed_by.eq(holder.get()));
        }
        if let Some(completer) = $filters.completed_by {
            q = q.filter(s::completed_by.eq(completer.get()));
        }
        if let Some(from) = $filters.scheduled_from {
            q = q.filter(s::scheduled_at.ge($crate::timestamp::SqlaTimestamp::from(from)));
        }
        if let Some(before) = $filters.scheduled_before {
            q = q.filter(s::scheduled_at.lt($crate::timestamp::SqlaTimestamp::from(before)));
        }
        if let Some(pattern) = $pattern {
            q = q.filter(
                $crate::repo::sessions::query::lower(users::email.nullable())
                    .like(pattern)
                    .escape('\\'),
            );
        }
        q
    }};
}
pub(crate) use apply_filters;

/// Keeps the rows after a cursor in the queue's order: `(scheduled_at, id) > (at, id)`. The
/// redundant `scheduled_at >= at` gives the planner a range start on the queue index; with
/// the OR alone SQLite walks the index from its first entry, so a deep page cost grew with
/// its depth.
macro_rules! after_cursor {
    ($query:expr, $at:expr, $id:expr) => {
        $query
            .filter($crate::schema::scheduled_sessions::scheduled_at.ge($at))
            .filter(
                $crate::schema::scheduled_sessions::scheduled_at.gt($at).or(
                    $crate::schema::scheduled_sessions::scheduled_at
                        .eq($at)
                        .and($crate::schema::scheduled_sessions::id.gt($id)),
                ),
            )
    };
}
pub(crate) use after_cursor;

/// Keeps the rows after a cursor in newest-first order: `(scheduled_at, id) < (at, id)`.
macro_rules! before_cursor {
    ($query:expr, $at:expr, $id:expr) => {
        $query
            .filter($crate::schema::scheduled_sessions::scheduled_at.le($at))
            .filter(
                $crate::schema::scheduled_sessions::scheduled_at.lt($at).or(
                    $crate::schema::scheduled_sessions::scheduled_at
                        .eq($at)
                        .and($crate::schema::scheduled_sessions::id.lt($id)),
                ),
            )
    };
}
pub(crate) use before_cursor;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_pattern(" A_b%c\\ "), "%a\\_b\\%c\\\\%");
    }
}
