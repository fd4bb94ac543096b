"""Type stubs of the Rust extension ``sensei._sensei`` (re-exported by ``sensei``)."""

from datetime import datetime, timedelta
from typing import Iterator, List, Optional, Union, final

from ._enums import BookingOutcome, EligibilityReason, SessionState

def engagement_percent(goals_passed: int, goals_engaged: int, total_goals: int) -> int:
    """``round((goals_engaged + goals_passed) / total_goals * 100)``, 0 when there are no
    goals. Raises ``InvalidInput`` for a negative count or one above 2**32 - 1."""

def evaluate_eligibility(
    latest_verdict: Optional[str],
    goals_passed: int,
    goals_engaged: int,
    total_goals: int,
    *,
    engagement_threshold: Optional[int] = None,
) -> Eligibility:
    """The eligibility rules over given facts; ``engagement_threshold`` 1-100 (default 100).
    Raises ``InvalidInput`` for counts out of range or more goals touched than exist."""

@final
class Eligibility:
    """The outcome of the eligibility rules; truthy when eligible."""

    @property
    def eligible(self) -> bool: ...
    @property
    def reason(self) -> Optional[EligibilityReason]:
        """The reason a booking would record, or ``None`` when not eligible."""
    @property
    def refusal(self) -> Optional[str]:
        """Why not, as the service words it, or ``None`` when eligible."""
    def __bool__(self) -> bool: ...

@final
class Session:
    """A scheduled session (an immutable snapshot; times are aware ``datetime`` in UTC)."""

    @property
    def id(self) -> int: ...
    @property
    def submission_id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def eligibility_reason(self) -> Optional[Union[EligibilityReason, str]]:
        """An ``EligibilityReason``; the stored text when another version of the platform
        wrote something else; ``None`` when nothing was recorded."""
    @property
    def goals_passed(self) -> int: ...
    @property
    def goals_engaged(self) -> int: ...
    @property
    def total_goals(self) -> int: ...
    @property
    def engagement_percent(self) -> int: ...
    @property
    def scheduled_at(self) -> datetime: ...
    @property
    def state(self) -> SessionState: ...
    @property
    def claimed_by(self) -> Optional[int]: ...
    @property
    def claim_expires_at(self) -> Optional[datetime]: ...
    @property
    def completed_at(self) -> Optional[datetime]: ...
    @property
    def completed_by(self) -> Optional[int]: ...
    @property
    def notes(self) -> Optional[str]: ...
    @property
    def student_notes(self) -> Optional[str]: ...
    @property
    def cancelled_at(self) -> Optional[datetime]: ...
    @property
    def cancel_reason(self) -> Optional[str]: ...
    @property
    def student_email(self) -> Optional[str]:
        """Set when read with the queue's joins (``get``, ``pending``)."""
    @property
    def challenge_id(self) -> Optional[int]:
        """Set when read with the queue's joins (``get``, ``pending``)."""
    @property
    def challenge_name(self) -> Optional[str]:
        """Set when read with the queue's joins (``get``, ``pending``)."""
    @property
    def holder_email(self) -> Optional[str]:
        """The claim holder's email, when read with the queue's joins and claimed."""

@final
class Booking:
    """The result of ``Scheduler.book``."""

    @property
    def session(self) -> Session: ...
    @property
    def outcome(self) -> BookingOutcome: ...
    @property
    def created(self) -> bool:
        """``False`` when the session booked within the dedup window is returned."""

@final
class SessionPage:
    """One page of sessions, the total matching the filters, and the next page's cursor."""

    @property
    def items(self) -> List[Session]: ...
    @property
    def total(self) -> int: ...
    @property
    def next_cursor(self) -> Optional[str]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Session]: ...

@final
class QueuePosition:
    """An open session's place in the queue and its expected wait (``Scheduler.position``)."""

    @property
    def position(self) -> Optional[int]:
        """1 is next; ``None`` once an instructor holds it."""
    @property
    def with_instructor(self) -> bool: ...
    @property
    def estimated_wait_minutes(self) -> Optional[int]:
        """``None`` with an instructor or while history is too thin for an estimate."""
    @property
    def estimate_basis_days(self) -> Optional[int]: ...
    @property
    def summary(self) -> str:
        """For people: ``"number 3 in line, about 25 min (from the last 14 days)"``."""
    @property
    def as_of(self) -> datetime: ...

class Scheduler:
    """The sensei use cases over the platform's database (SQLite file or PostgreSQL).

    Thread-safe: share one per process; each call releases the GIL while the database works.
    Create it after forking (one per gunicorn worker).
    """

    def __init__(
        self,
        database_url: str,
        *,
        engagement_threshold: int = 100,
        dedup_window: timedelta = ...,
        claim_time: timedelta = ...,
        max_live_claims: int = 4,
        max_open_sessions: int = 3,
        max_connections: Optional[int] = None,
        timeout: Optional[timedelta] = None,
    ) -> None: ...
    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgres"``."""
    def migrate(self, *, platform: bool = False) -> List[str]: ...
    def book(self, user_id: int, submission_id: int) -> Booking: ...
    def pending(
        self,
        *,
        status: str = "pending",
        reason: Optional[str] = None,
        challenge_id: Optional[int] = None,
        student: Optional[str] = None,
        limit: Optional[int] = None,
        after: Optional[str] = None,
    ) -> SessionPage: ...
    def get(self, session_id: int) -> Session: ...
    def position(self, session_id: int) -> Optional[QueuePosition]: ...
    def complete(
        self,
        session_id: int,
        *,
        instructor_id: int,
        notes: Optional[str] = None,
        student_notes: Optional[str] = None,
    ) -> Session: ...
    def claim(self, session_id: int, *, instructor_id: int) -> Session: ...
    def renew(self, session_id: int, *, instructor_id: int) -> Session: ...
    def release(self, session_id: int, *, instructor_id: int) -> Session: ...
    def cancel(self, session_id: int, *, user_id: int, reason: Optional[str] = None) -> Session: ...
