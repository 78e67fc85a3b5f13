"""WSGI app for the benchmark: the real app, with a bare Flask baseline mounted beside it.

``gunicorn 'benchmarks.app:create()'`` serves both from the same workers, so the baseline
(``GET /baseline/`` → ``{"ok": true}``) is the ceiling for a Flask app under this very server.
Settings come from ``ADVOCACY_*`` environment variables, which ``benchmarks/run.py`` sets.
"""

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from advocacy import create_app

BASELINE_PREFIX = "/baseline"


def baseline_app() -> Flask:
    """A bare Flask app with one route returning a small JSON object."""
    bare = Flask("baseline")

    @bare.get("/")
    def ok() -> dict[str, bool]:
        return {"ok": True}

    return bare


def with_baseline(app: Flask) -> DispatcherMiddleware:
    """``app`` at ``/``, the bare baseline at ``/baseline/``."""
    return DispatcherMiddleware(app, {BASELINE_PREFIX: baseline_app()})


def create() -> DispatcherMiddleware:
    """The app factory gunicorn calls in each worker."""
    return with_baseline(create_app())
