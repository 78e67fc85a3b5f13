"""No postcode, query string or client address reaches a log line."""

import contextlib
import datetime
import logging
import runpy
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote
from urllib.parse import unquote

import gunicorn
import pytest
from gunicorn.config import Config
from gunicorn.http.errors import InvalidChunkSize
from gunicorn.http.errors import InvalidHTTPVersion
from gunicorn.http.errors import InvalidProxyHeader
from gunicorn.http.errors import NoMoreData
from gunicorn.util import unquote_to_wsgi_str
from hypothesis import assume
from hypothesis import given
from hypothesis import note
from hypothesis import settings
from hypothesis import strategies as st

from advocacy.places import postcodes
from advocacy.platform.logs import BACKSLASH_ESCAPE
from advocacy.platform.logs import GunicornLogger
from advocacy.platform.logs import scrub
from advocacy.platform.logs import scrub_path


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


def test_the_development_servers_banner_keeps_its_lines_and_is_still_scrubbed(app, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("werkzeug").info(
        "WARNING: This is a development server.\n * Running on http://127.0.0.1:5000\n"
        '1.2.3.4 - - [x] "GET /c/x?postcode=SE1+2DL HTTP/1.1" 200'
    )
    lines = caplog.records[-1].getMessage().split("\n")
    assert lines[:2] == [
        "WARNING: This is a development server.",
        " * Running on http://127.0.0.1:5000",
    ]
    assert "SE1" not in lines[2] and "1.2.3.4" not in lines[2]


def test_the_development_servers_errors_stay_one_scrubbed_line(app, caplog):
    """They end in an exception's text, which a request may shape: no line of it may start a
    log line of its own, and a postcode split over two lines is still found."""
    logging.getLogger("werkzeug").error(
        "Error on request:\nTraceback (most recent call last):\nValueError: no place for SE1\n"
        '2DL\n1.2.3.4 - - [x] "GET / HTTP/1.1" 200 -'
    )
    message = caplog.records[-1].getMessage()
    assert "\n" not in message  # the would-be access line is escaped text inside this one
    assert "for [postcode]" in message and "SE1" not in message and "2DL" not in message


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


# Request targets as they come off the wire: a supporter's postcode between the halves of which
# sits any encoding of any space or separator. None of SW1A or 2AA may reach a log line.
FULLWIDTH = "%EF%BC%B3%EF%BC%B7%EF%BC%91%EF%BC%A1%E3%80%80%EF%BC%92%EF%BC%A1%EF%BC%A1"
HOSTILE_TARGETS = (
    "/api/v1/postcodes/SW1A%202AA",
    "/api/v1/postcodes/SW1A%C2%A02AA",  # no-break space
    "/api/v1/postcodes/SW1A%E2%80%A82AA",  # line separator
    "/api/v1/postcodes/SW1A%E3%80%802AA",  # ideographic space
    "/api/v1/postcodes/SW1A%25202AA",  # encoded twice
    "/api/v1/postcodes/SW1A+2AA",
    "/api/v1/postcodes/SW1A%092AA",
    "/api/v1/postcodes/SW1A%0A2AA",
    "/api/v1/postcodes/sw1a2aa",
    "/api/v1/postcodes/SW1A/2AA",
    "/api/v1/postcodes/" + FULLWIDTH,
    "/api/v1%2Fpostcodes%2FSW1A%202AA",
    "/c/x/SW1A%202AA/letters",
    "/c/x/SW1A%C2%A02AA",
    "/c/x/SW1A%E2%80%A82AA",
    "/c/x/SW1A%E2%80%A92AA",
    "/c/x/SW1A%E3%80%802AA",
    "/c/x/SW1A%C2%852AA",  # next line
    "/c/x/SW1A%E1%A0%8E2AA",  # Mongolian vowel separator
    "/c/x/SW1A%E2%80%8B2AA",  # zero-width space
    "/c/x/SW1A%E2%81%A02AA",  # word joiner
    "/c/x/SW1A%EF%BB%BF2AA",  # byte order mark
    "/c/x/SW1A%A02AA",  # a Latin-1 no-break space, not UTF-8
    "/c/x/SW1A%25C2%25A02AA",
    "/c/x/SW1A%2B2AA",
    "/c/x/SW1A%092AA",
    "/c/x/SW1A%CC%802AA",  # combining grave accent
    "/c/x/sw1a-2aa",
    "/c/x/SW1A_2AA",
    "/c/x/SW1A.2AA",
    "/c/x/sw1a2aa",
    "/c/x/" + FULLWIDTH,
    "/c/x%3Fpostcode=SW1A%202AA",
    "/c/x%253Fpostcode%253DSW1A%25202AA",
    "/c/x?postcode=SW1A%C2%A02AA",
)
READABLE_PATHS = (
    "/",
    "/static/site.css",
    "/c/stop-facial-recognition",
    "/c/stop-facial-recognition/letters",
    "/api/v1/campaigns/stop-facial-recognition/letters",
    "/api/v1/openapi.json",
)


def assert_no_postcode(text: str) -> None:
    """Neither half of SW1A 2AA, also once fullwidth letters or mis-decoded UTF-8 are undone."""
    readings = [text, unicodedata.normalize("NFKC", text)]
    if not text.isascii() and max(text) <= "\xff":
        utf8 = text.encode("latin-1").decode("utf-8", "replace")
        readings.append(unicodedata.normalize("NFKC", utf8))
    for reading in readings:
        assert "sw1a" not in reading.lower() and "2aa" not in reading.lower(), text


def gunicorn_atoms(target: str, status: str = "404 NOT FOUND") -> dict:
    """The atoms gunicorn logs for ``GET target``, its environ built as gunicorn builds it."""
    path, _, query = target.partition("?")

    class Request:
        method = "GET"
        uri = target
        version = (1, 1)
        headers = [("HOST", "localhost")]

    class Response:
        sent = 10
        headers = []

    Response.status = status
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": target,
        "PATH_INFO": unquote_to_wsgi_str(path),
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "1.2.3.4",
    }
    logger = GunicornLogger(Config())
    return logger.atoms(Response(), Request(), environ, datetime.timedelta(seconds=0.01))


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_gunicorn_atoms_have_no_postcode_however_encoded(target):
    atoms = gunicorn_atoms(target)
    assert_no_postcode(" ".join(str(value) for value in atoms.values()))
    if "postcodes" in atoms["U"]:
        assert atoms["U"] == "/api/v1/postcodes/[postcode]"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_scrubbed_lines_have_no_postcode_however_encoded(target):
    assert_no_postcode(scrub(f'127.0.0.1 - - [22/Nov/2026 10:00:00] "GET {target} HTTP/1.1" 404 -'))
    # As the app logs it: Flask's request.path, decoded once.
    assert_no_postcode(scrub(f"Exception on {unquote(target)} [GET]"))
    assert_no_postcode(scrub(f"lookup failed for {unquote(unquote(target))!r}"))


