"""Tests for advocacy.places.directory with the bundled CSVs: recipients in every UK nation."""

import csv
from dataclasses import replace

import pytest
from places import SEVENOAKS
from places import SOUTHWARK

from advocacy.letters import reference
from advocacy.letters.addressing import mp_heading
from advocacy.letters.addressing import mp_salutation
from advocacy.letters.recipient import Recipient
from advocacy.letters.recipient import fixed_recipient
from advocacy.letters.reference import DATA
from advocacy.places.bundled_roles import MP_CONTACT_URL
from advocacy.places.bundled_roles import NORTHERN_IRELAND_PFA
from advocacy.places.directory import NATIONS
from advocacy.places.directory import ROLES
from advocacy.places.directory import Directory
from advocacy.places.directory import OutsideCoverage
from advocacy.places.directory import UnknownArea
from advocacy.places.directory import bundled
from advocacy.places.postcodes import Place

MET_OVERSIGHT = "Mayor's Office for Policing and Crime (Mayor of London)"
MOPAC_URL = "https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac"
MET_CONTACT = "https://www.met.police.uk/contact/af/contact-us-beta/contact-us/"

# Real places, as postcodes.io describes them (see tests/data/postcodes_io).
CARDIFF = Place("CF24 3AA", "Wales", "W07000089", "Cardiff East", "W15000003", "South Wales")
ABERDEEN = Place("AB10 1AB", "Scotland", "S14000061", "Aberdeen South", "S23000009", "Scotland")
# postcodes.io gives Northern Ireland the pseudo PFA code, which the client turns into None.
NORTH_ANTRIM = Place("BT53 7HX", "Northern Ireland", "N05000012", "North Antrim", None, None)
JERSEY = Place("JE2 4WD", "Channel Islands", None, None, None, None)


@pytest.fixture(scope="module")
def book() -> Directory:
    return bundled()


def summary(r: Recipient) -> tuple:
    return (r.role, r.name, r.email, r.contact_url, r.website, r.salutation, r.kind, r.needs_review)


# --- loading -------------------------------------------------------------------------------------


def test_bundled_counts(book: Directory) -> None:
    assert len(book.constituencies) == 650
    assert len(book.mps) == 650
    assert len(book.force_areas) == 45


def test_every_constituency_has_an_mp(book: Directory) -> None:
    assert set(book.mps) == set(book.constituencies)
    assert all(mp.role == "mp" for mp in book.mps.values())


def test_bundled_is_loaded_once() -> None:
    assert bundled() is bundled()


def test_force_areas_by_nation(book: Directory) -> None:
    codes = sorted(book.force_areas)
    assert sum(c.startswith("E23") for c in codes) == 39
    assert sum(c.startswith("W15") for c in codes) == 4
    assert "S23000009" in codes
    assert NORTHERN_IRELAND_PFA in codes
    # The Channel Islands and Isle of Man pseudo areas have no force to write to.
    assert "L99999999" not in codes
    assert "M99999999" not in codes


def test_everyone_can_be_reached(book: Directory) -> None:
    """A recipient with no email address, contact page or website would be a dead end."""
    people = list(book.mps.values())
    for area in book.force_areas.values():
        people += [area.force, area.oversight]
    unreachable = [p.name for p in people if not (p.email or p.contact_url or p.website)]
    assert unreachable == []


def test_forces_have_no_email_but_a_website(book: Directory) -> None:
    for area in book.force_areas.values():
        assert area.force.email is None, area.code
        assert area.force.website.startswith("http"), area.code
        assert area.oversight.name, area.code


def test_only_met_and_surrey_have_a_confirmed_contact_page(book: Directory) -> None:
    """Elsewhere only the home page is known: it is never passed off as a contact page."""
    pages = {
        code: a.force.contact_url for code, a in book.force_areas.items() if a.force.contact_url
    }
    assert pages == {
        "E23000001": "https://www.met.police.uk/contact/af/contact-us-beta/contact-us/",
        "E23000031": "https://www.surrey.police.uk/contact/af/contact-us-beta/contact-us/",
    }
    for area in book.force_areas.values():
        assert area.oversight.contact_url is None, area.code
        assert area.force.contact_url != area.force.website


