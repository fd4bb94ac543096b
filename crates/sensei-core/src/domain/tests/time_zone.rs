//! A zone name is shown as the catalog spelt it.

use crate::domain::TimeZoneName;

#[test]
fn a_zone_displays_as_its_name() {
    let berlin = TimeZoneName::from_catalog("Europe/Berlin");
    assert_eq!(berlin.to_string(), "Europe/Berlin");
    assert_eq!(format!("times in {berlin}"), "times in Europe/Berlin");
    assert_eq!(TimeZoneName::utc().to_string(), "UTC");
}
