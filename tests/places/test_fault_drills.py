"""Fault and surge drills: postcodes.io replaced by a real local server whose behaviour we set.

Whatever the stub does (answers too slowly, trickles, fails with 500s, drops the connection,
sends broken JSON), supporters get the manual lists at once and never a 5xx, reach their letters
through them, and wait no longer than the lookup timeout plus a margin. After repeated failures
the app leaves the stub alone for the cool-down, then tries it again. A surge for a few
postcodes costs one call per postcode, whether the cache is cold or warm.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from html import unescape
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from app_config import settings_for
from fake_clock import FakeClock
from flask import Flask
from flask.testing import FlaskClient
from threads import in_threads

from advocacy import create_app
from advocacy.places import pipeline
from advocacy.places.postcodes import CircuitBreaker
from advocacy.places.postcodes import Place
from advocacy.places.postcodes import PostcodesClient

DATA = Path(__file__).parent.parent / "data" / "postcodes_io"
SLUG = "stop-facial-recognition"
PAGE = f"/c/{SLUG}"
LETTERS = f"/c/{SLUG}/letters"
API = "/api/v1/postcodes"

TIMEOUT = 0.3  # the app's whole-lookup budget in these drills
MARGIN = 3.0  # generous: page rendering on a busy machine; an upper bound, not a speed target
# A slow answer comes far later than the budget plus the margin, so a wait for it cannot pass.
SLOW_ANSWER = 30 * TIMEOUT
FAILURES = 3  # failed lookups in a row that open the breaker
COOLDOWN = 30.0  # on a fake clock, so no drill waits for it
LOOKUP_DOWN = "We couldn't look up your postcode just now."

# What the stub answers per postcode, as postcodes.io is asked for it.
RECORDED = {
    "SE12DL": ("postcode_200_SE1_2DL_england_metropolitan.json", 200),
    "M11AD": ("postcode_200_M1_1AD_england_greater_manchester.json", 200),
    "BR87RE": ("postcode_200_BR8_7RE_england_kent_DOCS_EXAMPLE.json", 200),
    "CF243AA": ("postcode_200_CF24_3AA_wales.json", 200),
    "AB101AB": ("postcode_200_AB10_1AB_scotland.json", 200),
    "ID11QE": ("postcode_404_not_found.json", 404),
}
SERVER_ERROR = (DATA / "error_500_server_error.json").read_bytes()
BROKEN_JSON = b'{"status": 200, "result": {"postcode": "SE1 2DL", "country": "Eng'


# --- the stub postcodes.io ------------------------------------------------------------------


class Stub(ThreadingHTTPServer):
    """postcodes.io on 127.0.0.1: answers as `mode` says and counts the calls per path."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), StubHandler)
        self.mode = "ok"
        self.delay = 0.0  # before an "ok" answer
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()  # ends slow answers and trickles at teardown

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def total(self) -> int:
        with self.lock:
            return sum(self.calls.values())

    def handle_error(self, request, client_address) -> None:
        """The app hangs up on slow answers by design; a broken pipe here is expected."""


