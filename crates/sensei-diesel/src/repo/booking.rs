//! [`BookingReads`] in one statement: the submission with its latest verdict, and the
//! student's progress on its challenge's goals, one row per goal (instead of one trip for
//! the submission and another for the goals).

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text};
use sensei_core::ports::{BookingFacts, BookingReads};
use sensei_core::{RepositoryError, SubmissionId, SubmissionInfo, UserId};

use super::content::{goal_entry, SubmissionInfoRow};
use crate::db::{cached, sql_for, with_conn, Database};

/// The submission (repeated on every row) and one goal of its challenge with the student's
/// status; goals only when the submission is the student's own (else one row, no goal).
const BOOKING_FACTS: &str = "SELECT s.id, s.user_id, u.email, s.challenge_id, \
     c.name AS challenge_name, s.submitted_at, \
     (SELECT r.verdict FROM reviews r WHERE r.submission_id = s.id \
      ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS latest_verdict, \
     g.id AS goal_id, g.title AS goal_title, p.status AS goal_status \
     FROM submissions s JOIN users u ON u.id = s.user_id \
     JOIN challenges c ON c.id = s.challenge_id \
     LEFT JOIN goals g ON g.challenge_id = s.challenge_id AND s.user_id = ? \
     LEFT JOIN goal_progress p ON p.goal_id = g.id AND p.user_id = s.user_id \
     WHERE s.id = ? \
     ORDER BY g.position, g.id";

/// One row of [`BOOKING_FACTS`].
#[derive(QueryableByName)]
struct FactsRow {
    #[diesel(embed)]
    submission: SubmissionInfoRow,
    #[diesel(sql_type = Nullable<Integer>)]
    goal_id: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    goal_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    goal_status: Option<String>,
}

/// The facts from the rows read: `None` when there were none (no such submission).
fn facts(rows: Vec<FactsRow>) -> Option<BookingFacts> {
    let mut goals = Vec::with_capacity(rows.len());
    let mut submission = None;
    for row in rows {
        if let (Some(id), Some(title)) = (row.goal_id, row.goal_title) {
            goals.push(goal_entry(id, title, row.goal_status.as_deref()));
        }
        if submission.is_none() {
            submission = Some(SubmissionInfo::from(row.submission));
        }
    }
    submission.map(|submission| BookingFacts { submission, goals })
}

/// The Diesel [`BookingReads`]: submissions and goals live in one database, so one statement
/// answers both.
#[derive(Debug, Clone)]
pub struct DieselBookingReads {
    db: Database,
}

impl DieselBookingReads {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl BookingReads for DieselBookingReads {
    async fn booking_facts(
        &self,
        id: SubmissionId,
        student: UserId,
    ) -> Result<Option<BookingFacts>, RepositoryError> {
        let (id, student) = (id.get(), student.get());
        let rows: Vec<FactsRow> = with_conn!(self.db, |conn| {
            Ok(cached(
                diesel::sql_query(sql_for(&*conn, BOOKING_FACTS))
                    .bind::<Integer, _>(student)
                    .bind::<Integer, _>(id),
            )
            .load(conn)?)
        })?;
        Ok(facts(rows))
    }
}
