"""String enums of the sensei package: each member *is* its stored string."""

from __future__ import annotations

import enum

try:  # Python 3.11+
    from enum import StrEnum as _StrEnum
except ImportError:  # pragma: no cover - Python 3.9 and 3.10

    class _StrEnum(str, enum.Enum):  # type: ignore[no-redef]
        def __str__(self) -> str:
            return str(self.value)


class SessionState(_StrEnum):
    """Where a scheduled session is in its lifecycle (a claim past its expiry reads as
    pending)."""

    PENDING = "pending"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class EligibilityReason(_StrEnum):
    """Why a student was eligible, as stored in ``scheduled_sessions.eligibility_reason``."""

    NEEDS_WORK_FEEDBACK = "needs_work_feedback"
    DIGI_TRAINER_ENGAGEMENT = "digi_trainer_engagement"


class BookingOutcome(_StrEnum):
    """Whether a booking recorded a new session or found the recent one."""

    CREATED = "created"
    DUPLICATE = "duplicate"


class StatusFilter(_StrEnum):
    """Which sessions a list shows (``Scheduler.pending(status=...)``)."""

    PENDING = "pending"
    CLAIMED = "claimed"
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    ALL = "all"


__all__ = ["SessionState", "EligibilityReason", "BookingOutcome", "StatusFilter"]
