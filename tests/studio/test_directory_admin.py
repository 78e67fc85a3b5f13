"""The studio's directory: staff corrections, how they reach letters, and ``flask refresh-mps``."""

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import responses
from markupsafe import escape
from responses import matchers
from staff_helpers import csrf_token

from advocacy import create_app
from advocacy.places import overrides
from advocacy.places.bundled_roles import MP_CONTACT_URL
from advocacy.places.directory import bundled
from advocacy.platform.models import DirectoryOverride
from advocacy.platform.models import db

MEMBERS = Path(__file__).parent.parent / "data" / "members_api"
MEMBERS_URL = "https://members-api.parliament.uk"
SEARCH = f"{MEMBERS_URL}/api/Location/Constituency/Search"
SLUG = "stop-facial-recognition"
LETTERS = f"/api/v1/campaigns/{SLUG}/letters"
SUPPORTER = {"name": "Ann Example", "talking_points": ["what-is-lfr"]}  # for every nation

CITIES = "E14001172"  # Cities of London and Westminster, policed by the Met
CITIES_NAME = "Cities of London and Westminster"
BLAKE = "Rachel Blake"
BLAKE_EMAIL = "rachel.blake.mp@parliament.uk"
MET = "E23000001"
MOPAC = "Mayor's Office for Policing and Crime (Mayor of London)"
MOPAC_URL = "https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac"
MOPAC_EMAIL = "mopac.letters@london.gov.uk"
MANCHESTER_OVERSIGHT = "E23000005"  # also needs review; must not be touched by a Met correction
NEW_MP = "Jane Newmember"
NEW_MP_ID = 9999
NEW_MP_EMAIL = "jane.newmember.mp@parliament.uk"
NEW_MP_PARTY = "Green Party"

ROW = re.compile(r"<tr>\s*<td>.*?</tr>", re.S)
ROW_LINK = re.compile(r'href="/admin/directory/([a-z_]+)/([A-Z0-9]+)"')


def edit_path(role: str, code: str) -> str:
    return f"/admin/directory/{role}/{code}"


def listing(client, **params) -> list[tuple[str, str, bool, str]]:
    """The directory's rows, every page of them, as (role, code, needs review, the row's HTML
    with its line-break hints taken out)."""
    rows = []
    page = 1
    while True:
        response = client.get("/admin/directory", query_string={**params, "page": page})
        assert response.status_code == 200
        html = response.get_data(as_text=True).replace("<wbr>", "")
        found = []
        for match in ROW.finditer(html):
            link = ROW_LINK.search(match.group(0))
            assert link, match.group(0)
            found.append(
                (link.group(1), link.group(2), "needs review" in match.group(0), match.group(0))
            )
        assert len(found) <= 50
        rows += found
        counted = re.search(r"<p>(\d+) recipients?(?:: showing (\d+) to (\d+))?\.</p>", html)
        assert counted, html
        if not counted.group(3) or int(counted.group(3)) == int(counted.group(1)):
            assert int(counted.group(1)) == len(rows)
            return rows
        assert int(counted.group(2)) == (page - 1) * 50 + 1 and int(counted.group(3)) == len(rows)
        page += 1


def keys(rows) -> list[tuple[str, str]]:
    return [(role, code) for role, code, *_ in rows]


def needing_review() -> set[tuple[str, str]]:
    book = bundled()
    found = {("mp", code) for code, mp in book.mps.items() if mp.needs_review}
    for code, area in book.force_areas.items():
        if area.force.needs_review:
            found.add(("police_force", code))
        if area.oversight.needs_review:
            found.add(("police_oversight", code))
    return found


def form_values(role: str, code: str, **changes: str) -> dict[str, str]:
    """What the edit form would send unchanged, with ``changes`` typed over it."""
    r = overrides.bundled_recipient(role, code)
    values = {
        "name": r.name,
        "salutation": r.salutation,
        "salutation_cy": r.salutation_cy or "",
        "email": r.email or "",
        "contact_url": r.contact_url or "",
        "website": r.website or "",
        "postal_address": r.postal_address or "",
    }
    values.update(changes)
    return values


def post_edit(client, role: str, code: str, **changes: str):
    token = csrf_token(client, edit_path(role, code))
    data = {**form_values(role, code, **changes), "csrf_token": token}
    return client.post(edit_path(role, code), data=data)


def post_revert(client, role: str, code: str):
    token = csrf_token(client, edit_path(role, code))
    return client.post(f"{edit_path(role, code)}/revert", data={"csrf_token": token})


def stored(app, role: str, code: str) -> DirectoryOverride | None:
    with app.app_context():
        return overrides.find(role, code)


def stored_count(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(DirectoryOverride.id))).scalar_one()


def letters(client, **place: str) -> dict[str, dict]:
    """Letters for the facial-recognition campaign, by recipient role."""
    body = {
        "name": "Ann Example",
        "talking_points": ["what-is-lfr"],  # a point for every nation
        "answers": {},
        **(place or {"postcode": "SW1A 2DD"}),
    }
    response = client.post(LETTERS, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["recipient"]["role"]: item for item in response.get_json()["letters"]}


def test_staff_correct_a_welsh_salutation_and_welsh_letters_use_it(app, client, editor):
    cardiff = {"constituency_code": "W07000089", "pfa_code": "W15000003"}
    typed = "Annwyl Gadeirydd,"  # the whole greeting, as in English
    assert (
        post_edit(editor, "police_oversight", "W15000003", salutation_cy=typed).status_code == 302
    )
    assert stored(app, "police_oversight", "W15000003").fields == {"salutation_cy": "Gadeirydd"}
    body = {"name": "Siân", "talking_points": ["what-is-lfr"], "language": "cy", **cardiff}
    welsh = client.post(LETTERS, json=body).get_json()["letters"]
    oversight = next(x for x in welsh if x["recipient"]["role"] == "police_oversight")
    assert oversight["body"].startswith("Annwyl Gadeirydd,\n\n")
    english = letters(client, **cardiff)["police_oversight"]
    assert english["body"].startswith("Dear Commissioner,")  # the English greeting unchanged


