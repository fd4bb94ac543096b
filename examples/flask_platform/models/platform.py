"""The platform's own models: users, challenges and their goals, submissions and their
reviews, and each student's progress per goal."""

from datetime import datetime

from models import db


class User(db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), nullable=False, unique=True)
    role = db.Column(db.String(20), nullable=False, default="student")  # student | instructor
    password_hash = db.Column(db.String(255), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=datetime.utcnow)

    @property
    def is_instructor(self) -> bool:
        return self.role in ("instructor", "admin")


class Challenge(db.Model):
    __tablename__ = "challenges"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")

    goals = db.relationship("Goal", backref="challenge", order_by="Goal.position")


class Goal(db.Model):
    __tablename__ = "goals"

    id = db.Column(db.Integer, primary_key=True)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenges.id"), nullable=False)
    title = db.Column(db.String(200), nullable=False)
    position = db.Column(db.Integer, nullable=False, default=0)


class Submission(db.Model):
    __tablename__ = "submissions"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    challenge_id = db.Column(db.Integer, db.ForeignKey("challenges.id"), nullable=False)
    submitted_at = db.Column(db.DateTime, nullable=False, default=datetime.utcnow)
    content = db.Column(db.Text)

    user = db.relationship("User")
    challenge = db.relationship("Challenge")


class Review(db.Model):
    __tablename__ = "reviews"

    id = db.Column(db.Integer, primary_key=True)
    submission_id = db.Column(db.Integer, db.ForeignKey("submissions.id"), nullable=False)
    verdict = db.Column(db.String(50), nullable=False)  # needs_work | approved | ...
    created_at = db.Column(db.DateTime, nullable=False, default=datetime.utcnow)


class GoalProgress(db.Model):
    __tablename__ = "goal_progress"
    __table_args__ = (db.UniqueConstraint("user_id", "goal_id"),)

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    goal_id = db.Column(db.Integer, db.ForeignKey("goals.id"), nullable=False)
    status = db.Column(db.String(20), nullable=False, default="not_started")
    updated_at = db.Column(db.DateTime, nullable=False, default=datetime.utcnow)

    goal = db.relationship("Goal")
