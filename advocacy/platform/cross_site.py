"""Supporters' forms are posted from this site only: a POST another site sends is refused.

Supporter pages have no session and set no cookie, so a forged POST steals nothing; what it could
do is add to the counts. Browsers say where a request came from: ``Sec-Fetch-Site`` (all current
browsers) and ``Origin``. A partner's embed is this site inside their frame, so its forms post
from this origin too (``same-origin``). Our pages send ``Referrer-Policy: no-referrer``, so
browsers send ``Origin: null`` with their forms; that, like a missing header (older browsers,
other clients), is not a sign of another site and is let through.
"""

from urllib.parse import urlsplit

from flask import request

# "none": the person asked for it themselves (a reload, a bookmark), not a page.
ALLOWED_FETCH_SITES = ("same-origin", "none")
DEFAULT_PORTS = {"http": ":80", "https": ":443"}  # left off when compared


def refused() -> bool:
    """Whether this request says it was sent by another site."""
    headers = request.headers
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site.strip().lower() not in ALLOWED_FETCH_SITES:
        return True
    origin = (headers.get("Origin") or "").strip()
    return origin not in ("", "null") and not _ours(origin)


def _ours(origin: str) -> bool:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.scheme not in DEFAULT_PORTS or parts.path or parts.query or parts.fragment:
        return False
    # The scheme is not compared: behind a proxy that ends TLS without saying so
    # (PROXY_FIX_X_PROTO), the app sees http where the browser sees https.
    return _host(parts.netloc) == _host(request.host)


def _host(host: str) -> str:
    host = host.lower()
    for port in DEFAULT_PORTS.values():
        host = host.removesuffix(port)
    return host
