//! Each account's display preferences (the `user_preferences` table): the [`PreferenceStore`]
//! port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use sensei_core::ports::PreferenceStore;
use sensei_core::{RepositoryError, TimeZoneName, UserId};

use crate::db::{with_conn, with_write_conn, Database, WriteConn};
use crate::schema::user_preferences;
use crate::timestamp::SqlaTimestamp;

/// The preferences kept in a database.
#[derive(Debug, Clone)]
pub struct DieselPreferences {
    db: Database,
}

impl DieselPreferences {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl PreferenceStore for DieselPreferences {
    /// One primary-key lookup.
    async fn time_zone(&self, user: UserId) -> Result<Option<String>, RepositoryError> {
        let user = user.get();
        let zone: Option<Option<String>> = with_conn!(self.db, |conn| {
            Ok(user_preferences::table
                .find(user)
                .select(user_preferences::time_zone)
                .first(conn)
                .optional()?)
        })?;
        Ok(zone.flatten())
    }

    /// One upsert keyed by the user, in a write transaction.
    async fn set_time_zone(
        &self,
        user: UserId,
        zone: Option<TimeZoneName>,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let user = user.get();
        let zone = zone.map(|zone| zone.as_str().to_owned());
        let now = SqlaTimestamp::from(now);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                diesel::insert_into(user_preferences::table)
                    .values((
                        user_preferences::user_id.eq(user),
                        user_preferences::time_zone.eq(&zone),
                        user_preferences::updated_at.eq(now),
                    ))
                    .on_conflict(user_preferences::user_id)
                    .do_update()
                    .set((
                        user_preferences::time_zone.eq(excluded(user_preferences::time_zone)),
                        user_preferences::updated_at.eq(excluded(user_preferences::updated_at)),
                    ))
                    .execute(conn)?;
                Ok(())
            })
        })
    }
}
