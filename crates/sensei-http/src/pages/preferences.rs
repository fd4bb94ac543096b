//! The viewer's preferences: `GET /account/preferences` shows the time zone pages use and a
//! form to choose another; `POST /account/preferences` saves it.

use askama::Template;
use poem::http::StatusCode;
use poem::session::Session;
use poem::web::Data;
use poem::{handler, Response};
use serde::Deserialize;

use super::layout::Nav;
use super::{flash, html, see_other};
use crate::auth::{CheckedForm, Viewer};
use crate::error::AppError;
use crate::state::AppState;
use crate::zone::{remember_zone, ViewerZone, ZoneCatalog};

/// Where the page lives.
pub const PATH: &str = "/account/preferences";

/// One choice of the time zone list.
#[derive(Debug, Clone)]
pub struct ZoneOption {
    /// The IANA name (the value sent).
    pub name: &'static str,
    /// Whether it is the viewer's current zone.
    pub selected: bool,
}

/// `GET /account/preferences`.
#[derive(Template)]
#[template(path = "preferences.html")]
pub struct PreferencesPage {
    /// The header.
    pub nav: Option<Nav>,
    /// The zone in force.
    pub zone: &'static str,
    /// Now, as pages show it in that zone (with UTC beside it).
    pub now: String,
    /// Every zone, the current one selected.
    pub zones: Vec<ZoneOption>,
    /// The form's CSRF token.
    pub csrf_token: String,
}

/// `GET /account/preferences`: every signed-in role; anonymous 303 to `/login`.
#[handler]
pub async fn show(viewer: Viewer, state: Data<&AppState>) -> Result<Response, AppError> {
    let current = viewer.zone.name();
    let page = PreferencesPage {
        nav: Nav::for_viewer(&viewer),
        zone: current,
        now: viewer.zone.datetime_with_utc(&state.service.now()),
        zones: ZoneCatalog::names()
            .map(|name| ZoneOption {
                name,
                selected: name == current,
            })
            .collect(),
        csrf_token: viewer.csrf_token.clone(),
    };
    html(&page, StatusCode::OK)
}

/// The preference form's fields.
#[derive(Debug, Deserialize)]
pub struct PreferencesForm {
    /// An IANA zone name; blank for UTC.
    #[serde(default)]
    pub time_zone: String,
}

/// `POST /account/preferences` (`time_zone`): 303 back with a confirmation; 400 for a name
/// that is no time zone (nothing saved); 403 without a valid CSRF token.
#[handler]
pub async fn save(
    viewer: Viewer,
    session: &Session,
    state: Data<&AppState>,
    CheckedForm(form): CheckedForm<PreferencesForm>,
) -> Result<Response, AppError> {
    let zone = state
        .preferences
        .set_time_zone(viewer.actor(), &form.time_zone)
        .await
        .map_err(|error| AppError::from_domain(&error).with_back(PATH))?;
    let zone = ViewerZone::named(zone.as_str());
    remember_zone(session, viewer.account.id, zone);
    tracing::info!(time_zone = zone.name(), "time zone chosen");
    flash::set(session, &format!("Times are now shown in {}.", zone.name()));
    Ok(see_other(PATH))
}
