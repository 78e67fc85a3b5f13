"""Print and post in Chromium: the letter printed to PDF, one letter per page, both addresses.

Aberdeen's letters go to the Scottish Police Authority, which publishes a postal address and no
email. The PDF is what Chromium's print gives (page.pdf() prints with the print stylesheet);
pypdf reads each page's text back.
"""

import io
import os
import unicodedata

import pytest
from pypdf import PdfReader
from supporter_steps import axe_violations
from supporter_steps import describe
from supporter_steps import find_by_postcode
from supporter_steps import submit

from advocacy.places import overrides

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Python playwright is not installed", allow_module_level=True)

ABERDEEN = "AB10 1AB"
ADDRESS = "2 Union Street, Aberdeen"
SCOTLAND = "S23000009"
POLICE_SCOTLAND_POST = "Police Scotland, Tulliallan Castle, Kincardine, Alloa FK10 4BE"
SPA_BLOCK = ("Scottish Police Authority", "1 Pacific Quay", "Glasgow", "G51 1DZ")
FORCE_BLOCK = ("Police Scotland", "Tulliallan Castle", "Kincardine", "Alloa", "FK10 4BE")


def aberdeen_letters(page, campaign_url: str, address: str = ADDRESS) -> None:
    find_by_postcode(page, campaign_url, ABERDEEN)
    page.get_by_label("Your name").fill("Ann Example")
    if address:
        page.get_by_label("Your address (optional)").fill(address)
    submit(page, page.get_by_role("button", name="Write my letters"))


def opened_by(page, button):
    """The tab a button with formtarget=_blank opens, loaded."""
    with page.context.expect_page() as opened:
        button.click()
    tab = opened.value
    tab.wait_for_load_state()
    return tab


def pdf_pages(page) -> list[str]:
    """The text of each page of the PDF Chromium prints of ``page`` (ligatures as letters)."""
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in reader.pages]


def has_block(text: str, block) -> bool:
    """Every line of an address block, in order, on the page."""
    at = 0
    for line in block:
        at = text.find(line, at)
        if at < 0:
            return False
    return True


@pytest.fixture
def police_scotland_by_post(live_server):
    """Police Scotland takes letters by post too (a staff correction), so two letters print."""
    with live_server.app.app_context():
        overrides.save("police_force", SCOTLAND, {"postal_address": POLICE_SCOTLAND_POST}, "t")
    yield
    with live_server.app.app_context():
        overrides.revert("police_force", SCOTLAND)


def test_print_and_post_without_javascript(page_nojs, campaign_url, stub, shot):
    page = page_nojs
    aberdeen_letters(page, campaign_url)
    button = page.get_by_role("button", name="Print and post your letter to the Scottish Police")
    expect(button).to_be_visible()
    printed = opened_by(page, button)
    expect(printed.get_by_role("heading", level=1)).to_have_text("Print and post your letter")
    shot(printed, "print-page")
    (text,) = pdf_pages(printed)  # one letter: one sheet
    assert has_block(text, ("Ann Example", "2 Union Street", "Aberdeen", "AB10 1AB")), text
    assert has_block(text, SPA_BLOCK), text
    assert "Dear Chair," in text and "Yours sincerely" in text
    # Only the letter: none of the page's instructions, header or footer on paper.
    assert "Print and post" not in text and "We don't store" not in text
    assert "Your address on this letter" not in text


def test_print_all_puts_each_letter_on_its_own_page(
    browsing, campaign_url, stub, police_scotland_by_post
):
    page = browsing.page
    aberdeen_letters(page, campaign_url, address="")
    printed = opened_by(page, page.get_by_role("button", name="Print all 2 letters to post"))
    fields = printed.get_by_label("Your address on this letter")
    expect(fields).to_have_count(2)
    expect(fields.first).to_have_value("Ann Example\nAB10 1AB")
    asked = len(browsing.requests)
    # Typed once, on the page only: every letter has it, and nothing is sent anywhere.
    fields.first.fill("Ann Example\nFlat 3, 9 Crown Street\nAberdeen\nAB10 1AB")
    expect(fields.nth(1)).to_have_value("Ann Example\nFlat 3, 9 Crown Street\nAberdeen\nAB10 1AB")
    pages = pdf_pages(printed)
    assert len(browsing.requests) == asked
    assert len(pages) == 2, pages
    for text in pages:
        assert has_block(text, ("Ann Example", "Flat 3, 9 Crown Street", "Aberdeen")), text
    spa, force = sorted(pages, key=lambda text: "Pacific Quay" not in text)
    assert has_block(spa, SPA_BLOCK) and "Tulliallan" not in spa
    assert has_block(force, FORCE_BLOCK) and "Pacific Quay" not in force
    assert "Dear Chair," in spa and "Dear Chief Constable," in force


@pytest.mark.parametrize("step", ("letters", "print"))
def test_axe_finds_no_violations_in_print_and_post(page_axe, campaign_url, stub, step):
    aberdeen_letters(page_axe, campaign_url)
    page = page_axe
    if step == "print":
        button = page.get_by_role("button", name="Print and post your letter to the Scottish")
        page = opened_by(page_axe, button)
        expect(page.get_by_role("button", name="Print this letter")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], f"axe-core on the {step} page:\n{describe(violations)}"
