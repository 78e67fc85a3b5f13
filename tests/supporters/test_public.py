"""Supporter pages through the test client: every step and every error path."""

import email
import email.policy
import re
from html import unescape
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest

from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db

SLUG = "stop-facial-recognition"
PAGE = f"/c/{SLUG}"
LETTERS = f"/c/{SLUG}/letters"


def choices(**changes):
    data = {
        "postcode": "SE1 2DL",
        "name": "Ann Example",
        "address": "1 High Street, London",
        "talking_points": ["accuracy", "cost"],
        "answer-why": "My son was stopped & searched.",
        "answer-local": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def hrefs(response, kind: str) -> list[str]:
    html = response.get_data(as_text=True)
    return [unescape(h) for h in re.findall(rf'href="([^"]*)" data-link="{kind}"', html)]


def set_status(app, status):
    with app.app_context():
        db.session.execute(db.update(CampaignRow).values(status=status))
        db.session.commit()


def test_index_lists_live_campaigns(client, app):
    assert "Stop police live facial recognition" in text(client.get("/"))
    set_status(app, "draft")
    assert "no open campaigns" in text(client.get("/"))


def test_campaign_page(client, postcodes_io):
    response = client.get(PAGE)
    assert response.status_code == 200
    page = text(response)
    assert '<form class="step" method="get"' in page
    assert 'name="postcode"' in page
    # Field attributes reach the page as attributes, not as escaped text.
    assert 'maxlength="16" class="input--postcode"' in response.get_data(as_text=True)
    assert len(postcodes_io.calls) == 0


def test_postcode_step_shows_recipients_in_plain_words(client, postcodes_io):
    page = text(client.get(PAGE, query_string={"postcode": "se12dl"}))
    assert "Your MP" in page and "Neil Coyle" in page and "(Labour)" in page
    assert "Your police force" in page and "Metropolitan Police Service" in page
    assert "The body that oversees your police force" in page
    # MOPAC and the Met have no public address: say what happens instead.
    assert page.count("No public email address") == 2
    assert '<input type="hidden" name="postcode" value="SE1 2DL">' in page


def test_default_talking_points_are_ticked(client, postcodes_io):
    page = text(client.get(PAGE, query_string={"postcode": "SE1 2DL"}))
    assert re.search(r'value="what-is-lfr" checked', page)
    assert not re.search(r'value="cost" checked', page)


@pytest.mark.parametrize(
    ("postcode", "status", "message"),
    (
        ("FOO", 400, "Enter a full UK postcode"),
        ("ID1 1QE", 404, "find"),
        ("AB1 0AA", 404, "1996"),
        ("JE2 4WD", 422, "The Channel Islands are Crown Dependencies"),
        ("BFPO 1234", 422, "British Forces"),
        ("BF1 4FB", 422, "British Forces"),
    ),
)
def test_postcode_errors_are_next_to_the_field_with_the_value_kept(
    client, postcodes_io, postcode, status, message
):
    response = client.get(PAGE, query_string={"postcode": postcode})
    assert response.status_code == status
    page = text(response)
    assert "There is a problem" in page
    assert message in page
    assert 'id="postcode-error"' in page
    assert 'aria-describedby="postcode-hint postcode-error"' in page
    assert f'value="{postcode}"' in page
    # Never a dead end: the lists are offered too (outside the UK, the link to them).
    if postcode.startswith("JE"):
        assert 'id="constituency"' not in page and "from a list instead" in page
    else:
        assert 'id="constituency"' in page


def test_lookup_down_offers_the_lists(client, postcodes_io):
    response = client.get(PAGE, query_string={"postcode": "SW1A 1AA"})
    assert response.status_code == 200
    page = text(response)
    assert "couldn't look up your postcode" in page
    assert "There is a problem" not in page and "aria-invalid" not in page
    assert page.count("<optgroup") == 4
    assert page.count('<option value="E14') == 543
    assert page.count('<option value="S14') == 57
    assert len(re.findall(r'<option value="[ENSW]\d{8}"', page)) == 650 + 45


def test_manual_choice_goes_on_to_choose_step(client, postcodes_io):
    response = client.get(PAGE, query_string={"constituency": "S14000061", "pfa": "S23000009"})
    page = text(response)
    assert response.status_code == 200
    assert "Douglas Lumsden" in page and "Police Scotland" in page
    assert "Scottish Police Authority" in page
    assert '<input type="hidden" name="constituency_code" value="S14000061">' in page


@pytest.mark.parametrize(
    "query", ({"constituency": "E14009999", "pfa": "E23000001"}, {"constituency": "E14001085"})
)
def test_manual_choice_with_bad_codes(client, query):
    response = client.get(PAGE, query_string=query)
    assert response.status_code == 400
    assert "There is a problem" in text(response)


def test_unknown_campaign(client):
    response = client.get("/c/no-such-campaign")
    assert response.status_code == 404
    assert "We can't find that campaign" in text(response)


def test_draft_campaign_is_not_found(client, app):
    set_status(app, "draft")
    assert client.get(PAGE).status_code == 404
    assert client.post(LETTERS, data=choices()).status_code == 404


def test_closed_campaign_explains_itself(client, app, postcodes_io):
    set_status(app, "closed")
    for response in (client.get(PAGE), client.post(LETTERS, data=choices())):
        assert response.status_code == 410
        assert "This campaign has closed" in text(response)


def test_letters_page(client, postcodes_io):
    response = client.post(LETTERS, data=choices())
    assert response.status_code == 200
    page = text(response)
    assert page.count("data-letter ") == 3
    assert "1. To Neil Coyle" in page
    assert "My son was stopped & searched." in page
    assert "Ann Example\n1 High Street, London\nSE1 2DL</textarea>" in page
    assert "Open their contact page" in page  # the Met takes letters through its website
    assert 'name="eml" value="0"' in page
    assert "data-update" in page
    assert "of this letter is in your own words" in page


def test_mailto_target_top_and_webmail_in_new_tab(client, postcodes_io):
    html = client.post(LETTERS, data=choices()).get_data(as_text=True)
    assert re.search(r'data-link="mailto" data-send\s+target="_top"', html)
    assert re.search(r'data-link="gmail" data-send\s+target="_blank" rel="noopener"', html)


def test_update_links_rebuilds_them_for_edited_text(client, postcodes_io):
    subject = "Please act: 100% + more & #now é"
    body = "Dear Neil,\r\n\r\nTom & Jerry say 1+1=2 #true"
    response = client.post(LETTERS, data=choices(**{"subject-0": subject, "body-0": body}))
    (mailto,) = hrefs(response, "mailto")[:1]
    parts = urlsplit(mailto)
    assert parts.path == "neil.coyle.mp@parliament.uk"
    query = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    assert unquote(query["subject"]) == subject
    assert unquote(query["body"]) == body
    assert "data-too-long hidden" in response.get_data(as_text=True)


def test_too_long_letter_offers_copy_and_open(client, postcodes_io):
    response = client.post(LETTERS, data=choices(**{"subject-0": "Hi", "body-0": "word " * 600}))
    html = response.get_data(as_text=True)
    first = html.index("data-too-long")
    assert html[first : first + len("data-too-long>")] == "data-too-long>"  # shown, not hidden
    mailto = hrefs(response, "mailto")[0]
    assert mailto.endswith("?subject=Hi&body=")


def test_eml_download_has_the_edited_letter(client, postcodes_io):
    response = client.post(
        LETTERS, data=choices(**{"subject-0": "Café rules", "body-0": "Hello & bye", "eml": "0"})
    )
    assert response.status_code == 200
    assert response.mimetype == "message/rfc822"
    assert response.headers["Content-Disposition"] == 'attachment; filename="cafe-rules.eml"'
    message = email.message_from_bytes(response.data, policy=email.policy.default)
    assert message["To"] == "neil.coyle.mp@parliament.uk"
    assert message["Subject"] == "Café rules"
    assert message.get_content().strip() == "Hello & bye"


def test_eml_for_a_letter_that_is_not_there(client, postcodes_io):
    assert client.post(LETTERS, data=choices(eml="9")).status_code == 400


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    (
        ({"name": ""}, "name", "Enter your name."),
        ({"name": "x" * 101}, "name", "to 100 characters or fewer"),
        ({"talking_points": []}, "points", "Tick at least one point"),
        ({"answer-why": "x" * 2001}, "answer-why", "to 2000 characters or fewer"),
        ({"address": "a\x00b"}, "address", "characters we can't put in a letter"),
    ),
)
def test_choose_step_errors_keep_everything_typed(client, postcodes_io, changes, field_id, message):
    response = client.post(LETTERS, data=choices(**changes))
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert f'href="#{field_id}"' in page
    assert message in page
    assert f'id="{field_id}-error"' in page
    if "answer-why" not in changes:
        assert "My son was stopped & searched.</textarea>" in page
    if "name" not in changes:
        assert 'value="Ann Example"' in page
    assert 'value="accuracy" checked' in page or "talking_points" in changes


