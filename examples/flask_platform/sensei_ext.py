"""One `sensei.Scheduler` per process, made on first use.

Lazily, because a Scheduler owns threads and database connections that do not survive a
fork: under gunicorn (`--preload` or not) each worker makes its own. It is thread-safe, so
all threads of a worker share it.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import current_app

import sensei

_lock = threading.Lock()


def scheduler() -> sensei.Scheduler:
    extensions = current_app.extensions
    found = extensions.get("sensei")
    if found is None:
        with _lock:
            found = extensions.get("sensei")
            if found is None:
                config = current_app.config
                found = sensei.Scheduler(
                    config.get("SENSEI_DATABASE_URL") or config["SQLALCHEMY_DATABASE_URI"],
                    engagement_threshold=config.get("SENSEI_ENGAGEMENT_THRESHOLD", 100),
                    dedup_window=config.get("SENSEI_DEDUP_WINDOW", timedelta(hours=1)),
                )
                extensions["sensei"] = found
    return found
