"""Response headers that keep pages private and unframeable.

No inline script or style is allowed anywhere, nothing loads from another origin, and no page
tells the next site where the supporter came from (URLs carry postcodes).
"""

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request

from advocacy import campaigns

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
    allowed = g.get("frame_ancestors")
    # Rebuilt from parsed parts: only a scheme, host and port can ever reach the header, even
    # from a campaign stored before origins were parsed strictly.
    origins = [o for o in allowed or () if campaigns.is_origin(o)]
    ancestors = "'none'" if allowed is None else " ".join(("'self'", *origins))
    frames = "'self'" if g.get("frame_self") else "'none'"
    return CSP.format(ancestors=ancestors, frames=frames)


# Answers that hold what a supporter typed or where they live; POSTs outside the studio too.
PRIVATE_ENDPOINTS = frozenset({"api.postcode", "api.letters"})
PLACE_ARGS = ("postcode", "constituency", "pfa")
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts may share the domain


def holds_supporter_input() -> bool:
    """Whether this response may carry a supporter's letter, name, address or place, and so
    must never be kept by a browser, a proxy or a CDN in front of the app."""
    if request.method == "POST" and not request.path.startswith("/admin"):
        return True
    return request.endpoint in PRIVATE_ENDPOINTS or any(a in request.args for a in PLACE_ARGS)


def body_limit() -> None:
    """Studio forms and imports carry whole campaigns; supporters' requests stay small."""
    if request.path.startswith("/admin"):
        request.max_content_length = current_app.config["STUDIO_MAX_CONTENT_LENGTH"]


def headers(response: Response) -> Response:
    if holds_supporter_input():
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    response.headers.setdefault("Content-Security-Policy", csp())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Staff forms over https need a same-origin Referer (Flask-WTF's strict CSRF check); it is
    # never sent to another site, and supporter pages send none at all.
    staff = request.path.startswith("/admin")
    response.headers.setdefault("Referrer-Policy", "same-origin" if staff else "no-referrer")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    app.before_request(body_limit)
    app.after_request(headers)