def test_exactly_four_mps_have_no_email(book: Directory) -> None:
    missing = sorted(code for code, mp in book.mps.items() if mp.email is None)
    assert missing == ["E14001111", "E14001373", "E14001433", "N05000018"]


# --- recipients in each nation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        pytest.param(
            SOUTHWARK,
            [
                ("mp", "Neil Coyle", "neil.coyle.mp@parliament.uk", None, None, "Neil Coyle")
                + (None, False),
                ("police_force", "Metropolitan Police Service", None, MET_CONTACT)
                + ("https://www.met.police.uk/", "Commissioner", None, False),
                # MOPAC has no published address: its page on london.gov.uk, called a website.
                ("police_oversight", MET_OVERSIGHT, None, None, MOPAC_URL, "Deputy Mayor")
                + ("mayor", True),
            ],
            id="england-met",
        ),
        pytest.param(
            CARDIFF,
            [
                ("mp", "Jo Stevens", "jo.stevens.mp@parliament.uk", None, None, "Jo Stevens")
                + (None, False),
                ("police_force", "South Wales Police", None, None)
                + ("https://www.south-wales.police.uk/", "Chief Constable", None, False),
                (
                    "police_oversight",
                    "South Wales Police and Crime Commissioner",
                    "commissioner@south-wales.pnn.police.uk",
                    None,
                    None,  # never the force's site: that is another organisation
                    "Commissioner",
                    "pcc",
                    True,  # every oversight address awaits staff confirmation
                ),
            ],
            id="wales",
        ),
        pytest.param(
            ABERDEEN,
            [
                ("mp", "Douglas Lumsden", "douglas.lumsden.mp@parliament.uk", None, None)
                + ("Douglas Lumsden", None, False),
                ("police_force", "Police Scotland", None, None)
                + ("https://www.scotland.police.uk/", "Chief Constable", None, False),
                ("police_oversight", "Scottish Police Authority", None, None)
                + ("https://www.spa.police.uk/", "Chair", "police_authority", True),
            ],
            id="scotland",
        ),
        pytest.param(
            NORTH_ANTRIM,
            [
                ("mp", "Jim Allister", "jim.allister.mp@parliament.uk", None, None)
                + ("Jim Allister", None, False),
                ("police_force", "Police Service of Northern Ireland", None, None)
                + ("https://www.psni.police.uk/", "Chief Constable", None, False),
                ("police_oversight", "Northern Ireland Policing Board", None, None)
                + ("https://www.nipolicingboard.org.uk/", "Chair", "policing_board", True),
            ],
            id="northern-ireland-without-pfa-code",
        ),
    ],
)
def test_recipients_in_each_nation(book: Directory, place: Place, expected: list[tuple]) -> None:
    found = book.recipients(place, ROLES)
    assert [summary(r) for r in found] == expected


def test_pcc_with_an_email_address(book: Directory) -> None:
    mp, force, oversight = book.recipients(SEVENOAKS, ROLES)
    assert (mp.name, mp.email) == ("Laura Trott", "laura.trott.mp@parliament.uk")
    assert (force.name, force.salutation) == ("Kent Police", "Chief Constable")
    assert oversight.name == "Kent Police and Crime Commissioner"
    assert oversight.email == "contactyourpcc@kent.police.uk"
    assert oversight.kind == "pcc"
    assert oversight.salutation == "Commissioner"
    assert oversight.needs_review is True
    assert "WhatDoTheyKnow" in oversight.review_reason


def test_mp_party_is_kept(book: Directory) -> None:
    assert book.mps["E14001085"].party == "Labour"
    assert book.mps["N05000018"].party == "Sinn Féin"


def test_northern_ireland_by_pseudo_code_too(book: Directory) -> None:
    """A place chosen by hand carries the pseudo code itself rather than None."""
    by_code = Place(None, "Northern Ireland", "N05000012", "North Antrim", NORTHERN_IRELAND_PFA, "")
    assert book.recipients(by_code, ROLES) == book.recipients(NORTH_ANTRIM, ROLES)


def test_no_police_area_outside_northern_ireland_gives_only_the_mp(book: Directory) -> None:
    place = Place("SE1 2DL", "England", "E14001085", "Bermondsey and Old Southwark", None, None)
    assert [r.role for r in book.recipients(place, ROLES)] == ["mp"]


