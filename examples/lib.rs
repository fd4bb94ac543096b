//! Examples of using sensei-core (see the `examples` and `tests` of this package).
