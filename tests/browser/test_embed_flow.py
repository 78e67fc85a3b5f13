"""A partner's page on another origin embeds the campaign with the documented snippet.

The partner pages are served by a tiny local server on another port (a different origin from
the app; conftest.PartnerSite). Checked: the script swaps the link for an iframe that resizes
as the steps change; the whole flow completes inside the frame with no cookie anywhere
(conftest.Watched); the mail link leaves the frame; a site the campaign doesn't list is
refused framing.
"""

import os

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Python playwright is not installed", allow_module_level=True)

from supporter_steps import sends  # noqa: E402 (after the skip, like the other browser tests)

SLUG = "stop-facial-recognition"


def frame_height(page) -> int:
    return page.locator("iframe[data-advocacy-frame]").evaluate("f => f.offsetHeight")


def wait_for_height_change(page, old: int) -> int:
    page.wait_for_function(
        "old => document.querySelector('iframe[data-advocacy-frame]').offsetHeight !== old", arg=old
    )
    return frame_height(page)


def test_the_snippet_embeds_a_resizing_frame_and_the_flow_completes_in_it(
    watched, partners, stub, shot, live_server
):
    allowed, _ = partners
    sent_before = sends(live_server.app, "embed", "local-group")
    page = watched().page
    page.goto(allowed.url)
    frame_element = page.locator("iframe[data-advocacy-frame]")
    expect(frame_element).to_have_count(1)
    expect(page.locator("a.advocacy-embed")).to_have_count(0)
    src = frame_element.get_attribute("src")
    # The partner page says <html lang="en">: the form is in English, whatever the browser.
    assert src.endswith(f"/embed/{SLUG}?ref=local-group&theme=green&lang=en")
    frame = page.frame_locator("iframe[data-advocacy-frame]")
    expect(frame.get_by_role("heading", name="Stop police live facial recognition")).to_be_visible()
    first = wait_for_height_change(page, 0)
    assert first > 200

    frame.get_by_label("Postcode").fill("SE1 2DL")
    frame.get_by_role("button", name="Find who to write to").click()
    expect(frame.get_by_text("Neil Coyle").first).to_be_visible()
    second = wait_for_height_change(page, first)
    assert second > first  # the choose step is taller, and the frame followed it
    shot(page, "choose")

    frame.get_by_label("Your name").fill("Ann Example")
    frame.get_by_role("button", name="Write my letters").click()
    expect(frame.locator("#body-0")).to_contain_text("Dear Neil Coyle")
    third = wait_for_height_change(page, second)
    inner = frame.locator("html").evaluate("e => Math.ceil(e.getBoundingClientRect().height)")
    assert abs(third - inner) <= 2  # sized to its content: no inner scrollbar
    mailto = frame.locator("a[data-link=mailto]").first
    assert mailto.get_attribute("target") == "_top"
    assert mailto.get_attribute("href").startswith("mailto:")
    assert "theme-green" in frame.locator("body").get_attribute("class")
    expect(page.locator("#after")).to_be_visible()  # the partner's page is still there
    shot(page, "letters")

    frame.get_by_role("button", name="I've sent my letters").click()
    expect(frame.get_by_role("heading", name="Thank you")).to_be_visible()
    # Posted from inside the partner's frame, which is this site: counted, for the partner.
    assert sends(live_server.app, "embed", "local-group") == sent_before + 1


def test_two_embeds_on_one_page_each_size_to_their_own_content(watched, partners, stub):
    allowed, _ = partners
    page = watched().page
    page.goto(allowed.url + "/two")
    frames = page.locator("iframe[data-advocacy-frame]")
    expect(frames).to_have_count(2)
    first, second = page.frame_locator("iframe >> nth=0"), page.frame_locator("iframe >> nth=1")
    for frame in (first, second):
        title = frame.get_by_role("heading", name="Stop police live facial recognition")
        expect(title).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].every(f => f.style.height)"
    )
    before = frames.evaluate_all("fs => fs.map(f => f.offsetHeight)")
    first.get_by_label("Postcode").fill("SE1 2DL")
    first.get_by_role("button", name="Find who to write to").click()
    expect(first.get_by_text("Neil Coyle").first).to_be_visible()
    page.wait_for_function(
        "old => document.querySelectorAll('iframe')[0].offsetHeight !== old", arg=before[0]
    )
    after = frames.evaluate_all("fs => fs.map(f => f.offsetHeight)")
    assert after[0] > before[0]  # the first grew with its step
    assert after[1] == before[1]  # the second kept its own height
    assert "theme-red" in second.locator("body").get_attribute("class")


def test_a_site_the_campaign_does_not_list_cannot_frame_it(watched, partners, stub, base_url):
    _, other = partners
    ctx = watched()
    page = ctx.page
    with page.expect_response(lambda r: f"/embed/{SLUG}" in r.url) as answer:
        page.goto(other.url)
    csp = answer.value.header_value("content-security-policy")
    assert f"frame-ancestors 'self' {partners[0].url}" in csp
    assert other.url not in csp
    page.wait_for_function("() => window.frames.length === 1")
    child = next(f for f in page.frames if f is not page.main_frame)
    for _ in range(50):  # the refusal lands once the embed's headers are in
        if child.url.startswith("chrome-error:"):
            break
        page.wait_for_timeout(100)
    # Chromium replaces a refused frame with its own error page: none of the campaign renders.
    assert child.url == "chrome-error://chromewebdata/"
    refusals = [e for e in ctx.errors if "violates" in e and "frame-ancestors" in e]
    assert len(refusals) == 1  # the browser said why
    ctx.errors[:] = [e for e in ctx.errors if e not in refusals]


def test_a_refused_frame_gives_way_to_a_link_and_says_why(watched, partners, stub, base_url):
    """The partner sees a link to the campaign page, not a grey box, and the console says why."""
    _, other = partners
    ctx = watched()
    page = ctx.page
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(other.url)
    link = page.get_by_role("link", name="Write your letter on 127.0.0.1")
    expect(link).to_be_visible(timeout=10_000)
    assert link.get_attribute("href") == f"{base_url}/c/{SLUG}?ref=local-group&lang=en"
    expect(page.locator("iframe[data-advocacy-frame]")).to_have_count(0)
    assert any("allowed to embed it" in w and other.url in w for w in warnings), warnings
    ctx.errors[:] = [e for e in ctx.errors if "frame-ancestors" not in e]


def test_an_allowed_frame_stays(watched, partners, stub):
    allowed, _ = partners
    page = watched().page
    page.goto(allowed.url)
    expect(page.locator("iframe[data-advocacy-frame]")).to_have_count(1)
    page.wait_for_timeout(5_000)  # longer than the script waits for a frame to speak
    expect(page.locator("iframe[data-advocacy-frame]")).to_have_count(1)
    expect(page.locator("[data-advocacy-fallback]")).to_have_count(0)
