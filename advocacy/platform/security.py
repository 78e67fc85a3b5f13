"""Response headers that keep pages private and unframeable.

No inline script or style is allowed anywhere, nothing loads from another origin, and no page
tells the next site where the supporter came from (URLs carry postcodes).
"""

import functools

from flask import Flask
from flask import Request
from flask import Response
from flask import current_app
from flask import g
from flask import request

from advocacy.letters import validation

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-src {frames}",
        "frame-ancestors {ancestors}",
    )
)


def csp() -> str:
    """The policy. Only embed pages (which set ``g.frame_ancestors``) may be framed: by the
    origins their campaign allows, and by this site itself, so the studio can preview them.
    Only pages that set ``g.frame_self`` (that preview) may hold a frame, and only of this site.
    """
    marks = vars(g._get_current_object())  # one lookup for both marks: this runs on every answer
    allowed = marks.get("frame_ancestors")
    return _policy(None if allowed is None else tuple(allowed), bool(marks.get("frame_self")))


@functools.lru_cache(maxsize=256)
def _policy(allowed: tuple[str, ...] | None, frame_self: bool) -> str:
    # Rebuilt from parsed parts: only a scheme, host and port can ever reach the header, even
    # from a campaign stored before origins were parsed strictly.
    origins = [o for o in allowed or () if validation.is_origin(o)]
    ancestors = "'none'" if allowed is None else " ".join(("'self'", *origins))
    frames = "'self'" if frame_self else "'none'"
    return CSP.format(ancestors=ancestors, frames=frames)


# Answers that hold what a supporter typed or where they live; POSTs outside the studio too.
PRIVATE_ENDPOINTS = frozenset({"api.postcode", "api.letters"})
# "r": a reply link's recipients (thank-you and reply pages) name the supporter's MP and force;
# "t", the receipt that goes with them, holds the same.
PLACE_ARGS = ("postcode", "constituency", "pfa", "r", "t")
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts may share the domain


def holds_supporter_input(req: Request | None = None) -> bool:
    """Whether this response may carry a supporter's letter, name, address or place, and so
    must never be kept by a browser, a proxy or a CDN in front of the app."""
    req = req or request._get_current_object()
    if req.method == "POST" and not req.path.startswith("/admin"):
        return True
    return req.endpoint in PRIVATE_ENDPOINTS or any(a in req.args for a in PLACE_ARGS)


def body_limit() -> None:
    """Studio forms and imports carry whole campaigns; supporters' requests stay small."""
    if request.path.startswith("/admin"):
        request.max_content_length = current_app.config["STUDIO_MAX_CONTENT_LENGTH"]


@functools.lru_cache(maxsize=256)
def _fixed(staff: bool, secure: bool, policy: str) -> tuple[tuple[str, str], ...]:
    """The headers every answer carries, for one kind of page: worked out once, not per request."""
    # Staff forms over https need a same-origin Referer (Flask-WTF's strict CSRF check); it is
    # never sent to another site, and supporter pages send none at all.
    return (
        *((("Strict-Transport-Security", HSTS),) if secure else ()),
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin" if staff else "no-referrer"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )


def headers(response: Response) -> Response:
    req = request._get_current_object()  # the proxy costs a lookup per use: once, not five times
    if holds_supporter_input(req):
        response.headers["Cache-Control"] = "no-store"
    fixed = _fixed(req.path.startswith("/admin"), req.is_secure, csp())
    present = {name.lower() for name, _ in response.headers}  # a view may have set its own
    response.headers.extend([(n, v) for n, v in fixed if n.lower() not in present])
    return response


def init_app(app: Flask) -> None:
    app.before_request(body_limit)
    app.after_request(headers)
