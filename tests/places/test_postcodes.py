"""Tests for postcode cleaning, validation and the postcodes.io client (no Flask, no network)."""

import copy
import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import responses
from places import SEVENOAKS
from places import SOUTHWARK

from advocacy.places.postcodes import USER_AGENT
from advocacy.places.postcodes import ForcesPostcode
from advocacy.places.postcodes import InvalidPostcode
from advocacy.places.postcodes import LookupUnavailable
from advocacy.places.postcodes import Place
from advocacy.places.postcodes import PostcodeError
from advocacy.places.postcodes import PostcodeNotFound
from advocacy.places.postcodes import PostcodesClient
from advocacy.places.postcodes import TerminatedPostcode
from advocacy.places.postcodes import parse
from advocacy.places.postcodes import place_from_result
from advocacy.platform.cache import TTLCache
from advocacy.platform.postcode_shape import is_valid
from advocacy.platform.postcode_shape import normalise

DATA = Path(__file__).parent.parent / "data" / "postcodes_io"
API = "https://api.postcodes.io/postcodes"
INVALID_MESSAGE = "Enter a full UK postcode, like SW1A 2DD."
UNAVAILABLE_START = "We couldn't look up your postcode just now."
SW1A_2DD = "postcode_200_SW1A_2DD_england_metropolitan_LEGACY_SHAPE.json"
SE1_2DL = "postcode_200_SE1_2DL_england_metropolitan.json"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """Fail on any unregistered request and on any registered response left unused."""
    with responses.RequestsMock() as mock:
        yield mock


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# --- normalise ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sw1a 2dd", "SW1A 2DD"),
        ("SW1A2DD", "SW1A 2DD"),
        ("  SW1A    2DD  ", "SW1A 2DD"),
        ("SW1A\t2DD", "SW1A 2DD"),
        ("SW1A\n2DD\r\n", "SW1A 2DD"),
        ("SW1A-2DD", "SW1A 2DD"),
        ("SW1A \u2013 2DD", "SW1A 2DD"),  # en dash
        ("S.W.1.A. 2.D.D.", "SW1A 2DD"),
        ("SW1A, 2DD,", "SW1A 2DD"),
        ("'SW1A 2DD'", "SW1A 2DD"),
        ("SW1A\u00a02DD", "SW1A 2DD"),  # non-breaking space
        ("SW1A\u202f2DD", "SW1A 2DD"),  # narrow non-breaking space
        ("SW1A\u200b2DD\ufeff", "SW1A 2DD"),  # zero-width space, BOM
        # O typed for zero, only as the inward code's first character:
        ("SW1A OAA", "SW1A 0AA"),
        ("sw1aoaa", "SW1A 0AA"),
        ("OX1 OAA", "OX1 0AA"),
        ("gir 0aa", "GIR 0AA"),
        ("GIROAA", "GIR 0AA"),
        # zero is never turned into O, and O elsewhere is left alone:
        ("S016 0AA", "S016 0AA"),
        ("SO16 0AA", "SO16 0AA"),
        ("SW1A OA1", "SW1A OA1"),  # the fix would not make it valid, so no fix
        # the six outward forms:
        ("m1 1ad", "M1 1AD"),  # A9
        ("m601nw", "M60 1NW"),  # A99
        ("cr26xh", "CR2 6XH"),  # AA9
        ("dn551pt", "DN55 1PT"),  # AA99
        ("w1a0ax", "W1A 0AX"),  # A9A
        ("ec1a1bb", "EC1A 1BB"),  # AA9A
        # cleaned but still invalid; validation is separate:
        ("foo", "FOO"),
        ("sw1a", "SW1A"),
        ("sw1a 2ddx", "SW1A2DDX"),
        ("bfpo 1234", "BFPO1234"),
        ("../../x", "//X"),
        ("SW1A 1AA?x=1", "SW1A1AA?X=1"),
        ("\u0131g1 1aa", "\u0131G1 1AA"),  # dotless i must not become an ASCII I
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_none_is_none() -> None:
    assert normalise(None) is None