class StubHandler(BaseHTTPRequestHandler):
    server: Stub

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.calls[self.path] += 1
        getattr(self, f"answer_{self.server.mode}")()

    def answer_ok(self) -> None:
        if self.server.delay:
            self.server.stopping.wait(self.server.delay)
        name, status = RECORDED.get(
            self.path.rsplit("/", 1)[-1], ("postcode_404_not_found.json", 404)
        )
        self.send(status, (DATA / name).read_bytes())

    def answer_slow(self) -> None:
        """The right answer, long after the app stopped waiting for it."""
        self.server.stopping.wait(SLOW_ANSWER)
        self.answer_ok()

    def answer_trickle(self) -> None:
        """Headers at once, then the body byte by byte: each byte in time, the whole never."""
        body = (DATA / RECORDED["SE12DL"][0]).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(len(body)):
            self.server.stopping.wait(TIMEOUT / 6)
            self.wfile.write(body[i : i + 1])
            self.wfile.flush()

    def answer_error(self) -> None:
        self.send(500, SERVER_ERROR)

    def answer_drop(self) -> None:
        """Hang up without a word."""
        self.close_connection = True

    def answer_malformed(self) -> None:
        self.send(200, BROKEN_JSON)

    def send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the drills count calls instead."""


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    thread.join(5)
    server.server_close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def drill_app(tmp_path: Path, stub: Stub, **overrides: object) -> Flask:
    settings = {
        "POSTCODES_IO_URL": stub.url,
        "POSTCODES_TIMEOUT": TIMEOUT,
        "POSTCODES_BREAKER_FAILURES": FAILURES,
        "POSTCODES_BREAKER_COOLDOWN": COOLDOWN,
        "API_LOOKUP_RATE_LIMIT": "10000 per minute",
        **overrides,
    }
    app = create_app(settings_for(tmp_path / "test.sqlite", **settings))
    lookups(app).session.trust_env = False  # straight to 127.0.0.1, whatever proxy is set
    return app


def lookups(app: Flask) -> PostcodesClient:
    return app.extensions[pipeline.EXTENSION]


@pytest.fixture
def app(tmp_path: Path, stub: Stub, clock: FakeClock) -> Flask:
    """The app against the stub, its breaker on a clock the drill moves."""
    app = drill_app(tmp_path, stub)
    lookups(app).breaker = CircuitBreaker(FAILURES, COOLDOWN, clock=clock)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def timed(request: Callable, *args, **kwargs):
    """Make the request and check it ends within the lookup budget plus the margin."""
    started = time.monotonic()
    response = request(*args, **kwargs)
    took = time.monotonic() - started
    assert took < TIMEOUT + MARGIN, f"{took:.2f} s"
    return response


def assert_lists_offered(client: FlaskClient, postcode: str = "SE1 2DL") -> None:
    response = timed(client.get, PAGE, query_string={"postcode": postcode})
    assert response.status_code == 200
    page = text(response)
    assert LOOKUP_DOWN in page and "Go to the lists" in page
    assert 'id="constituency"' in page and 'id="pfa"' in page
    assert "There is a problem" not in page  # an outage, not the supporter's mistake


def assert_api_unavailable(client: FlaskClient) -> None:
    response = timed(client.get, f"{API}/SE12DL")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["error"]["code"] == "lookup_unavailable"


def assert_letters_by_hand(client: FlaskClient) -> None:
    """The manual path: choose the areas from the lists, then get the letters."""
    query = {"constituency": "E14001085", "pfa": "E23000001"}
    choose = timed(client.get, PAGE, query_string=query)
    assert choose.status_code == 200
    assert '<input type="hidden" name="constituency_code" value="E14001085">' in text(choose)
    form = {
        "constituency_code": "E14001085",
        "pfa_code": "E23000001",
        "name": "Ann Example",
        "talking_points": ["accuracy", "cost"],
        "answer-why": "My son was stopped & searched.",
    }
    letters = timed(client.post, LETTERS, data=form)
    assert letters.status_code == 200
    page = text(letters)
    assert page.count("data-letter ") == 3
    assert "1. To Neil Coyle" in page
    assert "My son was stopped & searched." in page


def assert_found(client: FlaskClient, postcode: str, mp: str) -> None:
    response = timed(client.get, PAGE, query_string={"postcode": postcode})
    assert response.status_code == 200
    assert mp in text(response) and LOOKUP_DOWN not in text(response)


# --- fault drills ---------------------------------------------------------------------------

# Calls one failed lookup makes: one retry after quick failures; a slow server uses up the budget.
FAULTS = {"slow": 1, "trickle": 1, "error": 2, "drop": 2, "malformed": 1}


@pytest.mark.parametrize(("mode", "calls_per_lookup"), FAULTS.items(), ids=FAULTS)
def test_drill(
    client: FlaskClient, stub: Stub, clock: FakeClock, mode: str, calls_per_lookup: int
) -> None:
    stub.mode = mode
    # postcodes.io fails: every supporter gets the lists at once, partners a 503, nobody a 500.
    assert_lists_offered(client)
    assert_api_unavailable(client)
    assert_lists_offered(client, "M1 1AD")
    assert stub.total() == FAILURES * calls_per_lookup

    # The breaker is open: the stub is left alone for the cool-down, and pages stay quick.
    clock.now = COOLDOWN - 0.1
    for postcode in ("SE1 2DL", "BR8 7RE", "CF24 3AA"):
        assert_lists_offered(client, postcode)
    assert_api_unavailable(client)
    assert_letters_by_hand(client)
    assert stub.total() == FAILURES * calls_per_lookup

    # Cool-down over and the stub recovered: one trial lookup, then business as usual.
    stub.mode = "ok"
    clock.now = COOLDOWN
    assert_found(client, "SE1 2DL", "Neil Coyle")
    assert stub.total() == FAILURES * calls_per_lookup + 1
    assert_found(client, "M1 1AD", "Lucy Powell")
    assert timed(client.get, f"{API}/BR87RE").get_json()["mp"]["name"] == "Laura Trott"
    assert stub.total() == FAILURES * calls_per_lookup + 3


def test_a_failed_trial_opens_the_breaker_again(
    client: FlaskClient, stub: Stub, clock: FakeClock
) -> None:
    stub.mode = "error"
    for _ in range(FAILURES):
        assert_lists_offered(client)
    clock.now = COOLDOWN
    assert_lists_offered(client)  # the trial: still failing
    assert stub.total() == (FAILURES + 1) * 2
    clock.now = 2 * COOLDOWN - 0.1
    assert_lists_offered(client)
    assert stub.total() == (FAILURES + 1) * 2
    stub.mode = "ok"
    clock.now = 2 * COOLDOWN
    assert_found(client, "SE1 2DL", "Neil Coyle")


def test_the_letters_post_with_a_postcode_fails_softly_too(client: FlaskClient, stub: Stub) -> None:
    stub.mode = "drop"
    form = {"postcode": "SE1 2DL", "name": "Ann Example", "talking_points": ["accuracy"]}
    response = timed(client.post, LETTERS, data=form)
    assert response.status_code == 400  # back to the form, with the lists
    assert 'id="constituency"' in text(response)


def test_not_found_postcodes_do_not_open_the_breaker(client: FlaskClient, stub: Stub) -> None:
    for _ in range(FAILURES + 2):
        response = timed(client.get, PAGE, query_string={"postcode": "ID1 1QE"})
        assert response.status_code == 404
    assert_found(client, "SE1 2DL", "Neil Coyle")
    assert stub.total() == 2  # the miss was cached after its first call


def test_real_clock_cooldown_from_settings(tmp_path: Path, stub: Stub) -> None:
    """The breaker built from the settings, on the real clock, with a short cool-down."""
    app = drill_app(tmp_path, stub, POSTCODES_BREAKER_FAILURES=2, POSTCODES_BREAKER_COOLDOWN=0.5)
    breaker = lookups(app).breaker
    assert (breaker.failures, breaker.cooldown) == (2, 0.5)
    client = app.test_client()
    stub.mode = "malformed"
    for _ in range(2):
        assert_lists_offered(client)
    assert_lists_offered(client)
    assert stub.total() == 2
    stub.mode = "ok"
    time.sleep(0.5)
    assert_found(client, "SE1 2DL", "Neil Coyle")
    assert stub.total() == 3


def test_default_breaker_settings(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path / "test.sqlite"))
    breaker = lookups(app).breaker
    assert (breaker.failures, breaker.cooldown) == (5, 30.0)


# --- surge drill ----------------------------------------------------------------------------

SURGE = {
    "SE1 2DL": "Bermondsey and Old Southwark",
    "M1 1AD": "Manchester Central",
    "BR8 7RE": "Sevenoaks",
    "CF24 3AA": "Cardiff East",
    "AB10 1AB": "Aberdeen South",
}


def surge(count: int, work: Callable[[str], object]) -> list[object]:
    """`count` threads released at once, each working on one of the SURGE postcodes in turn."""
    postcodes = list(SURGE)
    return in_threads(count, lambda i: work(postcodes[i % len(postcodes)]))


def assert_one_call_per_postcode(stub: Stub) -> None:
    expected = {f"/postcodes/{pc.replace(' ', '')}": 1 for pc in SURGE}
    assert dict(stub.calls) == expected


def test_surge_costs_one_call_per_postcode_cold_and_warm(tmp_path: Path, stub: Stub) -> None:
    app = drill_app(tmp_path, stub, POSTCODES_TIMEOUT=3.0)
    stub.delay = 0.3  # every lookup in the first wave arrives while its postcode is in flight
    lookup = lookups(app).lookup
    for wave in ("cold", "warm"):
        places = surge(50, lookup)
        assert all(isinstance(p, Place) for p in places), wave
        assert [p.constituency_name for p in places] == [SURGE[p.postcode] for p in places]
        assert_one_call_per_postcode(stub)


def test_surge_through_the_api(tmp_path: Path, stub: Stub) -> None:
    app = drill_app(tmp_path, stub, POSTCODES_TIMEOUT=3.0)
    stub.delay = 0.3

    def get(postcode: str) -> tuple[str, int, dict]:
        response = app.test_client().get(f"{API}/{postcode}")
        return postcode, response.status_code, response.get_json()

    for _ in ("cold", "warm"):
        for postcode, status, body in surge(50, get):
            assert status == 200, body
            assert body["constituency"]["name"] == SURGE[postcode]
        assert_one_call_per_postcode(stub)


def test_supporters_over_the_bulkhead_get_the_lists_at_once(tmp_path: Path, stub: Stub) -> None:
    """A cap of two lookups out at once: two supporters wait for postcodes.io (slow, but in
    time) and get their place; the rest get the lists straight away instead of queueing."""
    app = drill_app(tmp_path, stub, POSTCODES_TIMEOUT=3.0, POSTCODES_MAX_IN_FLIGHT=2)
    client = app.test_client()
    stub.delay = 2.0  # long enough that "at once" is told apart by order, not by a stopwatch
    # Eight lookups of their own; the stub knows five, and answers the others "not found".
    postcodes = [*SURGE, "ID1 1QE", "SW1A 2DD", "BT53 7HX"]

    def visit(i: int) -> tuple[float, float, int, str]:
        time.sleep(0.2 if i else 0.0)  # the first boards before the rest (a sleep, not a race)
        started = time.monotonic()
        response = client.get(PAGE, query_string={"postcode": postcodes[i]})
        return started, time.monotonic(), response.status_code, text(response)

    results = in_threads(len(postcodes), visit)
    assert stub.total() == 2
    waited = [r for r in results if LOOKUP_DOWN not in r[3]]
    at_once = [r for r in results if LOOKUP_DOWN in r[3]]
    assert len(waited) == 2 and all(status in (200, 404) for *_, status, _ in waited)
    assert all(ended - started >= 1.5 for started, ended, *_ in waited)  # they held for the stub
    # Everyone over the cap had the lists before either lookup out came back: nobody queued.
    assert len(at_once) == 6 and all(status == 200 for *_, status, _ in at_once)
    assert max(ended for _, ended, *_ in at_once) < min(ended for _, ended, *_ in waited)
    assert all('id="constituency"' in page for *_, page in at_once)
