"""Pages that are the same for every supporter, rendered once per worker and served from memory.

The campaign page, its lists of constituencies and forces, the embed, the closed page and the
list of campaigns depend only on the campaign (its version), the directory (with its
corrections), the address asked for (ref, theme, lists) and the host. A view that renders one
calls ``shareable(response, slug)``: the response gets an ETag and a ``Cache-Control`` that lets
a proxy or CDN hold it too, and ``PageCache``, a WSGI middleware in front of Flask, keeps its
bytes. The same request is then answered from memory without reaching Flask at all (no routing,
hooks or template) for as long as the data it was made from may be used without asking the
database again:

- until ``CACHE_CHECK_SECONDS`` after this worker last compared that campaign and the directory
  with the database, so a save on another worker shows within that time, as everywhere else;
- and only while this worker's cached campaigns and directory are the very objects the page was
  made from: a save here drops them (``models.campaigns_changed``, ``overrides._changed``), and
  with them every kept page, at once.

Nothing a supporter typed is ever kept: ``shareable`` refuses a response that holds supporter
input (``security.holds_supporter_input``), and the middleware keeps only a 200 that carries
exactly its Cache-Control, sets no cookie and varies on nothing.
"""

import hashlib
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from typing import TypeVar

from flask import Flask
from flask import Response
from flask import current_app
from flask import request

from advocacy.places import overrides
from advocacy.platform import languages
from advocacy.platform import models
from advocacy.platform import security
from advocacy.platform.cache import TTLCache

Kept = TypeVar("Kept")  # what rendered() keeps: a page, or a page in pieces

RENDERED = (
    "advocacy.supporters.pages.rendered"  # app.extensions: step pages by (campaign, place, ...)
)
MAX_RENDERED = 512  # per worker: 10-20 KB each
# environ key set by shareable(): (until, what it was made from)
KEEP = "advocacy.supporters.pages.keep"
MAX_PAGES = 256  # per worker: a few campaigns × refs × themes × lists, 4-20 KB each
# Whoever holds the page (a browser, a proxy, a CDN) must ask again before using it: a 304 when
# nothing changed, and the new page as soon as this worker shows it.
CACHE_CONTROL = "public, no-cache"
LANGUAGE_VARY = "Accept-Language"  # a page whose language the browser chose, not the address
# What a kept page was made from, in app.extensions: replaced whenever this worker saves.
SOURCES = (models.CAMPAIGNS, overrides.EXTENSION)

Environ = dict[str, Any]
Headers = list[tuple[str, str]]


class Page:
    """A kept response, and what must still hold for it to be served."""

    __slots__ = ("status", "headers", "body", "etag", "until", "sources")

    def __init__(self, status: str, headers: Headers, body: bytes, keep: tuple) -> None:
        self.status = status
        self.headers = [(n, v) for n, v in headers if n.lower() not in ("content-length", "date")]
        self.body = body
        self.etag = next((v for n, v in headers if n.lower() == "etag"), "")
        self.until, self.sources = keep


