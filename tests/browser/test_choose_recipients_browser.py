"""Choosing whom to write to, in Chromium: without JavaScript, in a partner's embed, and axe.

Every box starts ticked; unticking them all is an error next to the boxes that keeps what was
typed; the letters page then has a letter for each one ticked, and nobody else.
"""

import os

import pytest
from supporter_steps import MP_HEADING
from supporter_steps import axe_violations
from supporter_steps import describe
from supporter_steps import find_by_postcode
from supporter_steps import submit

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Python playwright is not installed", allow_module_level=True)

ERROR = "Select at least one person to write to."
MOPAC = "the Mayor's Office for Policing and Crime (Mayor of London)"


def untick_everyone(scope) -> None:
    boxes = scope.locator(".recipients input[type=checkbox]")
    expect(boxes).to_have_count(3)
    for i in range(3):
        expect(boxes.nth(i)).to_be_checked()
        boxes.nth(i).uncheck()


def test_unticking_everyone_then_writing_to_the_mp_only_without_javascript(
    page_nojs, campaign_url, stub, shot
):
    page = page_nojs
    find_by_postcode(page, campaign_url)
    page.get_by_label("Your name").fill("Ann Example")
    page.get_by_label("Why does this matter to you?").fill("My own words.")
    untick_everyone(page)
    submit(page, page.get_by_role("button", name="Write my letters"))
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text(ERROR)
    expect(page.locator("#recipients-error")).to_contain_text(ERROR)
    shot(page, "choose-error")
    # Everything typed is still there, and the link in the summary goes to the first box.
    expect(page.get_by_label("Your name")).to_have_value("Ann Example")
    expect(page.get_by_label("Why does this matter to you?")).to_have_value("My own words.")
    assert summary.get_by_role("link").get_attribute("href") == "#recipient-1"

    page.get_by_role("checkbox", name=MP_HEADING).check()
    submit(page, page.get_by_role("button", name="Write my letters"))
    headings = page.locator("section[data-letter] h2")
    expect(headings).to_have_count(1)
    expect(headings).to_have_text(f"1. To {MP_HEADING}")
    # "Change my answers" comes back with the same choice.
    submit(page, page.get_by_role("button", name="Change my answers"))
    expect(page.get_by_role("checkbox", name=MP_HEADING)).to_be_checked()
    expect(page.locator(".recipients input:checked")).to_have_count(1)


def test_in_an_embed_the_supporter_writes_to_the_police_only(watched, partners, stub):
    allowed, _ = partners
    page = watched().page
    page.goto(allowed.url)
    frame = page.frame_locator("iframe[data-advocacy-frame]")
    frame.get_by_label("Postcode").fill("SE1 2DL")
    frame.get_by_role("button", name="Find who to write to").click()
    frame.get_by_role("checkbox", name=MP_HEADING).uncheck()
    frame.get_by_label("Your name").fill("Ann Example")
    frame.get_by_role("button", name="Write my letters").click()
    headings = frame.locator("section[data-letter] h2")
    expect(headings).to_have_count(2)
    expect(headings.nth(0)).to_have_text(f"1. To {MOPAC}")
    expect(headings.nth(1)).to_have_text("2. To the Metropolitan Police Service")


def test_print_and_post_from_an_embed_opens_its_own_tab(watched, partners, stub):
    allowed, _ = partners
    page = watched().page
    page.goto(allowed.url)
    frame = page.frame_locator("iframe[data-advocacy-frame]")
    frame.get_by_label("Postcode").fill("AB10 1AB")
    frame.get_by_role("button", name="Find who to write to").click()
    frame.get_by_label("Your name").fill("Ann Example")
    frame.get_by_role("button", name="Write my letters").click()
    with page.context.expect_page() as opened:
        frame.get_by_role("button", name="Print and post your letter to the Scottish").click()
    tab = opened.value
    expect(tab.get_by_role("heading", level=1)).to_have_text("Print and post your letter")
    expect(tab.locator(".paper-to")).to_contain_text("1 Pacific Quay")
    expect(page.locator("#after")).to_be_visible()  # the partner's page stays as it was


def test_axe_finds_no_violations_on_the_choose_step_with_its_error(page_axe, campaign_url, stub):
    find_by_postcode(page_axe, campaign_url)
    untick_everyone(page_axe)
    page_axe.get_by_label("Your name").fill("Ann Example")
    submit(page_axe, page_axe.get_by_role("button", name="Write my letters"))
    expect(page_axe.locator("#recipients-error")).to_be_visible()
    violations = axe_violations(page_axe)
    assert violations == [], f"axe-core on the choose step's error:\n{describe(violations)}"
