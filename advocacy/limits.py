"""Rate limits (Flask-Limiter): in memory per process by default, shared storage by setting.

``RATELIMIT_STORAGE_URI`` (``ADVOCACY_RATELIMIT_STORAGE_URI`` in the environment) picks the
storage, e.g. ``redis://localhost:6379`` when several workers or hosts must share one count.
Limits are keyed by client address: behind a proxy, set ``PROXY_FIX_X_FOR`` so that address is
the client's, not the proxy's.
"""

import math
import time
from collections.abc import Callable

from flask import Flask
from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def lookups(exempt_when: Callable[[], bool] | None = None):
    """The per-address limit on postcode lookups, one count shared by the API and the pages,
    so neither is a way round the other."""
    return limiter.shared_limit(
        _setting("API_LOOKUP_RATE_LIMIT"), scope="lookups", exempt_when=exempt_when
    )


def letters():
    """The per-address limit on drafting letters (and saying they were sent), shared likewise."""
    return limiter.shared_limit(_setting("API_LETTERS_RATE_LIMIT"), scope="letters")


def retry_after() -> int:
    """Seconds until the limit this request broke lets the client in again."""
    current = limiter.current_limit
    if current is None:
        return 60
    window = current.limit.get_expiry()
    return min(window, max(1, math.ceil(current.reset_at - time.time())))


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    # Flask-Limiter's headers would put Retry-After on every answer, over the app's own (503);
    # the 429 handler in errors.py sets it from retry_after() instead.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    _check_in_views_only(app)


def _check_in_views_only(app: Flask) -> None:
    """Every limit here is a decorator on its view, and the decorator checks it. Flask-Limiter
    also checks default and application-wide limits before every request; this app sets none,
    so that check found nothing at a quarter of a cached page's cost, and goes."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return  # someone set app-wide limits: keep the check that applies them
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)
