"""Tests for the Members API client and the MP refresh, on recorded API shapes (no network)."""

import copy
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
import responses
from responses import matchers

from advocacy.letters.recipient import Recipient
from advocacy.places.bundled_roles import MP_CONTACT_URL
from advocacy.places.directory import Constituency
from advocacy.places.directory import Directory
from advocacy.places.members import BASE_URL
from advocacy.places.members import Member
from advocacy.places.members import MembersApiError
from advocacy.places.members import MembersClient
from advocacy.places.members import MpChange
from advocacy.places.members import override_fields
from advocacy.places.members import refresh
from advocacy.places.postcodes import USER_AGENT

DATA = Path(__file__).parent.parent / "data" / "members_api"
SEARCH = f"{BASE_URL}/api/Location/Constituency/Search"
CITIES = "Cities of London and Westminster"
CITIES_CODE = "E14001172"
ALDERSHOT = "Aldershot"
ALDERSHOT_CODE = "E14001063"
BLAKE_EMAIL = "rachel.blake.mp@parliament.uk"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def cities_search() -> dict:
    return load("constituency_search_200_cities_of_london_and_westminster.json")


def contact() -> dict:
    return load("member_contact_200_5257.json")


def contact_url(member_id: int) -> str:
    return f"{BASE_URL}/api/Members/{member_id}/Contact"


def search_for(name: str) -> list:
    """Match the search request exactly, so a wrong name or paging would fail the test."""
    return [matchers.query_param_matcher({"searchText": name, "skip": "0", "take": "20"})]


def seat(body: dict, **changes: object) -> dict:
    """A search item from the recorded one, with constituency and member values replaced."""
    item = copy.deepcopy(body["items"][0])
    con = item["value"]
    con["name"] = changes.get("name", con["name"])
    con["endDate"] = changes.get("endDate", con["endDate"])
    member = con["currentRepresentation"]["member"]["value"]
    member["id"] = changes.get("member_id", member["id"])
    member["nameDisplayAs"] = changes.get("display", member["nameDisplayAs"])
    member["latestParty"]["name"] = changes.get("party", member["latestParty"]["name"])
    return item


def results(*items: dict) -> dict:
    body = cities_search()
    body["items"] = list(items)
    body["totalResults"] = len(items)
    return body


def office(kind: str, email: str | None) -> dict:
    entry = copy.deepcopy(contact()["value"][0])
    entry.update(type=kind, typeDescription=kind, email=email)
    return entry


def mp(
    name: str = "Rachel Blake",
    email: str | None = BLAKE_EMAIL,
    party: str | None = "Labour (Co-op)",
    member_id: int | None = 5257,
) -> Recipient:
    """An MP as the bundled CSV gives one (see bundled_roles.mp)."""
    return Recipient(
        role="mp",
        name=name,
        email=email,
        contact_url=None if email else MP_CONTACT_URL.format(member_id=member_id),
        salutation=name,
        party=party,
        needs_review=email is None,
        member_id=member_id,
    )


def directory(**mps: Recipient) -> Directory:
    """A directory of the given seats, keyed CITIES / ALDERSHOT."""
    names = {"CITIES": (CITIES_CODE, CITIES), "ALDERSHOT": (ALDERSHOT_CODE, ALDERSHOT)}
    cons = [Constituency(*names[key], "England") for key in mps]
    return Directory(cons, {names[key][0]: recipient for key, recipient in mps.items()}, [])


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """Fail on any unregistered request and on any registered response left unused."""
    with responses.RequestsMock() as mock:
        yield mock


# --- client: current_member ---------------------------------------------------------------------


def test_current_member_from_recorded_search(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=cities_search(), match=search_for(CITIES))
    member = MembersClient(timeout=4.0).current_member(CITIES)
    assert member == Member(5257, "Rachel Blake", "Labour (Co-op)", None)
    request = rsps.calls[0].request
    assert request.req_kwargs["timeout"] == 4.0
    assert request.headers["User-Agent"] == USER_AGENT


def test_vacant_seat_is_none(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=load("constituency_search_200_vacant_seat.json"))
    assert MembersClient().current_member(CITIES) is None


