"""A postcodes.io client that returns a `Place`; what a postcode looks like is in
``advocacy.platform.postcode_shape``, which the log scrubber shares.

Privacy: this app must not log postcodes, so nothing here logs one, and the requests exceptions
(whose text contains the URL, and so the postcode) are never chained onto ours.

Resilience: a campaign's traffic comes as a surge, so the client must never make supporters wait
on a sick postcodes.io. A lookup ends by its deadline whatever the server does (retries
included); concurrent lookups of one postcode share one upstream call; a worker has at most
``max_in_flight`` calls out at once (a bulkhead), and a lookup over that is "unavailable" at once
rather than queued; and after a run of failed or slow answers a circuit breaker answers
"unavailable" at once for a cool-down. Either way the pages offer the manual lists straight away.
"""

import copy
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

from advocacy.letters.message import N_
from advocacy.platform.cache import Cache
from advocacy.platform.postcode_shape import is_valid
from advocacy.platform.postcode_shape import normalise

log = logging.getLogger(__name__)

USER_AGENT = "advocacy (+https://github.com/)"

_BFPO = re.compile(r"BFPO[0-9]{0,4}")
_PSEUDO = re.compile(r"[A-Z]99999999")
_MAX_INPUT = 64  # anything longer is not a postcode, however it is spaced


MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


class PostcodeError(Exception):
    """Base for lookup failures; `message` is written for supporters, not developers."""

    default_message = N_("Sorry, something went wrong with that postcode.")

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidPostcode(PostcodeError):
    default_message = N_("Enter a full UK postcode, like SW1A 2DD.")


class ForcesPostcode(PostcodeError):
    """A BFPO number or BF1 postcode: valid and real, but outside every constituency, so it is
    answered like the Channel Islands (outside coverage), not as a mistyped postcode."""

    default_message = N_(
        "British Forces (BFPO) addresses aren't linked to a constituency. Please use a UK home "
        "postcode instead, or choose your constituency and police force from the lists."
    )


class PostcodeNotFound(PostcodeError):
    default_message = N_("We couldn't find that postcode. Please check it and try again.")


class TerminatedPostcode(PostcodeError):
    """The postcode existed but is no longer used; `year`/`month` say when it stopped."""

    def __init__(
        self,
        message: str | None = None,
        *,
        postcode: str = "",
        year: int | None = None,
        month: int | None = None,
    ) -> None:
        self.year = year
        self.month = month
        if message is None and year and month in range(1, 13):
            message = N_(
                "%(postcode)s stopped being used in %(month)s %(year)s. Please use your "
                "current postcode.",
                postcode=postcode,
                month=MONTHS[month - 1],
                year=year,
            )
        elif message is None and year:
            message = N_(
                "%(postcode)s stopped being used in %(year)s. Please use your current postcode.",
                postcode=postcode,
                year=year,
            )
        elif message is None:
            message = N_(
                "%(postcode)s stopped being used. Please use your current postcode.",
                postcode=postcode,
            )
        super().__init__(message)


class LookupUnavailable(PostcodeError):
    default_message = N_(
        "We couldn't look up your postcode just now. Please try again in a moment."
    )

    def __init__(self, message: str | None = None, *, kind: str = "unavailable") -> None:
        self.kind = kind  # what went wrong upstream, for the log; never the postcode
        super().__init__(message)


@dataclass(frozen=True)
class Place:
    postcode: str | None  # normalised, e.g. "SW1A 2DD"; None when chosen by hand
    country: str  # "England" | "Wales" | "Scotland" | "Northern Ireland" | "Channel Islands" | ...
    constituency_code: str | None  # codes.parliamentary_constituency_2024; None for pseudo codes
    constituency_name: str | None
    pfa_code: str | None  # codes.pfa; None for pseudo codes (X99999999)
    pfa_name: str | None


# Where a supporter of a campaign that needs no place is: nowhere in particular. Such a campaign
# writes to its fixed recipients alone, the same everywhere (``Campaign.needs_place``).
NOWHERE = Place(None, "", None, None, None, None)


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


