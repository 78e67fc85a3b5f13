"""UK postcode cleaning and validation, and a postcodes.io client that returns a `Place`.

Privacy: this app must not log postcodes, so nothing here logs one, and the requests exceptions
(whose text contains the URL, and so the postcode) are never chained onto ours.
"""

import calendar
import copy
import logging
import re
import string
from dataclasses import dataclass
from urllib.parse import quote

import requests

from advocacy.cache import Cache

log = logging.getLogger(__name__)

USER_AGENT = "advocacy (+https://github.com/)"

_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
# Slips we silently drop: dashes, dots, commas, quotes, underscores and invisible characters.
# Characters that mean something in a URL (/ ? # % & = +) are kept, so they make the value invalid.
_DROP = "-.,;:'\"`_\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2018\u2019\u201c\u201d"
_SLIPS = str.maketrans("", "", _DROP + "\u180e\u200b\u200c\u200d\u2060\ufeff")
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|GIR 0AA")
_BFPO = re.compile(r"BFPO[0-9]{0,4}")
_PSEUDO = re.compile(r"[A-Z]99999999")
_MAX_LEN = 8  # "AA9A 9AA"
_MAX_INPUT = 64  # anything longer is not a postcode, however it is spaced


class PostcodeError(Exception):
    """Base for lookup failures; `message` is written for supporters, not developers."""

    default_message = "Sorry, something went wrong with that postcode."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidPostcode(PostcodeError):
    default_message = "Enter a full UK postcode, like SW1A 2DD."


class ForcesPostcode(InvalidPostcode):
    """A BFPO number or BF1 postcode: real, but not linked to any constituency."""

    default_message = (
        "British Forces (BFPO) addresses aren't linked to a constituency. "
        "Please use a UK home postcode instead."
    )


class PostcodeNotFound(PostcodeError):
    default_message = "We couldn't find that postcode. Please check it and try again."


class TerminatedPostcode(PostcodeError):
    """The postcode existed but is no longer used; `year`/`month` say when it stopped."""

    def __init__(
        self,
        message: str | None = None,
        *,
        postcode: str = "That postcode",
        year: int | None = None,
        month: int | None = None,
    ) -> None:
        self.year = year
        self.month = month
        if message is None:
            when = f" in {year}" if year else ""
            if year and month in range(1, 13):
                when = f" in {calendar.month_name[month]} {year}"
            message = f"{postcode} stopped being used{when}. Please use your current postcode."
        super().__init__(message)


class LookupUnavailable(PostcodeError):
    default_message = "We couldn't look up your postcode just now. Please try again in a moment."


@dataclass(frozen=True)
class Place:
    postcode: str | None  # normalised, e.g. "SW1A 2DD"; None when chosen by hand
    country: str  # "England" | "Wales" | "Scotland" | "Northern Ireland" | "Channel Islands" | ...
    constituency_code: str | None  # codes.parliamentary_constituency_2024; None for pseudo codes
    constituency_name: str | None
    pfa_code: str | None  # codes.pfa; None for pseudo codes (X99999999)
    pfa_name: str | None


def normalise(value: str | None) -> str | None:
    """Clean typing slips so "sw1a-2dd " becomes "SW1A 2DD"; the result may still be invalid.

    Safe for None (WTForms filter). Only ASCII letters are upper-cased, so look-alikes such as
    a dotless "ı" can't turn into valid letters. The one letter fix: an "O" where the inward
    code's digit belongs becomes "0", and only if that makes a valid postcode; a "0" is never
    turned into an "O", because "S016" and "SO16" are both well formed.
    """
    if value is None:
        return None
    compact = "".join(value.split()).translate(_SLIPS).translate(_ASCII_UPPER)
    if not 5 <= len(compact) <= 7:  # too short or long to be a postcode: leave unspaced
        return compact
    if compact[-3] == "O" and is_valid(fixed := f"{compact[:-3]} 0{compact[-2:]}"):
        return fixed
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid(pc: str) -> bool:
    """Check the UK format of an already normalised postcode (one space, upper case)."""
    return isinstance(pc, str) and len(pc) <= _MAX_LEN and _POSTCODE.fullmatch(pc) is not None