def test_no_results_is_not_found(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=load("constituency_search_200_no_results.json"))
    with pytest.raises(MembersApiError, match="not found"):
        MembersClient().current_member(CITIES)


def test_fuzzy_search_picks_the_exact_name_not_the_first(rsps: responses.RequestsMock) -> None:
    body = cities_search()
    near = seat(body, name="City of London", member_id=1, display="Someone Else")
    exact = seat(body, name=CITIES.upper())  # the name matches whatever its case
    rsps.get(SEARCH, json=results(near, exact))
    assert MembersClient().current_member(CITIES).member_id == 5257


def test_only_near_names_is_not_found(rsps: responses.RequestsMock) -> None:
    body = cities_search()
    rsps.get(SEARCH, json=results(seat(body, name="Cities of London")))
    with pytest.raises(MembersApiError, match="not found"):
        MembersClient().current_member(CITIES)


def test_abolished_seat_of_the_same_name_is_skipped(rsps: responses.RequestsMock) -> None:
    body = cities_search()
    old = seat(body, endDate="2024-05-30T00:00:00", member_id=4000, display="Former Member")
    rsps.get(SEARCH, json=results(old, seat(body)))
    assert MembersClient().current_member(CITIES).name == "Rachel Blake"


def test_only_an_abolished_seat_is_not_found(rsps: responses.RequestsMock) -> None:
    body = cities_search()
    rsps.get(SEARCH, json=results(seat(body, endDate="2024-05-30T00:00:00")))
    with pytest.raises(MembersApiError, match="only abolished"):
        MembersClient().current_member(CITIES)


def test_member_without_party_has_none(rsps: responses.RequestsMock) -> None:
    body = cities_search()
    body["items"][0]["value"]["currentRepresentation"]["member"]["value"]["latestParty"] = None
    rsps.get(SEARCH, json=body)
    assert MembersClient().current_member(CITIES).party is None


def test_base_url_is_configurable(rsps: responses.RequestsMock) -> None:
    rsps.get("http://members.test/api/Location/Constituency/Search", json=cities_search())
    assert MembersClient("http://members.test/").current_member(CITIES).member_id == 5257


# --- client: email ------------------------------------------------------------------------------


def test_email_from_recorded_contact(rsps: responses.RequestsMock) -> None:
    rsps.get(contact_url(5257), json=contact())
    assert MembersClient().email(5257) == BLAKE_EMAIL


def test_parliamentary_office_email_is_preferred_wherever_it_is(
    rsps: responses.RequestsMock,
) -> None:
    body = contact()
    body["value"] = [
        office("Constituency office", "office@example.org"),
        office("Parliamentary office", f"  {BLAKE_EMAIL}\n"),
    ]
    rsps.get(contact_url(5257), json=body)
    assert MembersClient().email(5257) == BLAKE_EMAIL


def test_email_falls_back_to_constituency_office(rsps: responses.RequestsMock) -> None:
    body = contact()
    body["value"] = [
        office("Parliamentary office", None),
        office("Website", " "),
        office("Constituency office", " office@example.org "),
    ]
    rsps.get(contact_url(5257), json=body)
    assert MembersClient().email(5257) == "office@example.org"


@pytest.mark.parametrize("entries", [[], [{"type": "Parliamentary office", "email": ""}]])
def test_no_email_at_all_is_none(rsps: responses.RequestsMock, entries: list) -> None:
    rsps.get(contact_url(5257), json={"value": entries, "links": []})
    assert MembersClient().email(5257) is None


@pytest.mark.parametrize(
    "bad", ["Rachel\nBlake", "Rachel\x00Blake", "Rachel\u202eBlake", "R\u200bB"]
)
def test_control_characters_in_a_name_are_an_error(rsps: responses.RequestsMock, bad: str) -> None:
    body = cities_search()
    rsps.get(SEARCH, json=results(seat(body, display=bad)))
    with pytest.raises(MembersApiError, match="control or invisible"):
        MembersClient().current_member(CITIES)


