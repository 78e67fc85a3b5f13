"""Keep supporters out of the logs: no postcodes, no query strings, no client addresses.

The postcode travels in URLs (``/api/v1/postcodes/SW1A%202DD``, ``/c/slug?postcode=...``), so
every log line that could carry a URL goes through ``scrub``: the app's own logger, the
development server's and gunicorn's (``GunicornLogger``, named in ``gunicorn.conf.py``).

A postcode reaches a log in whatever form the client sent it: percent-encoded once or twice,
decoded by gunicorn as Latin-1, with a no-break, ideographic or zero-width space between its
halves, in fullwidth letters. So lines are matched only after all of that is undone
(``normalise``), and anything that is not a letter or digit may sit between the characters of
a postcode. The shape matched is the postcode lookup's own (``postcode_shape.pattern``), with the
look-alikes it reads as digits, so what the lookup takes for a postcode never stays in a log.
"""

import datetime
import logging
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

import gunicorn
from gunicorn.config import Config
from gunicorn.glogging import Logger

from advocacy.platform import postcode_shape

# A query string in a raw line: a request target holds no whitespace, but a decoded path may
# hold a no-break space, so only ASCII whitespace or a quote ends it.
QUERY = re.compile(r"\?[^\s\"]*", re.ASCII)
# The lookup route takes any text, slashes too: all of it up to the request line's protocol.
POSTCODE_PATH = re.compile(r"(/+api/+v1/+postcodes/)(?:(?! HTTP/)[^\"])*", re.IGNORECASE)
# ...and in a path on its own (gunicorn's ``U`` atom), all of the rest.
POSTCODE_PATH_TAIL = re.compile(r"/+api/+v1/+postcodes/.*\Z", re.IGNORECASE | re.DOTALL)
_SEP = r"[\W_]*+"  # any run of non-alphanumerics: spaces, separators, punctuation, marks
# The lookup's own shape of a postcode (postcode_shape.pattern), as typed: in either case, with any
# separators, with the look-alikes the lookup reads as digits ("SE1 ODL" is SE1 0DL), and with
# a digit in any script. So nothing the lookup takes for a postcode stays in a log.
_TYPED = postcode_shape.pattern(between=_SEP, space=_SEP, digit=r"\d", typed=True)
POSTCODE = re.compile(rf"(?<![^\W_])(?:{_TYPED})(?![^\W_])", re.IGNORECASE)
# Every match at every start, overlapping: the leftmost match can start in the word before and
# stop short ("on /c/A0OA A" reads as ON0A 0OA, leaving "A" of A0 0AA), so all of them are cut.
POSTCODES_OVERLAPPING = re.compile(rf"(?<![^\W_])(?=((?:{_TYPED}))(?![^\W_]))", re.IGNORECASE)
ALNUM = re.compile(r"[^\W_]+")
# Python-style escapes, as in gunicorn's ``%r`` of a request line it could not parse.
BACKSLASH_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[tnrvf])")
# Bytes that stand alone: Latin-1 characters (gunicorn decodes paths as Latin-1) and the
# surrogates ``unquote`` leaves for bytes that are not UTF-8.
HIGH_BYTES = re.compile("[\x80-\xff\udc80-\udcff]+")
LONE_BYTE = re.compile("[\udc80-\udcff]")
# Every decoding shortens the line; past this many, the line is withheld rather than guessed at.
MAX_DECODINGS = 16
UNDECODABLE = "[undecodable]"
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
# Atoms whose whole value is a request path (``U`` is gunicorn's percent-decoded ``PATH_INFO``).
PATH_ATOMS = {"U", "{path_info}e", "{raw_uri}e", "{request_uri}e", "{script_name}e"}
# Atoms gunicorn makes itself (time, status, sizes, durations, pid): nothing of the client's.
SERVER_ATOMS = {"t", "s", "b", "B", "T", "D", "M", "L", "p", "l"}
REQUEST_LINE = re.compile(r"(\S+) (.*) (HTTP/\S+)", re.DOTALL)
LEADING_ADDRESS = re.compile(r"^\S+ - - ")
# Gunicorn's report of a request it cannot parse ends with the exception's text, which echoes
# the request: "Invalid chunk size: b'{\"name\": ...'". Only the exception's kind is kept.
INVALID_REQUEST = re.compile(r"Invalid request from ip=")
# Gunicorn's packages that read requests: what is raised there may hold the request's bytes.
READERS = frozenset({"http", "http2", "uwsgi", "asgi"})
READER_DIRS = tuple(str(Path(gunicorn.__file__).parent / name) + os.sep for name in READERS)


def _unescape(match: re.Match) -> str:
    """The character a backslash escape stands for."""
    text = match.group()
    if text[1] in "xuU":
        return chr(min(int(text[2:], 16), 0x10FFFF))
    return {"t": "\t", "n": "\n", "r": "\r", "v": "\v", "f": "\f"}[text[1]]


