//! # sensei-http
//!
//! The thin Poem adapter of sensei scheduling: server-rendered pages over
//! [`sensei_core::SenseiService`], sign-in with argon2-hashed passwords and private session
//! cookies, CSRF protection on every form, and the `sensei` binary that wires configuration,
//! the Diesel adapter ([`sensei_diesel`]) and the domain.
//!
//! The library is what the binary runs and what the tests drive:
//! [`startup::Application::build`] binds a listener (port 0 in tests) and reports the bound
//! port; [`startup::build_router`] gives the whole endpoint for poem's `TestClient`.

// Unit tests may read the wall clock; the code under test reads the `Clock` port.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod allocator;
pub mod api;
pub mod auth;
pub mod calendar;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod connections;
pub mod demo;
pub mod desk;
pub mod email;
pub mod error;
pub mod export;
pub mod fallback;
pub mod import_csv;
pub(crate) mod list_filters;
pub mod live;
pub mod monitoring;
pub mod pages;
pub mod passwords;
pub mod presentation;
pub mod privacy;
pub mod request_id;
pub mod security_headers;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod throttle;
pub mod webhooks;
pub mod zone;

#[cfg(test)]
mod handler_tests;

pub use config::{AppConfig, CookieSecret};
pub use error::AppError;
pub use startup::{build_router, build_router_with, Application};
pub use state::AppState;