@pytest.mark.parametrize(
    ("code", "salutation"),
    [
        ("E23000001", "Commissioner"),  # Metropolitan Police
        ("E23000034", "Commissioner"),  # City of London Police
        ("E23000032", "Chief Constable"),
        ("W15000003", "Chief Constable"),
        ("S23000009", "Chief Constable"),
        ("N99999999", "Chief Constable"),
    ],
)
def test_force_salutation(book: Directory, code: str, salutation: str) -> None:
    assert book.force_area(code).force.salutation == salutation


def test_only_two_forces_have_a_commissioner(book: Directory) -> None:
    commissioners = {
        code for code, area in book.force_areas.items() if area.force.salutation == "Commissioner"
    }
    assert commissioners == {"E23000001", "E23000034"}


@pytest.mark.parametrize(
    ("code", "kind", "salutation"),
    [
        ("E23000032", "pcc", "Commissioner"),
        ("E23000002", "pfcc", "Commissioner"),
        ("E23000005", "mayor", "Mayor"),
        ("E23000001", "mayor", "Deputy Mayor"),  # MOPAC: the Deputy Mayor for Policing and Crime
        ("E23000011", "mayor", "Mayor"),  # South Yorkshire since May 2024
        ("E23000034", "police_authority", "Chair"),
        ("S23000009", "police_authority", "Chair"),
        ("N99999999", "policing_board", "Chair"),
    ],
)
def test_oversight_salutation_by_kind(book: Directory, code: str, kind: str, salutation: str):
    oversight = book.force_area(code).oversight
    assert (oversight.kind, oversight.salutation) == (kind, salutation)


# --- MPs without an email address -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "country", "member_id", "name"),
    [
        ("E14001111", "England", 3924, "Yasmin Qureshi"),
        ("E14001373", "England", 54, "Sir Julian Lewis"),
        ("E14001433", "England", 473, "Sir Mark Hendrick"),
        ("N05000018", "Northern Ireland", 4697, "Órfhlaith Begley"),
    ],
)
def test_mp_without_email_gets_contact_page(
    book: Directory, code: str, country: str, member_id: int, name: str
) -> None:
    place = Place(None, country, code, book.constituency(code).name, None, None)
    (mp,) = book.recipients(place, ["mp"])
    assert mp.name == name
    assert mp.email is None
    assert mp.contact_url == f"https://members.parliament.uk/member/{member_id}/contact"
    assert mp.contact_url == MP_CONTACT_URL.format(member_id=member_id)
    assert mp.needs_review is True


def test_mp_with_email_needs_no_review(book: Directory) -> None:
    mp = book.mps["E14001085"]
    assert (mp.email, mp.contact_url, mp.needs_review) == (
        "neil.coyle.mp@parliament.uk",
        None,
        False,
    )


# --- outside coverage ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "country", "sentence"),
    [
        (
            JERSEY,
            "Channel Islands",
            "The Channel Islands are Crown Dependencies: they have their own police",
        ),
        (
            Place("IM1 1AA", "Isle of Man", None, None, None, None),
            "Isle of Man",
            "The Isle of Man is a Crown Dependency: it has its own police",
        ),
        (
            Place("GY1 1AA", "Channel Islands", None, None, None, None),
            "Channel Islands",
            "The Channel Islands are Crown Dependencies",
        ),
        (Place("XX1 1AA", None, None, None, None, None), None, "This postcode is outside the UK"),
    ],
)
def test_outside_coverage(book: Directory, place: Place, country: str, sentence: str) -> None:
    with pytest.raises(OutsideCoverage) as caught:
        book.recipients(place, ROLES)
    assert caught.value.country == country
    assert str(caught.value).startswith(sentence)
    assert "no MP at Westminster" in str(caught.value)
    assert "there is no MP or police force" not in str(caught.value)  # Jersey has a police force
    assert "England, Scotland, Wales and Northern Ireland" in str(caught.value)
    assert not caught.value.in_the_uk


def test_uk_postcode_without_a_constituency_points_to_the_lists(book: Directory) -> None:
    place = Place("SE1 2DL", "England", None, None, "E23000001", "Metropolitan Police")
    with pytest.raises(OutsideCoverage) as caught:
        book.recipients(place, ROLES)
    assert caught.value.country == "England"
    assert "couldn't match this postcode to a constituency" in str(caught.value)
    assert "choose your constituency and police force from the lists" in str(caught.value)


