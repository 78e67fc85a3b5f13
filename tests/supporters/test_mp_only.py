"""A campaign to MPs alone never asks about the police (issue 26, item 2)."""

from html import unescape

import pytest
import responses
from test_choose_recipients import set_row

from advocacy.supporters import public

SLUG = "stop-facial-recognition"
PAGE = f"/c/{SLUG}"
BERMONDSEY = "E14001085"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def mp_only(app):
    # The campaign's own words are the staff's: here they speak of the MP only, like the page.
    set_row(app, targets=["mp"], summary_html="<p>Write to your MP about these cameras.</p>")
    return app


def test_the_postcode_step_and_the_lists_speak_of_the_mp_only(mp_only, client) -> None:
    start = text(client.get(PAGE))
    assert "We use it only to find your MP. We don't keep it." in start
    assert "Choose your constituency from a list instead" in start
    lists = text(client.get(PAGE, query_string={"manual": "1"}))
    assert 'id="constituency"' in lists and 'id="pfa"' not in lists
    assert "Or choose from the list<" in lists and "police force" not in lists.split("<main")[1]


def test_from_the_list_a_constituency_is_enough(mp_only, client) -> None:
    choose = client.get(PAGE, query_string={"constituency": BERMONDSEY, "pfa": ""})
    assert choose.status_code == 200
    page = text(choose)
    assert "Neil Coyle" in page and "Unknown police force area" not in page
    assert '<input type="hidden" name="pfa_code" value="">' in page
    form = {
        "constituency_code": BERMONDSEY,
        "pfa_code": "",
        "name": "Ann Example",
        "talking_points": ["accuracy"],
    }
    letters = client.post(f"{PAGE}/letters", data=form)
    assert letters.status_code == 200
    assert "<h1>Your letter</h1>" in text(letters)
    assert text(letters).count("data-letter ") == 1


def test_the_api_needs_no_force_area_either(mp_only, client) -> None:
    body = {"constituency_code": BERMONDSEY, "name": "Ann", "talking_points": ["accuracy"]}
    response = client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body)
    assert response.status_code == 200
    assert [x["recipient"]["role"] for x in response.get_json()["letters"]] == ["mp"]
    missing = client.post(
        f"/api/v1/campaigns/{SLUG}/letters",
        json={**body, "constituency_code": None, "pfa_code": "E23000001"},
    )
    assert missing.get_json()["error"]["fields"]["constituency_code"] == [
        "Choose your constituency (or give a postcode)."
    ]


@responses.activate
def test_when_the_lookup_is_down_it_points_to_the_one_list(mp_only, client) -> None:
    responses.get("https://postcodes.test/postcodes/SW1A1AA", status=503)
    page = text(client.get(PAGE, query_string={"postcode": "SW1A 1AA"}))
    assert "Please choose your constituency from the list below" in page
    assert "police" not in page.split('class="notice"')[1].split("</p>")[0]


def test_a_campaign_to_the_police_still_needs_the_force_from_the_lists(client) -> None:
    response = client.get(PAGE, query_string={"constituency": BERMONDSEY, "pfa": ""})
    assert response.status_code == 400
    assert "Choose your police force from the list." in text(response)
    form = {
        "constituency_code": BERMONDSEY,
        "pfa_code": "",
        "name": "Ann",
        "talking_points": ["accuracy"],
    }
    assert client.post(f"{PAGE}/letters", data=form).status_code == 400


def test_the_messages_name_the_lists_shown(app) -> None:
    with app.app_context():
        set_row(app, targets=["mp"])
        from advocacy.platform import models

        campaign = models.live_campaign(SLUG)
        assert "choose your constituency from the list below" in public.about_lists(
            public.LOOKUP_DOWN, campaign
        )


def test_the_share_text_names_whom_they_wrote_to(mp_only, client) -> None:
    page = text(client.get(f"{PAGE}/thanks"))
    assert "I've written to my MP about" in page.replace("%20", " ").replace("%27", "'")
    assert "my MP and police" not in page.replace("%20", " ")
