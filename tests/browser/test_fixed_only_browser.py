"""A campaign to its own recipients alone, in Chromium at 390 px: no postcode is asked, with
JavaScript on and off, the letter goes out in two steps, and axe finds nothing."""

import os

import pytest
from supporter_steps import axe_violations
from supporter_steps import axe_violations_without_js
from supporter_steps import describe
from test_fixed_only import DOCUMENT
from test_fixed_only import SLUG

from advocacy.letters import campaign_json
from advocacy.platform import models
from advocacy.platform import store

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Python playwright is not installed", allow_module_level=True)


@pytest.fixture
def fixed_only_url(live_server, base_url) -> str:
    with live_server.app.app_context():
        if models.public_campaign(SLUG) is None:
            store.create(campaign_json.from_dict(DOCUMENT), author="test")
    return f"{base_url}/c/{SLUG}"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_straight_to_the_letter_without_a_postcode(
    watched, page_axe, fixed_only_url, stub, shot, javascript
):
    page = watched(java_script_enabled=javascript).page
    page.goto(fixed_only_url)
    expect(page.get_by_label("Your postcode")).to_have_count(0)
    violations = axe_violations(page) if javascript else axe_violations_without_js(page, page_axe)
    assert violations == [], describe(violations)
    shot(page, "campaign")
    page.get_by_role("button", name="Write your letter").click()
    expect(page.get_by_text("Step 1 of 2: who to write to, and what to say")).to_be_visible()
    page.get_by_label("Your name").fill("Ann Example")
    violations = axe_violations(page) if javascript else axe_violations_without_js(page, page_axe)
    assert violations == [], describe(violations)
    shot(page, "choose")
    page.get_by_role("button", name="Write my letter").click()
    expect(page.get_by_text("Step 2 of 2: send your letter")).to_be_visible()
    body = page.locator("textarea[data-body]").input_value()
    assert body.startswith("Dear Home Secretary,") and "Ann Example" in body
    assert "Please bring forward a law before any more use." in body
    violations = axe_violations(page) if javascript else axe_violations_without_js(page, page_axe)
    assert violations == [], describe(violations)
    shot(page, "letters")
    assert stub.requests == []  # nothing was looked up
