"""Keep supporters out of the logs: no postcodes, no query strings, no client addresses.

The postcode travels in URLs (``/api/v1/postcodes/SW1A%202DD``, ``/c/slug?postcode=...``), so
every log line that could carry a URL goes through ``scrub``: the app's own logger, the
development server's and gunicorn's (``GunicornLogger``, named in ``gunicorn.conf.py``).
"""

import logging
import re

from gunicorn.glogging import Logger

QUERY = re.compile(r"\?[^\s\"]*")
POSTCODE_PATH = re.compile(r"(/api/v1/postcodes/)[^\s\"?]+")
POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)(?:\s|%20|\+)*[0-9][A-Z]{2}\b", re.IGNORECASE
)
# Atoms that identify a supporter or carry a query string: never logged, whatever the format.
PRIVATE_ATOMS = {
    "h",
    "q",
    "f",
    "{referer}i",
    "{x-forwarded-for}i",
    "{x-real-ip}i",
    "{remote_addr}e",
    "{http_referer}e",
    "{query_string}e",
    "{http_x_forwarded_for}e",
}
LEADING_ADDRESS = re.compile(r"^\S+ - - ")


def scrub(line: str) -> str:
    """A log line with query strings, postcodes and the client address removed."""
    line = LEADING_ADDRESS.sub("- - - ", line)
    line = QUERY.sub("", line)
    line = POSTCODE_PATH.sub(r"\1[postcode]", line)
    return POSTCODE.sub("[postcode]", line)


class ScrubFilter(logging.Filter):
    """Rewrites each record's message through ``scrub``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        return True


def _add(filterer: logging.Filterer) -> None:
    if not any(isinstance(f, ScrubFilter) for f in filterer.filters):
        filterer.addFilter(ScrubFilter())


def init_app(app) -> None:
    """Scrub the app's and the development server's log records.

    Filters on a logger miss records that its child loggers pass up, so Flask's handler is
    scrubbed too (records from ``advocacy.*`` loggers end there).
    """
    from flask.logging import default_handler

    _add(default_handler)
    for name in (app.logger.name, "werkzeug"):
        _add(logging.getLogger(name))


class GunicornLogger(Logger):
    """Gunicorn's logger with the request line scrubbed in access and error logs."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in PRIVATE_ATOMS:
                atoms[key] = "-"
            elif isinstance(value, str):
                atoms[key] = scrub(value)
        return atoms

    def error(self, msg, *args, **kwargs):
        super().error(scrub(str(msg) % args if args else str(msg)), **kwargs)