def test_chosen_areas_must_be_in_the_same_nation(book: Directory) -> None:
    with pytest.raises(UnknownArea) as caught:
        book.place_for("S14000061", "E23000001")
    assert caught.value.field == "pfa_code"
    assert "Metropolitan Police Service doesn't police Aberdeen South" in str(caught.value)


def test_outside_coverage_without_a_country(book: Directory) -> None:
    with pytest.raises(OutsideCoverage) as caught:
        book.recipients(Place(None, None, None, None, None, None), ROLES)
    assert caught.value.country is None
    assert str(caught.value).startswith("This postcode is outside")


def test_outside_coverage_for_unknown_constituency(book: Directory) -> None:
    place = Place("SE1 2DL", "England", "E14999999", "Nowhere", "E23000001", "Metropolitan Police")
    with pytest.raises(OutsideCoverage):
        book.recipients(place, ROLES)


def test_outside_coverage_even_with_only_fixed_recipients(book: Directory) -> None:
    home_secretary = fixed_recipient("Home Secretary", "hs@example.org", None, None)
    with pytest.raises(OutsideCoverage):
        book.recipients(JERSEY, (), [home_secretary])


# --- targets and fixed recipients ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "roles"),
    [
        (("mp", "police_force", "police_oversight"), ["mp", "police_force", "police_oversight"]),
        (("mp", "police_oversight", "police_force"), ["mp", "police_oversight", "police_force"]),
        (("police_oversight", "mp"), ["police_oversight", "mp"]),
        (("police_force",), ["police_force"]),
        (("mp",), ["mp"]),
        ((), []),
        # Roles the directory does not know are skipped, not guessed at.
        (("home_secretary", "mp"), ["mp"]),
    ],
)
def test_targets_order_and_selection(book: Directory, targets: tuple, roles: list[str]) -> None:
    found = book.recipients(SOUTHWARK, targets)
    assert [r.role for r in found] == roles
    by_role = {
        "mp": "Neil Coyle",
        "police_force": "Metropolitan Police Service",
        "police_oversight": MET_OVERSIGHT,
    }
    assert [r.name for r in found] == [by_role[role] for role in roles]


def test_fixed_recipients_are_appended(book: Directory) -> None:
    home_secretary = fixed_recipient("Home Secretary", "hs@example.org", None, "Home Secretary")
    minister = fixed_recipient("Policing Minister", None, "https://example.org/contact", None)
    found = book.recipients(CARDIFF, ("police_force", "mp"), [home_secretary, minister])
    assert [(r.role, r.name) for r in found] == [
        ("police_force", "South Wales Police"),
        ("mp", "Jo Stevens"),
        ("fixed", "Home Secretary"),
        ("fixed", "Policing Minister"),
    ]


def test_only_fixed_recipients(book: Directory) -> None:
    home_secretary = fixed_recipient("Home Secretary", "hs@example.org", None, None)
    assert book.recipients(ABERDEEN, (), [home_secretary]) == [home_secretary]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("Home Secretary", "hs@example.org", None, None),
            Recipient("fixed", "Home Secretary", "hs@example.org", None, "Home Secretary"),
        ),
        (
            ("Home Secretary", "", "", ""),
            Recipient("fixed", "Home Secretary", None, None, "Home Secretary"),
        ),
        (
            ("Rt Hon A Person MP", None, "https://example.org/c", "Home Secretary"),
            Recipient(
                "fixed", "Rt Hon A Person MP", None, "https://example.org/c", "Home Secretary"
            ),
        ),
    ],
)
def test_fixed_recipient(args: tuple, expected: Recipient) -> None:
    assert fixed_recipient(*args) == expected


# --- codes chosen by hand ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "code", "field"),
    [
        ("constituency", "E14999999", "constituency_code"),
        ("constituency", "e14001085", "constituency_code"),
        ("constituency", "", "constituency_code"),
        ("force_area", "E23999999", "pfa_code"),
        ("force_area", "L99999999", "pfa_code"),
        ("force_area", "E14001085", "pfa_code"),
    ],
)
def test_unknown_codes(book: Directory, call: str, code: str, field: str) -> None:
    with pytest.raises(UnknownArea) as caught:
        getattr(book, call)(code)
    assert caught.value.field == field
    assert repr(code) in str(caught.value)