CHOSEN = {"constituency_code": CITIES, "pfa_code": MET}


def compare_row(html: str, label: str) -> str:
    match = re.search(rf"<tr[^>]*><th scope=\"row\">{re.escape(label)}</th>.*?</tr>", html, re.S)
    assert match, f"no {label!r} row in the comparison"
    return match.group(0)


# --- The directory page ---------------------------------------------------------------------------


def test_lists_every_recipient_with_those_needing_review_first(editor):
    rows = listing(editor)
    book = bundled()
    assert len(book.mps) == 650 and len(book.force_areas) == 45
    assert len(rows) == 650 + 45 + 45
    assert len(set(keys(rows))) == len(rows)
    assert set(keys(rows)) == (
        {("mp", code) for code in book.mps}
        | {("police_force", code) for code in book.force_areas}
        | {("police_oversight", code) for code in book.force_areas}
    )
    review = needing_review()
    assert len(review) >= 2 and ("police_oversight", MET) in review
    # Every row needing review comes before every row that doesn't, and is marked so.
    flags = [flag for *_, flag, _ in rows]
    assert flags == [True] * len(review) + [False] * (len(rows) - len(review))
    assert set(keys(rows[: len(review)])) == review
    # Within those, oversight bodies first, then by area.
    head = rows[: len(review)]
    oversight = [code for role, code, *_ in head if role == "police_oversight"]
    assert keys(head)[: len(oversight)] == [("police_oversight", c) for c in oversight]
    names = [book.force_areas[c].name for c in oversight]
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("role", "count"), (("mp", 650), ("police_force", 45), ("police_oversight", 45))
)
def test_filter_by_kind(editor, role, count):
    rows = listing(editor, role=role)
    assert len(rows) == count
    assert {r for r, *_ in rows} == {role}


def test_filter_by_search_text(editor):
    rows = listing(editor, q="  METROPOLITAN ")
    assert set(keys(rows)) == {("police_force", MET), ("police_oversight", MET)}
    # Searches the area, the name and the email address.
    assert ("mp", CITIES) in keys(listing(editor, q="cities of london"))
    assert keys(listing(editor, q="rachel.blake.mp@")) == [("mp", CITIES)]
    assert keys(listing(editor, q="mopac", role="police_force")) == []
    assert listing(editor, q="no such recipient anywhere") == []
    # Combined with a kind.
    assert keys(listing(editor, q="metropolitan", role="police_oversight")) == [
        ("police_oversight", MET)
    ]


def test_filter_needing_review(editor):
    review = needing_review()
    rows = listing(editor, show="review")
    assert set(keys(rows)) == review
    assert all(flag for *_, flag, _ in rows)
    mps = listing(editor, show="review", role="mp")
    assert set(keys(mps)) == {key for key in review if key[0] == "mp"}
    assert keys(listing(editor, show="review", q="metropolitan")) == [("police_oversight", MET)]


# --- Correcting a recipient -----------------------------------------------------------------------


def test_editor_corrects_an_oversight_email_and_letters_use_it(app, client, editor, postcodes_io):
    before = letters(client)["police_oversight"]
    assert before["recipient"] == {
        "role": "police_oversight",
        "name": MOPAC,
        "email": None,
        "contact_url": None,
        "website": MOPAC_URL,
        "postal_address": None,
    }
    assert before["to"] == []
    page = editor.get(edit_path("police_oversight", MET)).get_data(as_text=True)
    assert "<strong>needs review</strong>" in page
    assert "How this differs" not in page
    assert "Save and mark as reviewed" in page

    response = post_edit(editor, "police_oversight", MET, email=MOPAC_EMAIL)
    assert response.status_code == 302
    assert response.headers["Location"] == edit_path("police_oversight", MET)

    row = stored(app, "police_oversight", MET)
    assert row.fields == {"email": MOPAC_EMAIL}
    assert (row.reviewed, row.source, row.updated_by) == (True, "staff", "editor@example.org")

    page = editor.get(edit_path("police_oversight", MET)).get_data(as_text=True)
    assert "Saved. New letters use these details now." in page
    assert "How this differs from the bundled details" in page
    email = compare_row(page, "Email address")
    assert 'class="differs"' in email
    assert re.search(rf"<td>—</td><td>{re.escape(MOPAC_EMAIL)} <strong>\(changed\)</strong>", email)
    website = compare_row(page, "Website")
    assert "(changed)" not in website and website.count(MOPAC_URL) == 2
    assert "(changed)" not in compare_row(page, "Contact page")
    assert "(changed)" not in compare_row(page, "Name")
    assert "Last changed by editor@example.org" in page
    assert "<strong>needs review</strong>" not in page
    assert "Save and mark as reviewed" not in page

    # The directory page: no longer needing review, shown as changed, the new address listed.
    (met,) = [r for r in listing(editor, role="police_oversight") if r[1] == MET]
    assert met[2] is False
    assert "changed: email" in met[3] and MOPAC_EMAIL in met[3]
    review = listing(editor, show="review")
    assert set(keys(review)) == needing_review() - {("police_oversight", MET)}
    assert ("police_oversight", MANCHESTER_OVERSIGHT) in keys(review)

    # Supporters' next letters, from the same running app: by postcode, by chosen areas, and
    # from another constituency in the same force area; the Met itself is untouched.
    for place in ({"postcode": "SW1A 2DD"}, CHOSEN, {"postcode": "SE1 2DL"}):
        by_role = letters(client, **place)
        oversight = by_role["police_oversight"]
        assert oversight["recipient"]["email"] == MOPAC_EMAIL
        assert oversight["recipient"]["website"] == MOPAC_URL
        assert oversight["to"] == [MOPAC_EMAIL]
        assert oversight["links"]["mailto"].startswith(f"mailto:{MOPAC_EMAIL}?subject=")
        assert oversight["body"].startswith("Dear Deputy Mayor,\n\n")
        assert by_role["police_force"]["to"] == []
    # Another force area keeps its bundled address.
    manchester = letters(client, postcode="M1 1AD")["police_oversight"]
    assert manchester["recipient"]["email"] == bundled().force_areas["E23000005"].oversight.email
    assert manchester["recipient"]["email"] != MOPAC_EMAIL


