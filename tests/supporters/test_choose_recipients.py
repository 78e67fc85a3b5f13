"""The supporter chooses whom to write to: boxes on the choose step, ``recipients`` in the API.

Everyone is ticked at first (the choose step is kept per place and is the same for everyone);
at least one must stay ticked; only the letters written are drafted and counted.
"""

import html
import re

import pytest

from advocacy.places import overrides
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import RecipientTally
from advocacy.platform.models import Tally
from advocacy.platform.models import db

SLUG = "stop-facial-recognition"
API = f"/api/v1/campaigns/{SLUG}/letters"
PAGE = f"/c/{SLUG}"
LETTERS = f"/c/{SLUG}/letters"
CITIES = {"constituency_code": "E14001172", "pfa_code": "E23000001"}
SUPPORTER = {"name": "Ann Example", "talking_points": ["accuracy"]}
MP = ("mp", "E14001172")
FORCE = ("police_force", "E23000001")
OVERSIGHT = ("police_oversight", "E23000001")
HOME_SECRETARY = {
    "name": "Home Secretary",
    "email": "home.secretary@example.org",
    "contact_url": None,
    "salutation": "Home Secretary",
    "nations": [],
}
OFFERED = {"recipients-offered": "1"}  # the choose step's marker: it showed the boxes


def set_row(app, **values) -> None:
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def counted(app) -> tuple[int, set[tuple]]:
    """Letters drafted (the campaign's count) and each recipient's (role, code, total)."""
    with app.app_context():
        letters = db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(Tally.total), 0)).where(Tally.event == "letters")
        )
        rows = db.session.execute(db.select(RecipientTally)).scalars()
        return letters, {(r.role, r.code, r.total) for r in rows if r.event == "letters"}


def api(client, **extra):
    return client.post(API, json={**CITIES, **SUPPORTER, **extra})


def roles(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["recipient"]["role"] for item in response.get_json()["letters"]]


def letter_headings(page: str) -> list[str]:
    return re.findall(r'<h2 id="letter-\d+-title">\d+\. To (.*?)</h2>', page)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- the API ---------------------------------------------------------------------------------


def test_without_recipients_the_api_writes_to_everyone(client):
    assert roles(api(client)) == ["mp", "police_oversight", "police_force"]


@pytest.mark.parametrize(
    ("wanted", "written"),
    (
        (["mp"], ["mp"]),
        (["police_force", "police_oversight"], ["police_oversight", "police_force"]),
        (["mp", "mp"], ["mp"]),
    ),
)
def test_the_api_writes_only_to_the_recipients_asked_for_and_counts_them(
    app, client, wanted, written
):
    assert roles(api(client, recipients=wanted)) == written  # in the campaign's order
    letters, recipients = counted(app)
    keys = {"mp": MP, "police_force": FORCE, "police_oversight": OVERSIGHT}
    assert letters == 1
    assert recipients == {(*keys[role], 1) for role in written}


@pytest.mark.parametrize(
    ("wanted", "message"),
    (
        (["mep"], "Unknown recipient 'mep'"),
        (["mp", "Police_Force"], "Unknown recipient 'Police_Force'"),
        (["fixed:home-secretary"], "Unknown recipient 'fixed:home-secretary'"),
        ([], "Select at least one person to write to."),
        ("mp", "Send a list of roles"),
        ([1], "Send a list of roles"),
        ([None], "Send a list of roles"),
    ),
)
def test_an_unknown_recipient_is_a_400_that_names_it(app, client, wanted, message):
    response = api(client, recipients=wanted)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"]["code"] == "invalid_input"
    (said,) = body["error"]["fields"]["recipients"]
    assert message in said
    if message.startswith("Unknown"):
        assert "'mp', 'police_oversight', 'police_force'" in said  # what it may name
    assert counted(app) == (0, set())


