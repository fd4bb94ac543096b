//! Erasing a person (`sensei user erase`): every place the service keeps a person's email or
//! words, replaced or removed in one transaction. The append-only guard of
//! `scheduled_session_events` lets exactly this rewrite through (migration
//! `2024-01-13-000000_admin_audit`): the erasure row is opened first, the event details are
//! set to the tombstone, and the row is closed before the commit.
//!
//! To cover a new table that can hold a person's email or text, add a step to
//! [`erase_person!`]; the adapter's erasure test reads every text column of every table and
//! fails until the new table is covered.

/// Erases user `$user` (an `i32`) at `$at` (a `SqlaTimestamp`) on `$conn`, inside the
/// caller's write transaction, as a `Result<(), Fail>`; inside a `with_write_conn!` body.
///
/// What it does, table by table:
/// * `erasures`: a row for the user, open while the steps below run, closed at the end;
/// * `scheduled_sessions`: of the person's own sessions, `notes` (about them),
///   `student_notes` (for them) and `cancel_reason` (theirs); of the sessions they
///   completed, the `notes` and `student_notes` they wrote: each set to the tombstone where
///   it had text. The rows, their ids, dates and numbers stay (the platform reads them);
/// * `scheduled_session_events`: the `detail` of every event of their sessions or by them
///   (a cancel reason is one) set to the tombstone;
/// * `auth_sessions`, `calendar_feeds`, `user_preferences`, `api_tokens`: their sign-ins,
///   their feed, their preferences and their API tokens (whose names they chose) deleted;
/// * `instructor_presence`, `instructor_challenges`: when they were last on duty and the
///   challenges they mentor, deleted;
/// * the email tables: the emails to them (sent or waiting: a failed send's error may quote
///   their address), their opt-out links and opt-out, their reset requests, and the meeting
///   links they gave as an instructor, deleted;
/// * `users`: the email becomes `erased-<id>@invalid`, the password hash is cleared, the
///   account disabled; the row stays, so the ids other rows hold still resolve.
///
/// The platform's own tables (submissions, digi-trainer and anatomy messages, goal
/// progress, reviews) are not touched: they are the platform's to erase.
// Why a macro: an erasure is about twenty statements of different types (updates and deletes
// over most tables, which Diesel's `auto_type` cannot name) on the connection
// `with_write_conn!` gives, a different type per backend. A generic function would need one
// `ExecuteDsl` bound per statement, each spelled as Diesel's full statement type; the macro
// keeps the list of tables readable, which is what the erasure test and its reviewers check.
macro_rules! erase_person {
    ($conn:ident, $user:expr, $at:expr) => {{
        use $crate::schema::{
            api_tokens, auth_sessions, calendar_feeds, email_deliveries, email_links,
            email_opt_outs, erasures, instructor_challenges, instructor_presence, password_resets,
            scheduled_session_events as events, scheduled_sessions as sessions, session_meetings,
            user_preferences, users,
        };
        let user: i32 = $user;
        let at: $crate::timestamp::SqlaTimestamp = $at;
        let tomb = sensei_core::ERASED_TEXT;
        let erasure: i32 = diesel::insert_into(erasures::table)
            .values((
                erasures::user_id.eq(user),
                erasures::erased_at.eq(at),
                erasures::in_progress.eq(true),
            ))
            .returning(erasures::id)
            .get_result($conn)?;
        let own = sessions::table.filter(sessions::user_id.eq(user));
        diesel::update(own.filter(sessions::notes.is_not_null()))
            .set(sessions::notes.eq(tomb))
            .execute($conn)?;
        diesel::update(own.filter(sessions::student_notes.is_not_null()))
            .set(sessions::student_notes.eq(tomb))
            .execute($conn)?;
        diesel::update(own.filter(sessions::cancel_reason.is_not_null()))
            .set(sessions::cancel_reason.eq(tomb))
            .execute($conn)?;
        let written = sessions::table.filter(sessions::completed_by.eq(user));
        diesel::update(written.filter(sessions::notes.is_not_null()))
            .set(sessions::notes.eq(tomb))
            .execute($conn)?;
        diesel::update(written.filter(sessions::student_notes.is_not_null()))
            .set(sessions::student_notes.eq(tomb))
            .execute($conn)?;
        let theirs = sessions::table
            .filter(sessions::user_id.eq(user))
            .select(sessions::id);
        diesel::update(
            events::table
                .filter(events::detail.is_not_null())
                .filter(events::detail.ne(tomb))
                .filter(
                    events::actor_id
                        .eq(user)
                        .or(events::session_id.eq_any(theirs)),
                ),
        )
        .set(events::detail.eq(tomb))
        .execute($conn)?;
        diesel::delete(auth_sessions::table.filter(auth_sessions::user_id.eq(user)))
            .execute($conn)?;
        diesel::delete(calendar_feeds::table.filter(calendar_feeds::instructor_id.eq(user)))
            .execute($conn)?;
        diesel::delete(user_preferences::table.find(user)).execute($conn)?;
        diesel::delete(instructor_presence::table.find(user)).execute($conn)?;
        diesel::delete(
            instructor_challenges::table.filter(instructor_challenges::user_id.eq(user)),
        )
        .execute($conn)?;
        diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(user))).execute($conn)?;
        diesel::delete(email_deliveries::table.filter(email_deliveries::recipient_id.eq(user)))
            .execute($conn)?;
        diesel::delete(password_resets::table.filter(password_resets::user_id.eq(user)))
            .execute($conn)?;
        diesel::delete(email_links::table.filter(email_links::user_id.eq(user))).execute($conn)?;
        diesel::delete(email_opt_outs::table.find(user)).execute($conn)?;
        diesel::delete(session_meetings::table.filter(session_meetings::instructor_id.eq(user)))
            .execute($conn)?;
        diesel::update(users::table.find(user))
            .set((
                users::email.eq(sensei_core::erased_email(sensei_core::UserId(user))),
                users::password_hash.eq(""),
            ))
            .execute($conn)?;
        diesel::update(users::table.find(user).filter(users::disabled_at.is_null()))
            .set(users::disabled_at.eq(Some(at)))
            .execute($conn)?;
        diesel::update(erasures::table.find(erasure))
            .set(erasures::in_progress.eq(false))
            .execute($conn)?;
        Ok::<(), $crate::error::Fail>(())
    }};
}
pub(crate) use erase_person;