def test_admin_can_correct_an_mp(app, admin, client):
    response = post_edit(
        admin, "mp", CITIES, name="Rachel Blake MP", salutation="Ms Blake", email="rb@example.org"
    )
    assert response.status_code == 302
    assert stored(app, "mp", CITIES).fields == {
        "name": "Rachel Blake MP",
        "salutation": "Ms Blake",
        "email": "rb@example.org",
    }
    mp = letters(client, **CHOSEN)["mp"]
    assert mp["recipient"]["name"] == "Rachel Blake MP"
    assert mp["to"] == ["rb@example.org"]
    assert mp["body"].startswith("Dear Ms Blake,\n\n")


def test_saving_unchanged_values_marks_reviewed_without_storing_fields(app, client, editor):
    assert post_edit(editor, "police_oversight", MET).status_code == 302
    row = stored(app, "police_oversight", MET)
    assert row.fields == {}
    assert row.reviewed is True

    page = editor.get(edit_path("police_oversight", MET)).get_data(as_text=True)
    assert "(changed)" not in page
    assert "<strong>needs review</strong>" not in page
    (met,) = [r for r in listing(editor, role="police_oversight") if r[1] == MET]
    assert met[2] is False
    assert "changed:" not in met[3] and ">reviewed<" in met[3]
    assert ("police_oversight", MET) not in keys(listing(editor, show="review"))
    # Letters are as bundled.
    oversight = letters(client, **CHOSEN)["police_oversight"]
    assert oversight["recipient"]["email"] is None
    assert oversight["recipient"]["website"] == MOPAC_URL


def test_blank_name_and_salutation_fall_back_to_bundled(app, editor):
    response = post_edit(
        editor, "police_oversight", MET, name=" ", salutation="", email=MOPAC_EMAIL
    )
    assert response.status_code == 302
    assert stored(app, "police_oversight", MET).fields == {"email": MOPAC_EMAIL}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    (
        ({"email": "mopac at london.gov.uk"}, "email", "doesn&#39;t look right"),
        ({"email": "mopac@"}, "email", "doesn&#39;t look right"),
        ({"contact_url": "javascript:alert(1)"}, "contact_url", "starting with https://"),
        ({"contact_url": "ftp://london.gov.uk/mopac"}, "contact_url", "starting with https://"),
        ({"contact_url": "www.london.gov.uk/mopac"}, "contact_url", "starting with https://"),
        ({"website": "www.london.gov.uk/mopac"}, "website", "starting with https://"),
        (
            {"email": "", "contact_url": "", "website": ""},
            "email",
            "Give an email address, a contact page, a website or a postal address",
        ),
        pytest.param(
            {"email": "  ", "contact_url": " ", "website": " "},
            "email",
            "Give an email address, a contact page, a website or a postal address",
            id="only-spaces",
        ),
        ({"name": "x" * 201}, "name", "200"),
    ),
)
def test_invalid_correction_is_refused_next_to_the_field(
    app, client, editor, changes, field, message
):
    response = post_edit(editor, "police_oversight", MET, **changes)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    assert error, html
    assert message in error.group(1)
    (tag,) = [t for t in re.findall(r"<input[^>]*>", html) if f'id="{field}"' in t]
    assert 'aria-invalid="true"' in tag
    # The only field in error.
    assert len(re.findall(r'class="field-error"', html)) == 1
    assert stored_count(app) == 0
    oversight = letters(client, **CHOSEN)["police_oversight"]
    assert oversight["recipient"]["email"] is None


def test_email_pasted_with_spaces_is_accepted(app, editor):
    response = post_edit(editor, "police_oversight", MET, email=f" {MOPAC_EMAIL} ")
    assert response.status_code == 302
    assert stored(app, "police_oversight", MET).fields == {"email": MOPAC_EMAIL}


def test_post_without_an_email_field_is_not_a_server_error(app, editor):
    token = csrf_token(editor, edit_path("police_oversight", MET))
    data = {"csrf_token": token, "name": MOPAC, "contact_url": "https://example.org/mopac"}
    response = editor.post(edit_path("police_oversight", MET), data=data)
    assert response.status_code in (302, 400)


def test_contact_page_alone_is_enough(app, editor):
    response = post_edit(
        editor, "police_oversight", MET, email="", contact_url="https://example.org/mopac"
    )
    assert response.status_code == 302
    assert stored(app, "police_oversight", MET).fields == {
        "contact_url": "https://example.org/mopac"
    }


