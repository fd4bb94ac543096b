"""A stand-in for the platform's own sign-in: who the current user is, the role decorators the
seed's routes use, and a per-session CSRF token for every form that changes state.

The platform has its own login; here `POST /login` with an email signs in without a password
and exists only when `app.config["DEV_LOGIN"]` is true (the example and its tests).
"""

from __future__ import annotations

import functools
import hmac
import secrets

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for

from models import User, db

bp = Blueprint("auth", __name__)


def current_user() -> User | None:
    if "current_user" not in g:
        user_id = session.get("user_id")
        g.current_user = db.session.get(User, user_id) if user_id is not None else None
    return g.current_user


def require_login(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login"), code=303)
        return view(*args, **kwargs)

    return wrapped


def require_student(view):
    @functools.wraps(view)
    @require_login
    def wrapped(*args, **kwargs):
        if current_user().is_instructor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def require_instructor(view):
    @functools.wraps(view)
    @require_login
    def wrapped(*args, **kwargs):
        if not current_user().is_instructor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def csrf_token() -> str:
    """The session's token, for a hidden `csrf_token` field in every form."""
    token = session.get("csrf_token")
    if token is None:
        token = session["csrf_token"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuses (400) a state-changing request without the session's token."""
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf_token", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, "missing or wrong CSRF token: reload the page and try again")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if not current_app.config.get("DEV_LOGIN"):
        abort(404)
    if request.method == "GET":
        return (
            '<form method="post"><input name="email" placeholder="email">'
            "<button>Sign in</button></form>"
        )
    user = User.query.filter_by(email=request.form.get("email", "").strip().lower()).first()
    if user is None:
        abort(401)
    session.clear()
    session["user_id"] = user.id
    return redirect(url_for("admin.dashboard" if user.is_instructor else "scheduling.my_submissions"), code=303)
