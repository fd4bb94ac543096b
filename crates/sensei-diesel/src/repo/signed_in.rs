//! [`SignedInReads`] on one connection: the sign-in is resolved and the page read in one
//! blocking trip, instead of one trip for the account and another for the page; the counter's
//! totals come with the sign-in, in its statement (on PostgreSQL every statement is a round
//! trip to the server).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::{DashboardPlan, DashboardRead, SignedInRead, SignedInReads};
use sensei_core::{PageRequest, RepositoryError, SignInToken};

use diesel::sql_types::{Integer, Text, Timestamp};

use super::accounts::stored_account;
use super::sessions::counter::{counter_total_columns, CounterTotals};
use super::sessions::{read_dashboard, DashboardReads};
use crate::db::{cached, sql_for, with_conn, Database};
use crate::timestamp::SqlaTimestamp;

/// The user signed in with a token whose sign-in has not expired, and who is not disabled,
/// with the counter's totals.
const SIGNED_IN_WITH_COUNTER: &str = concat!(
    "SELECT u.id, u.email, u.role, u.password_hash, ",
    counter_total_columns!(),
    " FROM auth_sessions a JOIN users u ON u.id = a.user_id \
     WHERE a.id = ? AND a.expires_at > ? AND u.disabled_at IS NULL"
);

/// One row of [`SIGNED_IN_WITH_COUNTER`].
#[derive(QueryableByName)]
struct SignedInRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Text)]
    password_hash: String,
    #[diesel(embed)]
    counter: CounterTotals,
}

/// The Diesel [`SignedInReads`]: accounts and sessions live in one database, so one
/// connection answers both.
#[derive(Debug, Clone)]
pub struct DieselSignedInReads {
    db: Database,
}

impl DieselSignedInReads {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl SignedInReads for DieselSignedInReads {
    async fn dashboard(
        &self,
        token: &SignInToken,
        now: DateTime<Utc>,
        plan: DashboardPlan,
        page: PageRequest,
    ) -> Result<SignedInRead<DashboardRead>, RepositoryError> {
        let token = token.as_str().to_owned();
        let at = SqlaTimestamp::from(now);
        let cache = self.db.dashboards.clone();
        with_conn!(self.db, |conn| {
            let row: Option<SignedInRow> = cached(
                diesel::sql_query(sql_for(&*conn, SIGNED_IN_WITH_COUNTER))
                    .bind::<Text, _>(&token)
                    .bind::<Timestamp, _>(at),
            )
            .get_result(conn)
            .optional()?;
            let Some(row) = row else {
                return Ok(SignedInRead::NotSignedIn);
            };
            let account =
                stored_account((row.id, row.email, row.role, row.password_hash, None))?.account;
            let Some(queries) = plan(&account) else {
                return Ok(SignedInRead::Refused(account));
            };
            let reads =
                DashboardReads::new(queries.queue, (queries.mine, queries.claimed), page, cache);
            let read = read_dashboard(conn, &reads, Some(row.counter.kept()))?;
            Ok(SignedInRead::Read(account, read))
        })
    }
}
