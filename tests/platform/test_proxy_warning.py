"""Behind a proxy the app is not told to trust, each worker says once what to set.

Rate limits count per client address only when ``ADVOCACY_PROXY_FIX_X_FOR`` is set; without it
every supporter behind the proxy is one client. The sign of a proxy is ``X-Forwarded-For``.
"""

import logging
import threading

import pytest
from app_config import settings_for

from advocacy import create_app
from advocacy.platform import limits

LOOKUP = "/api/v1/postcodes/SE12DL"
FORWARDED = {"X-Forwarded-For": "203.0.113.9"}


def proxy_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "ADVOCACY_PROXY_FIX_X_FOR" in r.getMessage()]


def test_a_forwarded_request_to_an_app_that_trusts_no_proxy_is_warned_of_once(
    app, client, postcodes_io, caplog
):
    caplog.set_level(logging.INFO)
    assert client.get(LOOKUP).status_code == 200
    assert proxy_warnings(caplog) == []  # no proxy, nothing to say
    for _ in range(3):
        assert client.get(LOOKUP, headers=FORWARDED).status_code == 200
    [warning] = proxy_warnings(caplog)
    assert warning.levelno == logging.WARNING
    assert warning.getMessage() == limits.UNTRUSTED_PROXY
    assert "203.0.113.9" not in caplog.text  # says what to set, never whose address it saw


def test_the_warning_is_once_per_worker_however_many_threads_race_to_it(app, caplog):
    """One app is one worker: its threads (gthread) all see the first request at once."""
    caplog.set_level(logging.INFO)
    start = threading.Barrier(8)

    def request() -> None:
        with app.test_request_context("/", headers=FORWARDED):
            start.wait()
            limits.client_address()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(proxy_warnings(caplog)) == 1
    # Another worker builds its own app (or forks one that never served): it says it too.
    other = create_app(app.config.copy())
    with other.test_request_context("/", headers=FORWARDED):
        limits.client_address()
    assert len(proxy_warnings(caplog)) == 2


def test_no_warning_when_the_proxy_is_trusted_and_limits_count_per_client(
    tmp_path, postcodes_io, caplog
):
    caplog.set_level(logging.INFO)
    app = create_app(
        settings_for(tmp_path / "t.sqlite", PROXY_FIX_X_FOR=1, API_LOOKUP_RATE_LIMIT="2 per minute")
    )
    client = app.test_client()
    for address in ("203.0.113.9", "203.0.113.10"):
        for _ in range(2):
            assert client.get(LOOKUP, headers={"X-Forwarded-For": address}).status_code == 200
    assert client.get(LOOKUP, headers=FORWARDED).status_code == 429
    assert proxy_warnings(caplog) == []