def test_letters_when_lookup_fails_on_post_goes_back_to_lists(client, postcodes_io):
    response = client.post(LETTERS, data=choices(postcode="SW1A 1AA"))
    assert response.status_code == 400
    assert 'id="constituency"' in text(response)


def test_letters_for_chosen_areas(client):
    data = choices(
        postcode=None,
        constituency_code="N05000018",
        pfa_code="N99999999",
        talking_points=["what-is-lfr"],  # a point for every nation
    )
    page = text(client.post(LETTERS, data=data))
    # West Tyrone's MP publishes no email: copy and open the contact page instead.
    assert "There is no public email address for Órfhlaith Begley MP." in page
    assert "Open their contact page" in page
    assert "https://members.parliament.uk/member/4697/contact" in page
    assert "Northern Ireland Policing Board" in page


def test_letters_headings_name_people_and_organisations_as_they_read(client, postcodes_io):
    page = text(client.post(LETTERS, data=choices()))
    assert "1. To Neil Coyle MP</h2>" in page
    assert "To the Mayor's Office for Policing and Crime (Mayor of London)</h2>" in page
    assert "To the Metropolitan Police Service</h2>" in page
    assert "Dear Deputy Mayor," in page and "Dear Commissioner," in page


def test_force_with_only_a_website_is_not_given_a_contact_page(client):
    """South Wales Police: only its home page is known, so say so in plain words."""
    data = choices(postcode=None, constituency_code="W07000089", pfa_code="W15000003")
    response = client.post(LETTERS, data=data)
    page = text(response)
    assert response.status_code == 200
    assert (
        "There is no public email address for South Wales Police. Copy your letter, then go to "
        "their website and use Contact us on their site to send it." in page
    )
    assert re.search(r'href="https://www.south-wales.police.uk/"[^>]*>Go to their website', page)
    assert "contact page" not in page


