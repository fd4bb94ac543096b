//! A viewer's preferences (today: the time zone pages show times in), and the catalog of
//! time zones that says which names exist.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{TimeZoneName, UserId};
use crate::error::RepositoryError;

/// Where each account's preferences are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PreferenceStore: Send + Sync {
    /// The time zone `user` chose, as stored; `Ok(None)` when they chose none.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn time_zone(&self, user: UserId) -> Result<Option<String>, RepositoryError>;

    /// Records `zone` as `user`'s choice at `now` (`None` forgets the choice), replacing any
    /// earlier one, and reports only after it is committed.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached;
    /// [`RepositoryError::Rejected`] when the user does not exist.
    async fn set_time_zone(
        &self,
        user: UserId,
        zone: Option<TimeZoneName>,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;
}

/// The time zones that exist (the IANA database the adapter ships).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TimeZoneCatalog: Send + Sync {
    /// The canonical spelling of the zone `name` names (letter case ignored), or `None` when
    /// no zone has that name.
    fn canonical(&self, name: &str) -> Option<String>;
}

/// For embedders that keep no preferences: every viewer sees UTC, and saving a choice is
/// refused with a message saying why.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPreferences;

#[async_trait]
impl PreferenceStore for NoPreferences {
    async fn time_zone(&self, _user: UserId) -> Result<Option<String>, RepositoryError> {
        Ok(None)
    }

    async fn set_time_zone(
        &self,
        _user: UserId,
        _zone: Option<TimeZoneName>,
        _now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        Err(RepositoryError::Rejected(
            "this service keeps no preferences; times are shown in UTC".to_owned(),
        ))
    }
}
