"""Tests for advocacy.places.roles: target roles declared once, and a deployment adding its own."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from places import SOUTHWARK

from advocacy.letters.recipient import Recipient
from advocacy.places import roles
from advocacy.places.directory import ROLES
from advocacy.places.directory import Directory
from advocacy.places.directory import bundled
from advocacy.places.postcodes import Place
from advocacy.places.roles import Role
from advocacy.places.roles import Rows

ABERDEEN = Place("AB10 1AB", "Scotland", "S14000061", "Aberdeen South", "S23000009", "Scotland")
MIDLOTHIAN = Place(None, "Scotland", "S14000045", "Midlothian", "S23000009", "Scotland")
EAST_RENFREWSHIRE = Place(None, "Scotland", "S14000021", "East Renfrewshire", "S23000009", None)
# What a deployment would keep in its own data file: area code, name, email.
MSPS_CSV = """\
code,name,email,salutation
S14000061,Morag Example,morag.example@parliament.example,Ms Example
S14000045,Iain Sample,,Mr Sample
"""


# --- what a deployment writes: a loader, an area, a registration ---------------------------------


def load_msps(rows: Rows) -> dict[str, Recipient]:
    """One MSP per row, keyed by the area code the place gives below."""
    return {
        row["code"]: Recipient(
            role="msp",
            name=row["name"],
            email=row["email"] or None,
            contact_url=None if row["email"] else "https://www.parliament.scot/msps",
            salutation=row["salutation"],
        )
        for row in rows
    }


def msp_area(place: Place) -> str | None:
    """Only Scottish places have an MSP; elsewhere there is nobody to look up."""
    return place.constituency_code if place.country == "Scotland" else None


@pytest.fixture
def msp(tmp_path: Path) -> Iterator[Role]:
    bundled()  # the process's directory stays as it was first loaded: without this test's role
    data = tmp_path / "msps.csv"
    data.write_text(MSPS_CSV, encoding="utf-8")
    role = roles.register(
        Role(
            key="msp",
            title="Your MSP",
            label="MSP",
            files=(data,),
            load=load_msps,
            area=msp_area,
        )
    )
    try:
        yield role
    finally:
        roles.unregister("msp")


# --- a fake msp role, end to end -----------------------------------------------------------------


def test_a_registered_role_finds_the_msp_for_a_scottish_place(msp: Role) -> None:
    book = Directory.from_csv()
    assert [(r.role, r.name, r.email) for r in book.recipients(ABERDEEN, ("msp",))] == [
        ("msp", "Morag Example", "morag.example@parliament.example")
    ]
    (iain,) = book.recipients(MIDLOTHIAN, ("msp",))
    assert (iain.email, iain.contact_url, iain.salutation) == (
        None,
        "https://www.parliament.scot/msps",
        "Mr Sample",
    )


def test_no_msp_for_an_english_place_or_a_scottish_one_not_in_the_file(msp: Role) -> None:
    book = Directory.from_csv()
    assert book.recipients(SOUTHWARK, ("msp",)) == []
    assert book.recipients(EAST_RENFREWSHIRE, ("msp",)) == []
    # The other targets are unaffected.
    assert [r.role for r in book.recipients(SOUTHWARK, ("msp", "mp", "police_force"))] == [
        "mp",
        "police_force",
    ]


def test_a_registered_role_keeps_the_campaigns_order_of_targets(msp: Role) -> None:
    book = Directory.from_csv()
    found = book.recipients(ABERDEEN, ("police_oversight", "msp", "mp"))
    assert [r.role for r in found] == ["police_oversight", "msp", "mp"]
    assert found[1].name == "Morag Example"
    assert roles.keys() == (*ROLES, "msp")
    assert roles.get("msp") is msp


def test_a_registered_role_takes_staff_corrections(msp: Role) -> None:
    book = Directory.from_csv()
    changed = book.with_overrides({("msp", "S14000045"): {"email": "iain@parliament.example"}})
    assert changed.recipients(MIDLOTHIAN, ("msp",))[0].email == "iain@parliament.example"
    assert book.recipients(MIDLOTHIAN, ("msp",))[0].email is None
    assert changed.mps == book.mps and changed.force_areas == book.force_areas


def test_a_directory_loaded_before_the_role_was_registered_has_nobody_for_it(msp: Role) -> None:
    """``bundled()`` reads once per process: a role registered later is simply not there."""
    assert [r.role for r in bundled().recipients(ABERDEEN, ("msp", "mp"))] == ["mp"]


def test_unregistered_roles_give_nobody() -> None:
    assert roles.get("msp") is None
    assert bundled().recipients(ABERDEEN, ("msp",)) == []


# --- the registry itself -------------------------------------------------------------------------


def test_bundled_roles_are_registered_in_order() -> None:
    assert roles.keys() == ROLES == ("mp", "police_force", "police_oversight")
    assert [(r.title, r.label) for r in roles.registered()] == [
        ("Your MP", "MP"),
        ("Your police force", "Police force"),
        ("The body that oversees your police force", "Oversight body"),
    ]


def test_bundled_roles_give_the_directory_its_tables() -> None:
    book = bundled()
    assert set(book.by_role) == set(ROLES)
    assert book.by_role["mp"] is book.mps
    for code, area in book.force_areas.items():
        assert book.by_role["police_force"][code] is area.force
        assert book.by_role["police_oversight"][code] is area.oversight


def test_the_bundled_titles_and_labels_are_those_the_pages_show() -> None:
    """Until the pages read them from the registry, the two must not drift apart."""
    from advocacy.studio.directory_admin import ROLE_LABELS  # noqa: PLC0415 — imports Flask
    from advocacy.supporters.public import ROLE_NAMES  # noqa: PLC0415 — imports Flask

    for role in roles.registered():
        assert ROLE_NAMES[role.key] == role.title
        assert ROLE_LABELS[role.key] == role.label


def test_area_by_field_name_or_function() -> None:
    mp = roles.get("mp")
    force = roles.get("police_force")
    assert mp.area == "constituency_code" and mp.area_code(ABERDEEN) == "S14000061"
    ni = Place("BT53 7HX", "Northern Ireland", "N05000012", "North Antrim", None, None)
    assert force.area_code(ni) == "N99999999"
    assert force.area_code(Place(None, "Jersey", None, None, None, None)) is None


def test_a_key_is_registered_once(msp: Role) -> None:
    with pytest.raises(ValueError, match="already registered"):
        roles.register(msp)
    again = roles.register(
        Role("msp", "Your MSP", "MSP", msp.files, load_msps, "pfa_code"), replace=True
    )
    assert roles.get("msp") is again
    assert roles.keys()[-1] == "msp"


def test_bundled_roles_cannot_be_removed() -> None:
    with pytest.raises(ValueError, match="bundled"):
        roles.unregister("mp")
    assert roles.keys() == ROLES


def test_a_role_needs_a_data_file() -> None:
    with pytest.raises(ValueError, match="no data file"):
        roles.register(Role("msp", "Your MSP", "MSP", (), load_msps, msp_area))
    assert roles.get("msp") is None


def test_a_loader_must_make_recipients_of_its_own_role(tmp_path: Path) -> None:
    """Overrides and tallies go by ``Recipient.role``: a copied loader's wrong key would mix."""
    data = tmp_path / "mla.csv"
    data.write_text(MSPS_CSV, encoding="utf-8")
    roles.register(Role("mla", "Your MLAs", "MLA", (data,), load_msps, "constituency_code"))
    try:
        with pytest.raises(ValueError, match="'mla' loader made recipients with role \\['msp'\\]"):
            Directory.from_csv()
    finally:
        roles.unregister("mla")


def test_recipient_by_role_and_code(msp: Role) -> None:
    book = Directory.from_csv()
    assert book.recipient("msp", "S14000061").name == "Morag Example"
    assert book.recipient("mp", "E14001085") is book.mps["E14001085"]
    assert (
        book.recipient("police_oversight", "E23000001") is book.force_areas["E23000001"].oversight
    )
    assert book.recipient("msp", "E14001085") is None
    assert book.recipient("msp", None) is None
    assert book.recipient("fixed", "home-secretary") is None