def test_control_characters_in_an_email_are_an_error(rsps: responses.RequestsMock) -> None:
    body = contact()
    body["value"] = [office("Parliamentary office", "a@example.org\r\nBcc: x@example.org")]
    rsps.get(contact_url(5257), json=body)
    with pytest.raises(MembersApiError, match="control or invisible"):
        MembersClient().email(5257)


def test_a_no_break_space_in_a_name_is_kept(rsps: responses.RequestsMock) -> None:
    body = cities_search()
    rsps.get(SEARCH, json=results(seat(body, display="Rachel\xa0Blake")))
    assert MembersClient().current_member(CITIES).name == "Rachel\xa0Blake"


# --- client: failures ---------------------------------------------------------------------------


def test_500_then_200_retries_once(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, status=500, body="")
    rsps.get(SEARCH, json=cities_search())
    assert MembersClient().current_member(CITIES).member_id == 5257
    assert len(rsps.calls) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (dict(status=500, body=""), dict(status=503, body="")),
        (dict(body=requests.ConnectionError("boom")), dict(body=requests.ConnectionError("x"))),
        (dict(body=requests.Timeout("slow")), dict(body=requests.ReadTimeout("slow"))),
    ],
    ids=["500 twice", "connection error twice", "timeout twice"],
)
def test_fails_after_one_retry(rsps: responses.RequestsMock, first: dict, second: dict) -> None:
    rsps.get(contact_url(5257), **first)
    rsps.get(contact_url(5257), **second)
    with pytest.raises(MembersApiError, match="unavailable"):
        MembersClient().email(5257)
    assert len(rsps.calls) == 2


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, '{"title": "Not Found"}'),
        (400, ""),
        (200, "<html>not json</html>"),
        (200, '{"items": '),
        (200, "[1, 2]"),
        (200, '{"items": "none"}'),
        (
            200,
            '{"items": [{"value": {"name": "Cities of London and Westminster", '
            '"endDate": null, "currentRepresentation": {"member": {"value": {"id": "5257"}}}}}]}',
        ),
    ],
)
def test_bad_search_answers_fail_without_retry(
    rsps: responses.RequestsMock, status: int, body: str
) -> None:
    rsps.get(SEARCH, status=status, body=body)
    with pytest.raises(MembersApiError):
        MembersClient().current_member(CITIES)
    assert len(rsps.calls) == 1


@pytest.mark.parametrize("body", ['{"links": []}', '{"value": ["x"]}', '{"value": {}}'])
def test_bad_contact_answers_fail(rsps: responses.RequestsMock, body: str) -> None:
    rsps.get(contact_url(5257), body=body)
    with pytest.raises(MembersApiError, match="contact"):
        MembersClient().email(5257)


# --- refresh ------------------------------------------------------------------------------------


def test_same_member_unchanged_gives_nothing(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=cities_search(), match=search_for(CITIES))
    rsps.get(contact_url(5257), json=contact())
    assert refresh(directory(CITIES=mp()), MembersClient()) == []
    assert len(rsps.calls) == 2  # the contact was checked too


def test_email_differing_only_in_case_is_unchanged(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=cities_search())
    rsps.get(contact_url(5257), json=contact())
    book = directory(CITIES=mp(email="Rachel.Blake.MP@parliament.uk"))
    assert refresh(book, MembersClient()) == []


def test_contact_url_alone_is_not_a_change(rsps: responses.RequestsMock) -> None:
    """A form staff added next to a still-current address is theirs to keep."""
    rsps.get(SEARCH, json=cities_search())
    rsps.get(contact_url(5257), json=contact())
    book = directory(CITIES=replace(mp(), contact_url="https://example.org/write-to-rachel"))
    assert refresh(book, MembersClient()) == []


def test_email_changed(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=cities_search())
    rsps.get(contact_url(5257), json=contact())
    book = directory(CITIES=mp(email="old.address@parliament.uk"))
    change = MpChange(
        CITIES_CODE, CITIES, "changed", {"email": ("old.address@parliament.uk", BLAKE_EMAIL)}
    )
    assert refresh(book, MembersClient()) == [change]
    assert override_fields(change) == {"email": BLAKE_EMAIL}