def test_a_role_the_campaign_does_not_target_is_unknown_to_it(app, client):
    set_row(app, targets=["mp"])
    response = api(client, recipients=["police_force"])
    assert response.status_code == 400
    (said,) = response.get_json()["error"]["fields"]["recipients"]
    assert said == "Unknown recipient 'police_force': this campaign writes to 'mp'."


def test_fixed_recipients_by_id_or_all_together(app, client):
    set_row(app, fixed_recipients=[HOME_SECRETARY])
    assert roles(api(client)) == ["mp", "police_oversight", "police_force", "fixed"]
    assert roles(api(client, recipients=["fixed:home-secretary"])) == ["fixed"]
    assert roles(api(client, recipients=["fixed"])) == ["fixed"]
    assert roles(api(client, recipients=["mp", "fixed:home-secretary"])) == ["mp", "fixed"]
    assert counted(app) == (
        4,
        {("fixed", "home-secretary", 4), (*MP, 2), (*FORCE, 1), (*OVERSIGHT, 1)},
    )
    response = api(client, recipients=["fixed:chancellor"])
    assert response.status_code == 400
    assert "'fixed:chancellor'" in response.get_json()["error"]["fields"]["recipients"][0]


# --- the choose step ---------------------------------------------------------------------------


def boxes(page: str) -> dict[str, bool]:
    """The choose step's recipient boxes: value → ticked."""
    return {
        value: " checked" in tag
        for tag in re.findall(r'<input type="checkbox" id="recipient-\d+"[^>]*>', page)
        for value in re.findall(r'value="([^"]+)"', tag)
    }


def choose_page(client):
    return client.get(PAGE, query_string={"constituency": "E14001172", "pfa": "E23000001"})


def test_the_choose_step_offers_everyone_ticked(client):
    page = text(choose_page(client))
    assert boxes(page) == {"mp": True, "police_oversight": True, "police_force": True}
    assert '<input type="hidden" name="recipients-offered" value="1">' in page
    assert "Untick anyone you don't want to write to." in page
    # Each box is labelled by the name; how the letter reaches them describes it.
    assert (
        re.search(r'id="recipient-3"[^>]*aria-describedby="recipient-3-route"', page)
        and 'id="recipient-3-route"' in page
    )


def test_the_choose_step_offers_fixed_recipients_by_id(app, client):
    set_row(app, fixed_recipients=[HOME_SECRETARY])
    assert boxes(text(choose_page(client)))["fixed:home-secretary"] is True


def test_writing_to_the_mp_only(app, client):
    data = {**CITIES, **SUPPORTER, **OFFERED, "recipients": ["mp"]}
    response = client.post(LETTERS, data=data)
    page = text(response)
    assert response.status_code == 200
    assert letter_headings(page) == ["Rachel Blake MP"]
    # Carried on, so "update", ".eml", "print" and "change my answers" keep the choice.
    assert '<input type="hidden" name="recipients" value="mp">' in page
    assert '<input type="hidden" name="recipients-offered" value="1">' in page
    # The reply link asks about the MP only.
    assert re.findall(r'<input type="hidden" name="r" value="([^"]+)">', page) == ["mp:E14001172"]
    assert counted(app) == (1, {(*MP, 1)})
    # Re-linking an edit draws the same one letter and counts nothing more.
    edited = {**data, "subject-0": "Mine", "body-0": "Dear Rachel Blake,\n\nMine."}
    assert letter_headings(text(client.post(LETTERS, data=edited))) == ["Rachel Blake MP"]
    assert counted(app) == (1, {(*MP, 1)})


def test_change_my_answers_keeps_the_choice(client):
    data = {**CITIES, **SUPPORTER, **OFFERED, "recipients": ["police_force"], "change": "1"}
    page = text(client.post(LETTERS, data=data))
    assert boxes(page) == {"mp": False, "police_oversight": False, "police_force": True}


