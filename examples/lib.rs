//! Examples of embedding `sensei-core` in a platform.
//!
//! [`in_memory`] is a complete set of repositories (every port of `sensei-core`) over plain
//! vectors behind one mutex: what a platform writes to plug its own storage into the domain.
//! Run the walk-through with:
//!
//! ```text
//! cargo run -p sensei-examples --example embed_in_memory
//! ```
//!
//! `tests/mocked_rule.rs` shows how a platform engineer tests a scheduling rule with the
//! `mockall` mocks that `sensei-core`'s `mocks` feature generates.

pub mod in_memory;
