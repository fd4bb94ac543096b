//! A viewer's time zone: an IANA zone name (`Europe/Berlin`), chosen by the viewer. Pages show
//! times in it; stored instants stay UTC everywhere else (the API, exports, calendar feeds).

use std::fmt;

/// The longest zone name accepted (the longest IANA name has 32 characters).
pub const MAX_TIME_ZONE_CHARS: usize = 64;

/// A canonical IANA time zone name, known to the [`crate::ports::TimeZoneCatalog`] that made
/// it. `UTC` is one of them and is also what a viewer without a choice sees.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// The zone every viewer without a choice sees.
    pub fn utc() -> Self {
        Self("UTC".to_owned())
    }

    /// Whether `raw` has the shape of a zone name: ASCII letters, digits and `/ _ + -`,
    /// no empty or dot segment, at most [`MAX_TIME_ZONE_CHARS`]. A catalog still decides
    /// whether the zone exists; this keeps arbitrary text away from it and from storage.
    pub fn has_zone_shape(raw: &str) -> bool {
        !raw.is_empty()
            && raw.len() <= MAX_TIME_ZONE_CHARS
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'+' | b'-'))
            && raw.split('/').all(|segment| !segment.is_empty())
    }

    /// A name a catalog has already confirmed and canonicalised. Adapters reading a stored
    /// choice use it too: a zone later removed from the catalog then falls back to UTC where
    /// it is shown, rather than failing the page.
    pub fn from_catalog(canonical: impl Into<String>) -> Self {
        Self(canonical.into())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is UTC (times need no second rendering beside them).
    pub fn is_utc(&self) -> bool {
        matches!(
            self.0.as_str(),
            "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Zulu" | "Etc/Zulu"
        )
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_names_have_a_narrow_shape() {
        for good in [
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
        ] {
            assert!(TimeZoneName::has_zone_shape(good), "{good}");
        }
        let long = "A".repeat(MAX_TIME_ZONE_CHARS + 1);
        for bad in [
            "",
            "/Europe",
            "Europe//Berlin",
            "Europe/",
            "Europe/Berlin\n",
            "a b",
            &long,
        ] {
            assert!(!TimeZoneName::has_zone_shape(bad), "{bad:?}");
        }
        assert!(TimeZoneName::has_zone_shape(
            &"A".repeat(MAX_TIME_ZONE_CHARS)
        ));
    }

    #[test]
    fn utc_is_recognised_by_its_names() {
        assert!(TimeZoneName::utc().is_utc());
        assert!(TimeZoneName::from_catalog("Etc/UTC").is_utc());
        assert!(!TimeZoneName::from_catalog("Europe/London").is_utc());
    }
}
