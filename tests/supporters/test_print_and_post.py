"""Print and post: a recipient with no email address but a postal address gets a letter to print.

The letters page offers "Print and post" for them; the button posts the letter as edited to a
page laid out for paper (both address blocks, one letter per sheet: the Chromium test in
tests/browser/test_print_and_post_browser.py prints it). The supporter's address on that page
is a field with no name in no form, so what they type there never comes back to us.
"""

import html
import re

import pytest
from werkzeug.datastructures import MultiDict

from advocacy.letters import postal
from advocacy.letters.recipient import Recipient
from advocacy.places import overrides
from advocacy.platform.models import Tally
from advocacy.platform.models import db

SLUG = "stop-facial-recognition"
LETTERS = f"/c/{SLUG}/letters"
ABERDEEN = {"constituency_code": "S14000061", "pfa_code": "S23000009"}  # SPA: by post
BELFAST = {"constituency_code": "N05000001", "pfa_code": "N99999999"}  # Policing Board: by post
CITIES = {"constituency_code": "E14001172", "pfa_code": "E23000001"}  # nobody by post
SUPPORTER = {"name": "Ann Example", "address": "2 Union Street, Aberdeen"}
SPA_LINES = ["Scottish Police Authority", "1 Pacific Quay", "Glasgow", "G51 1DZ"]
POLICE_SCOTLAND_POST = "Police Scotland, Tulliallan Castle, Kincardine, Alloa FK10 4BE"


def draft(client, place=ABERDEEN, **extra):
    data = {**place, **SUPPORTER, "talking_points": ["what-is-lfr"], **extra}
    response = client.post(LETTERS, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def page_form(page: str) -> MultiDict:
    """What the letters page's form posts back: its hidden fields and each letter's text."""
    fields = [
        (name, html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    ]
    fields += [
        (name, html.unescape(text))
        for name, text in re.findall(
            r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S
        )
    ]
    return MultiDict(fields)


def print_buttons(page: str) -> list[str]:
    return re.findall(r'<button type="submit" name="print" value="([^"]+)"', page)


def letters_counted(app) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(Tally.total), 0)).where(Tally.event == "letters")
        )


# --- postal: address blocks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "lines"),
    (
        ("1 Pacific Quay, Glasgow G51 1DZ", ["1 Pacific Quay", "Glasgow", "G51 1DZ"]),
        (
            "Waterside Tower,31 Clarendon Road , Belfast bt1 3bg",
            [
                "Waterside Tower",
                "31 Clarendon Road",
                "Belfast",
                "BT1 3BG",
            ],
        ),
        ("2 Union Street\nAberdeen", ["2 Union Street", "Aberdeen"]),
        ("SW1A 0AA", ["SW1A 0AA"]),  # a postcode alone stays as it is
        ("Flat 2, , The Mews", ["Flat 2", "The Mews"]),
        ("", []),
        (None, []),
    ),
)
def test_an_address_becomes_the_lines_of_an_envelope(address, lines):
    assert postal.lines(address) == lines


def test_the_recipient_block_names_them_once():
    spa = Recipient(
        "police_oversight", "Scottish Police Authority", None, None, "Chair",
        postal_address="Scottish Police Authority, 1 Pacific Quay, Glasgow G51 1DZ",
    )  # fmt: skip
    assert postal.recipient_block(spa) == SPA_LINES
    assert spa.by_post
    other = Recipient("fixed", "Home Secretary", None, None, "Home Secretary",
                      postal_address="2 Marsham Street, London SW1P 4DF")  # fmt: skip
    assert postal.recipient_block(other) == [
        "Home Secretary", "2 Marsham Street", "London", "SW1P 4DF",
    ]  # fmt: skip
    emailed = Recipient("police_oversight", "X", "x@example.org", None, "X", postal_address="Y")
    assert not emailed.by_post  # email first: print and post only where there is none


def test_the_sender_block_adds_the_postcode_unless_the_address_has_it():
    assert postal.sender_block("Ann", "2 Union Street, Aberdeen", "AB10 1AB") == [
        "Ann", "2 Union Street", "Aberdeen", "AB10 1AB",
    ]  # fmt: skip
    assert postal.sender_block("Ann", "2 Union St, Aberdeen AB10 1AB", "AB10 1AB") == [
        "Ann", "2 Union St", "Aberdeen", "AB10 1AB",
    ]  # fmt: skip
    assert postal.sender_block("Ann", "", None) == ["Ann"]