def test_unticking_everyone_is_an_error_next_to_the_boxes_keeping_what_was_typed(app, client):
    data = {
        **CITIES,
        **OFFERED,
        "name": "Ann Example",
        "address": "1 Any Street",
        "talking_points": ["accuracy"],
        "answer-why": "My own words.",
    }
    response = client.post(LETTERS, data=data)
    assert response.status_code == 400
    page = text(response)
    assert page.count("Select at least one person to write to.") == 2  # summary and field
    assert '<a href="#recipient-1">Select at least one person to write to.</a>' in page
    assert re.search(
        r'<p class="field-error" id="recipients-error"><span class="visually-hidden">Error:'
        r"</span> Select at least one person to write to.</p>",
        page,
    )
    assert 'aria-describedby="recipients-hint recipients-error"' in page
    assert boxes(page) == {"mp": False, "police_oversight": False, "police_force": False}
    assert 'value="Ann Example"' in page and 'value="1 Any Street"' in page
    assert ">My own words.</textarea>" in page
    assert re.search(r'value="accuracy" checked', page)
    assert page.startswith("<!doctype html>") and "<title>Error: " in page
    assert counted(app) == (0, set())


def test_a_form_from_before_the_boxes_writes_to_everyone(client):
    """No marker: a page opened before the boxes existed. Not an error: everyone, as before."""
    page = text(client.post(LETTERS, data={**CITIES, **SUPPORTER}))
    assert len(letter_headings(page)) == 3


def test_a_choice_of_nobody_at_this_place_is_asked_again(app, client):
    """Only a fixed recipient ticked who is no longer in the campaign: the boxes again."""
    set_row(app, fixed_recipients=[HOME_SECRETARY])
    data = {**CITIES, **SUPPORTER, **OFFERED, "recipients": ["fixed:home-secretary"]}
    assert letter_headings(text(client.post(LETTERS, data=data))) == ["Home Secretary"]
    set_row(app, fixed_recipients=[])
    response = client.post(LETTERS, data=data)
    assert response.status_code == 400
    assert "Unknown recipient 'fixed:home-secretary'" in text(response)


def test_in_an_embed_the_choice_holds_and_stays_in_the_frame(app, client):
    data = {**CITIES, **SUPPORTER, **OFFERED, "recipients": ["police_oversight"]}
    response = client.post(f"/embed/{SLUG}/letters", data=data)
    page = text(response)
    assert letter_headings(page) == ["the Mayor's Office for Policing and Crime (Mayor of London)"]
    assert f'action="/embed/{SLUG}/letters"' in page
    empty = client.post(f"/embed/{SLUG}/letters", data={**data, "recipients": []})
    assert empty.status_code == 400
    assert f'action="/embed/{SLUG}/letters"' in text(empty)
    assert counted(app) == (1, {(*OVERSIGHT, 1)})


def test_the_kept_choose_step_is_never_the_one_with_an_error(app, client):
    """The choose step is rendered once per place and kept: a supporter's unticked boxes and
    error must never reach the next supporter."""
    first = choose_page(client).get_data(as_text=True)
    error = client.post(LETTERS, data={**CITIES, **SUPPORTER, **OFFERED})
    assert error.status_code == 400
    again = choose_page(client)
    assert again.get_data(as_text=True) == first
    assert all(boxes(text(again)).values())
    assert "Select at least one" not in again.get_data(as_text=True)


def test_a_choice_with_nobody_named_at_this_place_is_a_400(app, client):
    """A body with no name (a vacancy, say) has no letter: choosing only it writes nothing."""
    with app.app_context():
        overrides.save("police_force", "E23000001", {"name": ""}, "t")
    response = api(client, recipients=["police_force"])
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["recipients"] == [
        "There is nobody to write to for 'police_force' in Cities of London and Westminster."
    ]
    page = client.post(
        LETTERS, data={**CITIES, **SUPPORTER, **OFFERED, "recipients": ["police_force"]}
    )
    assert page.status_code == 400
    assert "Select at least one person to write to." in text(page)
    assert counted(app) == (0, set())
