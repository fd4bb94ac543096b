//! # sensei-core
//!
//! The pure domain of sensei scheduling: a student who is stuck asks for a one-to-one session
//! with a human instructor; this crate decides whether they are eligible, records the request
//! once (deduplicated), snapshots their digi-trainer engagement, and serves the instructor's
//! queue and completion.
//!
//! It knows nothing of databases or HTTP. Persistence and time come in through the [`ports`];
//! the use cases live in [`services`]. Enable the `mocks` feature (from dev-dependencies) to get
//! `mockall` mocks of every port (`MockScheduledSessionRepository`, `MockClock`, ...).
//!
//! ```
//! use sensei_core::domain::engagement::engagement_percent;
//! assert_eq!(engagement_percent(1, 1, 3), 67);
//! assert_eq!(engagement_percent(0, 0, 0), 0);
//! ```

// Unit tests may read the wall clock; the code under test reads the `Clock` port.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod domain;
pub mod error;
pub mod ports;
pub mod services;

pub use domain::*;
pub use error::*;
pub use services::{Ports, SenseiService};
