"""One place that decides how errors look: JSON for the API, a plain page for people."""

from flask import Flask
from flask import Response
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import StatementError
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import SecurityError

from advocacy.letters.message import N_
from advocacy.platform import languages
from advocacy.platform import limits
from advocacy.platform.columns import is_text_with_nul
from advocacy.platform.models import db

CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    403: "forbidden",
    409: "conflict",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
):
    """The API's error body: ``{"error": {"code": ..., "message": ..., "fields"?: ...}}``.

    Messages written for supporters (``Message``s: a postcode, the details they typed, where
    they live) are in the language the request asks for; those for developers stay English.
    """
    body = {"code": code, "message": languages.translate(message)}
    if fields is not None:
        body["fields"] = {
            name: [languages.translate(m) for m in messages] for name, messages in fields.items()
        }
    response = jsonify({"error": body})
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


RATE_LIMITED = N_("Too many requests from your connection just now. Please wait and try again.")
# Werkzeug's names and descriptions of the statuses a supporter may meet, for the catalogue: a
# page in Welsh shows them in Welsh (tests/supporters/test_welsh_messages.py keeps them equal).
TITLES = {
    400: N_("Bad Request"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
    410: N_("Gone"),
    413: N_("Request Entity Too Large"),
    415: N_("Unsupported Media Type"),
    429: N_("Too Many Requests"),
    500: N_("Internal Server Error"),
}
DESCRIPTIONS = {
    400: N_("The browser (or proxy) sent a request that this server could not understand."),
    404: N_(
        "The requested URL was not found on the server. If you entered the URL manually please "
        "check your spelling and try again."
    ),
    405: N_("The method is not allowed for the requested URL."),
    413: N_("The data value transmitted exceeds the capacity limit."),
    500: N_(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
}


def handle_http(exc: HTTPException):
    if isinstance(exc, SecurityError):
        # A Host not in TRUSTED_HOSTS: no URL can be built for it, so no page; never echo it.
        return Response("This site doesn't answer to that host name.\n", 400, mimetype="text/plain")
    status = exc.code or 500
    if status == 429:
        exc.description = RATE_LIMITED
    if wants_json():
        response = error_response(status, CODES.get(status, "error"), exc.description or exc.name)
    else:
        studio = request.path.startswith("/admin")
        page = render_template(
            "error.html",
            status=status,
            title=TITLES.get(status, exc.name),
            message=exc.description,
            studio=studio,
            layout="studio/layout.html" if studio else "base.html",
        )
        response = make_response(page, status)
    # The exception's own headers: a 405's Allow (RFC 9110 requires it), a 401's
    # WWW-Authenticate… Not its Content-Type: the page or JSON above has its own.
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    if status == 429:
        response.headers["Retry-After"] = str(limits.retry_after())
    return response


def handle_csrf(exc: CSRFError):
    exc.description = N_(
        "This form had expired or was sent from somewhere else, so it wasn't saved. "
        "Go back, reload the page and try again."
    )
    return handle_http(exc)


def handle_database(exc: StatementError):
    """Text holding NUL that no check refused before the database (see ``columns``) is a bad
    request, on every route; any other database error stays a 500."""
    if not is_text_with_nul(exc):
        raise exc
    db.session.rollback()  # the page may still use the session (the signed-in user)
    return handle_http(BadRequest(N_("That text holds a character (NUL) that can't be stored.")))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(StatementError, handle_database)
    app.register_error_handler(HTTPException, handle_http)
    # Also catches unhandled exceptions: Flask hands them over as InternalServerError.
    app.register_error_handler(InternalServerError, handle_http)