@pytest.mark.parametrize(
    ("constituency_code", "pfa_code", "field"),
    [
        ("E14999999", "E23000001", "constituency_code"),
        ("E23000001", "E23000001", "constituency_code"),
        ("E14001085", "E23999999", "pfa_code"),
        ("E14001085", "E14001085", "pfa_code"),
        ("E14001085", "M99999999", "pfa_code"),
    ],
)
def test_place_for_unknown_codes(
    book: Directory, constituency_code: str, pfa_code: str, field: str
) -> None:
    with pytest.raises(UnknownArea) as caught:
        book.place_for(constituency_code, pfa_code)
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (
            ("E14001085", "E23000001"),
            Place(
                None,
                "England",
                "E14001085",
                "Bermondsey and Old Southwark",
                "E23000001",
                "Metropolitan Police",
            ),
        ),
        (
            ("W07000089", "W15000003"),
            Place(None, "Wales", "W07000089", "Cardiff East", "W15000003", "South Wales"),
        ),
        (
            ("S14000061", "S23000009"),
            Place(None, "Scotland", "S14000061", "Aberdeen South", "S23000009", "Scotland"),
        ),
        (
            ("N05000018", "N99999999"),
            Place(
                None,
                "Northern Ireland",
                "N05000018",
                "West Tyrone",
                "N99999999",
                None,
            ),
        ),
    ],
)
def test_place_for(book: Directory, codes: tuple[str, str], expected: Place) -> None:
    assert book.place_for(*codes) == expected


def test_place_for_gives_recipients(book: Directory) -> None:
    place = book.place_for("N05000018", "N99999999")
    found = book.recipients(place, ("mp", "police_force", "police_oversight"))
    assert [r.name for r in found] == [
        "Órfhlaith Begley",
        "Police Service of Northern Ireland",
        "Northern Ireland Policing Board",
    ]


# --- placeholder values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (
            SOUTHWARK,
            {
                "constituency": "Bermondsey and Old Southwark",
                "country": "England",
                "force_name": "the Metropolitan Police Service",
                "oversight_name": MET_OVERSIGHT,
            },
        ),
        (
            CARDIFF,
            {
                "constituency": "Cardiff East",
                "country": "Wales",
                "force_name": "South Wales Police",
                "oversight_name": "South Wales Police and Crime Commissioner",
            },
        ),
        (
            NORTH_ANTRIM,
            {
                "constituency": "North Antrim",
                "country": "Northern Ireland",
                "force_name": "the Police Service of Northern Ireland",
                "oversight_name": "Northern Ireland Policing Board",
            },
        ),
        (
            JERSEY,
            {
                "constituency": "",
                "country": "Channel Islands",
                "force_name": "",
                "oversight_name": "",
            },
        ),
    ],
)
def test_place_values(book: Directory, place: Place, expected: dict[str, str]) -> None:
    values = book.place_values(place)
    assert {k: v for k, v in values.items() if not k.startswith("force.")} == expected
    # The force's facts from police_lfr_2025_26.csv, as a letter reads them, for every force.
    attributes = book.place_attributes(place)
    if book.area_for(place) is None:  # no force here: no facts, so no condition on one matches
        assert not any(k.startswith("force.") for k in (*values, *attributes))
    else:
        assert attributes["force.lfr_status"] in ("deploys", "paused", "trial", "none", "unknown")
        assert values["force.lfr_status"] == attributes["force.lfr_status"]
    assert attributes["nation"] == place.country.lower().replace(" ", "_")


