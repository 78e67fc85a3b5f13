"""Response headers that keep pages private and unframeable.

No inline script or style is allowed anywhere, nothing loads from another origin, and no page
tells the next site where the supporter came from (URLs carry postcodes).
"""

from flask import Flask
from flask import Response
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


def headers(response: Response) -> Response:
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
    app.after_request(headers)
