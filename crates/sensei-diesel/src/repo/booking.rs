//! [`BookingReads`] on one connection: the submission and the student's goal progress in one
//! blocking trip, instead of one trip for each.

use async_trait::async_trait;
use diesel::prelude::*;
use sensei_core::ports::{BookingFacts, BookingReads};
use sensei_core::{RepositoryError, SubmissionId, UserId};

use super::content::{read_goal_progress, read_submission};
use crate::db::{with_conn, Database};

/// The Diesel [`BookingReads`]: submissions and goals live in one database, so one connection
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
        with_conn!(self.db, |conn| {
            let Some(submission) = read_submission!(conn, id) else {
                return Ok(None);
            };
            // Someone else's submission: the booking is refused on ownership, and their
            // challenge's progress is none of this student's business.
            let goals = if submission.owner.get() == student {
                read_goal_progress!(conn, student, submission.challenge_id.get())
            } else {
                Vec::new()
            };
            Ok(Some(BookingFacts { submission, goals }))
        })
    }
}