def test_welsh_letters_name_the_bodies_in_welsh(book: Directory) -> None:
    """A Welsh letter says "Heddlu De Cymru"; a force with no Welsh name keeps its own name,
    without the English "the" ("a the Metropolitan Police Service" is no Welsh)."""
    cardiff = book.place_values(CARDIFF, "cy")
    assert cardiff["force_name"] == "Heddlu De Cymru"
    assert cardiff["oversight_name"] == "Comisiynydd Heddlu a Throseddu De Cymru"
    southwark = book.place_values(SOUTHWARK, "cy")
    assert southwark["force_name"] == "Metropolitan Police Service"
    assert southwark["oversight_name"] == MET_OVERSIGHT
    assert book.place_values(CARDIFF)["force_name"] == "South Wales Police"  # English as before
    # Every Welsh force and commissioner has its Welsh name; nobody else has one.
    for code, area in book.force_areas.items():
        welsh = code.startswith("W")
        assert bool(area.force.name_cy) == welsh and bool(area.oversight.name_cy) == welsh, code
    # A Welsh page's headings: "At Heddlu De Cymru"; an MP as in English.
    assert book.force_areas["W15000003"].force.heading_in("cy") == "Heddlu De Cymru"
    assert book.force_areas["E23000001"].force.heading_in("cy") == "Metropolitan Police Service"
    assert book.force_areas["E23000001"].force.heading_in("en") == "the Metropolitan Police Service"
    mp = book.recipients(CARDIFF, ("mp",))[0]
    assert mp.heading_in("cy") == mp.heading


def test_force_facts_are_read_once_and_dates_read_in_words(book: Directory) -> None:

    assert len(reference.force_facts()) == len(book.force_areas)  # a row for every force
    assert reference.force_facts() is reference.force_facts()
    manchester = Place(None, "England", "E14001602", "Wythenshawe and Sale East", "E23000005", "")
    assert book.place_values(manchester)["force.first_seen"] == "21 October 2025"
    assert book.place_attributes(manchester)["force.first_seen"] == "2025-10-21"
    assert reference.fact_in_words("first_seen", "2025-10") == "October 2025"
    # A Welsh letter's dates in Welsh, from CLDR's month names.
    assert reference.fact_in_words("first_seen", "2025-10", "cy") == "Hydref 2025"
    assert book.place_values(manchester, "cy")["force.first_seen"] == "21 Hydref 2025"
    assert reference.fact_in_words("first_seen", "2025-13") == "2025-13"  # not a date: as it is


# --- staff overrides -----------------------------------------------------------------------------


def test_with_overrides_replaces_addresses_without_mutating(book: Directory) -> None:
    before_mp = book.mps["E14001085"]
    before_area = book.force_areas["E23000001"]
    changed = book.with_overrides(
        {
            ("mp", "E14001085"): {"email": "neil@example.org"},
            ("police_oversight", "E23000001"): {"email": "mopac@example.org"},
        }
    )
    mp, force, oversight = changed.recipients(SOUTHWARK, ROLES)
    assert mp.email == "neil@example.org"
    assert oversight.email == "mopac@example.org"
    # Everything else about them stays as it was.
    assert mp == replace(before_mp, email="neil@example.org")
    assert (oversight.name, oversight.website, oversight.kind) == (
        MET_OVERSIGHT,
        MOPAC_URL,
        "mayor",
    )
    assert force == before_area.force
    # The bundled directory is untouched.
    assert book.mps["E14001085"] is before_mp
    assert book.mps["E14001085"].email == "neil.coyle.mp@parliament.uk"
    assert book.force_areas["E23000001"] is before_area
    assert book.force_areas["E23000001"].oversight.email is None
    assert bundled().recipients(SOUTHWARK, ROLES)[2].email is None
    assert changed is not book


def test_with_overrides_force_contact_and_other_areas(book: Directory) -> None:
    changed = book.with_overrides(
        {("police_force", "E23000032"): {"contact_url": "https://example.org/kent"}}
    )
    assert changed.force_areas["E23000032"].force.contact_url == "https://example.org/kent"
    assert book.force_areas["E23000032"].force.contact_url is None
    assert changed.force_areas["E23000032"].force.website == "https://www.kent.police.uk/"
    # Oversight body of the same area and all other areas are unchanged.
    assert changed.force_areas["E23000032"].oversight == book.force_areas["E23000032"].oversight
    assert changed.force_areas["E23000001"] == book.force_areas["E23000001"]
    assert changed.mps == book.mps
    assert changed.constituencies == book.constituencies


def test_with_overrides_ignores_unknown_codes_and_roles(book: Directory) -> None:
    changed = book.with_overrides(
        {
            ("mp", "E14999999"): {"email": "x@example.org"},
            ("fixed", "E14001085"): {"email": "x@example.org"},
            ("police_force", "E23999999"): {"email": "x@example.org"},
        }
    )
    assert changed.mps == book.mps
    assert changed.force_areas == book.force_areas
    assert "E14999999" not in changed.mps


