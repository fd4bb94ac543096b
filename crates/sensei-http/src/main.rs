//! The sensei binary.
fn main() {}