def test_party_and_name_changed(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=cities_search())
    rsps.get(contact_url(5257), json=contact())
    book = directory(CITIES=mp(name="Rachel Blake-Old", party="Labour"))
    [change] = refresh(book, MembersClient())
    assert change.status == "changed"
    assert change.fields == {
        "name": ("Rachel Blake-Old", "Rachel Blake"),
        "party": ("Labour", "Labour (Co-op)"),
    }
    assert override_fields(change) == {
        "name": "Rachel Blake",
        "party": "Labour (Co-op)",
        "salutation": "Rachel Blake",
        "salutation_cy": "Rachel Blake",
    }


def test_email_found_where_there_was_none(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=cities_search())
    rsps.get(contact_url(5257), json=contact())
    [change] = refresh(directory(CITIES=mp(email=None)), MembersClient())
    assert change.fields == {
        "email": (None, BLAKE_EMAIL),
        "contact_url": (MP_CONTACT_URL.format(member_id=5257), None),
    }
    assert override_fields(change) == {"email": BLAKE_EMAIL, "contact_url": None}


def test_email_gone_falls_back_to_contact_form(rsps: responses.RequestsMock) -> None:
    body = contact()
    body["value"][0]["email"] = None
    rsps.get(SEARCH, json=cities_search())
    rsps.get(contact_url(5257), json=body)
    [change] = refresh(directory(CITIES=mp()), MembersClient())
    form = "https://members.parliament.uk/member/5257/contact"
    assert change.status == "changed"
    assert change.fields == {"email": (BLAKE_EMAIL, None), "contact_url": (None, form)}
    assert override_fields(change) == {"email": None, "contact_url": form}


def test_new_member_with_contact_lookup(rsps: responses.RequestsMock) -> None:
    body = cities_search()
    new = seat(body, member_id=6001, display="Jane Doe", party="Reform UK")
    rsps.get(SEARCH, json=results(new))
    rsps.get(contact_url(6001), json={"value": [office("Parliamentary office", "jane.doe.mp@x")]})
    [change] = refresh(directory(CITIES=mp()), MembersClient())
    assert (change.code, change.constituency, change.status) == (CITIES_CODE, CITIES, "new-member")
    assert change.fields == {
        "name": ("Rachel Blake", "Jane Doe"),
        "party": ("Labour (Co-op)", "Reform UK"),
        "email": (BLAKE_EMAIL, "jane.doe.mp@x"),
        "member_id": ("5257", "6001"),
    }
    assert "Jane Doe" in change.message
    assert rsps.calls[1].request.url == contact_url(6001)
    assert override_fields(change) == {
        "name": "Jane Doe",
        "party": "Reform UK",
        "email": "jane.doe.mp@x",
        "salutation": "Jane Doe",
        "salutation_cy": "Jane Doe",
    }


def test_new_member_without_email_gets_their_contact_form(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=results(seat(cities_search(), member_id=6001)))
    rsps.get(contact_url(6001), json={"value": [], "links": []})
    [change] = refresh(directory(CITIES=mp()), MembersClient())
    form = MP_CONTACT_URL.format(member_id=6001)
    assert change.status == "new-member"
    assert change.fields == {
        "email": (BLAKE_EMAIL, None),
        "contact_url": (None, form),
        "member_id": ("5257", "6001"),
    }
    assert override_fields(change) == {"email": None, "contact_url": form}


def test_same_name_new_id_is_still_a_new_member(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=cities_search())
    rsps.get(contact_url(5257), json=contact())
    [change] = refresh(directory(CITIES=mp(member_id=1234)), MembersClient())
    assert change.status == "new-member"
    assert change.fields == {"member_id": ("1234", "5257")}
    assert override_fields(change) == {}


def test_vacant_seat(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=load("constituency_search_200_vacant_seat.json"))
    [change] = refresh(directory(CITIES=mp()), MembersClient())
    assert (change.code, change.status, change.fields) == (CITIES_CODE, "vacant", {})
    assert len(rsps.calls) == 1  # no contact lookup for nobody
    assert override_fields(change) == {}


