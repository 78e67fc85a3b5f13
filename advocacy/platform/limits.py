"""Rate limits (Flask-Limiter): in memory per process by default, shared storage by setting.

``RATELIMIT_STORAGE_URI`` (``ADVOCACY_RATELIMIT_STORAGE_URI`` in the environment) picks the
storage, e.g. ``redis://localhost:6379`` when several workers or hosts must share one count.
Limits are keyed by client address: behind a proxy, set ``PROXY_FIX_X_FOR`` so that address is
the client's, not the proxy's. A deployment that forgets counts all its supporters as one, so
when requests carry ``X-Forwarded-For`` and the setting is off, each worker says so once.

The supporter limits (lookups, letters) sit on the busiest routes, so they are checked straight
against Flask-Limiter's own storage and strategy (the ``limits`` library underneath it): the same
counts, the same Redis, a fifth of the cost of Flask-Limiter's per-request bookkeeping. Staff
sign-in keeps Flask-Limiter's decorators, which it needs for their cost and key functions.
"""

import functools
import math
import threading
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Flask
from flask import current_app
from flask import g
from flask import request
from flask_limiter import Limiter
from limits import RateLimitItem
from limits import RateLimitItemPerDay
from limits import RateLimitItemPerSecond
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from limits.strategies import RateLimiter
from werkzeug.exceptions import TooManyRequests

UNTRUSTED_PROXY = (
    "Requests arrive with X-Forwarded-For, but the app is not told to trust a proxy, so rate "
    "limits count every supporter behind it as one client. Behind a reverse proxy, set "
    "ADVOCACY_PROXY_FIX_X_FOR to the number of proxies that set X-Forwarded-For (usually 1)."
)


class ProxyWarning:
    """Whether this app (one per worker) has yet to say that a proxy's header is ignored."""

    def __init__(self, trusted: bool) -> None:
        self.due = not trusted
        self._lock = threading.Lock()

    def take(self) -> bool:
        """True once, for the first caller of any thread."""
        with self._lock:
            due, self.due = self.due, False
        return due


def client_address() -> str:
    """The address limits count against: the proxy's own, unless ``PROXY_FIX_X_FOR`` is set.

    A request through a proxy the app does not trust carries ``X-Forwarded-For``: the first
    one a worker sees logs ``UNTRUSTED_PROXY`` (never the header's addresses). After that, and
    for requests without the header, the check is a dictionary lookup.
    """
    req = request._get_current_object()  # the proxy costs a lookup per use: once, not twice
    if "HTTP_X_FORWARDED_FOR" in req.environ:
        app = current_app._get_current_object()
        warning = app.extensions["advocacy.proxy_warning"]
        if warning.due and warning.take():
            app.logger.warning(UNTRUSTED_PROXY)
    return req.remote_addr or "127.0.0.1"  # as Flask-Limiter's get_remote_address


limiter = Limiter(key_func=client_address)
Limit = Callable[[Callable[..., Any]], Callable[..., Any]]


def lookups(exempt_when: Callable[[], bool] | None = None) -> Limit:
    """The per-address limit on postcode lookups, one count shared by the API and the pages,
    so neither is a way round the other."""
    return _shared("API_LOOKUP_RATE_LIMIT", "lookups", exempt_when)


def letters() -> Limit:
    """The per-address limit on drafting letters (and saying they were sent), shared likewise."""
    return _shared("API_LETTERS_RATE_LIMIT", "letters")