@pytest.mark.parametrize("path", READABLE_PATHS)
def test_paths_without_postcodes_stay_readable(path):
    line = f'- - - [22/Nov/2026 10:00:00] "GET {path} HTTP/1.1" 200 -'
    assert scrub(line) == line
    assert gunicorn_atoms(path, "200 OK")["U"] == path


# Postcodes as the lookup's own rules would never write them (a hand-written pattern, so the
# test does not share the code it checks), then typed as people type them: either case, any
# look-alike swapped in (0/O, 1/I/L, 5/S, 2/Z, 8/B), separators of every kind anywhere.
WELL_FORMED = st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|GIR 0AA", fullmatch=True)
LOOKALIKES = {"0": "Oo", "O": "0", "1": "IiLl", "I": "1", "L": "1", "5": "Ss", "S": "5", "2": "Zz"}
LOOKALIKES |= {"Z": "2", "8": "Bb", "B": "8"}
SEPARATORS = st.one_of(
    st.sampled_from(["", "", "", " ", "  ", "\t", "\xa0", "\u3000", "\u200b", "-", ".", "'", "–"]),
    st.characters(exclude_categories=("L", "N")),
)
POSTCODE_FIELD = settings(max_examples=400, deadline=None, derandomize=True, database=None)


@st.composite
def typed_postcodes(draw: st.DrawFn) -> str:
    typed = draw(SEPARATORS)
    for char in draw(WELL_FORMED).replace(" ", ""):
        variants = char * 6 + char.lower() * 2 + LOOKALIKES.get(char, "")
        typed += draw(st.sampled_from(variants)) + draw(SEPARATORS)
    return typed


