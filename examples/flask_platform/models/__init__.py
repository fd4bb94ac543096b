"""The platform's SQLAlchemy models (Flask-SQLAlchemy), as the seed's code base has them.

`db` is the one Flask-SQLAlchemy handle; the models register on import. The platform's own
tables (users, challenges, goals, submissions, reviews, goal progress) follow sensei's
standalone platform schema (migrations/*/platform), which is the shape the sensei service and
the `sensei` Python package read; `scheduled_sessions` is the seed's model, unchanged.
"""

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

from models.platform import (  # noqa: E402
    Challenge,
    Goal,
    GoalProgress,
    Review,
    Submission,
    User,
)
from models.scheduled_session import ScheduledSession  # noqa: E402

__all__ = [
    "db",
    "Challenge",
    "Goal",
    "GoalProgress",
    "Review",
    "ScheduledSession",
    "Submission",
    "User",
]
