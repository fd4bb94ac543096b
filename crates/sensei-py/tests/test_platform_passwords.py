"""The platform's own passwords sign in to `sensei serve`: a user the Flask code created with
Werkzeug's `generate_password_hash` (scrypt, its default, and pbkdf2:sha256) signs in on the
JSON API with that password, on SQLite and PostgreSQL, and the platform's hash is left as it
was. A password set with `sensei user set-password --password-format werkzeug-scrypt` is one
Werkzeug's `check_password_hash` accepts."""

from __future__ import annotations

import subprocess

import pytest
import requests
from werkzeug.security import check_password_hash, generate_password_hash

from sensei_testing import Server, sensei_bin
from models import User, db  # noqa: E402  (the seed's models, on the path sensei_testing set)

PASSWORD = "the platform's own password"


@pytest.fixture
def password_server(platform):
    started = Server(platform.database.url, trusted_header=False)
    yield started
    started.stop()


def add_platform_user(platform, email: str, method: str) -> str:
    """A user as the Flask code makes one; its stored hash."""
    hashed = generate_password_hash(PASSWORD, method=method)
    with platform.app.app_context():
        db.session.add(User(email=email, role="student", password_hash=hashed))
        db.session.commit()
    return hashed


def stored_hash(platform, email: str) -> str:
    with platform.app.app_context():
        return db.session.execute(db.select(User.password_hash).filter_by(email=email)).scalar_one()


def sign_in(server: Server, email: str, password: str) -> requests.Response:
    return requests.post(
        f"{server.base}/api/v1/session", json={"email": email, "password": password}, timeout=60
    )


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256:1000"])
def test_a_flask_user_signs_in_with_their_werkzeug_password(platform, password_server, method):
    email = f"flask-{method.split(':')[0]}@example.com"
    hashed = add_platform_user(platform, email, method)

    answered = sign_in(password_server, email, PASSWORD)
    assert answered.status_code == 200, answered.text
    assert answered.json()["email"] == email

    wrong = sign_in(password_server, email, PASSWORD + "!")
    assert wrong.status_code == 401, wrong.text
    assert wrong.json()["code"] == "invalid_credentials"
    assert stored_hash(platform, email) == hashed, "the platform's hash is never rewritten"


def test_a_password_set_for_the_platform_is_one_werkzeug_accepts(platform, password_server):
    email = "shared@example.com"
    add_platform_user(platform, email, "scrypt")
    done = subprocess.run(
        [
            sensei_bin(),
            "user",
            "--database-url",
            platform.database.url,
            "set-password",
            email,
            "--password-stdin",
            "--password-format",
            "werkzeug-scrypt",
        ],
        input=b"a password for both\n",
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    hashed = stored_hash(platform, email)
    assert hashed.startswith("scrypt:32768:8:1$")
    assert check_password_hash(hashed, "a password for both")
    assert sign_in(password_server, email, "a password for both").status_code == 200
