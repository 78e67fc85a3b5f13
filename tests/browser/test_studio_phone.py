"""Every studio page fits a phone: nothing wider than 390 px makes the page scroll sideways."""

import zlib

import pytest
from playwright.sync_api import expect
from supporter_steps import AXE
from supporter_steps import axe_violations
from test_studio_flow import PASSWORD
from test_studio_flow import sign_in

from advocacy.studio.staff import create_staff

# A value for each argument of a studio address: the example campaign, its first version, a force,
# the campaign's Welsh text.
ARGUMENTS = {"campaign_id": "1", "version": "1", "role": "police_force", "code": "E23000001"}
ARGUMENTS["language"] = "cy"
# What sticks out: the elements whose right edge is past the window, innermost first.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).slice(-3)"""
DOWNLOADS = {"studio.export", "results.results_csv", "results.recipients_csv"}


def studio_pages(app) -> list[str]:
    """Every page under /admin a signed-in admin can open with GET (downloads left out)."""
    pages = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin") and "GET" in rule.methods:
            if rule.endpoint in DOWNLOADS or rule.endpoint == "auth.login":
                continue
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<id:{name}>", ARGUMENTS[name])
                path = path.replace(f"<{name}>", ARGUMENTS[name])
            pages.append(path)
    return sorted(pages)


@pytest.fixture
def admin_email(live_server, request) -> str:
    email = f"phone-{zlib.crc32(request.node.name.encode())}@example.org"
    with live_server.app.app_context():
        create_staff(email, "admin", PASSWORD)
    return email


def test_no_studio_page_scrolls_sideways_on_a_phone(
    watched, base_url, live_server, admin_email, shot
):
    page = watched(staff=True, bypass_csp=True).page  # 390 × 844; axe is injected
    sign_in(page, base_url, admin_email)
    wide = {}
    paths = studio_pages(live_server.app)
    assert "/admin/" in paths and "/admin/campaigns/1/results" in paths and len(paths) >= 14
    for path in paths:
        response = page.goto(base_url + path)
        assert response.status == 200, path
        expect(page.locator("main")).to_be_visible()
        if AXE.is_file():  # what scrolls sideways must be reachable by keyboard too
            assert axe_violations(page) == [], path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = (width, page.evaluate(WIDEST))
            shot(page, path.strip("/").replace("/", "-"))
    assert wide == {}, f"wider than the phone: {wide}"
