//! [`SignedInReads`] on one connection: the sign-in is resolved and the page read in one
//! blocking trip, instead of one trip for the account and another for the page.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::{DashboardPlan, DashboardRead, SignedInRead, SignedInReads};
use sensei_core::{PageRequest, RepositoryError, SignInToken};

use super::accounts::{signed_in_row, stored_account};
use super::sessions::{read_dashboard, DashboardReads};
use crate::db::{with_conn, Database};
use crate::timestamp::SqlaTimestamp;

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
        with_conn!(self.db, |conn| {
            let Some(row) = signed_in_row!(conn, token, at) else {
                return Ok(SignedInRead::NotSignedIn);
            };
            let account = stored_account(row)?.account;
            let Some(queries) = plan(&account) else {
                return Ok(SignedInRead::Refused(account));
            };
            let reads = DashboardReads::new(queries.queue, queries.mine, page);
            let read = read_dashboard!(conn, reads);
            Ok(SignedInRead::Read(account, read))
        })
    }
}
