"""The postcodes.io client under trouble: circuit breaker, shared lookups, the total deadline.

HTTP is faked with `responses`; tests/places/test_fault_drills.py does the same against a real
server.
"""

import copy
import logging
import re
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import responses
from fake_clock import FakeClock
from places import SOUTHWARK
from threads import in_threads

from advocacy.places.postcodes import CircuitBreaker
from advocacy.places.postcodes import InvalidPostcode
from advocacy.places.postcodes import LookupUnavailable
from advocacy.places.postcodes import Place
from advocacy.places.postcodes import PostcodeNotFound
from advocacy.places.postcodes import PostcodesClient
from advocacy.platform.cache import TTLCache

DATA = Path(__file__).parent.parent / "data" / "postcodes_io"
API = "https://api.postcodes.io/postcodes"
SE1 = f"{API}/SE12DL"
SE1_2DL = (DATA / "postcode_200_SE1_2DL_england_metropolitan.json").read_text(encoding="utf-8")
NOT_FOUND = (DATA / "postcode_404_not_found.json").read_text(encoding="utf-8")
SERVER_ERROR = (DATA / "error_500_server_error.json").read_text(encoding="utf-8")


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """Fail on any unregistered request and on any registered response left unused."""
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def client_with(clock: FakeClock, failures: int = 2, **kwargs) -> PostcodesClient:
    breaker = CircuitBreaker(failures=failures, cooldown=30, clock=clock)
    return PostcodesClient(breaker=breaker, retries=0, **kwargs)


def fail(rsps: responses.RequestsMock, client: PostcodesClient, times: int, pc="SE1 2DL") -> None:
    """`times` lookups that each meet one 500 from postcodes.io."""
    for _ in range(times):
        rsps.get(f"{API}/{pc.replace(' ', '')}", body=SERVER_ERROR, status=500)
        with pytest.raises(LookupUnavailable):
            client.lookup(pc)


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


class Gate:
    """A `responses` callback that holds postcodes.io's answer until the test releases it."""

    def __init__(self, status: int, body: str) -> None:
        self.status, self.body = status, body
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, request) -> tuple[int, dict, str]:
        self.calls += 1
        self.entered.set()
        self.release.wait(5)
        return self.status, {"Content-Type": "application/json"}, self.body

    def open_when_everyone_waits(self) -> None:
        """Let the answer through once the first call is in and the other callers have boarded."""
        assert self.entered.wait(5)
        time.sleep(0.2)  # boarding takes microseconds: parse, a cache miss and a lock
        self.release.set()


# --- the breaker on its own -----------------------------------------------------------------


def test_breaker_opens_after_failures_in_a_row(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=3, cooldown=30, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record(ok=False)
    assert breaker.state == "closed"
    breaker.record(ok=False)
    assert breaker.state == "open"
    assert not breaker.allow()


def test_a_success_starts_the_count_again(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=3, cooldown=30, clock=clock)
    for ok in (False, False, True, False, False):
        breaker.record(ok=ok)
    assert breaker.state == "closed"
    breaker.record(ok=False)
    assert breaker.state == "open"


def test_after_the_cooldown_one_trial_goes_through(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=1, cooldown=30, clock=clock)
    breaker.record(ok=False)
    clock.now = 29.9
    assert not breaker.allow()
    clock.now = 30.0
    assert breaker.allow()
    assert breaker.state == "half-open"
    assert not breaker.allow()  # only the one trial while it is under way
    breaker.record(ok=True)
    assert breaker.state == "closed"
    assert breaker.allow() and breaker.allow()


def test_a_failed_trial_opens_it_for_another_cooldown(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=3, cooldown=30, clock=clock)
    for _ in range(3):
        breaker.record(ok=False)
    clock.now = 100.0
    assert breaker.allow()
    breaker.record(ok=False)  # one failure is enough in half-open
    assert breaker.state == "open"
    clock.now = 129.9
    assert not breaker.allow()
    clock.now = 130.0
    assert breaker.allow()


def test_half_open_lets_exactly_one_of_many_threads_through(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=1, cooldown=30, clock=clock)
    breaker.record(ok=False)
    clock.now = 30.0
    allowed = in_threads(50, lambda _: breaker.allow())
    assert allowed.count(True) == 1


def test_failures_from_many_threads_are_all_counted(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=50, cooldown=30, clock=clock)
    in_threads(49, lambda _: breaker.record(ok=False))
    assert breaker.state == "closed"
    breaker.record(ok=False)
    assert breaker.state == "open"


# --- the breaker in the client --------------------------------------------------------------


def test_open_breaker_answers_unavailable_without_calling(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    client = client_with(clock)
    fail(rsps, client, 2)
    assert client.breaker.state == "open"
    started = time.monotonic()
    for _ in range(5):
        with pytest.raises(LookupUnavailable) as info:
            client.lookup("SE1 2DL")
        assert info.value.kind == "circuit open"
    assert time.monotonic() - started < 0.5
    assert len(rsps.calls) == 2  # the fixture fails on any unregistered request, too


def test_a_lookup_with_retries_counts_once(rsps: responses.RequestsMock, clock: FakeClock) -> None:
    client = PostcodesClient(breaker=CircuitBreaker(2, 30, clock=clock), retries=1)
    rsps.get(SE1, body=SERVER_ERROR, status=500)
    rsps.get(SE1, body=requests.ConnectionError("down"))
    with pytest.raises(LookupUnavailable):
        client.lookup("SE1 2DL")
    assert len(rsps.calls) == 2
    assert client.breaker.state == "closed"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (404, NOT_FOUND, PostcodeNotFound),
        (404, '{"status": 404, "error": "Invalid postcode"}', InvalidPostcode),
    ],
    ids=["not found", "invalid"],
)
def test_definite_answers_never_trip_the_breaker(
    rsps: responses.RequestsMock, clock: FakeClock, status: int, body: str, error: type
) -> None:
    client = client_with(clock)
    for _ in range(4):
        rsps.get(f"{API}/ID11QE", body=body, status=status)
        with pytest.raises(error):
            client.lookup("ID1 1QE")
    assert client.breaker.state == "closed"
    assert len(rsps.calls) == 4


