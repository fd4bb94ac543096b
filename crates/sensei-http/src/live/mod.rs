//! The live stream (`GET /api/v1/events`, Server-Sent Events; see `docs/live.md`): the audit
//! trail's events as they commit in any process, filtered per viewer by the core's rules
//! (`sensei_core::domain::live`).
//!
//! * [`hub`]: one task per process reads new events when woken and fans them out;
//! * [`api`]: the operation, its replay on reconnection and its caps;
//! * [`body`]: the event's JSON and SSE framing per viewer;
//! * [`hooks`]: the "my challenges" default and presence, filled by those features.

pub mod api;
pub mod body;
pub mod hooks;
pub mod hub;
pub mod shared;

pub use api::LiveApi;
pub use hub::LiveHub;
