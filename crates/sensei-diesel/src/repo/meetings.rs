//! Meeting details instructors give with a claim: the [`MeetingStore`] port over
//! `session_meetings` (one row per session and instructor, beside `scheduled_sessions`, whose
//! columns stay the platform's).

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::upsert::excluded;
use sensei_core::ports::{Clock, MeetingStore, SystemClock};
use sensei_core::{
    Meeting, MeetingLink, RepositoryError, ScheduledSessionId, StoredMeeting, UserId,
};

use crate::db::{with_conn, with_write_conn, Database, WriteConn};
use crate::error::Fail;
use crate::schema::session_meetings as meetings;
use crate::timestamp::SqlaTimestamp;

/// The meeting details of a database.
#[derive(Debug, Clone)]
pub struct DieselMeetings {
    db: Database,
}

impl Database {
    /// The meeting details given with claims.
    pub fn meetings(&self) -> DieselMeetings {
        DieselMeetings { db: self.clone() }
    }
}

#[async_trait]
impl MeetingStore for DieselMeetings {
    async fn set_meeting(
        &self,
        session: ScheduledSessionId,
        instructor: UserId,
        meeting: Option<Meeting>,
    ) -> Result<(), RepositoryError> {
        let (session, instructor) = (session.0, instructor.get());
        let now = SqlaTimestamp::from(SystemClock.now());
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let mine = meetings::table
                    .filter(meetings::session_id.eq(session))
                    .filter(meetings::instructor_id.eq(instructor));
                match &meeting {
                    None => {
                        diesel::delete(mine).execute(conn)?;
                    }
                    Some(meeting) => {
                        let link = meeting.link.as_ref().map(|link| link.as_str().to_owned());
                        let at = meeting.at.map(SqlaTimestamp::from);
                        diesel::insert_into(meetings::table)
                            .values((
                                meetings::session_id.eq(session),
                                meetings::instructor_id.eq(instructor),
                                meetings::link.eq(&link),
                                meetings::starts_at.eq(at),
                                meetings::updated_at.eq(now),
                            ))
                            .on_conflict((meetings::session_id, meetings::instructor_id))
                            .do_update()
                            .set((
                                meetings::link.eq(excluded(meetings::link)),
                                meetings::starts_at.eq(excluded(meetings::starts_at)),
                                meetings::updated_at.eq(excluded(meetings::updated_at)),
                            ))
                            .execute(conn)?;
                    }
                }
                Ok(())
            })
        })
    }

    async fn meetings(
        &self,
        sessions: Vec<ScheduledSessionId>,
    ) -> Result<Vec<StoredMeeting>, RepositoryError> {
        let ids: Vec<i32> = sessions.iter().map(|id| id.0).collect();
        let rows: Vec<(i32, i32, Option<String>, Option<SqlaTimestamp>)> =
            with_conn!(self.db, |conn| {
                Ok::<_, Fail>(
                    meetings::table
                        .filter(meetings::session_id.eq_any(&ids))
                        .select((
                            meetings::session_id,
                            meetings::instructor_id,
                            meetings::link,
                            meetings::starts_at,
                        ))
                        .load(conn)?,
                )
            })?;
        Ok(rows
            .into_iter()
            .map(|(session, instructor, link, at)| StoredMeeting {
                session_id: ScheduledSessionId(session),
                instructor: UserId(instructor),
                meeting: Meeting {
                    link: link.map(MeetingLink::from_stored),
                    at: at.map(SqlaTimestamp::utc),
                },
            })
            .collect())
    }
}