def test_choose_step_names_organisations_with_their_article(client):
    page = text(client.get(PAGE, query_string={"constituency": "S14000061", "pfa": "S23000009"}))
    assert "<strong>The Scottish Police Authority</strong>" in page
    assert "<strong>Douglas Lumsden MP</strong>" in page
    # Police Scotland publishes no contact page: its website, called that. The authority
    # publishes a postal address and no email: print and post.
    assert re.search(r"use Contact us on <a href=\"https://www.scotland.police.uk/\"", page)
    assert "you'll print your letter and post it to them." in page
    assert "contact page" not in page


def test_thanks_page_has_share_links_and_next_ask(client):
    page = text(client.get(f"/c/{SLUG}/thanks"))
    assert "Thank you" in page
    assert f"http://localhost/c/{SLUG}" in page
    assert "https://wa.me/?text=" in page


@pytest.mark.parametrize(
    "path", ("/", PAGE, f"{PAGE}?postcode=SE1+2DL", f"{PAGE}?postcode=FOO", f"/c/{SLUG}/thanks")
)
def test_pages_are_private_and_unframeable(client, postcodes_io, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and " onclick" not in html
    assert not re.search(r'(src|href)="https?://(?!localhost)[^"]*\.(js|css)', html)
    assert '<html lang="en-GB">' in html
    assert 'class="skip-link" href="#main"' in html


def test_letters_post_sets_no_cookie(client, postcodes_io):
    response = client.post(LETTERS, data=choices())
    assert "Set-Cookie" not in response.headers


PAGE_WEIGHT_LIMIT = 60 * 1024


@pytest.mark.parametrize(
    "request_args",
    (
        ("get", "/", None),
        ("get", PAGE, None),
        ("get", f"{PAGE}?postcode=SE1+2DL", None),
        ("get", f"{PAGE}?postcode=SW1A+1AA", None),  # lookup down: the 650 constituencies
        ("post", LETTERS, "letters"),
        ("get", f"/c/{SLUG}/thanks", None),
    ),
)
def test_page_weight_with_css_and_js_is_under_60kb(client, postcodes_io, request_args):
    method, path, data = request_args
    response = getattr(client, method)(path, data=choices() if data else None)
    html = response.get_data()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html.decode())
    total = len(html)
    for asset in assets:
        with client.get(asset) as served:
            total += len(served.get_data())
    assert assets  # the CSS and JS are counted
    assert total < PAGE_WEIGHT_LIMIT, total


def test_letters_without_any_place_asks_for_one(client):
    response = client.post(LETTERS, data=choices(postcode=""))
    assert response.status_code == 400
    assert "Enter your postcode, or choose your constituency and police force." in text(response)
    assert 'id="constituency"' in text(response)