def _as_utf8(match: re.Match) -> str:
    """A run of stray bytes read as UTF-8 where it is, as Latin-1 where it is not."""
    text = bytes(ord(c) & 0xFF for c in match.group()).decode("utf-8", "surrogateescape")
    return LONE_BYTE.sub(lambda m: chr(ord(m.group()) & 0xFF), text)


def normalise(text: str) -> str | None:
    """``text`` as a reader would see it, or None if it is still encoded after many decodings.

    Percent-encoding and backslash escapes are undone until nothing changes (``%2520`` too),
    stray bytes are read as UTF-8 (``Â\\xa0`` is a no-break space), and compatibility forms
    are decomposed (fullwidth ``ＳＷ１Ａ`` is ``SW1A``, an accent is a mark apart from its letter).
    """
    if text.isascii() and "%" not in text and "\\" not in text:
        return text  # the common case: nothing to undo
    for _ in range(MAX_DECODINGS):
        decoded = BACKSLASH_ESCAPE.sub(_unescape, unquote(text, errors="surrogateescape"))
        if decoded == text:
            return unicodedata.normalize("NFKD", HIGH_BYTES.sub(_as_utf8, text))
        text = decoded
    return None


ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def _printable(text: str) -> str:
    """Control and invisible characters escaped, so a decoded ``%0A`` cannot start a new line.

    Accents decomposed for matching are composed again for the reader.
    """
    if text.isascii() and text.isprintable():
        return text
    text = ANSI_COLOUR.sub("", text)  # the development server's coloured banner
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


def _cut_postcodes(text: str) -> str:
    """``text`` with every stretch that any postcode match covers replaced by ``[postcode]``."""
    if not POSTCODE.search(text):
        return text  # the common case, at the cost of one search
    spans: list[list[int]] = []
    for match in POSTCODES_OVERLAPPING.finditer(text):
        start, end = match.span(1)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    parts, done = [], 0
    for start, end in spans:
        parts += (text[done:start], "[postcode]")
        done = end
    return "".join(parts) + text[done:]


def _halves(text: str) -> set[str]:
    """The outward and inward codes (and both together) of each postcode in ``text``."""
    halves: set[str] = set()
    if not POSTCODE.search(text):
        return halves
    for match in POSTCODES_OVERLAPPING.finditer(text):
        code = "".join(ALNUM.findall(match.group(1))).upper()
        halves |= {code, code[:-3], code[-3:]}
    return halves


def scrub(line: str) -> str:
    """A log line with query strings, postcodes and the client address removed.

    Everything is cut from the line as logged, then again once it is decoded, in case the
    encoding hid it (``%3F``, ``%2F``, ``%20``). A cut can split a postcode (a query ends at a
    space, which in an already decoded message may be the one inside it), so any word left that
    is half of a postcode the decoded line held is removed as well.
    """
    line = LEADING_ADDRESS.sub("- - - ", line)
    whole = normalise(line)
    cut = POSTCODE_PATH.sub(r"\1[postcode]", QUERY.sub("", line))
    decoded = normalise(cut)
    if whole is None or decoded is None:
        return UNDECODABLE
    if decoded != cut:
        decoded = QUERY.sub("", POSTCODE_PATH.sub(r"\1[postcode]", decoded))
    line = _cut_postcodes(decoded)
    if halves := _halves(whole):
        line = ALNUM.sub(lambda m: "[postcode]" if m.group().upper() in halves else m.group(), line)
    return _printable(line)


def scrub_path(path: str) -> str:
    """A request path (raw or decoded) with its query and any postcode removed.

    A lookup path is cut whole: whatever follows ``/api/v1/postcodes/`` is what a supporter
    typed, even if it does not look like a postcode.
    """
    decoded = normalise(path)
    if decoded is None:
        return UNDECODABLE
    decoded = POSTCODE_PATH_TAIL.sub("/api/v1/postcodes/[postcode]", decoded.partition("?")[0])
    return _printable(_cut_postcodes(decoded))


def _scrub_request_line(line: str) -> str:
    """Gunicorn's ``r`` atom ("GET /raw/target?query HTTP/1.1") with its target scrubbed."""
    parts = REQUEST_LINE.fullmatch(line)
    if parts is None:
        return scrub(line)
    method, target, protocol = parts.groups()
    return f"{scrub(method)} {scrub_path(target)} {scrub(protocol)}"


class ScrubFilter(logging.Filter):
    """Rewrites each record's message, and any traceback, through ``scrub``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.name == "werkzeug" and record.levelno == logging.INFO and "\n" in message:
            # The development server's banner: its lines stay lines, each scrubbed, rather than
            # one line with "\n" in it. Its errors (tracebacks ending in an exception's text)
            # stay one escaped line, so no text can start a line of its own there.
            record.msg = "\n".join(scrub(line) for line in message.split("\n"))
        else:
            record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = "\n".join(scrub(line) for line in record.exc_text.splitlines())
        return True


def _raised_reading(exc: BaseException) -> bool:
    """Whether gunicorn raised ``exc`` reading a request: its class is one of gunicorn's HTTP
    errors, or it came out of gunicorn's parsing code (a ``ValueError`` from ``int()`` too)."""
    module = type(exc).__module__.split(".")
    if module[0] == "gunicorn" and len(module) > 1 and module[1] in READERS:
        return True
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename.startswith(READER_DIRS)


