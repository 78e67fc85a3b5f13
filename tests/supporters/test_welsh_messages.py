"""The code's own messages in Welsh: errors, notices, the letters overview, error pages.

They are written in English where they arise (the domain has no Flask) as messages that keep
their catalogue entry and the values put into them (advocacy.letters.message), and translated
where they are shown. The API and every English page read them as the English text they are.
"""

import html
import re

import pytest
from werkzeug import exceptions

from advocacy.letters.message import N_
from advocacy.letters.message import in_words
from advocacy.letters.message import listed
from advocacy.platform import errors
from advocacy.platform import languages

SLUG = "stop-facial-recognition"
CARDIFF = {"constituency_code": "W07000089", "pfa_code": "W15000003"}
CY = {"lang": "cy"}


def text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_message_is_its_english_text_and_keeps_its_parts() -> None:
    message = N_("Please keep this to %(limit)s characters (it has %(n)s).", limit=100, n=120)
    assert message == "Please keep this to 100 characters (it has 120)."
    assert (message.msgid, dict(message.params)) == (
        "Please keep this to %(limit)s characters (it has %(n)s).",
        {"limit": 100, "n": 120},
    )
    assert in_words([N_("Wales"), N_("England"), N_("Scotland")]) == "Wales, England and Scotland"
    assert listed(["a", "b", "c"]) == "a, b, c"


def test_messages_inside_messages_are_translated_too(welsh_app) -> None:
    served = in_words([N_("Wales"), N_("England")])
    with welsh_app.test_request_context(f"/c/{SLUG}", query_string=CY):
        assert languages.translate(served) == "Cymru a Lloegr"
        assert (
            languages.translate("Some text not in the catalogue")
            == "Some text not in the catalogue"
        )
    with welsh_app.test_request_context(f"/c/{SLUG}"):
        assert languages.translate(served) == "Wales and England"


def test_a_postcode_error_in_welsh(welsh_app, postcodes_io) -> None:
    client = welsh_app.test_client()
    bad = client.get(f"/c/{SLUG}", query_string={**CY, "postcode": "nonsense"})
    assert bad.status_code == 400
    assert "Rhowch god post llawn yn y DU" in text(bad)
    gone = client.get(f"/c/{SLUG}", query_string={**CY, "postcode": "AB1 0AA"})
    assert "Daeth AB1 0AA i ben ym mis Mehefin 1996." in text(gone)
    english = client.get(f"/c/{SLUG}", query_string={"postcode": "AB1 0AA"})
    assert "AB1 0AA stopped being used in June 1996." in text(english)


def test_the_choose_step_errors_in_welsh_keep_what_was_typed(welsh_app) -> None:
    client = welsh_app.test_client()
    form = {**CARDIFF, "name": "", "address": "1 Heol y Frenhines", "talking_points": []}
    response = client.post(f"/c/{SLUG}/letters", query_string=CY, data=form)
    assert response.status_code == 400
    page = text(response)
    assert "Rhowch eich enw." in page and "Ticiwch o leiaf un pwynt i'w wneud." in page
    assert "Enter your name" not in page and "Mae problem" in page
    assert 'value="1 Heol y Frenhines"' in response.get_data(as_text=True)


def test_the_letters_overview_in_welsh(welsh_app) -> None:
    form = {**CARDIFF, "name": "Siân", "talking_points": ["what-is-lfr"]}
    response = welsh_app.test_client().post(f"/c/{SLUG}/letters", query_string=CY, data=form)
    overview = re.search(
        r'<p class="overview"><strong>(.*?)</strong>', response.get_data(as_text=True)
    )
    assert overview and re.fullmatch(r"\d llythyr: mae .+\.", html.unescape(overview[1]))


def test_an_error_page_in_welsh_and_the_studio_in_english(welsh_app) -> None:
    client = welsh_app.test_client()
    missing = client.get("/c/no-such-campaign", query_string=CY)
    assert missing.status_code == 404
    assert "Allwn ni ddim dod o hyd i'r ymgyrch honno." in text(missing)
    assert "<h1>Heb ddod o hyd iddi</h1>" in missing.get_data(as_text=True)
    studio = client.get("/admin/no-such-page", headers={"Accept-Language": "cy"})
    assert "<h1>Not Found</h1>" in studio.get_data(as_text=True)


def test_the_api_reads_messages_as_english(client) -> None:
    response = client.post(f"/api/v1/campaigns/{SLUG}/letters", json={**CARDIFF, "name": ""})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["name"] == ["Enter your name."]


@pytest.mark.parametrize("status", sorted(errors.TITLES))
def test_error_titles_and_descriptions_are_werkzeugs_own(status: int) -> None:
    """The catalogue holds Werkzeug's words: an upgrade that changes them fails here."""
    werkzeug = exceptions.default_exceptions[status]()
    assert errors.TITLES[status] == werkzeug.name
    if status in errors.DESCRIPTIONS:
        assert errors.DESCRIPTIONS[status] == werkzeug.description
