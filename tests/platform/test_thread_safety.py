"""Per-process state under threaded workers (gunicorn gthread, gunicorn.conf.py).

One app, many threads at once, as one worker serves them: the lookup cache and single flight,
the breaker, the page caches (kept pages, kept step pages, the kept lists), the letters' memos,
the count of letters (tally) and the rate limits. Each thread is a supporter of its own; every
answer must be what that supporter alone would have got, and every count must add up exactly.
The breaker and bulkhead under threads are in tests/places/test_breaker.py.
"""

import ast
import inspect
import re
import sys
import textwrap
import threading
import time
from html import unescape

import pytest
from app_config import settings_for
from limits.storage import MemoryStorage
from threads import in_threads

from advocacy import create_app
from advocacy.places import pipeline
from advocacy.platform import limits
from advocacy.platform import tally
from advocacy.platform.models import Tally
from advocacy.platform.models import db

SLUG = "stop-facial-recognition"
PAGE = f"/c/{SLUG}"
THREADS = 32
ROUNDS = 4
POSTCODES = {
    "SE1 2DL": "Bermondsey and Old Southwark",
    "M1 1AD": "Manchester Central",
    "BR8 7RE": "Sevenoaks",
    "CF24 3AA": "Cardiff East",
}
NAME = re.compile(r"Supporter \d+-\d+")


@pytest.fixture
def app(tmp_path):
    """As a worker runs: counts written every few seconds, pages kept between checks."""
    return create_app(
        settings_for(
            tmp_path / "threads.sqlite",
            TALLY_FLUSH_SECONDS=3600,  # written once, at the end of the test
            CACHE_CHECK_SECONDS=60,
            API_LOOKUP_RATE_LIMIT="100000 per minute",
            API_LETTERS_RATE_LIMIT="100000 per minute",
        )
    )


def letters_form(postcode: str, name: str) -> dict:
    return {
        "postcode": postcode,
        "name": name,
        "talking_points": ["accuracy", "cost"],
        "answer-why": f"{name} walks past the cameras.",
    }


def test_many_supporters_at_once_through_one_app(app, postcodes_io) -> None:
    """Every kind of supporter request from 32 threads at once: each answer is right and
    holds only its own supporter's words, one lookup per postcode reaches postcodes.io, and
    the letters counted are exactly the letters drafted."""
    reference = app.test_client().get(PAGE).get_data()
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so interleavings are many

    def supporter(i: int) -> int:
        client = app.test_client()
        drafted = 0
        for r in range(ROUNDS):
            postcode = list(POSTCODES)[(i + r) % len(POSTCODES)]
            constituency = POSTCODES[postcode]
            name = f"Supporter {i}-{r}"
            page = client.get(PAGE)
            assert page.status_code == 200 and page.get_data() == reference
            step = client.get(PAGE, query_string={"postcode": postcode})
            assert step.status_code == 200 and constituency in unescape(step.get_data(True))
            form = client.post(f"{PAGE}/letters", data=letters_form(postcode, name))
            text = unescape(form.get_data(as_text=True))
            assert form.status_code == 200, text[:500]
            assert set(NAME.findall(text)) == {name}
            api = client.post(
                f"/api/v1/campaigns/{SLUG}/letters",
                json={
                    "postcode": postcode,
                    "name": name,
                    "talking_points": ["accuracy"],
                    "answers": {"why": f"{name} says no."},
                },
            )
            assert api.status_code == 200, api.get_data(True)[:500]
            body = api.get_json()
            assert {m for letter in body["letters"] for m in NAME.findall(letter["body"])} == {name}
            drafted += 2
        return drafted

    try:
        results = in_threads(THREADS, supporter)
    finally:
        sys.setswitchinterval(old)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures[:3]
    assert len(postcodes_io.calls) == len(POSTCODES)  # single flight, then the cache
    assert lookups(app).in_flight == 0
    assert lookups(app).breaker.state == "closed"
    with app.app_context():
        tally.flush()
        letters = db.session.scalar(
            db.select(db.func.sum(Tally.total)).where(Tally.event == "letters")
        )
    assert letters == sum(results) == THREADS * ROUNDS * 2


