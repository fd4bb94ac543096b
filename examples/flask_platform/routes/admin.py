"""The instructors' side (the seed's routes/admin.py additions): the dashboard's scheduled
sessions, the detail page, and completion, through the `sensei` package."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

import sensei
from auth import check_csrf, current_user, require_instructor
from models import Challenge, GoalProgress, db
from sensei_ext import scheduler

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("")
@require_instructor
def dashboard():
    try:
        page = scheduler().pending(limit=25, after=request.args.get("after") or None)
    except sensei.InvalidInput:
        abort(400)
    return render_template("admin/dashboard.html", page=page)


@bp.route("/scheduled-sessions/<int:session_id>")
@require_instructor
def view_scheduled_session(session_id: int):
    try:
        session = scheduler().get(session_id)
    except sensei.NotFound:
        abort(404)
    challenge = db.session.get(Challenge, session.challenge_id) if session.challenge_id else None
    goals = challenge.goals if challenge else []
    statuses = {
        row.goal_id: row.status
        for row in GoalProgress.query.filter_by(user_id=session.user_id).filter(
            GoalProgress.goal_id.in_([goal.id for goal in goals])
        )
    }
    progress = [(goal.title, statuses.get(goal.id, "not_started")) for goal in goals]
    return render_template(
        "admin/scheduled_session_detail.html", session=session, progress=progress
    )


@bp.route("/scheduled-sessions/<int:session_id>/complete", methods=["POST"])
@require_instructor
def complete_scheduled_session(session_id: int):
    check_csrf()
    try:
        scheduler().complete(
            session_id, instructor_id=current_user().id, notes=request.form.get("notes")
        )
    except sensei.NotFound:
        abort(404)
    except sensei.Conflict as conflict:
        return render_template("admin/refused.html", message=conflict.message), 409
    except sensei.Refused as refusal:
        return render_template("admin/refused.html", message=refusal.message), 422
    return redirect(url_for("admin.dashboard"), code=303)