def test_definite_answer_in_between_resets_the_count(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    client = client_with(clock)
    fail(rsps, client, 1)
    rsps.get(f"{API}/ID11QE", body=NOT_FOUND, status=404)
    with pytest.raises(PostcodeNotFound):
        client.lookup("ID1 1QE")
    fail(rsps, client, 1)
    assert client.breaker.state == "closed"


def test_cache_hits_are_served_while_open(rsps: responses.RequestsMock, clock: FakeClock) -> None:
    client = client_with(clock, cache=TTLCache())
    rsps.get(SE1, body=SE1_2DL)
    rsps.get(f"{API}/ID11QE", body=NOT_FOUND, status=404)
    assert client.lookup("SE1 2DL") == SOUTHWARK
    with pytest.raises(PostcodeNotFound):
        client.lookup("ID1 1QE")
    fail(rsps, client, 2, pc="M1 1AD")
    assert client.breaker.state == "open"
    assert client.lookup("se12dl") == SOUTHWARK
    with pytest.raises(PostcodeNotFound):  # a cached definite answer, not "unavailable"
        client.lookup("ID1 1QE")
    assert len(rsps.calls) == 4


def test_successful_trial_closes_the_breaker(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    client = client_with(clock)
    fail(rsps, client, 2)
    clock.now = 30.0
    rsps.get(SE1, body=SE1_2DL)
    assert client.lookup("SE1 2DL") == SOUTHWARK
    assert client.breaker.state == "closed"
    fail(rsps, client, 1)  # and failures are counted from zero again
    assert client.breaker.state == "closed"


def test_failed_trial_makes_one_call_and_reopens(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    client = client_with(clock)
    fail(rsps, client, 2)
    clock.now = 30.0
    fail(rsps, client, 1)
    assert client.breaker.state == "open"
    with pytest.raises(LookupUnavailable):
        client.lookup("SE1 2DL")
    assert len(rsps.calls) == 3


def test_breaker_logs_opening_and_closing_without_the_postcode(
    rsps: responses.RequestsMock, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="advocacy")
    client = client_with(clock)
    fail(rsps, client, 2)
    with pytest.raises(LookupUnavailable):
        client.lookup("SE1 2DL")  # refused by the open breaker: not logged each time
    clock.now = 30.0
    rsps.get(SE1, body=SE1_2DL)
    client.lookup("SE1 2DL")
    assert caplog.messages == [
        "postcode lookup unavailable: HTTP 500",
        "postcode lookup unavailable: HTTP 500",
        "postcodes.io unavailable or slow for 2 lookups in a row: "
        "no lookups for 30 s, the pages offer the lists",
        "postcodes.io answers again: lookups resume",
    ]
    assert "SE1" not in caplog.text and "2DL" not in caplog.text


# --- shared lookups -------------------------------------------------------------------------


def test_concurrent_lookups_of_one_postcode_make_one_call(rsps: responses.RequestsMock) -> None:
    gate = Gate(200, SE1_2DL)
    rsps.add_callback(responses.GET, SE1, callback=gate)
    client = PostcodesClient(timeout=5.0)  # no cache: only sharing can save the calls
    threading.Thread(target=gate.open_when_everyone_waits).start()
    results = in_threads(20, lambda _: client.lookup("SE1 2DL"))
    assert results == [SOUTHWARK] * 20
    assert gate.calls == 1


def test_concurrent_lookups_share_a_definite_answer(rsps: responses.RequestsMock) -> None:
    gate = Gate(404, NOT_FOUND)
    rsps.add_callback(responses.GET, f"{API}/ID11QE", callback=gate)
    client = PostcodesClient(timeout=5.0)
    threading.Thread(target=gate.open_when_everyone_waits).start()
    results = in_threads(20, lambda _: client.lookup("ID1 1QE"))
    assert all(type(r) is PostcodeNotFound for r in results)
    assert len({id(r) for r in results}) == 20  # each caller raises its own copy
    assert gate.calls == 1


def test_concurrent_lookups_share_an_outage_and_count_it_once(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    gate = Gate(500, SERVER_ERROR)
    rsps.add_callback(responses.GET, SE1, callback=gate)
    client = PostcodesClient(timeout=5.0, retries=0, breaker=CircuitBreaker(2, 30, clock=clock))
    threading.Thread(target=gate.open_when_everyone_waits).start()
    results = in_threads(20, lambda _: client.lookup("SE1 2DL"))
    assert all(type(r) is LookupUnavailable for r in results)
    assert gate.calls == 1
    assert client.breaker.state == "closed"  # one failed lookup, however many waited on it


def test_other_postcodes_do_not_wait_for_a_slow_one(rsps: responses.RequestsMock) -> None:
    gate = Gate(200, SE1_2DL)
    rsps.add_callback(responses.GET, SE1, callback=gate)
    rsps.get(f"{API}/ID11QE", body=NOT_FOUND, status=404)
    client = PostcodesClient(timeout=5.0)
    slow = threading.Thread(target=client.lookup, args=("SE1 2DL",))
    slow.start()
    assert gate.entered.wait(5)
    with pytest.raises(PostcodeNotFound):
        client.lookup("ID1 1QE")
    assert slow.is_alive()
    gate.release.set()
    slow.join(5)


def test_a_late_caller_is_served_from_the_cache(rsps: responses.RequestsMock) -> None:
    rsps.get(SE1, body=SE1_2DL)
    client = PostcodesClient(cache=TTLCache())
    assert client.lookup("SE1 2DL") == client.lookup("SE1 2DL") == SOUTHWARK
    assert len(rsps.calls) == 1


# --- the total deadline ---------------------------------------------------------------------


def test_a_lookup_ends_by_its_deadline_however_slow_the_server(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    gate = Gate(200, SE1_2DL)  # never released in time: a server that trickles forever
    rsps.add_callback(responses.GET, SE1, callback=gate)
    client = PostcodesClient(timeout=0.3)
    started = time.monotonic()
    results = in_threads(10, lambda _: client.lookup("SE1 2DL"))
    took = time.monotonic() - started
    gate.release.set()
    wait_for(lambda: len(rsps.calls) == 1)  # the late answer lands after everyone gave up
    assert all(type(r) is LookupUnavailable for r in results)
    assert 0.3 <= took < 0.3 + 0.5
    assert gate.calls == 1
    assert caplog.messages == ["postcode lookup unavailable: deadline"]


def test_no_retry_when_the_budget_is_spent(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    attempts = []

    def slow_timeout(request) -> tuple[int, dict, str]:
        attempts.append(request.req_kwargs["timeout"])
        time.sleep(0.93)
        raise requests.ReadTimeout("slow")

    rsps.add_callback(responses.GET, SE1, callback=slow_timeout)
    client = PostcodesClient(timeout=1.0, retries=1)
    with pytest.raises(LookupUnavailable):
        client.lookup("SE1 2DL")
    assert len(attempts) == 1  # 0.07 s left: less than a tenth of the budget
    assert caplog.messages == ["postcode lookup unavailable: timeout"]  # given up, not cut off


def test_an_answer_landing_just_before_boarding_is_used(
    rsps: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller that missed the cache as another's flight landed takes the answer, not a call."""
    rsps.get(SE1, body=SE1_2DL)
    client = PostcodesClient(cache=TTLCache())
    assert client.lookup("SE1 2DL") == SOUTHWARK
    cached, looked = client._cached, []

    def late(pc: str) -> Place | None:
        looked.append(pc)
        return None if len(looked) == 1 else cached(pc)  # the first look is a stale miss

    monkeypatch.setattr(client, "_cached", late)
    assert client.lookup("SE1 2DL") == SOUTHWARK
    assert len(looked) == 2
    assert len(rsps.calls) == 1


def test_a_bug_in_the_lookup_is_an_outage_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    client = PostcodesClient(timeout=5.0)

    def broken(pc: str, deadline: float) -> Place:
        raise KeyError(pc)

    monkeypatch.setattr(client, "_fetch", broken)
    started = time.monotonic()
    with pytest.raises(LookupUnavailable) as info:
        client.lookup("SE1 2DL")
    assert time.monotonic() - started < 1.0
    assert info.value.kind == "unexpected KeyError"


def test_unavailable_survives_copy_with_its_kind() -> None:
    exc = LookupUnavailable(kind="HTTP 502")
    clone = copy.copy(exc)
    assert (type(clone), clone.kind, str(clone)) == (LookupUnavailable, "HTTP 502", str(exc))


# --- slowness is a failure ------------------------------------------------------------------

M1 = f"{API}/M11AD"
M1_1AD = (DATA / "postcode_200_M1_1AD_england_greater_manchester.json").read_text(encoding="utf-8")


def test_a_run_of_slow_answers_opens_the_breaker(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=3, cooldown=30, slow=1.0, clock=clock)
    for _ in range(2):
        breaker.record(ok=True, seconds=1.5)
    assert breaker.state == "closed"
    breaker.record(ok=True, seconds=1.5)
    assert breaker.state == "open"
    assert not breaker.allow()


def test_a_quick_answer_starts_the_slow_count_again(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=3, cooldown=30, slow=1.0, clock=clock)
    for seconds in (1.5, 2.0, 1.0, 1.5, 1.5):  # 1.0 is not slower than `slow`
        breaker.record(ok=True, seconds=seconds)
    assert breaker.state == "closed"
    breaker.record(ok=False)  # slow answers and errors count in one run
    assert breaker.state == "open"


def test_a_slow_trial_opens_it_for_another_cooldown(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failures=1, cooldown=30, slow=1.0, clock=clock)
    breaker.record(ok=True, seconds=2.0)
    clock.now = 30.0
    assert breaker.allow()
    breaker.record(ok=True, seconds=2.0)
    assert breaker.state == "open"
    clock.now = 60.0
    assert breaker.allow()
    breaker.record(ok=True, seconds=0.1)
    assert breaker.state == "closed"


def test_slow_answers_through_the_client_open_the_breaker(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """postcodes.io answers, but each answer takes 2 s on the client's clock: the supporters
    who waited get their place, and the next ones get "unavailable" at once."""

    def slow(body: str) -> Callable:
        def answer(request) -> tuple[int, dict, str]:
            clock.now += 2.0
            return 200, {"Content-Type": "application/json"}, body

        return answer

    breaker = CircuitBreaker(failures=2, cooldown=30, slow=1.0, clock=clock)
    client = PostcodesClient(breaker=breaker, retries=0, clock=clock)
    rsps.add_callback(responses.GET, SE1, callback=slow(SE1_2DL))
    rsps.add_callback(responses.GET, M1, callback=slow(M1_1AD))
    assert client.lookup("SE1 2DL") == SOUTHWARK
    assert client.lookup("M1 1AD").constituency_name == "Manchester Central"
    assert breaker.state == "open"
    with pytest.raises(LookupUnavailable) as info:
        client.lookup("BR8 7RE")
    assert info.value.kind == "circuit open"
    assert len(rsps.calls) == 2


def test_one_breaker_counts_the_slow_answers_of_all_threads(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """Many threads, each waiting on a slow answer for a postcode of its own: their slow
    answers add up in the one breaker the worker's threads share."""
    lock = threading.Lock()

    def slow(request) -> tuple[int, dict, str]:
        with lock:
            clock.now += 2.0  # each call's own 2 s, however they interleave
        return 200, {"Content-Type": "application/json"}, SE1_2DL

    # Any postcode: the recorded body is Southwark's, which is all the breaker cares about.
    rsps.add_callback(responses.GET, re.compile(rf"{API}/.*"), callback=slow)
    breaker = CircuitBreaker(failures=100, cooldown=30, slow=1.0, clock=clock)
    client = PostcodesClient(breaker=breaker, retries=0, clock=clock, max_in_flight=100)
    results = in_threads(20, lambda i: client.lookup(f"SE1 {i % 10}A{'ABCDEFGHJK'[i // 10]}"))
    assert all(isinstance(r, Place) for r in results), results
    assert breaker._failed == 20  # every slow answer counted, none lost to a race


def test_default_slow_and_bulkhead_settings(tmp_path: Path) -> None:
    from app_config import settings_for

    from advocacy import create_app
    from advocacy.places import pipeline

    client = create_app(settings_for(tmp_path / "test.sqlite")).extensions[pipeline.EXTENSION]
    assert client.breaker.slow == 1.0
    assert client.max_in_flight == 24
    # The session keeps a connection for each call that may be out at once.
    assert client.session.get_adapter("https://api.postcodes.io")._pool_maxsize == 24


# --- the bulkhead ---------------------------------------------------------------------------


def test_lookups_over_the_cap_are_unavailable_at_once(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """Two calls out, a cap of two: a third postcode is turned away without a call or a wait,
    and without counting against postcodes.io; a caller for a postcode in flight still joins."""
    gate = Gate(200, SE1_2DL)
    rsps.add_callback(responses.GET, re.compile(rf"{API}/(SE12DL|M11AD)"), callback=gate)
    breaker = CircuitBreaker(failures=1, cooldown=30, clock=clock)
    client = PostcodesClient(breaker=breaker, retries=0, timeout=5.0, max_in_flight=2)
    out = [threading.Thread(target=client.lookup, args=(pc,)) for pc in ("SE1 2DL", "M1 1AD")]
    for thread in out:
        thread.start()
    wait_for(lambda: gate.calls == 2)
    assert client.in_flight == 2
    joined = threading.Thread(target=client.lookup, args=("SE1 2DL",))
    joined.start()
    started = time.monotonic()
    for _ in range(10):
        with pytest.raises(LookupUnavailable) as info:
            client.lookup("BR8 7RE")
        assert info.value.kind == "busy"
    assert time.monotonic() - started < 0.5
    assert breaker.state == "closed"  # turned away here: nothing postcodes.io did
    gate.release.set()
    for thread in (*out, joined):
        thread.join(5)
    assert gate.calls == 2  # the joined caller shared a call
    assert client.in_flight == 0
    rsps.get(f"{API}/BR87RE", body=NOT_FOUND, status=404)
    with pytest.raises(PostcodeNotFound):  # room again
        client.lookup("BR8 7RE")


def test_a_call_its_callers_gave_up_on_still_holds_its_place(rsps: responses.RequestsMock) -> None:
    """A hung call past its deadline still holds a connection and a thread, so it counts
    against the cap until it ends."""
    gate = Gate(200, SE1_2DL)
    rsps.add_callback(responses.GET, SE1, callback=gate)
    client = PostcodesClient(retries=0, timeout=0.2, max_in_flight=1)
    with pytest.raises(LookupUnavailable) as info:
        client.lookup("SE1 2DL")
    assert info.value.kind == "deadline"
    with pytest.raises(LookupUnavailable) as info:
        client.lookup("M1 1AD")
    assert info.value.kind == "busy"
    gate.release.set()
    wait_for(lambda: client.in_flight == 0)
    assert len(rsps.calls) == 1


def test_the_bulkhead_leaves_a_half_open_trial_to_a_caller_it_lets_through(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    """Turned away by the cap, a caller must not use up the breaker's one trial call."""
    gate = Gate(200, SE1_2DL)
    rsps.add_callback(responses.GET, SE1, callback=gate)
    breaker = CircuitBreaker(failures=1, cooldown=30, clock=clock)
    client = PostcodesClient(breaker=breaker, retries=0, timeout=5.0, max_in_flight=1)
    out = threading.Thread(target=client.lookup, args=("SE1 2DL",))
    out.start()
    wait_for(lambda: gate.calls == 1)
    breaker.record(ok=False)  # opened by another lookup's failure meanwhile
    clock.now = 30.0
    with pytest.raises(LookupUnavailable) as info:
        client.lookup("M1 1AD")
    assert info.value.kind == "busy"
    assert breaker.state == "open"  # the trial is still to come
    gate.release.set()
    out.join(5)
    assert breaker.state == "closed"  # the call that was out landed well
