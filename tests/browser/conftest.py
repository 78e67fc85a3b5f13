"""Browser tests: the real app served on 127.0.0.1, driven by headless Debian Chromium.

postcodes.io is a local stub that answers from the recorded bodies in tests/data/postcodes_io,
and every browser context refuses any request that would leave 127.0.0.1, so nothing here can
reach the internet. Without Playwright, Chromium or axe-core the tests skip, except when the
environment variable CI is set: then they fail, so that CI can never pass by skipping them.

Screenshots of each step go to test-artifacts/screenshots/<test>-<step>.png; the few that the
README shows are written to docs/screenshots/<name>.png by the tests that reach those pages.
"""

import importlib.util
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from advocacy import create_app
from advocacy.places import pipeline
from advocacy.platform.cache import TTLCache
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import campaigns_changed
from advocacy.platform.models import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ADVOCACY_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
README_SCREENSHOTS = ROOT / "docs" / "screenshots"
LOCAL_HOST = "127.0.0.1"
SLUG = "stop-facial-recognition"

# The flags the machine notes give for Chromium in this sandbox; the resolver rule is one more
# guarantee that no host name resolves, so only the literal 127.0.0.1 can be reached.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {LOCAL_HOST}",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
}
TIMEOUT_MS = 5_000


def _load_shared_conftest():
    """tests/conftest.py by path: both conftests are module "conftest", so import can't tell."""
    spec = importlib.util.spec_from_file_location(
        "advocacy_tests_shared_conftest", ROOT / "tests" / "conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_shared = _load_shared_conftest()
RECORDED = _shared.RECORDED
recorded = _shared.recorded


def unavailable(reason: str):
    """Skip locally; fail under CI, where a skipped browser test would hide a broken setup."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


# --- postcodes.io stub -------------------------------------------------------------------------


class PostcodesStub:
    """A local postcodes.io: GET /postcodes/<PC> answers from the recordings.

    `mode` is what the next requests get: "up" (recorded answers; an unrecorded postcode is
    "Postcode not found"), "down" (HTTP 500 with the recorded error body) or "close" (the
    connection is closed with no answer). `requests` lists the paths asked for.
    """

    def __init__(self) -> None:
        self.mode = "up"
        self.requests: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                stub.requests.append(self.path)
                if stub.mode == "close":
                    self.close_connection = True
                    return  # nothing written: the client sees the connection drop
                status, body = stub.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):  # noqa: A002 (http.server's name)
                pass  # request lines carry postcodes; and pytest output stays clean

        self.server = ThreadingHTTPServer((LOCAL_HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{LOCAL_HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path: str) -> tuple[int, dict]:
        if self.mode == "down":
            return 500, recorded("error_500_server_error.json")
        match = re.fullmatch(r"/postcodes/([^/?]+)", path)
        if match is None:
            return 404, recorded("route_404_resource_not_found.json")
        postcode = unquote(match.group(1)).replace(" ", "").upper()
        name, status = RECORDED.get(postcode, ("postcode_404_not_found.json", 404))
        return status, recorded(name)

    def start(self) -> "PostcodesStub":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def postcodes_stub_server():
    stub = PostcodesStub().start()
    yield stub
    stub.stop()


# --- the app, served live ----------------------------------------------------------------------


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server(LOCAL_HOST, 0, app, threaded=True)
        self.url = f"http://{LOCAL_HOST}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def forget_postcodes(self) -> None:
        """Empty the app's postcode cache, so each test sees the stub's current mode."""
        client = self.app.extensions[pipeline.EXTENSION]
        client.cache = TTLCache(
            maxsize=int(self.app.config["POSTCODES_CACHE_SIZE"]),
            ttl=float(self.app.config["POSTCODES_CACHE_TTL"]),
        )


def _served(postcodes_stub_server, tmp_path_factory, **settings):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests",
            "DATABASE_URL": f"sqlite:///{instance / 'browser.sqlite'}",
            "POSTCODES_IO_URL": postcodes_stub_server.url,
            "POSTCODES_TIMEOUT": 0.5,
            # Every browser comes from 127.0.0.1: the whole run is one client to the limits,
            # and it drafts more letters a minute than any supporter would.
            "API_LOOKUP_RATE_LIMIT": "600 per minute",
            "API_LETTERS_RATE_LIMIT": "300 per minute",
            **settings,
        }
    )
    server = LiveServer(app)
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(scope="session")
def live_server(postcodes_stub_server, tmp_path_factory):
    yield from _served(postcodes_stub_server, tmp_path_factory)


@pytest.fixture(scope="session")
def welsh_server(postcodes_stub_server, tmp_path_factory):
    """The app with Welsh offered (the catalogue compiled by the install step)."""
    yield from _served(postcodes_stub_server, tmp_path_factory, LANGUAGES="en,cy")


@pytest.fixture
def stub(postcodes_stub_server, live_server):
    """The postcodes.io stub, up and with no requests, and the app's cache empty."""
    postcodes_stub_server.mode = "up"
    postcodes_stub_server.requests.clear()
    live_server.forget_postcodes()
    yield postcodes_stub_server
    postcodes_stub_server.mode = "up"


@pytest.fixture
def base_url(live_server, stub) -> str:
    return live_server.url


@pytest.fixture
def campaign_url(base_url) -> str:
    return f"{base_url}/c/{SLUG}"


# --- partner sites: another origin that embeds the campaign ----------------------------------

SNIPPET = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Partner</title></head><body><h1>Local group news</h1><p>Before the embed.</p>
<a class="advocacy-embed" href="{app}/c/{slug}" data-campaign="{slug}" data-ref="local-group"
   data-theme="green">Write to your MP</a>
<script async src="{app}/static/embed.js"></script>
<p id="after">After the embed.</p></body></html>"""


# A partner's long article at phone width, with the embed far down it (and more after it).
ARTICLE = "".join(
    f"<p>{text}</p>"
    for text in (
        "Our group meets on the first Tuesday of each month at the library on Walworth Road. "
        "This month we heard from residents about cameras on the high street.",
        "Many people told us they had not known that their faces could be scanned on the way "
        "to work, and asked who decides where the cameras go.",
        "We wrote to the council and asked for the dates and places of every deployment "
        "last year. We will publish the answer here when it arrives.",
    )
    * 5
)
LONG = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Partner news</title>
<style>body{{margin:0;font:17px/1.5 Georgia,serif;color:#222}}header{{background:#0b3d2e;color:#fff;
padding:.75rem 1rem}}header p{{margin:0;font:bold 1.2rem sans-serif}}article{{padding:0 1rem}}
.embed{{border:2px solid #0b3d2e;border-radius:6px;margin:1rem 0}}</style>
</head><body><header><p>Southwark Digital Rights</p></header><article>
<h1>Cameras on our high street</h1>
<div id="before">{article}</div>
<p>Ask your MP and the police to stop it: it takes two minutes.</p>
<div class="embed"><a class="advocacy-embed" href="{app}/c/{slug}" data-campaign="{slug}"
   data-ref="southwark" data-theme="green">Write to your MP</a></div>
<script async src="{app}/static/embed.js"></script>
<div id="after">{article}</div></article></body></html>"""


TWO = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Two</title></head>
<body><a class="advocacy-embed" href="{app}/c/{slug}" data-campaign="{slug}">First</a>
<a class="advocacy-embed" href="{app}/c/{slug}" data-campaign="{slug}" data-theme="red">Second</a>
<script async src="{app}/static/embed.js"></script></body></html>"""


class PartnerSite:
    """Serves the partner pages (with the snippet) on their own port: another origin.

    "/" is the snippet on a short page, "/two" two embeds, "/long" a phone-sized article with
    the embed far down it.
    """

    def __init__(self, app_url: str) -> None:
        pages = {
            "/": SNIPPET.format(app=app_url, slug=SLUG).encode(),
            "/two": TWO.format(app=app_url, slug=SLUG).encode(),
            "/long": LONG.format(app=app_url, slug=SLUG, article=ARTICLE).encode(),
        }

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                page = pages.get(self.path, pages["/"])
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format, *args):  # noqa: A002 (http.server's name)
                pass

        self.server = ThreadingHTTPServer((LOCAL_HOST, 0), Handler)
        self.url = f"http://{LOCAL_HOST}:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def partners(live_server, base_url):
    """Two partner sites; the campaign allows the first only."""
    allowed, other = PartnerSite(base_url), PartnerSite(base_url)
    with live_server.app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        before = list(row.allowed_origins)
        row.allowed_origins = [allowed.url]
        db.session.commit()
        campaigns_changed()  # as a save in the studio would: no waiting for the next check
    yield allowed, other
    with live_server.app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        row.allowed_origins = before
        db.session.commit()
        campaigns_changed()
    allowed.stop()
    other.stop()


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Python playwright is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname == LOCAL_HOST


class Watched:
    """A browser context that can't leave 127.0.0.1, and what happened in it."""

    def __init__(self, browser, staff: bool = False, **options) -> None:
        self.staff = staff  # staff sign in: a session cookie, but only ever for /admin
        self.context = browser.new_context(**{**PHONE, **options})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.requests: list[str] = []  # every URL the pages asked for, in order
        self.blocked: list[str] = []  # URLs stopped because they would leave 127.0.0.1
        self.set_cookies: list[str] = []  # URLs whose responses tried to set a cookie
        self.errors: list[str] = []  # script errors and console errors
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.on("response", self._response)
        self.context.on("page", self._watch_page)
        self.context.route("**/*", self._guard)
        self.page = self.context.new_page()

    def _guard(self, route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def _response(self, response) -> None:
        staff_page = self.staff and urlsplit(response.url).path.startswith("/admin")
        if response.header_value("set-cookie") is not None and not staff_page:
            self.set_cookies.append(response.url)

    def _watch_page(self, page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("console", self._console)

    def _console(self, message) -> None:
        # Chromium logs every 4xx page as "Failed to load resource"; error pages are expected.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(f"console: {message.text}")

    def check(self) -> None:
        """What must hold after every browser test: the privacy promises and a clean console."""
        assert self.blocked == [], f"requests tried to leave {LOCAL_HOST}: {self.blocked}"
        assert self.set_cookies == [], f"responses set cookies: {self.set_cookies}"
        if self.staff:
            assert all(c["path"] == "/admin" for c in self.context.cookies())
        else:
            assert self.context.cookies() == []
        assert self.errors == [], "errors in the browser:\n" + "\n".join(self.errors)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser, base_url):
    """Opens watched contexts; after the test, checks each of them and closes it."""
    opened: list[Watched] = []

    def open_context(staff: bool = False, **options) -> Watched:
        ctx = Watched(browser, staff, **options)
        opened.append(ctx)
        return ctx

    yield open_context
    try:
        for ctx in opened:
            ctx.check()
    finally:
        for ctx in opened:
            ctx.close()


@pytest.fixture
def browsing(watched) -> Watched:
    """A phone-sized context with JavaScript on."""
    return watched()


@pytest.fixture
def page(browsing):
    return browsing.page


@pytest.fixture
def browsing_nojs(watched) -> Watched:
    return watched(java_script_enabled=False)


@pytest.fixture
def page_nojs(browsing_nojs):
    return browsing_nojs.page


@pytest.fixture
def page_axe(watched):
    """For accessibility checks only: the CSP is bypassed so that axe-core can be injected."""
    if not AXE.is_file():
        unavailable(f"axe-core is not installed at {AXE} (npm ci)")
    return watched(bypass_csp=True).page


@pytest.fixture
def shot(request):
    """shot(page, step) saves a full-page screenshot as <test>-<step>.png."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def take(page, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def readme_shot():
    """readme_shot(page, name) saves what the page shows now as docs/screenshots/<name>.png.

    The README shows these; every run overwrites them, and nothing fails when they change.
    """

    def take(page, name: str, full_page: bool = False) -> Path:
        README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = README_SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
        return path

    return take
