"""No postcode, query string or client address reaches a log line."""

import datetime
import logging

import pytest
from gunicorn.config import Config

from advocacy.logs import GunicornLogger
from advocacy.logs import scrub


@pytest.mark.parametrize(
    ("line", "expected"),
    (
        (
            '127.0.0.1 - - [22/Nov/2026 10:00:00] "GET /c/stop?postcode=SW1A+2DD HTTP/1.1" 200 -',
            '- - - [22/Nov/2026 10:00:00] "GET /c/stop HTTP/1.1" 200 -',
        ),
        (
            '"GET /api/v1/postcodes/SW1A%202DD HTTP/1.1"',
            '"GET /api/v1/postcodes/[postcode] HTTP/1.1"',
        ),
        ('"GET /api/v1/postcodes/se12dl HTTP/1.1"', '"GET /api/v1/postcodes/[postcode] HTTP/1.1"'),
        ("lookup failed for M1 1AD", "lookup failed for [postcode]"),
        ("lookup failed for gir 0aa", "lookup failed for [postcode]"),
        ("nothing personal here", "nothing personal here"),
    ),
)
def test_scrub(line, expected):
    assert scrub(line) == expected


def test_app_and_dev_server_logs_are_scrubbed(app, client, postcodes_io, caplog):
    caplog.set_level(logging.INFO)
    client.get("/api/v1/postcodes/SE1%202DL?name=Ann")
    app.logger.warning("asked about %s", "SE1 2DL")
    logging.getLogger("werkzeug").info('1.2.3.4 - - [x] "GET /c/x?postcode=SE1+2DL HTTP/1.1" 200')
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "asked about [postcode]" in text
    assert "SE1" not in text and "1.2.3.4" not in text and "Ann" not in text


def test_gunicorn_access_log_has_no_postcode_query_referrer_or_address():
    logger = GunicornLogger(Config())

    class Request:
        method = "GET"
        path = "/api/v1/postcodes/SW1A2DD"
        query = "postcode=SW1A+2DD"
        uri = "/api/v1/postcodes/SW1A2DD?postcode=SW1A+2DD"
        version = (1, 1)
        headers = [("REFERER", "https://partner.example/c?postcode=SW1A+2DD")]

    class Response:
        status = "200 OK"
        sent = 10
        headers = []

    environ = {
        "REMOTE_ADDR": "1.2.3.4",
        "HTTP_REFERER": "https://partner.example/c?postcode=SW1A+2DD",
        "RAW_URI": "/api/v1/postcodes/SW1A2DD?postcode=SW1A+2DD",
        "PATH_INFO": "/api/v1/postcodes/SW1A2DD",
        "QUERY_STRING": "postcode=SW1A+2DD",
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = logger.atoms(Response(), Request(), environ, datetime.timedelta(seconds=0.01))
    assert atoms["U"] == "/api/v1/postcodes/[postcode]"
    assert atoms["q"] == "-" and atoms["f"] == "-" and atoms["h"] == "-"
    assert "SW1A" not in atoms["r"]
    assert "SW1A" not in " ".join(str(v) for v in atoms.values())
