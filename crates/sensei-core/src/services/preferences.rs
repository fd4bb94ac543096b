//! A viewer's preferences: the time zone pages show times in.
//!
//! A service of its own (not part of [`super::SenseiService`]): an embedder that renders no
//! pages needs none of it.

use std::sync::Arc;

use crate::domain::{Actor, TimeZoneName};
use crate::error::PreferenceError;
use crate::ports::{Clock, PreferenceStore, TimeZoneCatalog};

/// The preference use cases over a [`PreferenceStore`] and a [`TimeZoneCatalog`].
#[derive(Clone)]
pub struct Preferences {
    store: Arc<dyn PreferenceStore>,
    catalog: Arc<dyn TimeZoneCatalog>,
    clock: Arc<dyn Clock>,
}

impl Preferences {
    /// The service over these ports.
    pub fn new(
        store: Arc<dyn PreferenceStore>,
        catalog: Arc<dyn TimeZoneCatalog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            catalog,
            clock,
        }
    }

    /// The zone `raw` names, canonically spelt.
    ///
    /// # Errors
    /// [`PreferenceError::UnknownTimeZone`] when it names none.
    pub fn time_zone_named(&self, raw: &str) -> Result<TimeZoneName, PreferenceError> {
        let raw = raw.trim();
        if !TimeZoneName::has_zone_shape(raw) {
            return Err(PreferenceError::UnknownTimeZone(shorten(raw)));
        }
        self.catalog
            .canonical(raw)
            .map(TimeZoneName::from_catalog)
            .ok_or_else(|| PreferenceError::UnknownTimeZone(raw.to_owned()))
    }

    /// The zone the actor sees times in: their choice, or UTC without one. A stored name the
    /// catalog no longer knows reads as UTC rather than failing every page.
    ///
    /// # Errors
    /// [`PreferenceError::Repository`] when the store fails.
    pub async fn time_zone(&self, actor: Actor) -> Result<TimeZoneName, PreferenceError> {
        let stored = self.store.time_zone(actor.user_id).await?;
        Ok(stored
            .and_then(|name| self.catalog.canonical(&name))
            .map_or_else(TimeZoneName::utc, TimeZoneName::from_catalog))
    }

    /// Saves the actor's time zone: `raw` names it; blank forgets the choice (times then
    /// show in UTC). Returns the zone now in force.
    ///
    /// # Errors
    /// [`PreferenceError::UnknownTimeZone`] (nothing saved),
    /// [`PreferenceError::Repository`].
    pub async fn set_time_zone(
        &self,
        actor: Actor,
        raw: &str,
    ) -> Result<TimeZoneName, PreferenceError> {
        let zone = if raw.trim().is_empty() {
            None
        } else {
            Some(self.time_zone_named(raw)?)
        };
        let now = self.clock.now();
        self.store
            .set_time_zone(actor.user_id, zone.clone(), now)
            .await?;
        Ok(zone.unwrap_or_else(TimeZoneName::utc))
    }
}

/// Error messages echo at most this many characters of what was typed.
const ECHOED_CHARS: usize = 80;

fn shorten(raw: &str) -> String {
    raw.chars().take(ECHOED_CHARS).collect()
}