def lookups(app):
    return app.extensions[pipeline.EXTENSION]


def test_a_rate_limit_holds_exactly_under_threads(tmp_path, postcodes_io) -> None:
    """200 letters requests from one address in 32 threads against a limit of 50: exactly
    50 are drafted, the rest refused, none fails."""
    app = create_app(settings_for(tmp_path / "limit.sqlite", API_LETTERS_RATE_LIMIT="50/minute"))
    sys_old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)

    def send(i: int) -> list[int]:
        client = app.test_client()
        return [
            client.post(
                f"/api/v1/campaigns/{SLUG}/letters",
                json={
                    "postcode": "SE1 2DL",
                    "name": f"Supporter {i}-{n}",
                    "talking_points": ["accuracy"],
                },
            ).status_code
            for n in range(200 // THREADS + (i < 200 % THREADS))
        ]

    try:
        results = in_threads(THREADS, send)
    finally:
        sys.setswitchinterval(sys_old)
    statuses = [s for r in results for s in r]  # an exception here would not be a list
    assert len(statuses) == 200
    assert statuses.count(200) == 50
    assert statuses.count(429) == 150


class CountingTimer(threading.Timer):
    """threading.Timer, counting how many are being made at the same moment."""

    lock = threading.Lock()
    making = 0
    most = 0

    def __init__(self, *args, **kwargs) -> None:
        cls = CountingTimer
        with cls.lock:
            cls.making += 1
            cls.most = max(cls.most, cls.making)
        time.sleep(0.05)  # time for another thread to come the same way
        super().__init__(*args, **kwargs)
        with cls.lock:
            cls.making -= 1


@pytest.mark.parametrize("storage", ["app", "limits' own"])
def test_two_counts_at_once_make_one_expiry_timer(
    tmp_path, monkeypatch: pytest.MonkeyPatch, storage: str
) -> None:
    """limits' memory storage starts an expiry timer when it counts and none runs. Two
    threads counting at once both find none and both make one; then one of them can start the
    other's (RuntimeError: threads can only be started once, a 500 under load). The app's
    storage makes them one at a time; limits' own (5.8) does not, which is why it is not used."""
    if storage == "app":
        app = create_app(settings_for(tmp_path / "timer.sqlite"))
        assert app.config["RATELIMIT_STORAGE_URI"] == "advocacy-memory://"
        counted = limits.limiter.limiter.storage
        assert isinstance(counted, limits.ThreadSafeMemoryStorage)
    else:
        counted = MemoryStorage()
    monkeypatch.setattr(threading, "Timer", CountingTimer)
    monkeypatch.setattr(CountingTimer, "most", 0)
    time.sleep(0.05)  # the timer started with the storage has run out
    in_threads(2, lambda i: counted.incr(f"key-{i}", 60))
    if storage == "app":
        assert CountingTimer.most == 1
    else:
        assert CountingTimer.most == 2  # the race the app's storage closes


def test_every_count_that_can_start_the_timer_is_locked() -> None:
    """The app's storage locks the memory storage's methods that start the expiry timer. This
    fails when a limits upgrade starts it from a method not locked here (pyproject.toml bounds
    the version)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(MemoryStorage)))
    (cls,) = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    starting = {
        node.name
        for node in cls.body
        if isinstance(node, ast.FunctionDef)
        and node.name != "__schedule_expiry"
        and "__schedule_expiry" in ast.unparse(node)
    }
    assert starting  # limits still has the timer this guards
    locked = {name for name in vars(limits.ThreadSafeMemoryStorage) if not name.startswith("_")}
    assert starting <= locked, starting - locked
