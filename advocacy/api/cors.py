"""CORS for the partner API: only the sites a campaign lists may call it from a browser.

Hand-written rather than Flask-CORS because the allow-list is per campaign and lives in the
database: ``/api/v1/campaigns/<slug>/…`` answers the origins that campaign allows, and the
postcode lookup (which belongs to no campaign) those of any live campaign. No credentials are
ever allowed: the API needs no cookie.

Both come from what the worker already keeps: the campaign asked for, parsed once per version
(``models.live_campaign``), or the live campaigns' sites alone (``models.live_origins``).
Answering an ``Origin`` never loads another campaign.
"""

from collections.abc import Collection

from flask import Blueprint
from flask import Response
from flask import request

from advocacy.platform import models

MAX_AGE = 600  # seconds a browser may cache a preflight answer


def allowed_origins(slug: str | None) -> Collection[str]:
    """The sites that may call a route of the campaign ``slug``, or of no campaign (None)."""
    if slug is not None:
        campaign = models.live_campaign(slug)
        return campaign.allowed_origins if campaign else ()
    return models.live_origins()


def add_headers(response: Response) -> Response:
    if "Vary" in response.headers:
        response.vary.add("Origin")
    else:  # the usual case, without parsing and rebuilding the header
        response.headers["Vary"] = "Origin"
    origin = request.environ.get("HTTP_ORIGIN")  # as request.headers has it, without its wrapper
    if not origin:
        return response
    slug = (request.view_args or {}).get("slug")
    if origin not in allowed_origins(slug):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = str(MAX_AGE)
    else:
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    return response


def init_blueprint(bp: Blueprint) -> None:
    bp.after_request(add_headers)