class CircuitBreaker:
    """Fails lookups at once while postcodes.io keeps failing, so a surge doesn't queue on it.

    Closed, it counts failed lookups in a row; at `failures` it opens, and for `cooldown`
    seconds no call is allowed. Then it lets one trial call through (half-open): success closes
    it, failure opens it for another cool-down. An answer that took longer than `slow` seconds
    is a failure too: a postcodes.io that answers in two seconds holds every supporter for two
    seconds, which under a surge is an outage. One breaker serves all of a worker's threads
    (it is thread-safe); `clock` is injectable for tests.
    """

    def __init__(
        self,
        failures: int = 5,
        cooldown: float = 30.0,
        *,
        slow: float = float("inf"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = max(1, failures)
        self.cooldown = max(0.0, cooldown)
        self.slow = slow
        self._clock = clock
        self._lock = threading.Lock()
        self._failed = 0  # lookups failed in a row
        self._opened_at: float | None = None
        self._trial = False  # the half-open trial call is under way

    @property
    def state(self) -> str:
        """One of closed, open and half-open (for logs and tests)."""
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if self._trial else "open"

    def allow(self) -> bool:
        """Whether a call may go upstream now; True in half-open means the caller is the trial."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trial or self._clock() - self._opened_at < self.cooldown:
                return False
            self._trial = True
            return True

    def record(self, ok: bool, seconds: float = 0.0) -> None:
        """Count the outcome of an allowed call: `ok` means postcodes.io gave an answer, which
        took `seconds`; an answer slower than `slow` counts as a failure."""
        ok = ok and seconds <= self.slow
        with self._lock:
            if ok:
                if self._opened_at is not None:
                    log.warning("postcodes.io answers again: lookups resume")
                self._failed, self._opened_at, self._trial = 0, None, False
                return
            self._failed += 1
            if self._trial or (self._opened_at is None and self._failed >= self.failures):
                self._opened_at, self._trial = self._clock(), False
                log.warning(
                    "postcodes.io unavailable or slow for %d lookups in a row: "
                    "no lookups for %g s, the pages offer the lists",
                    self._failed,
                    self.cooldown,
                )


@dataclass(eq=False)
class _Flight:
    """One upstream lookup, which every concurrent caller for the same postcode waits for."""

    deadline: float  # time.monotonic() by which every caller gives up
    started: float = 0.0  # the client's clock, for the breaker's "slow"
    took: float = 0.0  # seconds from start to answer, set before `done`
    done: threading.Event = field(default_factory=threading.Event)
    place: Place | None = None
    error: PostcodeError | None = None  # a copy without traceback; raise copies of it

    @classmethod
    def landed(cls, place: Place) -> "_Flight":
        flight = cls(0.0, place=place)
        flight.done.set()
        return flight

    def outcome(self) -> Place:
        if self.place is not None:
            return self.place
        raise copy.copy(self.error or LookupUnavailable(kind="no answer"))


def _pooled_session(connections: int) -> requests.Session:
    """A session that keeps as many connections to postcodes.io as calls may be in flight
    (requests keeps 10 by default, and would open and drop the rest, warning each time)."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=connections)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class PostcodesClient:
    """Looks postcodes up on postcodes.io (public or self-hosted) and turns answers into Places.

    Definite answers (found, not found, terminated) are cached; unavailability never is, so a
    blip can't stick. `timeout` bounds a whole lookup, retries included (a retry gets what is
    left of the budget, never a budget of its own): each upstream call runs in its own thread
    and callers stop waiting at the deadline, because requests' timeouts are per socket
    operation and a server that trickles bytes would otherwise hold them for longer.

    At most `max_in_flight` upstream calls run at once, counted until their thread ends (a call
    its callers gave up on still holds a connection): past that, a lookup is "unavailable" at
    once, so a supporter over the cap gets the lists instead of a place in a queue, and the
    worker's other threads stay free for everyone else. One client serves all of a worker's
    threads.
    """

    def __init__(
        self,
        base_url: str = "https://api.postcodes.io",
        timeout: float = 3.0,
        *,
        session: requests.Session | None = None,
        cache: Cache | None = None,
        retries: int = 1,
        breaker: CircuitBreaker | None = None,
        max_in_flight: int = 24,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_in_flight = max(1, max_in_flight)
        self.session = session or _pooled_session(self.max_in_flight)
        self.cache = cache
        self.retries = max(0, retries)
        self.breaker = breaker or CircuitBreaker()
        self._clock = clock
        self._lock = threading.Lock()  # guards _flights and _in_flight
        self._flights: dict[str, _Flight] = {}
        self._in_flight = 0  # upstream calls whose thread is still running

    def lookup(self, postcode: str) -> Place:
        """Return the Place for `postcode` or raise a `PostcodeError` subclass."""
        pc = parse(postcode)
        hit = self._cached(pc)
        if hit is not None:
            return hit
        flight, leader = self._board(pc)
        finished = flight.done.wait(max(0.0, flight.deadline - time.monotonic()))
        if leader:
            self._land(pc, flight, finished)
        if not finished:
            raise LookupUnavailable(kind="deadline")
        return flight.outcome()

    def _cached(self, pc: str) -> Place | None:
        """The cached Place, None on a miss; a cached definite error is raised."""
        hit = self.cache.get(f"postcodes.io:{pc}") if self.cache is not None else None
        if isinstance(hit, PostcodeError):
            raise copy.copy(hit)  # a fresh instance: re-raising one would grow its traceback
        return hit if isinstance(hit, Place) else None

    def _remember(self, pc: str, value: Place | PostcodeError) -> None:
        if self.cache is not None:
            self.cache.set(f"postcodes.io:{pc}", value)

    def _board(self, pc: str) -> tuple[_Flight, bool]:
        """Join the lookup in flight for `pc`, or start one (then True) if the breaker allows.

        :raise LookupUnavailable: the breaker is open.
        """
        with self._lock:
            flight = self._flights.get(pc)
            if flight is not None:
                return flight, False
            hit = self._cached(pc)  # a flight may have landed since the caller looked
            if hit is not None:
                return _Flight.landed(hit), False
            # The bulkhead before the breaker: a half-open breaker's trial must go upstream.
            if self._in_flight >= self.max_in_flight:
                raise LookupUnavailable(kind="busy")
            if not self.breaker.allow():
                raise LookupUnavailable(kind="circuit open")
            flight = self._flights[pc] = _Flight(
                time.monotonic() + self.timeout, started=self._clock()
            )
            self._in_flight += 1
        # Its name is generic: thread names show up in logs and tracebacks.
        thread = threading.Thread(target=self._fly, args=(pc, flight), name="postcode-lookup")
        thread.daemon = True
        try:
            thread.start()
        except RuntimeError:  # no thread to spare: an outage as far as this lookup goes
            flight.error = LookupUnavailable(kind="no thread")
            self._call_ended()
            flight.done.set()
        return flight, True

    @property
    def in_flight(self) -> int:
        """Upstream calls under way (for tests and the bulkhead)."""
        with self._lock:
            return self._in_flight

    def _call_ended(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _fly(self, pc: str, flight: _Flight) -> None:
        """Call postcodes.io and cache a definite answer before anyone is told it landed."""
        try:
            flight.place = self._fetch(pc, flight.deadline)
            self._remember(pc, flight.place)
        except LookupUnavailable as exc:
            flight.error = copy.copy(exc)  # a copy has no traceback to pin frames
        except PostcodeError as exc:  # invalid, not found, terminated: definite
            flight.error = copy.copy(exc)
            self._remember(pc, flight.error)
        except Exception as exc:  # a bug must not leave callers waiting out the deadline
            flight.error = LookupUnavailable(kind=f"unexpected {type(exc).__name__}")
        finally:
            flight.took = self._clock() - flight.started
            self._call_ended()
            flight.done.set()

    def _land(self, pc: str, flight: _Flight, finished: bool) -> None:
        """The starter's bookkeeping, done once per flight: free the slot, tell the breaker."""
        with self._lock:
            if self._flights.get(pc) is flight:
                del self._flights[pc]
        error = flight.error if finished else LookupUnavailable(kind="deadline")
        unavailable = isinstance(error, LookupUnavailable)
        if unavailable:
            log.warning("postcode lookup unavailable: %s", error.kind)
        self.breaker.record(ok=not unavailable, seconds=flight.took)

    def _fetch(self, pc: str, deadline: float) -> Place:
        url = f"{self.base_url}/postcodes/{quote(pc.replace(' ', ''), safe='')}"
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        kind = "deadline"
        for _ in range(self.retries + 1):
            remaining = deadline - time.monotonic()
            if remaining < self.timeout / 10:  # too little left for a fresh try to succeed
                break
            try:
                response = self.session.get(url, timeout=remaining, headers=headers)
            except (requests.Timeout, requests.ConnectionError) as exc:
                kind = "timeout" if isinstance(exc, requests.Timeout) else "connection error"
                continue
            except requests.RequestException:
                raise LookupUnavailable(kind="request error") from None
            if response.status_code < 500:
                return self._interpret(response, pc)
            kind = f"HTTP {response.status_code}"
        raise LookupUnavailable(kind=kind)

    def _interpret(self, response: requests.Response, pc: str) -> Place:
        try:
            body = response.json()
        except ValueError:
            raise LookupUnavailable(kind="malformed JSON") from None
        if not isinstance(body, dict):
            raise LookupUnavailable(kind="unexpected body")
        if response.status_code == 200:
            try:
                return place_from_result(body.get("result"))
            except ValueError:
                raise LookupUnavailable(kind="unexpected result") from None
        if response.status_code != 404:
            raise LookupUnavailable(kind=f"HTTP {response.status_code}")
        ended = body.get("terminated")
        if isinstance(ended, dict):
            year, month = _int(ended.get("year_terminated")), _int(ended.get("month_terminated"))
            raise TerminatedPostcode(postcode=pc, year=year, month=month)
        if body.get("error") == "Invalid postcode":
            raise InvalidPostcode()
        if body.get("error") == "Resource not found":  # wrong base URL, not an unknown postcode
            raise LookupUnavailable(kind="unknown route")
        raise PostcodeNotFound()
