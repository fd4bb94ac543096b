"""The exception classes of the sensei package.

Every error of the Rust core has a *kind*; each kind is one class here (``Scheduler`` raises
them, never a Rust panic). Every exception carries ``code``, the same stable snake_case code
the sensei JSON API answers with (``"ineligible"``, ``"held_by_other"``, ...), and its message
is the text to show a person.
"""

from __future__ import annotations


class SenseiError(Exception):
    """Base class of every error the sensei package raises.

    Attributes:
        message: what went wrong, for people (also ``str(error)``).
        code: the stable machine-readable code (as the sensei JSON API's ``code``).
    """

    code: str = "internal"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(SenseiError, LookupError):
    """The submission or scheduled session does not exist."""

    code = "not_found"


class Forbidden(SenseiError):
    """The acting user may not do this (someone else's submission or session)."""

    code = "forbidden"


class Refused(SenseiError):
    """Well-formed input the rules refuse: notes too long, a claim limit reached."""

    code = "refused"


class NotEligible(Refused):
    """A booking the rules refuse: the student is not eligible (the message says which
    conditions were not met and by how much), or already has the most open sessions."""

    code = "ineligible"


class Conflict(SenseiError):
    """The session's state forbids it: already completed, cancelled, or claimed by another
    instructor (the message names the holder and the expiry)."""

    code = "conflict"


class InvalidInput(SenseiError, ValueError):
    """An argument out of range, or input the database cannot store."""

    code = "invalid_input"


class Unavailable(SenseiError):
    """The database cannot serve now (unreachable, locked, full); retrying later may work."""

    code = "unavailable"


class InternalError(SenseiError):
    """A bug or corrupt stored data; the message says what could not be read."""

    code = "internal"


__all__ = [
    "SenseiError",
    "NotFound",
    "Forbidden",
    "Refused",
    "NotEligible",
    "Conflict",
    "InvalidInput",
    "Unavailable",
    "InternalError",
]
