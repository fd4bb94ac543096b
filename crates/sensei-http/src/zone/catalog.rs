//! The IANA time zone database as the core's [`TimeZoneCatalog`].

use chrono_tz::{Tz, TZ_VARIANTS};
use sensei_core::ports::TimeZoneCatalog;

/// The zones chrono-tz compiles in.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZoneCatalog;

impl ZoneCatalog {
    /// Every zone name, in the database's order (alphabetical), for the preference form.
    pub fn names() -> impl Iterator<Item = &'static str> {
        TZ_VARIANTS.iter().map(|zone| zone.name())
    }

    /// The zone named exactly `name`.
    pub fn zone(name: &str) -> Option<Tz> {
        name.parse::<Tz>().ok()
    }
}

impl TimeZoneCatalog for ZoneCatalog {
    fn canonical(&self, name: &str) -> Option<String> {
        if let Some(zone) = Self::zone(name) {
            return Some(zone.name().to_owned());
        }
        // Letter case ignored: about 600 names, compared only when a form is sent.
        TZ_VARIANTS
            .iter()
            .find(|zone| zone.name().eq_ignore_ascii_case(name))
            .map(|zone| zone.name().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_in_any_letter_case() {
        let catalog = ZoneCatalog;
        assert_eq!(
            catalog.canonical("Europe/Berlin").as_deref(),
            Some("Europe/Berlin")
        );
        assert_eq!(
            catalog.canonical("europe/berlin").as_deref(),
            Some("Europe/Berlin")
        );
        assert_eq!(catalog.canonical("UTC").as_deref(), Some("UTC"));
        assert_eq!(catalog.canonical("Mars/Olympus"), None);
        assert_eq!(catalog.canonical(""), None);
        assert!(ZoneCatalog::names().count() > 400);
    }
}
