//! # sensei-py
//!
//! The Python package of sensei scheduling (`import sensei`): the core's rules and use cases
//! over the Diesel adapter, for the platform's Flask + SQLAlchemy code, on the platform's own
//! database. Built with maturin into an abi3 wheel (`pyproject.toml`); the Python half of the
//! package (exception classes, string enums, type stubs) is in `python/sensei`.
//!
//! * [`rules`]: `engagement_percent`, `evaluate_eligibility`;
//! * [`scheduler`]: `Scheduler` (book, pending, get, position, complete, claim, renew, release,
//!   cancel), the GIL released while the database works;
//! * [`objects`]: the returned `Session`, `Booking`, `SessionPage`;
//! * [`queue`]: the `QueuePosition` of `Scheduler.position`;
//! * [`errors`]: every core error to an exception class by its kind.
//!
//! See `docs/python.md`.

// Unit tests may read the wall clock; the code under test reads the `Clock` port.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod args;
pub mod errors;
pub mod objects;
pub mod queue;
pub mod rules;
pub mod scheduler;

use pyo3::prelude::*;

/// The extension module `sensei._sensei` (re-exported by the `sensei` package).
#[pymodule]
fn _sensei(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(rules::engagement_percent, module)?)?;
    module.add_function(wrap_pyfunction!(rules::evaluate_eligibility, module)?)?;
    module.add_class::<rules::PyEligibility>()?;
    module.add_class::<scheduler::Scheduler>()?;
    module.add_class::<objects::PySession>()?;
    module.add_class::<objects::PyBooking>()?;
    module.add_class::<objects::PySessionPage>()?;
    module.add_class::<queue::PyQueuePosition>()?;
    Ok(())
}