def test_revert_goes_back_to_the_bundled_details(app, client, editor):
    assert post_edit(editor, "police_oversight", MET, email=MOPAC_EMAIL).status_code == 302
    assert letters(client, **CHOSEN)["police_oversight"]["to"] == [MOPAC_EMAIL]

    response = post_revert(editor, "police_oversight", MET)
    assert response.status_code == 302
    assert response.headers["Location"] == edit_path("police_oversight", MET)
    assert stored(app, "police_oversight", MET) is None

    page = editor.get(edit_path("police_oversight", MET)).get_data(as_text=True)
    assert "Back to the bundled details." in page
    assert "How this differs" not in page
    assert "<strong>needs review</strong>" in page
    assert ("police_oversight", MET) in keys(listing(editor, show="review"))
    oversight = letters(client, **CHOSEN)["police_oversight"]
    assert oversight["recipient"]["email"] is None
    assert oversight["to"] == []

    # Reverting again is harmless.
    assert post_revert(editor, "police_oversight", MET).status_code == 302


@pytest.mark.parametrize(
    ("role", "code"),
    (
        ("mayor", MET),
        ("MP", CITIES),
        ("fixed", CITIES),
        ("mp", "E14999999"),
        ("mp", MET),  # a force area is not a constituency
        ("police_oversight", CITIES),
        ("police_force", "e23000001"),
    ),
)
def test_unknown_recipient_is_not_found(app, editor, role, code):
    assert editor.get(edit_path(role, code)).status_code == 404
    token = csrf_token(editor, edit_path("mp", CITIES))
    data = {**form_values("mp", CITIES, email="x@example.org"), "csrf_token": token}
    assert editor.post(edit_path(role, code), data=data).status_code == 404
    path = f"{edit_path(role, code)}/revert"
    assert editor.post(path, data={"csrf_token": token}).status_code == 404
    assert stored_count(app) == 0


def test_posts_without_csrf_token_are_refused(app, editor):
    data = form_values("police_oversight", MET, email=MOPAC_EMAIL)
    response = editor.post(edit_path("police_oversight", MET), data=data)
    assert response.status_code == 400
    bad = {**data, "csrf_token": "not-the-token"}
    assert editor.post(edit_path("police_oversight", MET), data=bad).status_code == 400
    assert stored_count(app) == 0

    assert post_edit(editor, "police_oversight", MET, email=MOPAC_EMAIL).status_code == 302
    response = editor.post(f"{edit_path('police_oversight', MET)}/revert")
    assert response.status_code == 400
    assert stored(app, "police_oversight", MET).fields == {"email": MOPAC_EMAIL}


