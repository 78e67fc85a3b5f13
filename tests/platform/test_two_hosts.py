"""Two hosts, one campaign: the drill for a deployment that has outgrown one machine.

Two gunicorn masters (each ``-c gunicorn.conf.py`` with two workers, on two loopback ports, as
two hosts behind a load balancer would be) share one PostgreSQL database and one Redis, the
test servers of scripts/postgres-for-tests and scripts/redis-for-tests. Through them: a client's
rate limit is one limit whichever host it reaches, letters drafted on both hosts add up exactly
in the counts, and a studio save on one host shows on the other within CACHE_CHECK_SECONDS.
docs/deploy.md describes this layout and the settings it needs.

Nothing reaches postcodes.io: letters are asked for by constituency and police force area (the
lists supporters get when lookups are down), and the lookup URL points at a closed port.

Skipped when the test servers are unset, except in CI, where that is a failure.
"""

import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
import sqlalchemy as sa
from postgres_server import fresh_database
from staff_helpers import CSRF_FIELD
from staff_helpers import STAFF_PASSWORD
from staff_helpers import add_staff
from test_editor_form import BrowserForm

from advocacy import create_app
from advocacy.platform.models import db

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("ADVOCACY_TEST_POSTGRES_URL")
REDIS = os.environ.get("ADVOCACY_TEST_REDIS_URL")
SLUG = "stop-facial-recognition"
LETTERS = f"/api/v1/campaigns/{SLUG}/letters"
BY_AREA = {
    "constituency_code": "E14001172",
    "pfa_code": "E23000001",
    "name": "Ann Example",
    "talking_points": ["accuracy"],
}
LIMIT = 12  # letters requests a minute per client address, across both hosts
CHECK_SECONDS = 1.0
BOOT_SECONDS = 40  # a bound, not an expectation: both hosts are usually up in 3-6 s

if not (POSTGRES and REDIS):
    if os.environ.get("CI"):
        pytest.fail("CI must run the two-host drill: set ADVOCACY_TEST_POSTGRES/REDIS_URL")
    pytest.skip("ADVOCACY_TEST_POSTGRES_URL or _REDIS_URL is not set", allow_module_level=True)


@dataclass
class Host:
    base: str
    process: subprocess.Popen
    log: Path

    def url(self, path: str) -> str:
        return self.base + path


def stop(*hosts: Host) -> None:
    """Stop as an operator would (SIGTERM, all at once): workers finish and write their counts."""
    running = [host.process for host in hosts if host.process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh database on the test server, dropped afterwards."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """An empty Redis database of the drill's own (db 0 is other tests' and flushed by them)."""
    for db_number in random.sample(range(1, 16), 15):
        url = REDIS.rsplit("/", 1)[0] + f"/{db_number}"
        server = redis.Redis.from_url(url)
        if server.dbsize() == 0:
            break
        server.close()
    else:
        pytest.fail("no empty Redis database for the drill")
    yield url
    server.flushdb()
    server.close()


def start_host(tmp_path: Path, name: str, env: dict[str, str]) -> Host:
    port = free_port()
    log = tmp_path / f"{name}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env={**env, "ADVOCACY_INSTANCE_PATH": str(tmp_path / name)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Host(f"http://127.0.0.1:{port}", process, log)


def wait_until_up(host: Host, deadline: float) -> None:
    while time.monotonic() < deadline:
        if host.process.poll() is not None:
            pytest.fail(f"{host.base} exited:\n{host.log.read_text()[-3000:]}")
        try:
            if requests.get(host.url(f"/c/{SLUG}"), timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"{host.base} did not start:\n{host.log.read_text()[-3000:]}")


@pytest.fixture
def hosts(tmp_path, database_url, redis_url) -> Iterator[tuple[Host, Host, str]]:
    """Two app hosts on one database and one Redis, behind a (pretend) load balancer."""
    env = {
        **os.environ,
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_RATELIMIT_STORAGE_URI": redis_url,
        # One secret for every host, so a staff session works whichever host serves it.
        "ADVOCACY_SECRET_KEY": uuid.uuid4().hex,
        # The load balancer is the one proxy in front: the client is in X-Forwarded-For.
        "ADVOCACY_PROXY_FIX_X_FOR": "1",
        "ADVOCACY_API_LETTERS_RATE_LIMIT": f"{LIMIT} per minute",
        "ADVOCACY_CACHE_CHECK_SECONDS": str(CHECK_SECONDS),
        "ADVOCACY_POSTCODES_IO_URL": "http://127.0.0.1:9",  # closed: no lookup leaves
        "ADVOCACY_POSTCODES_TIMEOUT": "0.5",
        "ADVOCACY_SESSION_COOKIE_SECURE": "false",  # plain http on loopback
    }
    env.pop("ADVOCACY_TRUSTED_HOSTS", None)
    first, second = start_host(tmp_path, "a", env), start_host(tmp_path, "b", env)
    try:
        # A staff account, made here while the hosts start (each host, and this app, brings the
        # schema up under PostgreSQL's advisory lock, so one of them migrates and seeds).
        app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "TESTING": True})
        add_staff(app, "editor@example.org")
        with app.app_context():
            db.engine.dispose()
        deadline = time.monotonic() + BOOT_SECONDS
        wait_until_up(first, deadline)
        wait_until_up(second, deadline)
        yield first, second, database_url
    finally:
        stop(first, second)


def letters(host: Host, client: str) -> int:
    response = requests.post(
        host.url(LETTERS), json=BY_AREA, headers={"X-Forwarded-For": client}, timeout=10
    )
    return response.status_code


def counted(database_url: str) -> tuple[int, int]:
    """Letters in the campaign's counts, and letters counted to the MP of ``BY_AREA``."""
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        total = conn.scalar(
            sa.text("SELECT coalesce(sum(total), 0) FROM tally WHERE event = 'letters'")
        )
        to_mp = conn.scalar(
            sa.text(
                "SELECT coalesce(sum(total), 0) FROM recipient_tally"
                " WHERE event = 'letters' AND role = 'mp' AND code = :code"
            ),
            {"code": BY_AREA["constituency_code"]},
        )
    engine.dispose()
    return total, to_mp


