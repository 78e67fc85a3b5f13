"""The editor's Insert menu in Chromium, at 1280 and 390 px: a placeholder chosen by its plain
name lands at the caret, focus goes back to the text, Escape closes the menu, and axe finds
nothing with the menu open. Without JavaScript there is no menu, and the hint lists the braces."""

import re

import pytest
from test_studio_flow import check_axe
from test_studio_flow import staff_email  # noqa: F401 — the fixture
from test_studio_flow import staff_page

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover — test_studio_flow skips or fails first
    pytest.skip("Python playwright is not installed", allow_module_level=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_detail_goes_in_at_the_caret(watched, base_url, stub, shot, staff_email, size):  # noqa: F811
    page = staff_page(watched, base_url, staff_email, **(PHONE if size == "phone" else {}))
    page.goto(f"{base_url}/admin/campaigns/1")
    closing = page.locator("textarea[name=closing]")
    closing.fill("Thank you for reading.")
    closing.evaluate("box => box.setSelectionRange(10, 10)")  # after "Thank you "
    opener = page.locator("textarea[name=closing] + button.insert-open")
    expect(opener).to_have_accessible_name("Insert a detail")
    expect(opener).to_have_accessible_description(re.compile("^Closing paragraph"))
    expect(opener).to_have_attribute("aria-expanded", "false")
    opener.click()
    expect(opener).to_have_attribute("aria-expanded", "true")
    menu = page.locator("#insert-menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("button").first).to_be_focused()
    check_axe(page)
    shot(page, "menu-open")
    menu.get_by_role("button", name="the supporter's constituency").click()
    expect(closing).to_have_value("Thank you {constituency}for reading.")
    expect(closing).to_be_focused()
    expect(menu).to_be_hidden()
    # Into a box never clicked into, it goes at the end of the text.
    ask = page.locator("textarea[name='asks.police_oversight']")
    before = ask.input_value()
    page.locator("textarea[name='asks.police_oversight'] + button.insert-open").click()
    menu.get_by_role("button", name="their police force", exact=True).click()
    expect(ask).to_have_value(before + "{force_name}")
    # Escape closes it and returns to the button that opened it.
    opener.click()
    expect(menu).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(opener).to_be_focused()


def test_without_javascript_the_hint_lists_the_braces(watched, base_url, stub, staff_email):  # noqa: F811
    page = staff_page(watched, base_url, staff_email, java_script_enabled=False)
    page.goto(f"{base_url}/admin/campaigns/1")
    expect(page.get_by_role("button", name=re.compile("^Insert a detail"))).to_have_count(0)
    expect(page.locator("#placeholders-hint")).to_contain_text("{constituency}")
