"""The platform's Flask app, reduced to what the scheduling feature touches, running the seed's
`book()` and admin routes over the `sensei` package.

    pip install flask flask-sqlalchemy target/wheels/sensei_scheduling-*.whl
    python examples/flask_platform/app.py --database-url sqlite:////tmp/platform.db --demo

`--demo` creates the tables and a few accounts (sign in at /login with an email, no
password: the example's stand-in for the platform's own login).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from flask import Flask  # noqa: E402

import auth  # noqa: E402
from models import Challenge, Goal, GoalProgress, Review, Submission, User, db  # noqa: E402
from routes import admin, scheduling  # noqa: E402
from sensei_ext import scheduler  # noqa: E402


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", "sqlite:///platform.db"),
        DEV_LOGIN=False,
    )
    app.config.update(config or {})
    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(scheduling.bp)
    app.register_blueprint(admin.bp)
    app.jinja_env.globals["csrf_token"] = auth.csrf_token
    return app


def create_schema(app: Flask) -> None:
    """The platform's tables (SQLAlchemy), then sensei's: the feature's indexes, counter and
    workflow columns on the seed's table, and the standalone schema's sign-in table (so a
    `sensei serve` can share the database)."""
    with app.app_context():
        db.create_all()
        scheduler().migrate(platform=True)


def load_demo(app: Flask) -> None:
    with app.app_context():
        if User.query.first() is not None:
            return
        now = datetime.utcnow()
        teacher = User(email="sensei@example.com", role="instructor", password_hash="!")
        alice = User(email="alice@example.com", role="student", password_hash="!")
        carol = User(email="carol@example.com", role="student", password_hash="!")
        challenge = Challenge(name="Linked lists", description="")
        challenge.goals = [Goal(title=title, position=i) for i, title in enumerate("abc")]
        db.session.add_all([teacher, alice, carol, challenge])
        db.session.flush()
        for student in (alice, carol):
            submission = Submission(user_id=student.id, challenge_id=challenge.id, submitted_at=now)
            db.session.add(submission)
            db.session.flush()
            if student is alice:
                db.session.add(Review(submission_id=submission.id, verdict="needs_work", created_at=now))
        db.session.add(GoalProgress(user_id=alice.id, goal_id=challenge.goals[0].id, status="passed"))
        db.session.add(GoalProgress(user_id=carol.id, goal_id=challenge.goals[0].id, status="engaged"))
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "sqlite:///platform.db"))
    parser.add_argument("--bind", default="127.0.0.1:5000")
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "DEV_LOGIN": args.demo})
    if args.demo:
        create_schema(app)
        load_demo(app)
    host, _, port = args.bind.rpartition(":")
    app.run(host=host or "127.0.0.1", port=int(port), threaded=True)


if __name__ == "__main__":
    main()
