//! Diesel adapter (in progress).
