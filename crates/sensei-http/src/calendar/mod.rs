//! The calendar feed's adapter side: the operating system's random source for feed secrets,
//! and the feed rendered as an RFC 5545 calendar.

pub mod content_line;
pub mod ics;
pub mod random;

pub use ics::render;
pub use random::OsRandom;