def test_error_does_not_stop_the_run_and_seats_go_in_code_order(
    rsps: responses.RequestsMock,
) -> None:
    rsps.get(
        SEARCH, json=load("constituency_search_200_no_results.json"), match=search_for(ALDERSHOT)
    )
    rsps.get(SEARCH, json=cities_search(), match=search_for(CITIES))
    rsps.get(contact_url(5257), json=contact())
    # Inserted Cities first; Aldershot's code sorts first.
    book = directory(
        CITIES=mp(email="old@parliament.uk"), ALDERSHOT=mp("Alex Baker", member_id=5173)
    )
    changes = refresh(book, MembersClient())
    assert [(c.code, c.status) for c in changes] == [
        (ALDERSHOT_CODE, "error"),
        (CITIES_CODE, "changed"),
    ]
    assert changes[0].constituency == ALDERSHOT
    assert "not found" in changes[0].message
    assert changes[0].fields == {}
    assert override_fields(changes[0]) == {}


def test_two_500s_make_an_error_entry(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, status=500, body="")
    rsps.get(SEARCH, status=500, body="")
    [change] = refresh(directory(CITIES=mp()), MembersClient())
    assert change.status == "error"
    assert "HTTP 500" in change.message
    assert len(rsps.calls) == 2


def test_malformed_json_makes_an_error_entry(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, body="<html>maintenance</html>")
    [change] = refresh(directory(CITIES=mp()), MembersClient())
    assert (change.status, change.fields) == ("error", {})
    assert "malformed JSON" in change.message


def test_contact_failure_makes_an_error_entry(rsps: responses.RequestsMock) -> None:
    rsps.get(SEARCH, json=cities_search())
    rsps.get(contact_url(5257), status=404, body="")
    [change] = refresh(directory(CITIES=mp()), MembersClient())
    assert change.status == "error"
    assert "HTTP 404" in change.message


def test_only_the_given_codes_and_unknown_codes_are_errors(rsps: responses.RequestsMock) -> None:
    rsps.get(
        SEARCH, json=load("constituency_search_200_vacant_seat.json"), match=search_for(CITIES)
    )
    book = directory(CITIES=mp(), ALDERSHOT=mp("Alex Baker", member_id=5173))
    changes = refresh(book, MembersClient(), codes=["E99999999", CITIES_CODE, CITIES_CODE])
    assert [(c.code, c.status) for c in changes] == [
        ("E99999999", "error"),
        (CITIES_CODE, "vacant"),
    ]
    assert len(rsps.calls) == 1  # Aldershot was not asked about, Cities only once


# --- override_fields ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["vacant", "error"])
def test_override_fields_empty_unless_changed(status: str) -> None:
    change = MpChange(CITIES_CODE, CITIES, status, {"name": ("A", "B")}, "x")
    assert override_fields(change) == {}


def test_override_fields_keeps_new_values_and_drops_member_id() -> None:
    change = MpChange(
        CITIES_CODE,
        CITIES,
        "new-member",
        {
            "member_id": ("5257", "6001"),
            "contact_url": (None, "https://members.parliament.uk/member/6001/contact"),
            "name": ("Rachel Blake", "Jane Doe"),
            "email": (BLAKE_EMAIL, None),
        },
    )
    assert override_fields(change) == {
        "name": "Jane Doe",
        "email": None,
        "contact_url": "https://members.parliament.uk/member/6001/contact",
        "salutation": "Jane Doe",
        "salutation_cy": "Jane Doe",
    }


@pytest.mark.parametrize(
    ("name", "salutation", "welsh"),
    [
        ("Mr Connor Rand", "Connor Rand", "Connor Rand"),
        ("Dr Jane Doe", "Jane Doe", "Jane Doe"),
        ("Sir James Cleverly", "Sir James", "Syr James"),
        ("Dame Meg Hillier", "Dame Meg", "Fonesig Meg"),
    ],
)
def test_override_salutation_drops_the_api_honorific(name: str, salutation: str, welsh: str):
    """The Members API's display name carries an honorific; letters greet without it (in
    Welsh too, where a knight is Syr and a dame Fonesig)."""
    change = MpChange(CITIES_CODE, CITIES, "new-member", {"name": ("Rachel Blake", name)})
    assert override_fields(change) == {
        "name": name,
        "salutation": salutation,
        "salutation_cy": welsh,
    }
