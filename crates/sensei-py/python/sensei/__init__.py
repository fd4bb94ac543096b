"""Sensei scheduling for the platform's Python code.

The same rules and the same exact deduplication as the sensei service, over the platform's
own database (a SQLite file or PostgreSQL), from Rust:

* :func:`engagement_percent` and :func:`evaluate_eligibility`: the pure rules;
* :class:`Scheduler`: book, list, read, claim, release, complete and cancel sessions;
* the exception classes (:class:`SenseiError` and its subclasses) and the string enums.

See ``docs/python.md`` in the repository.
"""

from __future__ import annotations

from ._enums import BookingOutcome, EligibilityReason, SessionState, StatusFilter
from ._errors import (
    Conflict,
    Forbidden,
    InternalError,
    InvalidInput,
    NotEligible,
    NotFound,
    Refused,
    SenseiError,
    Unavailable,
)
from ._sensei import (
    Booking,
    Eligibility,
    QueuePosition,
    Scheduler,
    Session,
    SessionPage,
    engagement_percent,
    evaluate_eligibility,
)

__all__ = [
    "Booking",
    "BookingOutcome",
    "Conflict",
    "Eligibility",
    "EligibilityReason",
    "Forbidden",
    "InternalError",
    "InvalidInput",
    "NotEligible",
    "NotFound",
    "QueuePosition",
    "Refused",
    "Scheduler",
    "SenseiError",
    "Session",
    "SessionPage",
    "SessionState",
    "StatusFilter",
    "Unavailable",
    "engagement_percent",
    "evaluate_eligibility",
]