# --- is_valid -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pc", ["M1 1AD", "M60 1NW", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "GIR 0AA"]
)
def test_is_valid_accepts_every_form(pc: str) -> None:
    assert is_valid(pc)


@pytest.mark.parametrize(
    "pc",
    [
        "",
        "FOO",
        "SW1A",
        "SW1A2DD",  # not normalised
        "sw1a 2dd",  # not normalised
        "SW1A  2DD",
        "SW1AA 2DD",
        "SW1A 2DDD",
        "ABC1 2DD",
        "GIR 1AA",
        "1W1A 2DD",
        "SW1A 22D",
        "SW1A 2DD\n",
        "SW1A 2D\u0394",  # Greek capital delta
        "\u0421W1A 2DD",  # Cyrillic Es
        "SW\u0661A 2DD",  # Arabic-Indic digit one
        "\uff33\uff37\uff11\uff21 \uff12\uff24\uff24",  # full-width
    ],
)
def test_is_valid_rejects(pc: str) -> None:
    assert not is_valid(pc)


# --- parse ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("sw1a2dd", "SW1A 2DD"), (" gir 0aa ", "GIR 0AA"), ("SW1A OAA", "SW1A 0AA")],
)
def test_parse_returns_normalised(raw: str, expected: str) -> None:
    assert parse(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "FOO",
        "SW1A",
        "SW1A 2DDX",
        "SW1A 1AA SW1A 1AA",
        "X" * 1000,
        "SW1A 2DD" + " " * 100,  # plausible once stripped, but far too long to be typed
        "../../x",
        "../postcodes/SW1A2DD",
        "SW1A 1AA?x=1",
        "SW1A%202DD",
        "SW1A#2DD",
        "SW1A/2DD",
        "\u0421W1A 2DD",
        "\uff33\uff37\uff11\uff21 \uff12\uff24\uff24",
        "\u0131g1 1aa",
    ],
)
def test_parse_rejects_invalid(raw: str | None) -> None:
    with pytest.raises(InvalidPostcode) as info:
        parse(raw)
    assert type(info.value) is InvalidPostcode
    assert str(info.value) == INVALID_MESSAGE


@pytest.mark.parametrize(
    "raw", ["BFPO 1234", "bfpo1234", "BFPO 1", "B.F.P.O. 123", "bfpo", "BF1 4FB", "bf13aa"]
)
def test_parse_rejects_forces_addresses_with_their_own_message(raw: str) -> None:
    with pytest.raises(ForcesPostcode) as info:
        parse(raw)
    assert not isinstance(info.value, InvalidPostcode)  # valid, just outside coverage
    assert "constituency" in str(info.value)
    assert "UK home postcode" in str(info.value)


def test_parse_does_not_treat_other_bf_lookalikes_as_forces() -> None:
    assert parse("BF12 3AA") == "BF12 3AA"


# --- exceptions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc_type", [PostcodeError, InvalidPostcode, PostcodeNotFound, LookupUnavailable]
)
def test_error_str_is_message(exc_type: type[PostcodeError]) -> None:
    exc = exc_type()
    assert str(exc) == exc.message
    assert exc.message
    assert str(exc_type("custom")) == "custom"


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (1996, 6, "SW1A 1AA stopped being used in June 1996. Please use your current postcode."),
        (1996, None, "SW1A 1AA stopped being used in 1996. Please use your current postcode."),
        (1996, 13, "SW1A 1AA stopped being used in 1996. Please use your current postcode."),
        (None, None, "SW1A 1AA stopped being used. Please use your current postcode."),
    ],
)
def test_terminated_message(year: int | None, month: int | None, expected: str) -> None:
    exc = TerminatedPostcode(postcode="SW1A 1AA", year=year, month=month)
    assert str(exc) == exc.message == expected
    assert (exc.year, exc.month) == (year, month)


