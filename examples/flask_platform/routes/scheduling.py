"""The student's side: their submissions, and `book()`, the seed's route, now one call to the
`sensei` package (eligibility, the engagement snapshot and the exact dedup are its rules)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

import sensei
from auth import check_csrf, current_user, require_student
from models import Challenge, GoalProgress, Review, Submission, db
from sensei_ext import scheduler

bp = Blueprint("scheduling", __name__)


def _progress(user_id: int, challenge: Challenge) -> list[tuple[str, str]]:
    statuses = {
        row.goal_id: row.status
        for row in GoalProgress.query.filter_by(user_id=user_id).filter(
            GoalProgress.goal_id.in_([goal.id for goal in challenge.goals])
        )
    }
    return [(goal.title, statuses.get(goal.id, "not_started")) for goal in challenge.goals]


@bp.route("/submissions")
@require_student
def my_submissions():
    submissions = Submission.query.filter_by(user_id=current_user().id).order_by(Submission.id).all()
    return render_template("scheduling/submissions.html", submissions=submissions)


@bp.route("/submissions/<int:submission_id>")
@require_student
def submission(submission_id: int):
    found = db.session.get(Submission, submission_id)
    if found is None:
        abort(404)
    if found.user_id != current_user().id:
        abort(403)
    progress = _progress(found.user_id, found.challenge)
    latest = (
        Review.query.filter_by(submission_id=found.id)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .first()
    )
    eligibility = sensei.evaluate_eligibility(
        latest.verdict if latest else None,
        sum(status == "passed" for _, status in progress),
        sum(status == "engaged" for _, status in progress),
        len(progress),
    )
    return render_template(
        "scheduling/submission.html", submission=found, progress=progress, eligibility=eligibility
    )


@bp.route("/submissions/<int:submission_id>/schedule", methods=["POST"])
@require_student
def book(submission_id: int):
    check_csrf()
    try:
        booking = scheduler().book(current_user().id, submission_id)
    except sensei.NotEligible as refusal:
        return render_template("scheduling/not_eligible.html", reason=refusal.message), 422
    except sensei.Forbidden:
        abort(403)
    except sensei.NotFound:
        abort(404)
    except sensei.Unavailable:
        abort(503)
    status = 201 if booking.created else 200
    if request.accept_mimetypes.best == "application/json":
        return {"id": booking.session.id, "created": booking.created}, status
    return render_template("scheduling/booked.html", booking=booking), status
