"""Pages a supporter trusts at a glance: who runs the site, what happens to their details,
sharing previews, sources, plain error messages, and steps that keep what they typed."""

import html
import json
import re

import pytest
from app_config import settings_for

from advocacy import create_app

SLUG = "stop-facial-recognition"
PAGE = f"/c/{SLUG}"
CHOICES = {
    "constituency_code": "E14001172",
    "pfa_code": "E23000001",
    "name": "Ann Example",
    "address": "1 Any Street",
    "talking_points": ["accuracy"],
    "answer-why": "I walk past the cameras.",
}


@pytest.fixture
def branded(tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    app = create_app(
        settings_for(
            tmp_path / "b.sqlite",
            SITE_NAME="Privacy Now",
            SITE_LOGO="logo.png",
            SITE_CONTACT_EMAIL="hello@privacynow.example",
            SITE_PRIVACY_URL="https://privacynow.example/privacy",
            POSTCODES_IO_URL="https://postcodes.privacynow.example",
            POSTCODES_CACHE_TTL=7200,
        )
    )
    app.instance_path = str(tmp_path / "instance")
    return app.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


def test_every_page_says_who_runs_it(branded):
    for path in (PAGE, "/", "/privacy"):
        page = text(branded.get(path))
        assert (
            '<a class="site-name" href="/"><img class="site-logo" src="/site-logo" alt="">' in page
        )
        assert "Privacy Now</a>" in page
        assert "Write to the people who decide" not in page
        assert "Run by Privacy Now" in page and "hello@privacynow.example" in page
        assert 'href="/privacy">How we handle your details</a>' in page
    with branded.get("/site-logo") as logo:
        assert logo.status_code == 200 and logo.data.startswith(b"\x89PNG")


def test_a_logo_outside_the_instance_folder_is_never_served(tmp_path):
    app = create_app(settings_for(tmp_path / "c.sqlite", SITE_LOGO="../../etc/passwd"))
    client = app.test_client()
    assert client.get("/site-logo").status_code == 404
    assert "site-logo" not in text(client.get(PAGE))


def test_the_privacy_page_is_true_of_the_settings(branded, client):
    page = text(branded.get("/privacy"))
    # It names the postcode lookup actually configured, and how long answers stay in memory.
    assert "<strong data-lookup-host>postcodes.privacynow.example</strong>" in page
    assert "api.postcodes.io" not in page
    assert "up to 2 hours" in page
    assert 'href="https://privacynow.example/privacy"' in page
    default = text(client.get("/privacy"))
    assert "<strong data-lookup-host>postcodes.test</strong>" in default  # the tests' setting
    assert "up to 6 hours" in default
    assert "own privacy policy" not in default  # none set, none claimed
    # Its claims about what is counted match what the counter keeps.
    from advocacy.platform import tally

    assert tally.EVENTS == ("letters", "sent") and tally.CHANNELS == ("page", "embed", "api")
    assert "how many letters are written and how many people say they sent them" in default


def test_the_postcode_box_links_to_the_privacy_page(client):
    page = text(client.get(PAGE))
    assert re.search(
        r'Find who to write to</button>\s*<p class="privacy-note"><a href="/privacy">', page
    )


def test_campaign_pages_carry_sharing_previews(client):
    page = text(client.get(PAGE))
    assert '<meta property="og:title" content="Stop police live facial recognition">' in page
    assert f'<meta property="og:url" content="http://localhost{PAGE}">' in page
    description = re.search(r'<meta name="description" content="([^"]+)">', page).group(1)
    assert 40 < len(description) <= 201 and "<" not in description
    assert '<meta name="twitter:card" content="summary">' in page


def test_each_point_shows_its_source(client):
    page = text(client.get(PAGE, query_string={"constituency": "E14001172", "pfa": "E23000001"}))
    sources = re.findall(
        r'<a class="source" href="(https://[^"]+)" target="_blank" rel="noopener">Source', page
    )
    assert len(sources) >= 5


def test_optional_questions_say_so(client):
    page = text(client.get(PAGE, query_string={"constituency": "E14001172", "pfa": "E23000001"}))
    assert "Why does this matter to you? (optional)" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Enter your name."),
        ({"talking_points": []}, "Tick at least one point to make."),
    ],
)
def test_errors_name_the_field(client, change, message):
    page = text(client.post(f"{PAGE}/letters", data={**CHOICES, **change}))
    assert message in page and "This is required" not in page