def test_terminated_survives_copy() -> None:
    exc = TerminatedPostcode(postcode="AB1 0AA", year=1996, month=6)
    clone = copy.copy(exc)
    assert clone is not exc
    assert (type(clone), str(clone), clone.year, clone.month) == (
        TerminatedPostcode,
        str(exc),
        1996,
        6,
    )


# --- place_from_result ----------------------------------------------------------------------


def test_place_falls_back_to_legacy_constituency_keys_only_when_2024_absent() -> None:
    result = {
        "postcode": "SW1A 2DD",
        "country": "England",
        "parliamentary_constituency": "Old Seat",
        "codes": {"parliamentary_constituency": "E14000639"},
    }
    place = place_from_result(result)
    assert (place.constituency_code, place.constituency_name) == ("E14000639", "Old Seat")


def test_place_prefers_2024_keys() -> None:
    result = {
        "postcode": "SW1A 2DD",
        "country": "England",
        "parliamentary_constituency": "Old Seat",
        "parliamentary_constituency_2024": "New Seat",
        "codes": {
            "parliamentary_constituency": "E14000639",
            "parliamentary_constituency_2024": "E14001172",
        },
    }
    place = place_from_result(result)
    assert (place.constituency_code, place.constituency_name) == ("E14001172", "New Seat")


def test_place_null_2024_keys_do_not_fall_back() -> None:
    result = {
        "postcode": "JE2 4WD",
        "country": "Channel Islands",
        "parliamentary_constituency": "Should Not Be Used",
        "parliamentary_constituency_2024": None,
        "codes": {"parliamentary_constituency": "E14000639"},
    }
    place = place_from_result(result)
    assert (place.constituency_code, place.constituency_name) == (None, None)


def test_place_tolerates_missing_and_unknown_keys() -> None:
    result = {"postcode": "sw1a2dd", "country": "England", "codes": "junk", "new_field": [1]}
    assert place_from_result(result) == Place("SW1A 2DD", "England", None, None, None, None)


def test_place_pseudo_name_without_code_is_dropped() -> None:
    result = {"postcode": "IM1 1AA", "country": "Isle of Man", "pfa": "(pseudo) Isle of Man"}
    assert place_from_result(result).pfa_name is None


@pytest.mark.parametrize(
    "result",
    [
        None,
        [],
        "SW1A 2DD",
        {},
        {"postcode": "SW1A 2DD"},
        {"country": "England"},
        {"postcode": 12, "country": "England"},
        {"postcode": "SW1A 2DD", "country": None},
    ],
)
def test_place_rejects_results_without_postcode_or_country(result: object) -> None:
    with pytest.raises(ValueError):
        place_from_result(result)  # type: ignore[arg-type]


# --- client: successful lookups -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "typed", "expected"),
    [
        (
            "postcode_200_SE1_2DL_england_metropolitan.json",
            "se1 2dl",
            SOUTHWARK,
        ),
        (
            "postcode_200_M1_1AD_england_greater_manchester.json",
            "M11AD",
            Place(
                "M1 1AD",
                "England",
                "E14001352",
                "Manchester Central",
                "E23000005",
                "Greater Manchester",
            ),
        ),
        (
            "postcode_200_BR8_7RE_england_kent_DOCS_EXAMPLE.json",
            "br8 7re",
            SEVENOAKS,
        ),
        (
            "postcode_200_CF24_3AA_wales.json",
            "CF24 3AA",
            Place("CF24 3AA", "Wales", "W07000089", "Cardiff East", "W15000003", "South Wales"),
        ),
        (
            "postcode_200_AB10_1AB_scotland.json",
            "ab10 1ab",
            Place("AB10 1AB", "Scotland", "S14000061", "Aberdeen South", "S23000009", "Scotland"),
        ),
        (
            "postcode_200_BT53_7HX_northern_ireland.json",
            "BT53 7HX",
            Place("BT53 7HX", "Northern Ireland", "N05000012", "North Antrim", None, None),
        ),
        (
            "postcode_200_JE2_4WD_channel_islands_jersey.json",
            "je2 4wd",
            Place("JE2 4WD", "Channel Islands", None, None, None, None),
        ),
        (
            "postcode_200_SW1A_2DD_england_metropolitan_LEGACY_SHAPE.json",
            "sw1a 2dd",
            Place(
                "SW1A 2DD",
                "England",
                "E14001172",
                "Cities of London and Westminster",
                "E23000001",
                "Metropolitan Police",
            ),
        ),
    ],
)
def test_lookup_places(
    rsps: responses.RequestsMock, fixture: str, typed: str, expected: Place
) -> None:
    body = load(fixture)
    compact = expected.postcode.replace(" ", "")
    rsps.get(f"{API}/{compact}", json=body)
    assert PostcodesClient().lookup(typed) == expected
    assert len(rsps.calls) == 1
    assert rsps.calls[0].request.url == f"{API}/{compact}"


