"""The whole supporter journey in Welsh, at 390 px, with JavaScript on and off; axe-core on every
page; switching language on the letters page keeps what the supporter typed.

The app here offers Welsh (LANGUAGES=en,cy) and the example campaign has its Welsh text, so a
supporter in Cardiff reads Welsh pages and gets Welsh letters that begin "Annwyl".
"""

import re

import pytest
from playwright.sync_api import expect
from supporter_steps import axe_violations
from supporter_steps import axe_violations_without_js
from supporter_steps import describe
from supporter_steps import submit

SLUG = "stop-facial-recognition"
CARDIFF = "CF24 3AA"
NAME = "Siân Prys"
WHY = "Dydw i ddim eisiau i'm hwyneb gael ei sganio ar y ffordd i'r stadiwm"
MINE = "Fy ngeiriau fy hun, wedi'u hychwanegu at y llythyr."


@pytest.fixture
def welsh_url(welsh_server) -> str:
    return f"{welsh_server.url}/c/{SLUG}?lang=cy"


def no_violations(page, name: str, js_page=None) -> None:
    found = axe_violations_without_js(page, js_page) if js_page else axe_violations(page)
    assert found == [], f"axe-core on the Welsh {name} page:\n{describe(found)}"


def walk(page, welsh_url: str, shot, check) -> None:
    """Campaign page → postcode → points → letters → (switch to English and back) → thank you,
    every page in Welsh, checked by ``check(page, name)`` as it is reached."""
    page.goto(welsh_url)
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Atal defnydd yr heddlu o adnabod wynebau byw"
    )
    check(page, "campaign")
    shot(page, "1-campaign")
    page.get_by_label("Eich cod post").fill(CARDIFF)
    submit(page, page.get_by_role("button", name="Canfod at bwy i ysgrifennu"))
    expect(page.get_by_text("Cam 2 o 3: at bwy i ysgrifennu, a beth i'w ddweud")).to_be_visible()
    check(page, "choose")
    shot(page, "2-choose")
    page.get_by_label("Pam mae hyn yn bwysig i chi? (dewisol)").fill(WHY)
    page.get_by_label("Eich enw").fill(NAME)
    submit(page, page.get_by_role("button", name="Ysgrifennu fy llythyrau"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Eich llythyrau")
    bodies = page.locator("textarea[data-body]")
    expect(bodies).to_have_count(3)
    for i in range(3):
        expect(bodies.nth(i)).to_have_value(re.compile(r"^Annwyl .*Yn gywir,\n" + NAME, re.S))
    check(page, "letters")
    shot(page, "3-letters")

    # Switching language sends the letters as edited: the page turns English, the words stay.
    first = bodies.first
    first.fill(first.input_value() + "\n\n" + MINE)
    submit(page, page.get_by_role("button", name="English"))
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your letters")
    expect(page.locator("textarea[data-body]").first).to_have_value(re.compile(MINE))
    submit(page, page.get_by_role("button", name="Cymraeg"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Eich llythyrau")
    expect(page.locator("textarea[data-body]").first).to_have_value(re.compile(MINE))

    submit(page, page.get_by_role("button", name="Rydw i wedi anfon fy llythyrau"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Diolch")
    check(page, "thank-you")
    shot(page, "4-thanks")


def test_the_welsh_journey_with_javascript(page_axe, welsh_url, shot) -> None:
    page = page_axe  # a phone, 390 px wide, with JavaScript on
    assert page.viewport_size["width"] == 390

    def check(page, name: str) -> None:
        no_violations(page, name)
        if name == "letters":  # site.js writes its own words in Welsh too
            body = page.locator("textarea[data-body]").first
            body.fill(body.input_value() + " Un frawddeg arall.")
            expect(page.locator("[data-own-words]").first).to_contain_text("Mae tua")

    walk(page, welsh_url, shot, check)


def test_the_welsh_journey_without_javascript(page_nojs, page_axe, welsh_url, shot) -> None:
    page, js_page = page_nojs, page_axe  # axe needs JavaScript: it reads the page's HTML there

    def check(page, name: str) -> None:
        url = page.url
        no_violations(page, name, js_page)
        assert page.url == url

    walk(page, welsh_url, shot, check)