def _key(environ: Environ) -> tuple[str, ...]:
    return tuple(
        environ.get(name, "")
        for name in ("wsgi.url_scheme", "HTTP_HOST", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING")
    )


# The query names that make a page hold where a supporter lives (``security.PLACE_ARGS``), so
# that shareable() never keeps it: such a request (every postcode step) goes straight to the
# app. A name merely containing one (``xpostcode=``) goes too: not keeping is always safe.
_PLACE_QUERY = tuple(f"{name}=" for name in security.PLACE_ARGS)


def _names_a_place(query: str) -> bool:
    return any(name in query for name in _PLACE_QUERY)


def _keepable(status: str, headers: Headers) -> bool:
    """Only what shareable() made: a 200 with our Cache-Control, no cookie, and no Vary but
    the language's (which the key holds)."""
    names = {name.lower(): value for name, value in headers}
    return (
        status.startswith("200 ")
        and names.get("cache-control") == CACHE_CONTROL
        and "set-cookie" not in names
        and names.get("vary", LANGUAGE_VARY) == LANGUAGE_VARY
    )


class PageCache:
    """WSGI middleware: a GET or HEAD for a kept page is answered from memory; anything else
    goes to the app, which may mark its answer to be kept."""

    def __init__(self, app: Flask, wsgi: Callable) -> None:
        self.app = app
        self.wsgi = wsgi
        self.pages = TTLCache(MAX_PAGES, ttl=86_400.0)  # freshness is Page.until, not this TTL

    def __call__(self, environ: Environ, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or _names_a_place(environ.get("QUERY_STRING", "")):
            return self.wsgi(environ, start_response)
        key = (*_key(environ), self._language(environ))
        page = self.pages.get(key)
        if page is not None and self._fresh(page):
            return _serve(page, environ, start_response, method == "HEAD")
        if method == "HEAD":  # Flask answers HEAD with no body: nothing to keep
            return self.wsgi(environ, start_response)
        captured: list = []

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable:
            captured[:] = (status, headers)
            return start_response(status, headers, exc_info)

        body = self.wsgi(environ, capture)
        keep = environ.get(KEEP)
        if keep is None or not captured or not _keepable(*captured):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.pages.set(key, Page(*captured, data, keep))
        return [data]

    def _language(self, environ: Environ) -> str:
        """The language the browser would get, as the app negotiates it (when the address
        names one, the query string in the key already tells the pages apart)."""
        offered = self.app.extensions.get(languages.EXTENSION, ())
        if len(offered) < 2:
            return languages.DEFAULT
        return languages.negotiate(None, environ.get("HTTP_ACCEPT_LANGUAGE"), offered)

    def _fresh(self, page: Page) -> bool:
        now = self.app.extensions
        sources = zip(SOURCES, page.sources, strict=True)
        return models.clock() < page.until and all(now.get(n) is s for n, s in sources)


def _serve(page: Page, environ: Environ, start_response: Callable, head: bool) -> list[bytes]:
    if page.etag and page.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
        start_response("304 Not Modified", [("ETag", page.etag), ("Cache-Control", CACHE_CONTROL)])
        return []
    start_response(page.status, [*page.headers, ("Content-Length", str(len(page.body)))])
    return [b"" if head else page.body]


def shareable(response: Response, slug: str | None = None) -> Response:
    """Mark a page that is the same for every supporter (of campaign ``slug``, if any): an ETag,
    a public Cache-Control, and kept in this worker (see the module). A page holding supporter
    input is never marked, whatever the caller thinks."""
    if security.holds_supporter_input() or response.status_code != 200:
        return response
    response.set_etag(hashlib.blake2b(response.get_data(), digest_size=12).hexdigest())
    response.headers["Cache-Control"] = CACHE_CONTROL
    if len(languages.offered()) > 1 and not languages.explicit():
        response.vary.add(LANGUAGE_VARY)
    checked = overrides.checked_at()
    if slug is not None:
        checked = min(checked, models.checked_at(slug))
    until = checked + float(current_app.config["CACHE_CHECK_SECONDS"])
    sources = tuple(current_app.extensions.get(name) for name in SOURCES)
    request.environ[KEEP] = (until, sources)
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    """Put the page cache in front of the app (call it before ProxyFix wraps the app, so that
    the cache sees the request as the app does)."""
    app.wsgi_app = PageCache(app, app.wsgi_app)


def rendered(key: tuple, campaign: object, render: Callable[[], Kept]) -> Kept:
    """A step page that is the same for everyone at one place (the postcode step): rendered
    once per campaign version, directory and ``key`` (place, address asked for), then a
    dictionary hit. (What ``render`` gives is kept as it is: a page, or a page in pieces.)

    Such a page shows the place, so it is never a shared or HTTP-cached response; it is kept
    here as long as the postcode lookup itself is (``POSTCODES_CACHE_TTL``), and dropped with
    the campaign or directory it was made from.
    """
    config = current_app.config
    key = (languages.current(), *key)
    store = current_app.extensions.get(RENDERED)
    if store is None:  # setdefault: threads making it at once all use the one that stays
        ttl = float(config["POSTCODES_CACHE_TTL"]) or 1.0
        store = current_app.extensions.setdefault(RENDERED, TTLCache(MAX_RENDERED, ttl=ttl))
    book = overrides.current()
    hit = store.get(key)
    if hit is not None and hit[0] is campaign and hit[1] is book:
        return hit[2]
    html = render()
    if float(config["CACHE_CHECK_SECONDS"]) > 0:  # 0: no worker may keep anything
        store.set(key, (campaign, book, html))
    return html