@pytest.mark.parametrize(
    "path",
    (
        "/admin/directory",
        "/admin/directory?show=review",
        edit_path("police_oversight", MET),
        edit_path("mp", "E14999999"),
    ),
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_anonymous_post_stores_nothing(app, client):
    data = form_values("police_oversight", MET, email=MOPAC_EMAIL)
    response = client.post(edit_path("police_oversight", MET), data=data)
    assert response.status_code == 400  # CSRF is checked before sign-in
    assert stored_count(app) == 0


# --- Greetings, contact pages and why a row needs review ------------------------------------------

KENT = "E23000032"
SEVENOAKS = {"constituency_code": "E14001465", "pfa_code": KENT}
KENT_CONTACT = "https://example.org/kent-police/contact-us"


def test_every_row_shows_its_greeting_and_why_it_needs_review(editor):
    """Staff can check greetings across the directory and see what to confirm on each row."""
    book = bundled()
    rows = {(role, code): row for role, code, _, row in listing(editor)}
    for code, area in book.force_areas.items():
        oversight = rows[("police_oversight", code)]
        assert f"Dear {escape(area.oversight.salutation)}," in oversight
        assert area.oversight.review_reason
        assert escape(area.oversight.review_reason) in oversight, code
        force = rows[("police_force", code)]
        assert f"Dear {area.force.salutation}," in force
        # The Welsh beside it, as a Welsh letter greets and names them.
        assert f'<span lang="cy">Annwyl {area.force.salutation_cy},</span>' in force
        if code.startswith("W"):
            assert f'<span lang="cy">{area.force.name_cy}</span>' in force
        assert "needs review" not in force
        if area.force.contact_url:
            assert f"contact page: {area.force.contact_url}" in force
        else:
            assert f"website only: {area.force.website}" in force
    for code, mp in book.mps.items():
        assert f"Dear {escape(mp.salutation)}," in rows[("mp", code)]
    assert "Dear Scottish Police Authority," not in "".join(rows.values())
    assert "Dear Mr " not in "".join(rows.values())
    page = editor.get(edit_path("police_oversight", MET)).get_data(as_text=True)
    assert "Why: no published email found for MOPAC." in page


def test_staff_set_a_force_contact_page_and_letters_offer_it(app, client, editor):
    before = letters(client, **SEVENOAKS)["police_force"]["recipient"]
    assert (before["contact_url"], before["website"]) == (None, "https://www.kent.police.uk/")
    public = client.post(f"/c/{SLUG}/letters", data={**SEVENOAKS, **SUPPORTER})
    assert "use Contact us on their site" in public.get_data(as_text=True)

    assert post_edit(editor, "police_force", KENT, contact_url=KENT_CONTACT).status_code == 302
    assert stored(app, "police_force", KENT).fields == {"contact_url": KENT_CONTACT}
    (kent,) = [r for r in listing(editor, role="police_force") if r[1] == KENT]
    assert f"contact page: {KENT_CONTACT}" in kent[3] and "changed: contact_url" in kent[3]

    after = letters(client, **SEVENOAKS)["police_force"]["recipient"]
    assert (after["contact_url"], after["website"]) == (KENT_CONTACT, "https://www.kent.police.uk/")
    page = client.post(f"/c/{SLUG}/letters", data={**SEVENOAKS, **SUPPORTER})
    html = page.get_data(as_text=True)
    assert f'href="{KENT_CONTACT}"' in html and "Open their contact page" in html
    assert "There is no public email address for Kent Police." in html


# A constituency in each force area the salutation tests use.
CONSTITUENCY_IN = {MET: CITIES, KENT: "E14001465", "S23000009": "S14000061"}
PCC = "Police and Crime Commissioner"


@pytest.mark.parametrize(
    ("role", "code", "typed", "stored_as"),
    (
        ("police_oversight", KENT, f"Dear {PCC},", PCC),  # staff typed the whole greeting
        ("police_force", MET, "Sir Mark", "Sir Mark"),
        ("police_oversight", "S23000009", " dear Chair ", None),  # as bundled: nothing stored
    ),
)
def test_staff_correct_an_organisation_salutation(
    app, client, editor, role, code, typed, stored_as
):
    assert post_edit(editor, role, code, salutation=typed).status_code == 302
    fields = stored(app, role, code).fields
    assert fields == ({"salutation": stored_as} if stored_as else {})
    letter = letters(client, constituency_code=CONSTITUENCY_IN[code], pfa_code=code)[role]
    assert letter["body"].startswith(f"Dear {stored_as or 'Chair'},\n\n")


def test_renamed_mp_with_a_blank_salutation_is_greeted_without_honorific(app, client, editor):
    response = post_edit(editor, "mp", CITIES, name="Mr Connor Rand", salutation="")
    assert response.status_code == 302
    assert stored(app, "mp", CITIES).fields == {
        "name": "Mr Connor Rand",
        "salutation": "Connor Rand",
    }
    assert letters(client, **CHOSEN)["mp"]["body"].startswith("Dear Connor Rand,\n\n")
    html = client.post(f"/c/{SLUG}/letters", data={**CHOSEN, **SUPPORTER}).get_data(as_text=True)
    assert "1. To Connor Rand MP</h2>" in html


# --- overrides: the cached directory and its layers ----------------------------------------------


def test_current_is_cached_until_the_table_changes(app):
    with app.app_context():
        first = overrides.current()
        assert first is bundled()  # nothing stored: the bundled directory itself
    with app.app_context():
        assert overrides.current() is first
    with app.app_context():
        overrides.save("police_oversight", MET, {"email": MOPAC_EMAIL}, "test")
        # The same request sees its own save.
        second = overrides.current()
        assert second is not first
        assert second.force_areas[MET].oversight.email == MOPAC_EMAIL
        assert second.force_areas[MET].oversight.needs_review is False
        assert bundled().force_areas[MET].oversight.email is None  # not mutated
    with app.app_context():
        assert overrides.current() is second
    with app.app_context():
        overrides.save("police_oversight", MET, {"email": "other@london.gov.uk"}, "test")
    with app.app_context():
        third = overrides.current()
        assert third is not second
        assert third.force_areas[MET].oversight.email == "other@london.gov.uk"
    with app.app_context():
        assert overrides.revert("police_oversight", MET) is True
        assert overrides.revert("police_oversight", MET) is False
    with app.app_context():
        fourth = overrides.current()
        assert fourth is not third
        assert fourth.force_areas[MET].oversight.email is None


def test_another_worker_sees_a_correction_without_restart(app):
    """Two apps on one database stand for two worker processes."""
    other = create_app(dict(app.config))
    with other.app_context():
        assert overrides.current().force_areas[MET].oversight.email is None
    with app.app_context():
        overrides.save("police_oversight", MET, {"email": MOPAC_EMAIL}, "test")
    with other.app_context():
        assert overrides.current().force_areas[MET].oversight.email == MOPAC_EMAIL
    with app.app_context():
        overrides.revert("police_oversight", MET)
    with other.app_context():
        assert overrides.current().force_areas[MET].oversight.email is None


def test_layers_keeps_stored_fields_and_sets_the_review_flag_from_the_row():
    rows = [
        DirectoryOverride(
            role="police_oversight",
            code=MET,
            fields={"email": MOPAC_EMAIL, "role": "mp", "needs_review": True, "kind": "pcc"},
            reviewed=True,
        ),
        DirectoryOverride(
            role="mp",
            code=CITIES,
            fields={"name": NEW_MP, "party": NEW_MP_PARTY, "member_id": NEW_MP_ID},
            reviewed=False,
        ),
        DirectoryOverride(role="police_force", code=MET, fields={}, reviewed=True),
    ]
    assert overrides.layers(rows) == {
        ("police_oversight", MET): {"email": MOPAC_EMAIL, "needs_review": False},
        ("mp", CITIES): {
            "name": NEW_MP,
            "party": NEW_MP_PARTY,
            "member_id": NEW_MP_ID,
            "needs_review": True,  # a refresh without an email: staff should look
        },
        ("police_force", MET): {"needs_review": False},
    }
    assert overrides.layers([]) == {}
    # And they lay over the bundled data as staff meant.
    book = bundled().with_overrides(overrides.layers(rows))
    assert book.force_areas[MET].oversight.role == "police_oversight"
    assert book.force_areas[MET].oversight.kind == "mayor"
    assert book.mps[CITIES].member_id == NEW_MP_ID
    assert book.mps[CITIES].needs_review is True


def test_save_stores_only_what_differs_from_bundled(app):
    with app.app_context():
        row = overrides.save(
            "mp",
            CITIES,
            {"name": BLAKE, "email": "RB@example.org", "party": "Labour (Co-op)", "x": "y"},
            "someone@example.org",
            source="members-api",
            reviewed=False,
        )
        assert row.fields == {"email": "RB@example.org"}
        assert (row.source, row.reviewed, row.updated_by) == (
            "members-api",
            False,
            "someone@example.org",
        )
        with pytest.raises(KeyError):
            overrides.save("mp", "E14999999", {"email": "a@example.org"}, "x")


# --- flask refresh-mps ----------------------------------------------------------------------------


def load(name: str) -> dict:
    return json.loads((MEMBERS / name).read_text(encoding="utf-8"))


def new_member_search(name: str = NEW_MP) -> dict:
    body = load("constituency_search_200_cities_of_london_and_westminster.json")
    member = body["items"][0]["value"]["currentRepresentation"]["member"]["value"]
    member["id"] = NEW_MP_ID
    member["nameDisplayAs"] = name
    member["nameListAs"] = "Newmember, Jane"
    member["latestParty"]["name"] = NEW_MP_PARTY
    return body


def contact(email: str | None) -> dict:
    body = copy.deepcopy(load("member_contact_200_5257.json"))
    body["value"][0]["email"] = email
    return body


def search_match(name: str = CITIES_NAME) -> list:
    return [matchers.query_param_matcher({"searchText": name, "skip": "0", "take": "20"})]


@pytest.fixture
def members_api() -> Iterator[responses.RequestsMock]:
    """The Members API, answering only what each test registers; every registration must be used."""
    with responses.RequestsMock() as mock:
        yield mock


def answer(mock, search: dict, member_id: int | None = None, email: str | None = None) -> None:
    mock.get(SEARCH, json=search, match=search_match())
    if member_id is not None:
        mock.get(f"{MEMBERS_URL}/api/Members/{member_id}/Contact", json=contact(email))


def refresh(app, *args: str):
    result = app.test_cli_runner().invoke(args=["refresh-mps", *args])
    assert result.exception is None, result.output
    assert result.exit_code == 0, result.output
    return result.output


def test_the_app_asks_the_real_members_api(app):
    assert app.config["MEMBERS_API_URL"] == MEMBERS_URL


def test_refresh_same_member_and_email_updates_nothing(app, members_api):
    answer(
        members_api,
        load("constituency_search_200_cities_of_london_and_westminster.json"),
        5257,
        BLAKE_EMAIL,
    )
    output = refresh(app, "--code", CITIES)
    assert output.splitlines() == [
        "0 seats need attention: 0 updated, 0 vacant, 0 could not be checked."
    ]
    assert len(members_api.calls) == 2
    assert stored_count(app) == 0


def test_refresh_email_differing_only_in_case_is_no_change(app, members_api):
    answer(
        members_api,
        load("constituency_search_200_cities_of_london_and_westminster.json"),
        5257,
        BLAKE_EMAIL.upper(),
    )
    assert "0 seats need attention" in refresh(app, "--code", CITIES)
    assert stored_count(app) == 0


def test_refresh_new_member_is_stored_and_reaches_letters(app, client, editor, members_api):
    answer(members_api, new_member_search(), NEW_MP_ID, NEW_MP_EMAIL)
    output = refresh(app, "--code", CITIES)
    lines = output.splitlines()
    assert lines[0] == (f"{CITIES} {CITIES_NAME}: new-member. now {NEW_MP} (member {NEW_MP_ID})")
    assert f"    name: {BLAKE} → {NEW_MP}" in lines
    assert f"    party: Labour (Co-op) → {NEW_MP_PARTY}" in lines
    assert f"    email: {BLAKE_EMAIL} → {NEW_MP_EMAIL}" in lines
    assert f"    member_id: 5257 → {NEW_MP_ID}" in lines
    assert lines[-1] == "1 seats need attention: 1 updated, 0 vacant, 0 could not be checked."

    row = stored(app, "mp", CITIES)
    assert row.source == "members-api"
    assert row.updated_by == "refresh-mps"
    assert row.reviewed is True
    assert row.fields == {
        "name": NEW_MP,
        "salutation": NEW_MP,
        "salutation_cy": NEW_MP,
        "party": NEW_MP_PARTY,
        "email": NEW_MP_EMAIL,
        "member_id": NEW_MP_ID,
    }

    # Supporters writing from that constituency reach the new MP, without a restart.
    mp = letters(client, **CHOSEN)["mp"]
    assert mp["recipient"] == {
        "role": "mp",
        "name": NEW_MP,
        "email": NEW_MP_EMAIL,
        "contact_url": None,
        "website": None,
        "postal_address": None,
    }
    assert mp["to"] == [NEW_MP_EMAIL]
    assert mp["body"].startswith(f"Dear {NEW_MP},\n\n")
    # The studio shows where the change came from.
    page = editor.get(edit_path("mp", CITIES)).get_data(as_text=True)
    assert "(from members-api)" in page
    assert "Last changed by refresh-mps" in page
    assert re.search(rf"<td>{BLAKE}</td><td>{NEW_MP} <strong>\(changed\)</strong>", page)

    # Next run compares with the new MP: nothing more to do.
    answer(members_api, new_member_search(), NEW_MP_ID, NEW_MP_EMAIL)
    again = refresh(app, "--code", CITIES)
    assert again.splitlines() == [
        "0 seats need attention: 0 updated, 0 vacant, 0 could not be checked."
    ]
    assert stored(app, "mp", CITIES).fields["member_id"] == NEW_MP_ID


def test_refresh_changed_email_of_the_same_member(app, client, members_api):
    answer(
        members_api,
        load("constituency_search_200_cities_of_london_and_westminster.json"),
        5257,
        "rachel.blake@example.org",
    )
    output = refresh(app, "--code", CITIES)
    assert output.splitlines()[0] == f"{CITIES} {CITIES_NAME}: changed."
    assert f"    email: {BLAKE_EMAIL} → rachel.blake@example.org" in output
    assert stored(app, "mp", CITIES).fields == {"email": "rachel.blake@example.org"}
    assert letters(client, **CHOSEN)["mp"]["to"] == ["rachel.blake@example.org"]


def test_refresh_dry_run_stores_nothing(app, client, members_api):
    answer(members_api, new_member_search(), NEW_MP_ID, NEW_MP_EMAIL)
    output = refresh(app, "--code", CITIES, "--dry-run")
    assert f"now {NEW_MP} (member {NEW_MP_ID})" in output
    assert f"    email: {BLAKE_EMAIL} → {NEW_MP_EMAIL}" in output
    assert output.splitlines()[-1] == (
        "1 seats need attention: 0 updated (dry run: nothing stored), 0 vacant, "
        "0 could not be checked."
    )
    assert stored_count(app) == 0
    mp = letters(client, **CHOSEN)["mp"]
    assert (mp["recipient"]["name"], mp["to"]) == (BLAKE, [BLAKE_EMAIL])


def test_refresh_reports_a_vacant_seat(app, members_api):
    answer(members_api, load("constituency_search_200_vacant_seat.json"))
    output = refresh(app, "--code", CITIES)
    assert output.splitlines() == [
        f"{CITIES} {CITIES_NAME}: vacant. the seat is vacant",
        "1 seats need attention: 0 updated, 1 vacant, 0 could not be checked.",
    ]
    assert stored_count(app) == 0


@pytest.mark.parametrize(
    ("failure", "message"),
    (
        ({"status": 503}, "Members API: unavailable for /api/Location/Constituency/Search"),
        ({"body": requests.ConnectionError("down")}, "connection error, tried twice"),
        ({"status": 404}, "Members API: HTTP 404 for /api/Location/Constituency/Search"),
        ({"body": "<html>not json</html>"}, "malformed JSON"),
    ),
)
def test_refresh_reports_an_api_error_and_carries_on(app, members_api, failure, message):
    members_api.get(SEARCH, **failure)
    output = refresh(app, "--code", CITIES)
    lines = output.splitlines()
    assert lines[0].startswith(f"{CITIES} {CITIES_NAME}: error. ")
    assert message in lines[0]
    assert lines[-1] == "1 seats need attention: 0 updated, 0 vacant, 1 could not be checked."
    assert stored_count(app) == 0


def test_refresh_unknown_code_asks_nothing(app, members_api):
    output = refresh(app, "--code", "E14999999")
    assert output.splitlines()[0] == (
        "E14999999 E14999999: error. not a constituency with an MP in the directory"
    )
    assert len(members_api.calls) == 0
    assert stored_count(app) == 0


def test_refresh_new_member_without_email_uses_their_contact_form(app, client, members_api):
    answer(members_api, new_member_search(), NEW_MP_ID, None)
    refresh(app, "--code", CITIES)
    row = stored(app, "mp", CITIES)
    assert row.reviewed is False
    assert row.fields["email"] is None
    assert row.fields["contact_url"] == MP_CONTACT_URL.format(member_id=NEW_MP_ID)
    mp = letters(client, **CHOSEN)["mp"]
    assert mp["recipient"]["name"] == NEW_MP
    assert mp["to"] == []
    assert mp["recipient"]["contact_url"] == MP_CONTACT_URL.format(member_id=NEW_MP_ID)


def test_refresh_new_member_without_email_needs_review(app, editor, members_api):
    answer(members_api, new_member_search(), NEW_MP_ID, None)
    refresh(app, "--code", CITIES)
    assert ("mp", CITIES) in keys(listing(editor, show="review"))


def test_staff_correction_after_refresh_keeps_the_new_member(app, client, editor, members_api):
    answer(members_api, new_member_search(), NEW_MP_ID, NEW_MP_EMAIL)
    refresh(app, "--code", CITIES)
    response = post_edit(
        editor,
        "mp",
        CITIES,
        name=NEW_MP,
        salutation=NEW_MP,
        email="jane@example.org",
        contact_url="",
    )
    assert response.status_code == 302
    fields = stored(app, "mp", CITIES).fields
    assert fields.get("member_id") == NEW_MP_ID
    assert fields.get("party") == NEW_MP_PARTY
    # The next refresh sees the same member, whose only change is staff's address.
    answer(members_api, new_member_search(), NEW_MP_ID, NEW_MP_EMAIL)
    assert "new-member" not in refresh(app, "--code", CITIES)


def test_refresh_greets_a_new_member_without_the_api_honorific(app, client, editor, members_api):
    answer(members_api, new_member_search("Dr Jane Newmember"), NEW_MP_ID, NEW_MP_EMAIL)
    refresh(app, "--code", CITIES)
    fields = stored(app, "mp", CITIES).fields
    assert (fields["name"], fields["salutation"]) == ("Dr Jane Newmember", NEW_MP)
    assert letters(client, **CHOSEN)["mp"]["body"].startswith(f"Dear {NEW_MP},\n\n")


def test_refresh_without_email_says_why_the_mp_needs_review(app, editor, members_api):
    answer(members_api, new_member_search(), NEW_MP_ID, None)
    refresh(app, "--code", CITIES)
    (row,) = [r for r in listing(editor, show="review", role="mp") if r[1] == CITIES]
    assert "changed by members-api, with no email address: check it" in row[3]


def test_the_directory_is_paged_and_the_filters_kept(editor):
    html = editor.get("/admin/directory", query_string={"role": "mp", "show": ""}).get_data(
        as_text=True
    )
    assert "650 recipients: showing 1 to 50." in html
    assert len(ROW.findall(html)) == 50
    assert 'href="/admin/directory?page=2&amp;role=mp" rel="next"' in html
    assert '<span aria-current="page">1</span>' in html
    last = editor.get("/admin/directory", query_string={"role": "mp", "page": 99})
    assert "showing 601 to 650." in last.get_data(as_text=True)  # past the end: the last page
    assert len(ROW.findall(last.get_data(as_text=True))) == 50
    review = editor.get("/admin/directory", query_string={"show": "review", "q": "police"})
    assert 'rel="next"' not in review.get_data(as_text=True)  # one page: no pager


def test_long_addresses_break_only_after_punctuation(editor):
    html = editor.get("/admin/directory", query_string={"q": "neil.coyle"}).get_data(as_text=True)
    assert "neil.<wbr>coyle.<wbr>mp@<wbr>parliament.<wbr>uk" in html


@pytest.mark.parametrize(
    "email",
    [
        "=?utf-8?q?x=0ABcc:_spy@evil.example?=@example.org",
        "Name <spy@evil.example>",
        "a@example.org, spy@evil.example",
    ],
)
def test_an_address_that_is_header_syntax_is_refused(editor, email):
    response = post_edit(editor, "police_oversight", MET, email=email)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "plain address" in page or "look right" in page


def test_a_stored_header_syntax_address_never_breaks_the_eml(app, client, postcodes_io):
    """Saved before the check existed: the .eml leaves the address out rather than fail."""
    from advocacy.places import overrides

    with app.app_context():
        overrides.save(
            "police_oversight", MET, {"email": "=?utf-8?q?x=0A?=@example.org"}, "old@example.org"
        )
    form = {
        "constituency_code": "E14001172",
        "pfa_code": MET,
        "name": "Ann Example",
        "talking_points": ["accuracy"],
    }
    page = client.post("/c/stop-facial-recognition/letters", data=form).get_data(as_text=True)
    addresses = re.findall(r'data-letter data-to="([^"]*)"', page)
    oversight = next(i for i, to in enumerate(addresses) if "=?" in to)
    response = client.post(
        "/c/stop-facial-recognition/letters", data={**form, "eml": str(oversight)}
    )
    assert response.status_code == 200
    assert b"\nTo:" not in response.data and not response.data.startswith(b"To:")
    assert b"Bcc" not in response.data


# --- Postal addresses: where a body takes letters by post -----------------------------------------

SPA = "S23000009"
SPA_POST = "Scottish Police Authority, 1 Pacific Quay, Glasgow G51 1DZ"
BOARD_POST = "Northern Ireland Policing Board, Waterside Tower, 31 Clarendon Road, Belfast BT1 3BG"
KENT_POST = "Kent Police and Crime Commissioner, Sutton Road, Maidstone ME15 9BZ"


def test_bundled_postal_addresses_are_the_oversight_bodies_without_email():
    book = bundled()
    posted = {
        code: area.oversight.postal_address
        for code, area in book.force_areas.items()
        if area.oversight.postal_address
    }
    assert posted == {SPA: SPA_POST, "N99999999": BOARD_POST}
    assert all(book.force_areas[code].oversight.by_post for code in posted)
    assert not any(area.force.postal_address for area in book.force_areas.values())


def test_directory_shows_print_and_post_and_the_corrected_rows(editor):
    rows = {(role, code): row for role, code, _, row in listing(editor, role="police_oversight")}
    assert f"print and post: {SPA_POST}" in rows[("police_oversight", SPA)]
    assert f"print and post: {escape(BOARD_POST)}" in rows[("police_oversight", "N99999999")]
    # The 2026-12-04 corrections, each with the review reason the data gives it.
    notts = rows[("police_oversight", "E23000019")]
    suffolk = rows[("police_oversight", "E23000025")]
    assert "officepcc@notts.police.uk" in notts and "replaces a WhatDoTheyKnow record" in notts
    assert "spcc@suffolk.police.uk" in suffolk and "complaints page" in suffolk
    page = editor.get(edit_path("police_oversight", SPA)).get_data(as_text=True)
    assert f'value="{SPA_POST}"' in page
    assert "Why: no published email for the Scottish Police Authority" in page


def test_staff_correct_a_postal_address_and_letters_carry_it(app, client, editor):
    assert letters(client, **SEVENOAKS)["police_oversight"]["recipient"]["postal_address"] is None
    response = post_edit(editor, "police_oversight", KENT, postal_address=f" {KENT_POST} ")
    assert response.status_code == 302
    assert stored(app, "police_oversight", KENT).fields == {"postal_address": KENT_POST}
    (kent,) = [r for r in listing(editor, role="police_oversight") if r[1] == KENT]
    assert f"post: {KENT_POST}" in kent[3] and "changed: postal_address" in kent[3]
    page = editor.get(edit_path("police_oversight", KENT)).get_data(as_text=True)
    assert KENT_POST in compare_row(page, "Postal address")
    after = letters(client, **SEVENOAKS)["police_oversight"]["recipient"]
    assert after["postal_address"] == KENT_POST
    assert after["email"] == "contactyourpcc@kent.police.uk"  # still emailed: no print and post


def test_a_postal_address_alone_is_a_route(app, editor):
    response = post_edit(
        editor, "police_oversight", MET, email="", website="", postal_address="City Hall, London"
    )
    assert response.status_code == 302
    assert stored(app, "police_oversight", MET).fields == {
        "website": None,
        "postal_address": "City Hall, London",
    }


@pytest.mark.parametrize(
    "typed",
    (
        "1 Pacific Quay\nGlasgow G51 1DZ",
        "1 Pacific Quay\rGlasgow",
        "1 Pacific Quay\tGlasgow",
        "1 Pacific Quay\x07",
        "1 Pacific Quay\u202eGlasgow",
        "1 Pacific Quay\x00",
    ),
)
def test_a_postal_address_with_control_characters_is_refused(app, editor, typed):
    response = post_edit(editor, "police_oversight", SPA, postal_address=typed)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="field-error" id="postal_address-error">(.*?)</p>', html, re.S)
    assert error and "Use commas between the parts" in error.group(1)
    assert stored_count(app) == 0
