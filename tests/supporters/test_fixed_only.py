"""A campaign to its fixed recipients alone, the same everywhere, asks for no postcode (issue 26,
item 2): the campaign page goes straight to the letter, and so do the form and the API."""

from html import unescape

import pytest
import responses

from advocacy.letters import campaign_json
from advocacy.letters.campaigns import Campaign
from advocacy.places import postcodes
from advocacy.platform import store

SLUG = "write-to-the-home-secretary"
PAGE = f"/c/{SLUG}"
HOME_SECRETARY = {
    "name": "the Home Secretary",
    "email": "public.enquiries@homeoffice.gov.uk",
    "salutation": "Home Secretary",
}
DOCUMENT = {
    "format": "advocacy.campaign/3",
    "slug": SLUG,
    "title": "Ask the Home Secretary for a law first",
    "summary_html": "<p>Police face scanning has no law of its own. Ask for one first.</p>",
    "status": "live",
    "targets": [],
    "fixed_recipients": [HOME_SECRETARY],
    "subject_lines": ["A law before live facial recognition"],
    "opening": "I am writing about live facial recognition.",
    "talking_points": [
        {
            "id": "no-law",
            "label": "There is no law for it",
            "phrasings": ["No Act of Parliament sets out when police may scan faces."],
            "default_selected": True,
        }
    ],
    "prompts": [],
    "asks": {"fixed": "Please bring forward a law before any more use."},
    "closing": "Thank you for reading.",
    "sign_off": "Yours sincerely,",
}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def document(**changes) -> dict:
    return {**DOCUMENT, **changes}


@pytest.fixture
def fixed_only(app):
    with app.app_context():
        store.create(campaign_json.from_dict(DOCUMENT), author="test")
    return app


def test_it_needs_no_place_unless_something_in_it_differs_by_place() -> None:
    assert not campaign_json.from_dict(DOCUMENT).needs_place
    point = DOCUMENT["talking_points"][0]
    with_place = [
        document(targets=["mp"]),
        document(nations=["wales"]),
        document(opening="I live in {constituency}."),
        document(opening="My force is {force_name}."),
        document(talking_points=[point, {**point, "id": "w", "when": {"nation": ["wales"]}}]),
        document(closing="Here {force.force_name} is who would use it."),
    ]
    assert all(campaign_json.from_dict(d).needs_place for d in with_place)
    # Their own name is no place: it still needs none.
    assert not campaign_json.from_dict(document(closing="From {supporter_name}.")).needs_place


def test_the_campaign_page_asks_for_no_postcode(fixed_only, client) -> None:
    page = text(client.get(PAGE))
    main = page.split("<main")[1].split("</main>")[0]
    assert 'name="postcode"' not in page and "postcode" not in main.lower()
    assert 'name="start" value="1"' in page and "Write your letter</button>" in page


@responses.activate
def test_straight_to_the_letter_with_no_lookup(fixed_only, client) -> None:
    choose = client.get(PAGE, query_string={"start": "1"})
    assert choose.status_code == 200
    page = text(choose)
    assert "Step 1 of 2: who to write to, and what to say" in page
    assert "the Home Secretary" in page and "Choose them yourself" not in page
    assert 'name="postcode"' not in page and 'name="constituency_code"' not in page
    form = {"name": "Ann Example", "talking_points": ["no-law"], "recipients-offered": "1"}
    form["recipients"] = ["fixed:" + choose_id(page)]
    letters = client.post(f"{PAGE}/letters", data=form)
    assert letters.status_code == 200, text(letters)
    body = text(letters)
    assert "Step 2 of 2: send your letter" in body and "<h1>Your letter</h1>" in body
    assert "Dear Home Secretary," in body and "mailto:public.enquiries@homeoffice.gov.uk" in body
    assert "Please bring forward a law before any more use." in body  # asks.fixed
    assert len(responses.calls) == 0  # nothing was looked up


def choose_id(page: str) -> str:
    return page.split('name="recipients" value="fixed:')[1].split('"')[0]


def test_a_postcode_sent_anyway_is_not_used(fixed_only, client) -> None:
    """Not even looked up: nothing about where they live is needed, so nothing is asked."""
    body = {"postcode": "SW1A 2DD", "name": "Ann", "talking_points": ["no-law"]}
    response = client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body)
    assert response.status_code == 200, response.get_json()
    letters = response.get_json()["letters"]
    assert [x["recipient"]["name"] for x in letters] == ["the Home Secretary"]
    assert "SW1A" not in letters[0]["body"]


def test_the_api_needs_no_place(fixed_only, client) -> None:
    assert client.get(f"/api/v1/campaigns/{SLUG}").get_json()["needs_postcode"] is False
    example = client.get("/api/v1/campaigns/stop-facial-recognition").get_json()
    assert example["needs_postcode"] is True
    body = {"name": "Ann", "talking_points": ["no-law"]}
    response = client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["letters"][0]["to"] == ["public.enquiries@homeoffice.gov.uk"]


def test_a_campaign_that_needs_a_place_still_asks_for_one(client) -> None:
    """The example writes to MPs and police: no postcode, no letters."""
    body = {"name": "Ann", "talking_points": ["what-is-lfr"]}
    response = client.post("/api/v1/campaigns/stop-facial-recognition/letters", json=body)
    assert response.status_code == 400
    assert "postcode" in response.get_json()["error"]["fields"]


def test_nowhere_is_a_place_with_nothing_known() -> None:
    assert postcodes.NOWHERE.postcode is None and postcodes.NOWHERE.constituency_code is None
    assert isinstance(campaign_json.from_dict(DOCUMENT), Campaign)