def parse(value: str | None) -> str:
    """Return the normalised postcode or raise `InvalidPostcode`; nothing invalid leaves here."""
    if value is not None and len(value) > _MAX_INPUT:
        raise InvalidPostcode()
    pc = normalise(value)
    if not pc:
        raise InvalidPostcode()
    if _BFPO.fullmatch(pc.replace(" ", "")):
        raise ForcesPostcode()
    if not is_valid(pc):
        raise InvalidPostcode()
    if pc.startswith("BF1 "):
        raise ForcesPostcode()
    return pc


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _code_and_name(result: dict, codes: dict, key: str) -> tuple[str | None, str | None]:
    code, name = _text(codes.get(key)), _text(result.get(key))
    if (code and _PSEUDO.fullmatch(code)) or (name and name.startswith("(pseudo)")):
        return None, None
    return code, name


def place_from_result(result: dict) -> Place:
    """Build a `Place` from a postcodes.io postcode object, current or pre-2025 shape.

    Unknown keys are ignored and optional ones may be missing; raises ValueError only when the
    postcode or country is missing, since a `Place` without them is useless.
    """
    if not isinstance(result, dict):
        raise ValueError("result is not an object")
    postcode, country = _text(result.get("postcode")), _text(result.get("country"))
    if postcode is None or country is None:
        raise ValueError("result lacks postcode or country")
    codes = result.get("codes") if isinstance(result.get("codes"), dict) else {}
    pcon = "parliamentary_constituency_2024"
    if pcon not in codes and pcon not in result:
        pcon = "parliamentary_constituency"
    constituency = _code_and_name(result, codes, pcon)
    pfa = _code_and_name(result, codes, "pfa")
    return Place(normalise(postcode) or postcode, country, *constituency, *pfa)


class PostcodesClient:
    """Looks postcodes up on postcodes.io (public or self-hosted) and turns answers into Places.

    Definite answers (found, not found, terminated) are cached; unavailability never is, so a
    blip can't stick.
    """

    def __init__(
        self,
        base_url: str = "https://api.postcodes.io",
        timeout: float = 3.0,
        *,
        session: requests.Session | None = None,
        cache: Cache | None = None,
        retries: int = 1,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.cache = cache
        self.retries = max(0, retries)

    def lookup(self, postcode: str) -> Place:
        """Return the Place for `postcode` or raise a `PostcodeError` subclass."""
        pc = parse(postcode)
        key = f"postcodes.io:{pc}"
        hit = self.cache.get(key) if self.cache is not None else None
        if isinstance(hit, PostcodeError):
            raise copy.copy(hit)  # a fresh instance: re-raising one would grow its traceback
        if isinstance(hit, Place):
            return hit
        try:
            place = self._fetch(pc)
        except (InvalidPostcode, PostcodeNotFound, TerminatedPostcode) as exc:
            self._remember(key, copy.copy(exc))  # a copy has no traceback to pin frames
            raise
        self._remember(key, place)
        return place

    def _remember(self, key: str, value: object) -> None:
        if self.cache is not None:
            self.cache.set(key, value)

    def _fetch(self, pc: str) -> Place:
        url = f"{self.base_url}/postcodes/{quote(pc.replace(' ', ''), safe='')}"
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        kind = "no attempt"
        for _ in range(self.retries + 1):
            try:
                response = self.session.get(url, timeout=self.timeout, headers=headers)
            except (requests.Timeout, requests.ConnectionError) as exc:
                kind = "timeout" if isinstance(exc, requests.Timeout) else "connection error"
                continue
            except requests.RequestException:
                raise _unavailable("request error") from None
            if response.status_code < 500:
                return self._interpret(response, pc)
            kind = f"HTTP {response.status_code}"
        raise _unavailable(kind)

    def _interpret(self, response: requests.Response, pc: str) -> Place:
        try:
            body = response.json()
        except ValueError:
            raise _unavailable("malformed JSON") from None
        if not isinstance(body, dict):
            raise _unavailable("unexpected body")
        if response.status_code == 200:
            try:
                return place_from_result(body.get("result"))
            except ValueError:
                raise _unavailable("unexpected result") from None
        if response.status_code != 404:
            raise _unavailable(f"HTTP {response.status_code}")
        ended = body.get("terminated")
        if isinstance(ended, dict):
            year, month = _int(ended.get("year_terminated")), _int(ended.get("month_terminated"))
            raise TerminatedPostcode(postcode=pc, year=year, month=month)
        if body.get("error") == "Invalid postcode":
            raise InvalidPostcode()
        if body.get("error") == "Resource not found":  # wrong base URL, not an unknown postcode
            raise _unavailable("unknown route")
        raise PostcodeNotFound()


def _unavailable(kind: str) -> LookupUnavailable:
    log.warning("postcode lookup unavailable: %s", kind)
    return LookupUnavailable()
