"""Rate limits (Flask-Limiter): in memory per process by default, shared storage by setting.

``RATELIMIT_STORAGE_URI`` (``ADVOCACY_RATELIMIT_STORAGE_URI`` in the environment) picks the
storage, e.g. ``redis://localhost:6379`` when several workers or hosts must share one count.
Limits are keyed by client address: behind a proxy, set ``PROXY_FIX_X_FOR`` so that address is
the client's, not the proxy's.
"""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
