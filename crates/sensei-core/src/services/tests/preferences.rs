//! Preferences: a zone is saved only when the catalog knows it, canonically spelt; blank
//! forgets the choice; a stored zone the catalog no longer knows reads as UTC.

use std::sync::Arc;

use mockall::predicate::eq;

use super::*;
use crate::domain::{Actor, TimeZoneName};
use crate::error::{PreferenceError, RepositoryError};
use crate::ports::{MockPreferenceStore, MockTimeZoneCatalog};
use crate::services::Preferences;

/// A catalog that knows Europe/Berlin and UTC, whatever the letter case.
fn catalog() -> MockTimeZoneCatalog {
    let mut catalog = MockTimeZoneCatalog::new();
    catalog
        .expect_canonical()
        .returning(|name| match name.to_ascii_lowercase().as_str() {
            "europe/berlin" => Some("Europe/Berlin".to_owned()),
            "utc" => Some("UTC".to_owned()),
            _ => None,
        });
    catalog
}

fn preferences(store: MockPreferenceStore) -> Preferences {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(now());
    Preferences::new(Arc::new(store), Arc::new(catalog()), Arc::new(clock))
}

#[tokio::test]
async fn a_known_zone_is_saved_canonically_spelt() {
    let mut store = MockPreferenceStore::new();
    store
        .expect_set_time_zone()
        .with(
            eq(STUDENT),
            eq(Some(TimeZoneName::from_catalog("Europe/Berlin"))),
            eq(now()),
        )
        .times(1)
        .returning(|_, _, _| Ok(()));
    let zone = preferences(store)
        .set_time_zone(Actor::student(STUDENT), "  europe/BERLIN ")
        .await
        .unwrap();
    assert_eq!(zone.as_str(), "Europe/Berlin");
}

#[tokio::test]
async fn an_unknown_zone_is_refused_and_nothing_is_saved() {
    let mut store = MockPreferenceStore::new();
    store.expect_set_time_zone().never();
    let service = preferences(store);
    for raw in [
        "Mars/Olympus_Mons",
        "Europe/Berlin\r\nSet-Cookie: x",
        "../../etc/passwd",
    ] {
        let error = service
            .set_time_zone(Actor::instructor(INSTRUCTOR), raw)
            .await
            .unwrap_err();
        assert!(
            matches!(error, PreferenceError::UnknownTimeZone(_)),
            "{raw:?}"
        );
        assert_eq!(crate::error::DomainError::code(&error), "invalid_input");
    }
    let long = "x".repeat(500);
    let error = service
        .set_time_zone(Actor::student(STUDENT), &long)
        .await
        .unwrap_err();
    assert!(
        error.to_string().len() < 300,
        "the message echoes a bounded part"
    );
}

#[tokio::test]
async fn blank_forgets_the_choice_and_utc_is_in_force() {
    let mut store = MockPreferenceStore::new();
    store
        .expect_set_time_zone()
        .with(eq(STUDENT), eq(None), eq(now()))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let zone = preferences(store)
        .set_time_zone(Actor::student(STUDENT), "   ")
        .await
        .unwrap();
    assert!(zone.is_utc());
}

#[tokio::test]
async fn the_zone_in_force_is_the_choice_or_utc() {
    let mut store = MockPreferenceStore::new();
    store
        .expect_time_zone()
        .with(eq(STUDENT))
        .returning(|_| Ok(Some("Europe/Berlin".to_owned())));
    store
        .expect_time_zone()
        .with(eq(OTHER_STUDENT))
        .returning(|_| Ok(None));
    store
        .expect_time_zone()
        .with(eq(INSTRUCTOR))
        .returning(|_| Ok(Some("Atlantis/Capital".to_owned())));
    let service = preferences(store);
    let chosen = service.time_zone(Actor::student(STUDENT)).await.unwrap();
    assert_eq!(chosen.as_str(), "Europe/Berlin");
    let none = service
        .time_zone(Actor::student(OTHER_STUDENT))
        .await
        .unwrap();
    assert!(none.is_utc());
    let gone = service
        .time_zone(Actor::instructor(INSTRUCTOR))
        .await
        .unwrap();
    assert!(gone.is_utc(), "a zone the catalog dropped reads as UTC");
}

#[tokio::test]
async fn a_store_failure_is_reported_as_such() {
    let mut store = MockPreferenceStore::new();
    store
        .expect_time_zone()
        .returning(|_| Err(RepositoryError::Unavailable("down".to_owned())));
    let error = preferences(store)
        .time_zone(Actor::student(STUDENT))
        .await
        .unwrap_err();
    assert_eq!(crate::error::DomainError::code(&error), "unavailable");
}