def reading_error(exc: BaseException | None) -> BaseException | None:
    """The exception in ``exc``'s chain that gunicorn raised reading a request, if one is."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if _raised_reading(exc):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


class ParseErrorFilter(logging.Filter):
    """Gunicorn's reports of requests it could not read, by kind only: never the request.

    Its exceptions' text echoes the bytes they choked on (a chunk size line that was a
    supporter's letter, a trailer with their name), and it logs that text in three ways: an
    invalid-request warning made of ``str(exc)``, a traceback, and debug lines with ``%s`` of
    the exception. The warning is written while gunicorn handles the exception, so its kind is
    the class of the exception in flight, whatever the class, including ones a later gunicorn
    adds. A traceback or line about an exception raised reading a request keeps its message and
    the exception's class name, and loses the exception's text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        in_flight = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        message = record.getMessage()
        if INVALID_REQUEST.match(message):
            kind = type(in_flight).__name__ if in_flight is not None else "unparsable"
            record.msg, record.args = f"Invalid request: {kind}", None
            record.exc_info, record.exc_text = None, None
        elif (exc := reading_error(in_flight)) is not None:
            kind = type(exc).__name__
            for text in {str(exc), repr(exc)} - {""}:
                message = message.replace(text, kind)
            if record.exc_info:  # a traceback would end in the text: the kind stands for it
                message = f"{message}: {kind}"
                record.exc_info, record.exc_text = None, None
            record.msg, record.args = message, None
        return True


def _add(filterer: logging.Filterer, kind: type[logging.Filter] = ScrubFilter) -> None:
    if not any(isinstance(f, kind) for f in filterer.filters):
        filterer.addFilter(kind())


def init_app(app) -> None:
    """Scrub the app's and the development server's log records.

    Filters on a logger miss records that its child loggers pass up, so Flask's handler is
    scrubbed too (records from ``advocacy.*`` loggers end there).
    """
    from flask.logging import default_handler

    for filterer in (
        default_handler,
        logging.getLogger(app.logger.name),
        logging.getLogger("werkzeug"),
    ):
        _add(filterer, ParseErrorFilter)  # a parse error that reached the app, by kind too
        _add(filterer)


def _clean_atom(key: str, value: object) -> object:
    """One atom as it may be logged: private ones blanked, the client's ones scrubbed."""
    if key in PRIVATE_ATOMS:
        return "-"
    if key in SERVER_ATOMS or not isinstance(value, str):
        return value
    if key in PATH_ATOMS:
        return scrub_path(value)
    if key == "r":
        return _scrub_request_line(value)
    return scrub(value)


class ScrubbedAtoms(Mapping):
    """Gunicorn's atoms, each scrubbed (or blanked) when the log line first reads it.

    The access log formats its line with ``format % atoms``, which reads only the atoms the
    format names: a request pays for scrubbing those, not every header gunicorn collects (that
    was a fifth of a worker's time). It also does gunicorn's ``SafeAtoms`` job: ``{header}i``
    keys are matched in lower case, an atom not there is "-", and quotes are escaped.
    """

    def __init__(self, raw: Mapping[str, object]) -> None:
        self._raw = raw
        self._clean: dict[str, object] = {}

    def __getitem__(self, key: str) -> object:
        if key.startswith("{"):
            key = key.lower()
        if key not in self._clean:
            value = _clean_atom(key, self._raw.get(key, "-"))
            self._clean[key] = value.replace('"', '\\"') if isinstance(value, str) else value
        return self._clean[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _as_they_are(atoms: ScrubbedAtoms) -> ScrubbedAtoms:
    return atoms


class GunicornLogger(Logger):
    """Gunicorn's logger with the request line scrubbed in access and error logs."""

    atoms_wrapper_class = staticmethod(_as_they_are)  # ScrubbedAtoms does SafeAtoms' job

    def setup(self, cfg: Config) -> None:
        """Filter the error log itself: gunicorn's ``warning`` and ``exception`` bypass ``error``.

        The parse-error filter runs first, so its cut message is what gets scrubbed.
        """
        super().setup(cfg)
        _add(self.error_log, ParseErrorFilter)
        _add(self.error_log, ScrubFilter)

    def atoms(
        self, resp: object, req: object, environ: dict, request_time: datetime.timedelta
    ) -> ScrubbedAtoms:
        """Gunicorn's atoms, with private ones blanked and the rest scrubbed as they are read."""
        return ScrubbedAtoms(super().atoms(resp, req, environ, request_time))
