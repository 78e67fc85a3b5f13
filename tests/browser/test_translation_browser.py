"""Staff write a campaign's Welsh beside its English, in Chromium (issue 27, item 3): side by
side at 1280 px, one above the other at 390 px, axe clean; a save shows in the Welsh preview."""

import zlib
from dataclasses import replace

import pytest
from playwright.sync_api import expect
from supporter_steps import axe_violations
from test_studio_flow import DESKTOP
from test_studio_flow import PASSWORD
from test_studio_flow import sign_in
from test_studio_flow import submit

from advocacy.platform import store
from advocacy.platform.schema import example_campaign
from advocacy.studio.staff import create_staff

NEW_PHRASING = "Mae camerâu fel hyn yn troi pob stryd yn rhes adnabod."


@pytest.fixture
def staff_email(live_server) -> str:
    email = "translator@example.org"
    with live_server.app.app_context():
        create_staff(email, "editor", PASSWORD)
    return email


def _copy_of_the_example(live_server, email: str) -> int:
    """A draft copy of the example (its Welsh included), so the shared example is untouched."""
    slug = f"welsh-{zlib.crc32(email.encode())}"
    with live_server.app.app_context():
        return store.create(replace(example_campaign(), slug=slug, status="draft"), email).id


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, "not shown"
    return found


def test_staff_write_welsh_beside_the_english_and_preview_it(
    watched, base_url, live_server, staff_email, shot, readme_shot
):
    campaign_id = _copy_of_the_example(live_server, staff_email)
    page = watched(staff=True, bypass_csp=True, **DESKTOP).page
    sign_in(page, base_url, staff_email)
    page.goto(f"{base_url}/admin/campaigns/{campaign_id}")
    submit(page, page.get_by_role("link", name="Welsh text"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Welsh text of “{example_campaign().title}”"
    )
    # Side by side: the English title to the left of its Welsh box, level with it.
    english = box(page.locator("#s-about .english").first)
    welsh = box(page.get_by_label("Title in Welsh"))
    assert english["x"] + english["width"] <= welsh["x"]
    assert abs(english["y"] - welsh["y"]) < 40
    assert page.get_by_label("Title in Welsh").get_attribute("lang") == "cy"
    assert axe_violations(page) == []
    shot(page, "desktop")

    point = page.locator("#f-talking-points-0")
    point.scroll_into_view_if_needed()
    page.evaluate("document.querySelector('#f-talking-points-0').scrollIntoView()")
    readme_shot(page, "studio-welsh")
    point.get_by_label("Phrasing 1 in Welsh").fill(NEW_PHRASING)
    submit(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_role("status")).to_contain_text("Saved as version 2")
    expect(page.locator("#f-talking-points-0").get_by_label("Phrasing 1 in Welsh")).to_have_value(
        NEW_PHRASING
    )
    submit(page, page.get_by_role("link", name="Preview letters in Welsh"))
    expect(page.locator(".letter-body").first).to_contain_text("Annwyl")

    # On a phone, each English text sits above its Welsh box.
    phone = watched(staff=True, bypass_csp=True).page
    sign_in(phone, base_url, staff_email)
    phone.goto(f"{base_url}/admin/campaigns/{campaign_id}/text/cy")
    english = box(phone.locator("#s-about .english").first)
    welsh = box(phone.get_by_label("Title in Welsh"))
    assert english["y"] + english["height"] <= welsh["y"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(phone) == []
    shot(phone, "phone")
