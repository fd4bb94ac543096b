//! The instructor's desk (the `instructor_presence` and `instructor_challenges` tables): the
//! [`DeskStore`] port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use sensei_core::ports::DeskStore;
use sensei_core::{
    ChallengeChoice, ChallengeId, HeldByOnDuty, OnDuty, RepositoryError, Role, ScheduledSessionId,
    UserId,
};

use crate::db::{with_conn, with_write_conn, Database, WriteConn};
use crate::schema::{
    challenges, instructor_challenges, instructor_presence, scheduled_sessions as s, submissions,
    users,
};
use crate::timestamp::SqlaTimestamp;

/// The desk kept in a database.
#[derive(Debug, Clone)]
pub struct DieselDesk {
    db: Database,
}

impl DieselDesk {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// One row of the on-duty read: an instructor and one session they hold (or none).
type OnDutyRow = (
    i32,
    String,
    String,
    SqlaTimestamp,
    Option<i32>,
    Option<String>,
);

/// Groups the rows (ordered by email, then booking) into one entry per instructor; accounts
/// whose role is no longer an instructor's are left out (presence outlives a role change).
fn group_on_duty(rows: Vec<OnDutyRow>) -> Vec<OnDuty> {
    let mut listed: Vec<OnDuty> = Vec::new();
    for (user, email, role, seen, session, challenge) in rows {
        if !Role::parse(&role).is_some_and(Role::is_instructor) {
            continue;
        }
        let holding = session.map(|id| HeldByOnDuty {
            id: ScheduledSessionId(id),
            challenge_name: challenge.unwrap_or_default(),
        });
        match listed.last_mut() {
            Some(last) if last.user_id.get() == user => last.holds.extend(holding),
            _ => listed.push(OnDuty {
                user_id: UserId(user),
                email,
                last_seen: seen.utc(),
                holds: holding.into_iter().collect(),
            }),
        }
    }
    listed
}

#[async_trait]
impl DeskStore for DieselDesk {
    /// One upsert keyed by the user that only moves presence forward.
    async fn record_presence(
        &self,
        user: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let user = user.get();
        let at = SqlaTimestamp::from(at);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let upsert = diesel::insert_into(instructor_presence::table)
                    .values((
                        instructor_presence::user_id.eq(user),
                        instructor_presence::last_seen_at.eq(at),
                    ))
                    .on_conflict(instructor_presence::user_id)
                    .do_update()
                    .set(
                        instructor_presence::last_seen_at
                            .eq(excluded(instructor_presence::last_seen_at)),
                    );
                // `ON CONFLICT ... DO UPDATE ... WHERE`: never move presence back.
                diesel::query_dsl::methods::FilterDsl::filter(
                    upsert,
                    instructor_presence::last_seen_at.lt(at),
                )
                .execute(conn)?;
                Ok(())
            })
        })
    }

    /// One statement: the presence index's range joined to the accounts, and to each live
    /// claim with its challenge's name (left joins: an instructor holding nothing is listed
    /// too), at most `limit` rows.
    async fn on_duty(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OnDuty>, RepositoryError> {
        let since = SqlaTimestamp::from(since);
        let now = SqlaTimestamp::from(now);
        let limit = i64::from(limit);
        let rows: Vec<OnDutyRow> = with_conn!(self.db, |conn| {
            Ok(instructor_presence::table
                .inner_join(users::table)
                .left_join(
                    s::table.on(s::claimed_by
                        .eq(instructor_presence::user_id.nullable())
                        .and(s::session_completed_at.is_null())
                        .and(s::cancelled_at.is_null())
                        .and(s::claim_expires_at.gt(now))),
                )
                .left_join(submissions::table.on(submissions::id.eq(s::submission_id)))
                .left_join(challenges::table.on(challenges::id.eq(submissions::challenge_id)))
                .filter(instructor_presence::last_seen_at.ge(since))
                .filter(users::disabled_at.is_null())
                .order((
                    users::email.asc(),
                    users::id.asc(),
                    s::scheduled_at.asc(),
                    s::id.asc(),
                ))
                .select((
                    users::id,
                    users::email,
                    users::role,
                    instructor_presence::last_seen_at,
                    s::id.nullable(),
                    challenges::name.nullable(),
                ))
                .limit(limit)
                .load(conn)?)
        })?;
        Ok(group_on_duty(rows))
    }

    /// One range read of the primary key.
    async fn chosen_challenges(&self, user: UserId) -> Result<Vec<ChallengeId>, RepositoryError> {
        let user = user.get();
        let ids: Vec<i32> = with_conn!(self.db, |conn| {
            Ok(instructor_challenges::table
                .filter(instructor_challenges::user_id.eq(user))
                .order(instructor_challenges::challenge_id.asc())
                .select(instructor_challenges::challenge_id)
                .load(conn)?)
        })?;
        Ok(ids.into_iter().map(ChallengeId).collect())
    }

    /// One statement: the challenges by name, each left-joined to the user's choice.
    async fn challenge_choices(
        &self,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<ChallengeChoice>, RepositoryError> {
        let user = user.get();
        let limit = i64::from(limit);
        let rows: Vec<(i32, String, Option<i32>)> = with_conn!(self.db, |conn| {
            Ok(challenges::table
                .left_join(
                    instructor_challenges::table.on(instructor_challenges::challenge_id
                        .eq(challenges::id)
                        .and(instructor_challenges::user_id.eq(user))),
                )
                .order((challenges::name.asc(), challenges::id.asc()))
                .select((
                    challenges::id,
                    challenges::name,
                    instructor_challenges::user_id.nullable(),
                ))
                .limit(limit)
                .load(conn)?)
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, name, chooser)| ChallengeChoice {
                id: ChallengeId(id),
                name,
                chosen: chooser.is_some(),
            })
            .collect())
    }

    /// A delete and one multi-row insert in one write transaction.
    async fn choose_challenges(
        &self,
        user: UserId,
        challenges: Vec<ChallengeId>,
    ) -> Result<(), RepositoryError> {
        let user = user.get();
        let rows: Vec<_> = challenges
            .iter()
            .map(|challenge| {
                (
                    instructor_challenges::user_id.eq(user),
                    instructor_challenges::challenge_id.eq(challenge.get()),
                )
            })
            .collect();
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                diesel::delete(
                    instructor_challenges::table.filter(instructor_challenges::user_id.eq(user)),
                )
                .execute(conn)?;
                if !rows.is_empty() {
                    diesel::insert_into(instructor_challenges::table)
                        .values(&rows)
                        .execute(conn)?;
                }
                Ok(())
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn rows_group_by_instructor_and_other_roles_are_left_out() {
        let seen = SqlaTimestamp::from(Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap());
        let rows = vec![
            (
                1,
                "a@x".to_owned(),
                "instructor".to_owned(),
                seen,
                Some(5),
                Some("C".to_owned()),
            ),
            (
                1,
                "a@x".to_owned(),
                "instructor".to_owned(),
                seen,
                Some(6),
                Some("D".to_owned()),
            ),
            (2, "b@x".to_owned(), "student".to_owned(), seen, None, None),
            (3, "c@x".to_owned(), "Admin".to_owned(), seen, None, None),
        ];
        let listed = group_on_duty(rows);
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].holds.len(), 2);
        assert_eq!(listed[0].holds[1].id, ScheduledSessionId(6));
        assert_eq!(listed[1].email, "c@x");
        assert!(listed[1].holds.is_empty());
    }
}
