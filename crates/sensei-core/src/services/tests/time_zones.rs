//! What a refused time zone echoes back: the text as typed (trimmed), cut to 80 characters.

use std::sync::Arc;

use super::*;
use crate::domain::Actor;
use crate::error::PreferenceError;
use crate::ports::{MockPreferenceStore, MockTimeZoneCatalog};
use crate::services::Preferences;

fn preferences(catalog: MockTimeZoneCatalog) -> Preferences {
    let mut store = MockPreferenceStore::new();
    store.expect_set_time_zone().never();
    Preferences::new(
        Arc::new(store),
        Arc::new(catalog),
        Arc::new(MockClock::new()),
    )
}

#[tokio::test]
async fn text_that_is_no_zone_name_is_echoed_cut_to_80_characters_without_asking_the_catalog() {
    let mut catalog = MockTimeZoneCatalog::new();
    catalog.expect_canonical().never();
    let service = preferences(catalog);
    let typed = format!("  Zone ä {}", "z".repeat(200));
    let error = service
        .set_time_zone(Actor::student(STUDENT), &typed)
        .await
        .unwrap_err();
    let echoed: String = typed.trim().chars().take(80).collect();
    assert_eq!(echoed.chars().count(), 80);
    assert_eq!(error, PreferenceError::UnknownTimeZone(echoed));

    assert_eq!(
        service.time_zone_named(" not a zone "),
        Err(PreferenceError::UnknownTimeZone("not a zone".to_owned()))
    );
}

#[tokio::test]
async fn a_well_formed_name_the_catalog_does_not_know_is_echoed_whole() {
    let mut catalog = MockTimeZoneCatalog::new();
    catalog
        .expect_canonical()
        .withf(|name| name == "Mars/Olympus_Mons")
        .times(1)
        .returning(|_| None);
    assert_eq!(
        preferences(catalog).time_zone_named(" Mars/Olympus_Mons "),
        Err(PreferenceError::UnknownTimeZone(
            "Mars/Olympus_Mons".to_owned()
        ))
    );
}