def test_an_empty_postcode_says_so(client, postcodes_io):
    response = client.get(PAGE, query_string={"postcode": "  "})
    assert response.status_code == 400
    assert "Enter your postcode" in text(response)
    assert 'id="postcode-error"' in text(response)
    assert len(postcodes_io.calls) == 0


def test_back_from_the_points_keeps_the_postcode(client, postcodes_io):
    choose = text(client.get(PAGE, query_string={"postcode": "SE1 2DL"}))
    back = re.search(r'<p class="back"><a href="([^"]+)"', choose).group(1)
    assert "postcode=SE1+2DL" in back.replace("%20", "+") and "change=1" in back
    calls = len(postcodes_io.calls)
    page = text(client.get(back.replace("&amp;", "&")))
    assert 'value="SE1 2DL"' in page and "Find who to write to" in page
    assert len(postcodes_io.calls) == calls  # just the box again: no lookup


def test_change_my_answers_keeps_everything(client):
    letters = text(client.post(f"{PAGE}/letters", data=CHOICES))
    assert "Change my answers</button>" in letters
    back = client.post(f"{PAGE}/letters", data={**CHOICES, "change": "1"})
    page = text(back)
    assert back.status_code == 200 and "Write my letters" in page
    assert 'value="Ann Example"' in page and 'value="1 Any Street"' in page
    assert "I walk past the cameras.</textarea>" in page
    assert re.search(r'value="accuracy" checked', page)


def test_the_force_list_knows_places_by_name(client):
    page = text(client.get(PAGE, query_string={"manual": "1"}))
    met = re.search(r'<option value="E23000001" data-aliases="([^"]*)"', page).group(1)
    assert "London" in met


def test_outside_links_in_an_embed_open_a_new_tab(app, client):
    from advocacy.platform.models import CampaignRow
    from advocacy.platform.models import db

    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        row.summary_html = '<p>See <a href="https://example.org/report">the report</a>.</p>'
        db.session.commit()
    embed = text(client.get(f"/embed/{SLUG}"))
    assert '<a href="https://example.org/report" target="_blank" rel="noopener">' in embed
    page = text(client.get(PAGE))
    assert '<a href="https://example.org/report">' in page  # on our own page: as written


def test_embed_steps_ask_to_show_the_frames_top(client):
    first = text(client.get(f"/embed/{SLUG}", query_string={"ref": "p", "theme": "green"}))
    assert "data-scroll-top" not in first  # the partner's page isn't moved on arrival
    choose = text(
        client.get(f"/embed/{SLUG}", query_string={"constituency": "E14001172", "pfa": "E23000001"})
    )
    letters = text(client.post(f"/embed/{SLUG}/letters", data=CHOICES))
    assert "data-scroll-top" in choose and "data-scroll-top" in letters


def test_the_thank_you_page_says_thank_you_once(client):
    page = text(client.get(f"{PAGE}/thanks"))
    main = page[page.index("<main") : page.index("</main>")]
    assert main.lower().count("thank you") == 1
    # The share text reads as a sentence, from the campaign's share_text, not its title.
    assert "about%20live%20facial%20recognition%20cameras.%20You%20can%20too" in main


def test_the_channel_islands_message_reads_as_a_sentence(client, postcodes_io):
    page = text(client.get(PAGE, query_string={"postcode": "JE2 4WD"}))
    assert "The Channel Islands are Crown Dependencies: they have their own police" in page
    # The UK's lists are not offered as if they applied; the link to them is, for a UK home.
    assert 'id="constituency"' not in page
    assert "from a list instead" in page


def test_each_letter_carries_its_campaign_paragraphs_for_the_own_words_count(client):
    """site.js counts the supporter's own words against ``data-stock``: each letter's
    campaign paragraphs (its signature among them), never their answer; escaped so that a
    name with markup in it reads back exactly."""
    name = 'Ann <O\'Brien> & "Co"'
    page = text(client.post(f"{PAGE}/letters", data={**CHOICES, "name": name}))
    letters = re.findall(
        r'data-stock="([^"]*)".*?<textarea id="body-\d+"[^>]*>([^<]*)</textarea>', page, re.S
    )
    assert len(letters) == 3
    for stock_attribute, body in letters:
        assert "<" not in stock_attribute and "'" not in stock_attribute
        stock = json.loads(html.unescape(stock_attribute))
        paragraphs = html.unescape(body).split("\n\n")
        assert stock and set(stock) <= set(paragraphs)
        assert f"Yours sincerely,\n{name}\n1 Any Street" in stock
        assert [p for p in paragraphs if p not in stock] == ["I walk past the cameras."]