def test_request_url_headers_and_timeout(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SW1A2DD", json=load(SW1A_2DD))
    PostcodesClient(timeout=1.5).lookup("sw1a 2dd")
    request = rsps.calls[0].request
    assert request.url == "https://api.postcodes.io/postcodes/SW1A2DD"
    assert request.method == "GET"
    assert 1.4 < request.req_kwargs["timeout"] <= 1.5  # what is left of the lookup's 1.5 s
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("advocacy")


@pytest.mark.parametrize(
    ("base_url", "expected_url"),
    [
        ("http://postcodes.internal:8000", "http://postcodes.internal:8000/postcodes/SW1A2DD"),
        ("http://postcodes.internal:8000/", "http://postcodes.internal:8000/postcodes/SW1A2DD"),
        ("https://example.org/pcio/", "https://example.org/pcio/postcodes/SW1A2DD"),
    ],
)
def test_base_url_is_configurable(
    rsps: responses.RequestsMock, base_url: str, expected_url: str
) -> None:
    rsps.get(expected_url, json=load(SW1A_2DD))
    assert PostcodesClient(base_url).lookup("SW1A 2DD").postcode == "SW1A 2DD"
    assert rsps.calls[0].request.url == expected_url


def test_uses_the_given_session(rsps: responses.RequestsMock) -> None:
    session = requests.Session()
    session.headers["X-Test"] = "yes"
    rsps.get(f"{API}/SE12DL", json=load(SE1_2DL))
    PostcodesClient(session=session).lookup("SE1 2DL")
    assert rsps.calls[0].request.headers["X-Test"] == "yes"


@pytest.mark.parametrize("raw", ["", "FOO", "../../x", "SW1A 1AA?x=1", "BFPO 1234", "BF1 4FB"])
def test_invalid_input_makes_no_request(rsps: responses.RequestsMock, raw: str) -> None:
    with pytest.raises((InvalidPostcode, ForcesPostcode)):
        PostcodesClient().lookup(raw)
    assert len(rsps.calls) == 0


# --- client: error paths --------------------------------------------------------------------


def test_404_invalid_postcode(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SW1A2DD", json=load("postcode_404_invalid_postcode.json"), status=404)
    with pytest.raises(InvalidPostcode) as info:
        PostcodesClient().lookup("SW1A 2DD")
    assert str(info.value) == INVALID_MESSAGE


def test_404_not_found(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/ID11QE", json=load("postcode_404_not_found.json"), status=404)
    with pytest.raises(PostcodeNotFound) as info:
        PostcodesClient().lookup("ID1 1QE")
    assert "couldn't find" in str(info.value)


def test_404_terminated(rsps: responses.RequestsMock) -> None:
    body = load("postcode_404_not_found_terminated_AB1_0AA.json")
    rsps.get(f"{API}/AB10AA", json=body, status=404)
    with pytest.raises(TerminatedPostcode) as info:
        PostcodesClient().lookup("ab1 0aa")
    assert (info.value.year, info.value.month) == (1996, 6)
    assert str(info.value) == (
        "AB1 0AA stopped being used in June 1996. Please use your current postcode."
    )


def test_404_terminated_with_odd_values_still_terminated(rsps: responses.RequestsMock) -> None:
    body = {"status": 404, "error": "Postcode not found", "terminated": {"year_terminated": "x"}}
    rsps.get(f"{API}/AB10AA", json=body, status=404)
    with pytest.raises(TerminatedPostcode) as info:
        PostcodesClient().lookup("AB1 0AA")
    assert (info.value.year, info.value.month) == (None, None)


def test_404_unknown_route_means_misconfigured_not_missing(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SW1A2DD", json=load("route_404_resource_not_found.json"), status=404)
    with pytest.raises(LookupUnavailable):
        PostcodesClient().lookup("SW1A 2DD")


def test_500_then_200_retries_once_within_the_same_budget(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SE12DL", json=load("error_500_server_error.json"), status=500)
    rsps.get(f"{API}/SE12DL", json=load(SE1_2DL))
    assert PostcodesClient(timeout=2.0).lookup("SE1 2DL").constituency_code == "E14001085"
    assert len(rsps.calls) == 2
    first, second = (call.request.req_kwargs["timeout"] for call in rsps.calls)
    assert 2.0 >= first > second > 1.5  # the retry gets what is left, not a fresh 2 s


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (dict(json=load("error_500_server_error.json"), status=500), dict(status=503, body="")),
        (dict(body=requests.ConnectionError("boom")), dict(body=requests.ConnectionError("x"))),
        (dict(body=requests.Timeout("slow")), dict(body=requests.ReadTimeout("slow"))),
        (dict(body=requests.ConnectTimeout()), dict(status=502, body="<html>")),
    ],
    ids=["500 twice", "connection error twice", "timeout twice", "mixed"],
)
def test_unavailable_after_retry(rsps: responses.RequestsMock, first: dict, second: dict) -> None:
    rsps.get(f"{API}/SE12DL", **first)
    rsps.get(f"{API}/SE12DL", **second)
    with pytest.raises(LookupUnavailable) as info:
        PostcodesClient().lookup("SE1 2DL")
    assert str(info.value).startswith(UNAVAILABLE_START)
    assert len(rsps.calls) == 2


def test_retries_zero_means_one_attempt(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SE12DL", status=500, body="")
    with pytest.raises(LookupUnavailable):
        PostcodesClient(retries=0).lookup("SE1 2DL")
    assert len(rsps.calls) == 1


def test_retries_two_means_three_attempts(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SE12DL", body=requests.Timeout())
    rsps.get(f"{API}/SE12DL", body=requests.Timeout())
    rsps.get(f"{API}/SE12DL", json=load(SE1_2DL))
    assert PostcodesClient(retries=2).lookup("SE1 2DL").postcode == "SE1 2DL"
    assert len(rsps.calls) == 3


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, "<html>not json</html>"),
        (200, '{"status": 200, "result": '),
        (200, "[1, 2]"),
        (200, '{"status": 200, "result": null}'),
        (200, '{"status": 200, "result": ["SW1A 2DD"]}'),
        (200, '{"status": 200, "result": {"postcode": "SW1A 2DD"}}'),
        (404, "<html>Not Found</html>"),
        (400, '{"status": 400, "error": "Bad request"}'),
        (429, '{"status": 429, "error": "Too many requests"}'),
        (301, ""),
    ],
)
def test_unexpected_answers_are_unavailable_without_retry(
    rsps: responses.RequestsMock, status: int, body: str
) -> None:
    rsps.get(f"{API}/SW1A2DD", status=status, body=body)
    with pytest.raises(LookupUnavailable):
        PostcodesClient().lookup("SW1A 2DD")
    assert len(rsps.calls) == 1


def test_other_request_errors_are_unavailable(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SW1A2DD", body=requests.TooManyRedirects("loop"))
    with pytest.raises(LookupUnavailable):
        PostcodesClient().lookup("SW1A 2DD")


@pytest.mark.parametrize(
    ("error_type", "kind"),
    [
        (requests.ConnectionError, "connection error"),
        (requests.Timeout, "timeout"),
        (requests.TooManyRedirects, "request error"),
    ],
)
def test_failures_never_log_or_chain_the_postcode(
    rsps: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
    error_type: type[requests.RequestException],
    kind: str,
) -> None:
    error = error_type("Max retries exceeded with url: /postcodes/SW1A2DD")
    rsps.get(f"{API}/SW1A2DD", body=error)
    caplog.set_level(logging.DEBUG, logger="advocacy")
    with pytest.raises(LookupUnavailable) as info:
        PostcodesClient(retries=0).lookup("SW1A 2DD")
    assert caplog.messages == [f"postcode lookup unavailable: {kind}"]
    assert "SW1A" not in caplog.text
    assert "2DD" not in caplog.text
    shown = "".join(traceback.format_exception(info.value))
    assert "SW1A2DD" not in shown  # the requests error, which names the URL, is not chained


# --- client: caching ------------------------------------------------------------------------


def test_cache_hit_makes_one_call(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SE12DL", json=load(SE1_2DL))
    client = PostcodesClient(cache=TTLCache())
    first = client.lookup("SE1 2DL")
    second = client.lookup("se12dl")
    assert first == second
    assert len(rsps.calls) == 1


def test_cache_expires_with_ttl(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SE12DL", json=load(SE1_2DL))
    clock = FakeClock()
    client = PostcodesClient(cache=TTLCache(ttl=60, clock=clock))
    client.lookup("SE1 2DL")
    clock.now = 59
    client.lookup("SE1 2DL")
    assert len(rsps.calls) == 1
    clock.now = 60
    client.lookup("SE1 2DL")
    assert len(rsps.calls) == 2


@pytest.mark.parametrize(
    ("fixture", "exc_type"),
    [
        ("postcode_404_not_found.json", PostcodeNotFound),
        ("postcode_404_not_found_terminated_AB1_0AA.json", TerminatedPostcode),
        ("postcode_404_invalid_postcode.json", InvalidPostcode),
    ],
)
def test_definite_misses_are_cached_and_reraised(
    rsps: responses.RequestsMock, fixture: str, exc_type: type[PostcodeError]
) -> None:
    rsps.get(f"{API}/AB10AA", json=load(fixture), status=404)
    client = PostcodesClient(cache=TTLCache())
    with pytest.raises(exc_type) as first:
        client.lookup("AB1 0AA")
    with pytest.raises(exc_type) as second:
        client.lookup("AB1 0AA")
    with pytest.raises(exc_type) as third:
        client.lookup("AB1 0AA")
    assert len(rsps.calls) == 1
    assert second.value is not third.value  # each hit raises a fresh copy, not a shared one
    assert vars(second.value) == vars(third.value) == vars(first.value)
    assert str(third.value) == str(first.value)


def test_unavailability_is_not_cached(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/SE12DL", status=500, body="")
    rsps.get(f"{API}/SE12DL", status=500, body="")
    rsps.get(f"{API}/SE12DL", json=load(SE1_2DL))
    client = PostcodesClient(cache=TTLCache())
    with pytest.raises(LookupUnavailable):
        client.lookup("SE1 2DL")
    assert client.lookup("SE1 2DL").postcode == "SE1 2DL"
    assert len(rsps.calls) == 3


def test_invalid_input_is_not_cached() -> None:
    cache = TTLCache()
    with pytest.raises(InvalidPostcode):
        PostcodesClient(cache=cache).lookup("FOO")
    assert len(cache) == 0