def looked_up(text: str) -> bool:
    """Whether the lookup takes ``text`` for a postcode (BFPO's BF1 too, refused as forces)."""
    try:
        postcodes.parse(text)
    except postcodes.ForcesPostcode:
        return True
    except postcodes.InvalidPostcode:
        return False
    return True


def alphanumerics(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def only_its_own_words(scrubbed: str, line: str, typed: str) -> bool:
    """Whether the letters and digits left in ``scrubbed`` (beside ``[postcode]`` and the escapes
    that stand for control characters) are all the log line's own, none of the postcode's: the
    scrubber may take a letter of the line with the postcode, never leave one of the postcode.
    """
    left = alphanumerics(BACKSLASH_ESCAPE.sub("", scrubbed.replace("[postcode]", " ")))
    own = iter(alphanumerics(line.replace(typed, " ")))
    return all(c in own for c in left)  # in order, a part of the line's own


@pytest.mark.parametrize("typed", ("SE1 ODL", "se1odl", "SW1A-ODD", "gir oaa", "SE1\u00a0ODL"))
def test_what_the_lookup_reads_as_a_postcode_is_scrubbed(typed):
    assert looked_up(typed)
    assert gunicorn_atoms("/c/" + quote(typed))["U"] == "/c/[postcode]"
    assert scrub(f'"GET /c/{quote(typed)} HTTP/1.1" 404 -') == '"GET /c/[postcode] HTTP/1.1" 404 -'


@POSTCODE_FIELD
@given(typed_postcodes())
def test_anything_the_lookup_takes_for_a_postcode_is_scrubbed_from_every_log(typed):
    """One normaliser for both: whatever ``postcodes.parse`` accepts, the scrubber removes, in
    gunicorn's access line, its error log and the app's log, however the path encodes it."""
    assume(looked_up(typed))
    note(f"typed: {typed!r}")
    path = "/" + quote(typed)
    assert only_its_own_words(gunicorn_atoms(path)["U"], "/", "")
    assert only_its_own_words(scrub_path("/" + typed), "/", "")
    line = f'"GET {path} HTTP/1.1" 404 -'
    assert only_its_own_words(scrub(line), line, path)
    line = f"Exception on /c/{typed} [GET]"
    assert only_its_own_words(scrub(line), line, typed)


def test_paths_are_logged_as_decoded_utf8_not_latin1():
    # Gunicorn's U atom is decoded as Latin-1: "caf%C3%A9" would be logged as "cafÃ©".
    assert gunicorn_atoms("/c/caf%C3%A9/letters")["U"] == "/c/café/letters"
    assert scrub('"GET /c/caf%C3%A9/letters HTTP/1.1"') == '"GET /c/café/letters HTTP/1.1"'


def test_decoded_control_characters_cannot_forge_log_lines():
    forged = "/c/x%0A[INFO]%20forged"
    for line in (gunicorn_atoms(forged)["U"], scrub(f'"GET {forged} HTTP/1.1" 404 -')):
        assert "\n" not in line and "forged" in line


@contextlib.contextmanager
def gunicorn_error_log(**settings: str) -> Iterator[tuple[GunicornLogger, list[str]]]:
    """Our gunicorn logger, and the lines its error log writes."""
    cfg = Config()
    for name, value in settings.items():
        cfg.set(name, value)
    logger = GunicornLogger(cfg)
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.error_log.addHandler(handler)
    try:
        yield logger, lines
    finally:
        logger.error_log.removeHandler(handler)


def test_gunicorn_error_log_has_no_request_line_or_address():
    with gunicorn_error_log() as (logger, lines):
        # How gunicorn reports a request it cannot parse: an unencoded space in the path.
        try:
            raise InvalidHTTPVersion("2AA HTTP/1.1")
        except InvalidHTTPVersion as exc:
            logger.warning(f"Invalid request from ip=1.2.3.4: {exc}")
        try:
            raise RuntimeError("worker died")
        except RuntimeError:
            logger.exception("Error handling request %s %s", "GET", "/c/x%3Fp=SW1A%A02AA?p=x")
    text = "\n".join(lines)
    assert_no_postcode(text)
    assert "1.2.3.4" not in text and "Invalid request: InvalidHTTPVersion" in text
    assert "worker died" in text and "Traceback" in text  # the app's own errors keep theirs


class ParseErrorFromALaterGunicorn(Exception):
    """A kind of error gunicorn does not have yet, whose text is all echo, no reason first."""

    def __str__(self) -> str:
        return "Zyx Markerperson, SW1A 2AA"


def raised_in_gunicorns_parser(exc: Exception) -> Exception:
    """``exc`` as if gunicorn's HTTP parser had raised it (a ValueError from ``int()``, say)."""
    where = str(Path(gunicorn.__file__).parent / "http" / "message.py")
    try:
        exec(compile("raise exc", where, "exec"), {"exc": exc})
    except Exception as raised:
        return raised
    raise AssertionError("not raised")


def test_gunicorn_parse_errors_are_logged_by_kind_whatever_the_exception():
    """Gunicorn logs ``str(exc)`` of what it could not parse, which echoes the request: the log
    keeps the exception's class name only, for any class and however gunicorn logs it."""
    with gunicorn_error_log(loglevel="debug") as (logger, lines):
        for exc in (
            ParseErrorFromALaterGunicorn(),
            InvalidChunkSize(b'{"name": "Zyx Markerperson", "postcode": "SW1A 2AA"}'),
        ):
            try:
                raise exc
            except Exception as e:  # as gunicorn's handle_error writes it
                logger.warning(f"Invalid request from ip=1.2.3.4: {e}")
        logger.warning("Invalid request from ip=1.2.3.4: Zyx Markerperson")  # nothing in flight
        try:
            raise NoMoreData(b"Zyx Markerperson SW1A 2AA")
        except NoMoreData as e:
            logger.debug("Ignored premature client disconnection. %s", e)
        for exc in (
            InvalidProxyHeader("Zyx Markerperson SW1A 2AA"),  # not one it counts as the client's
            raised_in_gunicorns_parser(ValueError("invalid literal: 'Zyx Markerperson'")),
        ):
            try:
                raise RuntimeError("while reading") from exc
            except RuntimeError:
                logger.exception("Error handling request (no URI read)")
    text = "\n".join(lines)
    for secret in ("Markerperson", "1.2.3.4", "Traceback"):
        assert secret not in text, (secret, text)
    assert_no_postcode(text)
    assert lines == [
        "Invalid request: ParseErrorFromALaterGunicorn",
        "Invalid request: InvalidChunkSize",
        "Invalid request: unparsable",
        "Ignored premature client disconnection. NoMoreData",
        "Error handling request (no URI read): InvalidProxyHeader",
        "Error handling request (no URI read): ValueError",
    ]


def test_colour_codes_are_dropped_not_escaped():
    """The development server colours its banner; the log shows the words, not escapes."""
    from advocacy.platform.logs import scrub

    assert scrub("\x1b[33mPress CTRL+C to quit\x1b[0m") == "Press CTRL+C to quit"
    assert scrub("a\x1b[2Jb") == "a\\x1b[2Jb"  # anything else stays visible, escaped


def test_an_access_line_scrubs_only_the_atoms_its_format_names(monkeypatch):
    """Scrubbing every header gunicorn collects cost a fifth of a worker's time; the shipped
    format names the method and path, so only those are worked on, and still scrubbed."""
    from advocacy.platform import logs

    calls = []
    for name in ("scrub", "scrub_path"):
        real = getattr(logs, name)
        monkeypatch.setattr(logs, name, lambda v, real=real: calls.append(v) or real(v))
    target = "/api/v1/postcodes/SW1A%202AA?postcode=SW1A+2AA"
    atoms = gunicorn_atoms(target, status="200 OK")
    shipped = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))
    line = shipped["access_log_format"] % atoms  # as gunicorn formats it
    assert "/api/v1/postcodes/[postcode]" in line
    assert_no_postcode(line)
    assert calls == ["GET", "/api/v1/postcodes/SW1A 2AA"]  # m and U, nothing else