def _shared(setting: str, scope: str, exempt_when: Callable[[], bool] | None = None) -> Limit:
    """A limit from the setting ``setting``, counted under ``scope`` by every view that has it."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            if limiter.enabled and not (exempt_when and exempt_when()):
                _hit(current_app.config[setting], scope)
            return view(*args, **kwargs)

        return limited

    return decorator


@functools.lru_cache(maxsize=32)
def _items(value: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(value))


def _hit(value: str, scope: str) -> None:
    """Count this request against each limit in ``value``; 429 when one is spent."""
    key = client_address()
    for item in _items(value):
        if not limiter.limiter.hit(item, scope, key):
            g.advocacy_limit = (item, scope, key)
            raise TooManyRequests()


# Where single-use marks go when rate limits are switched off (RATELIMIT_ENABLED): this process.
_UNLIMITED = FixedWindowRateLimiter(MemoryStorage())
# A label counted for a campaign on a day (UTC) is known for the rest of it: marks last two days.
_KNOWN_LABEL = RateLimitItemPerDay(1, 2)


def _strategy() -> RateLimiter:
    return limiter.limiter if limiter.enabled else _UNLIMITED


def once(scope: str, key: str, seconds: int) -> bool:
    """True the first time ``key`` is marked in ``scope`` within ``seconds``, else False.

    The mark is a limit of one in the rate limits' own storage: Redis, when the deployment
    shares its limits between workers and hosts (as it should with more than one), so a mark
    made by one worker holds for all; it expires by itself. With the default ``memory://`` each
    worker keeps its own marks, as it keeps its own limits.
    """
    return _strategy().hit(RateLimitItemPerSecond(1, seconds), scope, key)


def may_label(slug: str, ref: str) -> bool:
    """Whether this client may count under the partner label ``ref`` (already clean) today.

    A label already counted for the campaign today costs nothing, so a real partner's label
    always passes; a new one costs one of the client address's ``NEW_REF_RATE_LIMIT``, so one
    client can't invent labels until the campaign's ``MAX_REFS_PER_DAY`` is spent and real
    partners' letters are counted as "other".
    """
    if not ref or not limiter.enabled:
        return True
    day = datetime.now(UTC).date().isoformat()
    strategy = _strategy()
    if not strategy.test(_KNOWN_LABEL, "label", slug, day, ref):
        return True  # known today
    key = client_address()
    for item in _items(current_app.config["NEW_REF_RATE_LIMIT"]):
        if not strategy.hit(item, "new-labels", key):
            return False
    strategy.hit(_KNOWN_LABEL, "label", slug, day, ref)
    return True


def retry_after() -> int:
    """Seconds until the limit this request broke lets the client in again."""
    broken = g.get("advocacy_limit")
    if broken is not None:
        item, scope, key = broken
        reset_at = limiter.limiter.get_window_stats(item, scope, key).reset_time
        window = item.get_expiry()
    else:
        current = limiter.current_limit  # a staff limit, checked by Flask-Limiter itself
        if current is None:
            return 60
        reset_at, window = current.reset_at, current.limit.get_expiry()
    return min(window, max(1, math.ceil(reset_at - time.time())))


class ThreadSafeMemoryStorage(MemoryStorage):
    """limits' memory storage, one count at a time per process.

    Its own is not safe across threads: two requests counted at the same moment can start one
    expiry timer twice, and the second raises RuntimeError, a 500 (limits issue 26, fixed by its
    pull request 352, unreleased in 5.8). The workers are threaded, so ``memory://`` means this
    storage here (see init_app). A count takes microseconds, so the lock costs nothing.
    Registered with limits under its own scheme, as limits documents for custom storage.
    """

    STORAGE_SCHEME = ["advocacy-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._count_lock = threading.RLock()  # re-entered: a sliding window counts inside
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with self._count_lock:
            return super().incr(key, expiry, amount)

    def decr(self, key: str, amount: int = 1) -> int:
        with self._count_lock:
            return super().decr(key, amount)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        with self._count_lock:
            return super().acquire_entry(key, limit, expiry, amount)

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        with self._count_lock:
            return super().acquire_sliding_window_entry(key, limit, expiry, amount)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if uri.startswith("memory://"):
        app.config["RATELIMIT_STORAGE_URI"] = "advocacy-memory://" + uri[len("memory://") :]
    # Flask-Limiter's headers would put Retry-After on every answer, over the app's own (503);
    # the 429 handler in errors.py sets it from retry_after() instead.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Per app, so per worker: each builds its own, or gets a copy, still due, when it forks.
    trusted = bool(int(app.config["PROXY_FIX_X_FOR"]))
    app.extensions["advocacy.proxy_warning"] = ProxyWarning(trusted)
    limiter.init_app(app)
    _check_in_views_only(app)


def _check_in_views_only(app: Flask) -> None:
    """Every limit here is a decorator on its view, and the decorator checks it. Flask-Limiter
    also checks default and application-wide limits before every request; this app sets none,
    so that check finds nothing, and goes.

    Measured again on threaded workers (issue 23): without this, a postcode step costs a third
    more and a letters API request a sixth more. Flask-Limiter has no public way to leave its
    hooks out, so they are found by what its version gives them: ``_check_request_limit``, a
    ``partial`` of ``__inject_headers`` and the bound ``__release_context``.
    tests/platform/test_limit_hooks.py fails when an upgrade moves them, and pyproject.toml
    bounds the version; a hook not found stays as it is (slower, never wrong).
    """
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return  # someone set app-wide limits: keep the check that applies them
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)
    # Its after-request hook only settles staff limits that count failures (deduct_when) and
    # adds headers (off): the studio's business, so it runs there alone.
    after = app.after_request_funcs.get(None, [])
    for i, hook in enumerate(after):
        if isinstance(hook, functools.partial) and hook.args == (limiter,):
            after[i] = _under_admin(hook)
    # Its teardown empties the per-request state those two keep: only the studio has any.
    teardown = app.teardown_request_funcs.get(None, [])
    for i, hook in enumerate(teardown):
        if getattr(hook, "__self__", None) is limiter:
            teardown[i] = _under_admin(hook)


def _under_admin(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The hook, run for studio requests only; others get their argument back (a response,
    or a teardown's exception, which Flask ignores)."""

    @functools.wraps(hook)
    def studio_only(value: Any) -> Any:
        return hook(value) if request.path.startswith("/admin") else value

    return studio_only