def title_on(host: Host) -> str:
    html = requests.get(host.url(f"/c/{SLUG}"), timeout=10).text
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def save_title(host: Host, title: str) -> None:
    """Sign in to the studio on ``host`` and save the example campaign with a new title, as a
    browser posts the editor."""
    staff = requests.Session()
    login = staff.get(host.url("/admin/login"), timeout=10).text
    token = CSRF_FIELD.search(login).group(1)
    signed_in = staff.post(
        host.url("/admin/login"),
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
        timeout=10,
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    form = BrowserForm()
    form.feed(staff.get(host.url("/admin/campaigns/1"), timeout=10).text)
    form.data["title"] = title
    saved = staff.post(
        host.url("/admin/campaigns/1"),
        data=list(form.data.items(multi=True)),
        timeout=10,
        allow_redirects=False,
    )
    assert saved.status_code == 302, saved.text[:2000]


def test_two_hosts_share_limits_counts_and_studio_saves(hosts):
    first, second, database_url = hosts

    # One client, its requests spread over both hosts (and their four workers): one limit.
    client = "198.51.100.7"
    answers = [letters((first, second)[i % 2], client) for i in range(LIMIT)]
    assert answers == [200] * LIMIT
    assert letters(first, client) == 429
    assert letters(second, client) == 429
    assert letters(second, "198.51.100.8") == 200  # another client has its own allowance

    # Many clients at once on both hosts: every letter is counted once, whichever host drew it.
    clients = [f"203.0.113.{i}" for i in range(1, 41)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda i: letters((first, second)[i % 2], clients[i]), range(len(clients)))
        )
    assert statuses == [200] * len(clients)

    # A studio save on the first host shows on the second, whichever worker answers, once
    # CACHE_CHECK_SECONDS have passed (at once only on the worker that saved).
    assert title_on(second) == "Stop police live facial recognition"
    save_title(first, "Two hosts, one campaign")
    saved_at = time.monotonic()
    while time.monotonic() < saved_at + CHECK_SECONDS + 0.2:
        time.sleep(0.05)
    seen = [title_on(second) for _ in range(8)]
    assert seen == ["Two hosts, one campaign"] * 8

    # Workers write their counts at the latest when they stop.
    stop(first, second)
    expected = LIMIT + 1 + len(clients)
    assert counted(database_url) == (expected, expected)