# --- the letters page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "heading", "lines"),
    (
        (ABERDEEN, "the Scottish Police Authority", SPA_LINES),
        (BELFAST, "the Northern Ireland Policing Board", [
            "Northern Ireland Policing Board", "Waterside Tower", "31 Clarendon Road", "Belfast",
            "BT1 3BG",
        ]),
    ),
)  # fmt: skip
def test_a_body_with_only_a_postal_address_gets_print_and_post(client, place, heading, lines):
    page = draft(client, place)
    assert f"There is no public email address for {heading}. They take letters by post" in page
    assert f'<p class="postal-address">{"<br>".join(lines)}</p>' in page
    (button,) = print_buttons(page)
    assert re.search(
        rf'name="print" value="{button}" formtarget="_blank" class="button"[^>]*>Print and post',
        page,
    )
    # Its website stays on offer, called a website, with plain words.
    assert "Or copy your letter, then use Contact us on" in page
    assert "Print all" not in page  # one letter by post: its own button is enough


def test_nobody_by_post_means_no_print_button(client):
    page = draft(client, CITIES)
    assert print_buttons(page) == []
    assert "They take letters by post" not in page


def test_the_choose_step_says_the_letter_will_be_printed(client):
    page = client.get(f"/c/{SLUG}", query_string={"constituency": "S14000061", "pfa": "S23000009"})
    text = page.get_data(as_text=True)
    assert "you'll print your letter and post it to them." in text


# --- the page to print -------------------------------------------------------------------------


def test_print_and_post_lays_out_the_edited_letter_with_both_addresses(app, client):
    page = draft(client)
    (which,) = print_buttons(page)
    form = page_form(page)
    form[f"body-{which}"] = "Dear Chair,\n\nMy own words, edited.\n\nYours sincerely,\nAnn"
    counted = letters_counted(app)
    response = client.post(LETTERS, data=MultiDict([*form.items(multi=True), ("print", which)]))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    printed = response.get_data(as_text=True)
    assert '<p class="paper-to">' + "<br>".join(SPA_LINES) + "</p>" in printed
    from_field = re.search(r'<textarea id="from-1"([^>]*)>(.*?)</textarea>', printed, re.S)
    assert from_field.group(2) == "Ann Example\n2 Union Street\nAberdeen"
    # Typed into the page only: no name to be posted under, and no form to post it.
    assert "name=" not in from_field.group(1)
    assert "<form" not in printed
    assert "My own words, edited." in printed
    assert printed.count('class="paper"') == 1
    assert letters_counted(app) == counted  # printing is not drafting again


def test_print_from_a_postcode_puts_the_postcode_in_the_supporters_block(client, postcodes_io):
    data = {"postcode": "AB10 1AB", **SUPPORTER, "talking_points": ["what-is-lfr"]}
    page = client.post(LETTERS, data=data).get_data(as_text=True)
    (which,) = print_buttons(page)
    form = page_form(page)
    printed = client.post(LETTERS, data=MultiDict([*form.items(multi=True), ("print", which)]))
    assert "Ann Example\n2 Union Street\nAberdeen\nAB10 1AB</textarea>" in printed.get_data(
        as_text=True
    )


def test_print_all_gives_every_letter_by_post_its_own_sheet(app, client):
    with app.app_context():
        overrides.save("police_force", "S23000009", {"postal_address": POLICE_SCOTLAND_POST}, "t")
    page = draft(client)
    assert sorted(print_buttons(page)) == ["1", "2", "all"]
    assert "Print all 2 letters to post" in page
    form = page_form(page)
    printed = client.post(LETTERS, data=MultiDict([*form.items(multi=True), ("print", "all")]))
    text = printed.get_data(as_text=True)
    assert text.count('class="paper"') == 2
    assert "Police Scotland<br>Tulliallan Castle<br>Kincardine<br>Alloa<br>FK10 4BE" in text
    assert "<br>".join(SPA_LINES) in text
    assert text.count('data-from spellcheck="false">Ann Example') == 2


@pytest.mark.parametrize("which", ("0", "5", "-1", "x", "", "all", "1x", "²", "١", "9" * 5000))
def test_a_letter_not_by_post_cannot_be_printed(client, which):
    """0 is the MP's letter (emailed); the others are no letter at all; "all" with nobody by
    post prints nothing. A plain 400 page, never a 500."""
    page = draft(client, CITIES if which == "all" else ABERDEEN)
    form = page_form(page)
    response = client.post(LETTERS, data=MultiDict([*form.items(multi=True), ("print", which)]))
    assert response.status_code == 400
    message = html.unescape(response.get_data(as_text=True))
    assert "That letter isn't on this page any more" in message


def test_print_from_an_embed_opens_the_full_page(client):
    data = {**ABERDEEN, **SUPPORTER, "talking_points": ["what-is-lfr"]}
    page = client.post(f"/embed/{SLUG}/letters", data=data).get_data(as_text=True)
    assert f'action="/embed/{SLUG}/letters"' in page
    (which,) = print_buttons(page)
    form = page_form(page)
    response = client.post(
        f"/embed/{SLUG}/letters", data=MultiDict([*form.items(multi=True), ("print", which)])
    )
    printed = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "data-embed" not in printed and "<br>".join(SPA_LINES) in printed