# --- the manual-choice list ----------------------------------------------------------------------


def test_grouped_constituencies(book: Directory) -> None:
    groups = book.grouped_constituencies()
    assert list(groups) == list(NATIONS) == ["England", "Scotland", "Wales", "Northern Ireland"]
    assert {nation: len(cons) for nation, cons in groups.items()} == {
        "England": 543,
        "Scotland": 57,
        "Wales": 32,
        "Northern Ireland": 18,
    }
    for nation, cons in groups.items():
        names = [c.name for c in cons]
        assert names == sorted(names, key=str.casefold), nation  # "Sutton and Cheam" first
        assert {c.country for c in cons} == {nation}
    assert groups["Scotland"][0].name == "Aberdeen North"
    assert "Cardiff East" in [c.name for c in groups["Wales"]]
    assert "West Tyrone" in [c.name for c in groups["Northern Ireland"]]


# --- greetings and headings, across the whole directory ------------------------------------------

HONORIFICS = {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Rev", "Rt", "Hon", "The", "Lord"}


def forces_csv() -> list[dict[str, str]]:
    with open(DATA / "police_forces.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_bundled_mp_names_carry_only_known_honorifics(book: Directory) -> None:
    """If Parliament starts using another honorific, the rules below must learn it first."""
    prefixes = {mp.name.split()[0] for mp in book.mps.values()} & (HONORIFICS | {"Sir", "Dame"})
    assert prefixes == {"Mr", "Mrs", "Ms", "Dr", "Sir", "Dame"}


def test_every_mp_is_greeted_as_a_person_would(book: Directory) -> None:
    """All 650: no honorific with a full name ("Dear Mr Connor Rand,"), knights by first name."""
    for code, mp in book.mps.items():
        words = mp.salutation.split()
        assert words[0] not in HONORIFICS, (code, mp.name, mp.salutation)
        if words[0] in ("Sir", "Dame"):
            assert len(words) == 2 and mp.name.startswith(mp.salutation + " "), (code, mp.name)
        else:
            assert mp.salutation in mp.name, (code, mp.name)
            assert len(words) >= 2, (code, mp.salutation)  # a full name, not a bare surname
        assert mp.salutation == mp_salutation(mp.name)
        assert mp.heading.endswith(" MP") and mp.heading.split()[0] not in {"Mr", "Mrs", "Ms"}


def test_knights_and_dames_by_title_and_first_name(book: Directory) -> None:
    knights = {mp.name: mp.salutation for mp in book.mps.values() if mp.name.startswith("Sir ")}
    dames = {mp.name: mp.salutation for mp in book.mps.values() if mp.name.startswith("Dame ")}
    assert len(knights) == 28 and len(dames) == 9
    assert knights["Sir James Cleverly"] == "Sir James"
    assert knights["Sir Iain Duncan Smith"] == "Sir Iain"
    assert dames["Dame Meg Hillier"] == "Dame Meg"
    assert all(len(s.split()) == 2 for s in [*knights.values(), *dames.values()])


@pytest.mark.parametrize(
    ("name", "salutation", "heading"),
    [
        ("Mr Connor Rand", "Connor Rand", "Connor Rand MP"),
        ("Ms Stella Creasy", "Stella Creasy", "Stella Creasy MP"),
        ("Mrs Sharon Hodgson", "Sharon Hodgson", "Sharon Hodgson MP"),
        ("Dr Rupa Huq", "Rupa Huq", "Dr Rupa Huq MP"),
        ("Sir James Cleverly", "Sir James", "Sir James Cleverly MP"),
        ("Sir Iain Duncan Smith", "Sir Iain", "Sir Iain Duncan Smith MP"),
        ("Dame Diana Johnson", "Dame Diana", "Dame Diana Johnson MP"),
        ("Rt Hon Sir Jeremy Wright KC MP", "Sir Jeremy", "Rt Hon Sir Jeremy Wright KC MP"),
        ("The Rt. Hon. Wendy Morton", "Wendy Morton", "The Rt. Hon. Wendy Morton MP"),
        ("Rachel Blake MP", "Rachel Blake", "Rachel Blake MP"),
        ("Rachel Blake", "Rachel Blake", "Rachel Blake MP"),
        ("Órfhlaith Begley", "Órfhlaith Begley", "Órfhlaith Begley MP"),
    ],
)
def test_mp_salutation_and_heading(name: str, salutation: str, heading: str) -> None:
    assert mp_salutation(name) == salutation
    assert mp_heading(name) == heading


def test_every_force_and_oversight_body_has_its_salutation_from_the_csv(book: Directory) -> None:
    rows = forces_csv()
    assert len(rows) == len(book.force_areas) == 45
    for row in rows:
        area = book.force_area(row["pfa_code"])
        for recipient, column in ((area.force, "force"), (area.oversight, "oversight")):
            in_csv = row[f"{column}_salutation"]
            assert in_csv.startswith("Dear "), (row["pfa_code"], column)
            assert recipient.salutation == in_csv.removeprefix("Dear ").rstrip(",")
            assert not recipient.salutation.startswith("Dear")


def test_no_organisation_is_greeted_by_its_name(book: Directory) -> None:
    """Never "Dear Scottish Police Authority,": a greeting is a role, not the organisation."""
    allowed = {"Chief Constable", "Commissioner", "Chair", "Mayor", "Deputy Mayor"}
    for code, area in book.force_areas.items():
        for r in (area.force, area.oversight):
            assert r.salutation in allowed, (code, r.role, r.salutation)
            assert r.name.casefold() not in r.salutation.casefold(), (code, r.name)
            assert area.name.casefold() not in r.salutation.casefold(), (code, r.name)


def test_south_yorkshire_is_overseen_by_its_mayor(book: Directory) -> None:
    oversight = book.force_area("E23000011").oversight
    assert oversight.kind == "mayor"
    assert oversight.name == "Mayor of South Yorkshire (police and crime functions)"
    assert (oversight.salutation, oversight.email) == ("Mayor", None)
    assert oversight.website == "https://www.southyorkshire-ca.gov.uk/"
    assert "7 May 2024" in oversight.review_reason


@pytest.mark.parametrize(
    ("code", "name", "email"),
    [
        # Norfolk's FOI-request inbox replaced by its correspondence address.
        ("E23000024", "Norfolk Police and Crime Commissioner", "opccn@norfolk.police.uk"),
        ("E23000012", "Humberside Police and Crime Commissioner", None),
    ],
)
def test_corrected_oversight_bodies(book: Directory, code: str, name: str, email: str | None):
    oversight = book.force_area(code).oversight
    assert (oversight.name, oversight.email) == (name, email)


def test_every_oversight_body_says_why_it_needs_review(book: Directory) -> None:
    for code, area in book.force_areas.items():
        assert area.oversight.needs_review and area.oversight.review_reason, code
        assert not area.force.needs_review and area.force.review_reason is None, code
    assert book.mps["E14001085"].review_reason is None
    assert "parliament.uk" in book.mps["E14001373"].review_reason


@pytest.mark.parametrize(
    ("code", "force", "oversight"),
    [
        (
            "E23000001",
            "the Metropolitan Police Service",
            "the Mayor's Office for Policing and Crime (Mayor of London)",
        ),
        ("E23000034", "the City of London Police", "the City of London Police Authority Board"),
        (
            "N99999999",
            "the Police Service of Northern Ireland",
            "the Northern Ireland Policing Board",
        ),
        ("S23000009", "Police Scotland", "the Scottish Police Authority"),
        ("E23000032", "Kent Police", "the Kent Police and Crime Commissioner"),
    ],
)
def test_headings_take_their_article(book: Directory, code: str, force: str, oversight: str):
    area = book.force_area(code)
    assert area.force.heading == area.force.with_article == force
    assert area.oversight.heading == oversight


def test_every_oversight_heading_has_an_article(book: Directory) -> None:
    for area in book.force_areas.values():
        assert area.oversight.heading.startswith("the "), area.code
        assert area.force.heading in (area.force.name, f"the {area.force.name}")


def test_an_article_is_not_doubled() -> None:
    r = Recipient("police_oversight", "The Policing Board", None, None, "Chair", article="the")
    assert r.with_article == r.heading == "The Policing Board"
    assert fixed_recipient("Home Secretary", "hs@example.org", None, None).heading == (
        "Home Secretary"
    )
