"""The supporter flow in headless Chromium at phone width, with JavaScript on and off."""

import email
import email.policy
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
EDITED_SUBJECT = "Stop LFR: 100% + more & #now, café"
EDITED_BODY = "Dear Neil Coyle,\n\nTom & Jerry say 1+1=2 #true, 50% é.\n\nThank you,\nAnn"


def decode_mailto(href: str) -> tuple[str, str, str]:
    parts = urlsplit(href)
    assert parts.scheme == "mailto"
    fields = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    return parts.path, unquote(fields["subject"]), unquote(fields["body"])


def choose_and_write(page, *, postcode="SE1 2DL"):
    page.fill("#postcode", postcode)
    page.get_by_role("button", name="Find who to write to").click()
    page.wait_for_selector("text=Your letters will go to")
    page.check("#point-cost")
    page.uncheck("#point-what-is-lfr")
    page.fill("#answer-why", "My son was stopped & searched near the station.")
    page.fill("#name", "Ann Example")
    page.fill("#address", "1 High Street, London")


def test_whole_flow_with_javascript(page, campaign_url, shot):
    page.goto(campaign_url)
    shot(page, "1-campaign")
    choose_and_write(page)
    shot(page, "2-choose")
    page.get_by_role("button", name="Write my letters").click()
    page.wait_for_selector("h1:text('Your letters')")
    shot(page, "3-letters")

    mp = page.locator("[data-letter]").first
    assert page.locator("[data-update]").is_hidden()  # links follow edits as they happen
    assert mp.get_by_role("button", name="Copy letter").is_visible()
    body = mp.locator("[data-body]").input_value()
    assert "My son was stopped & searched near the station." in body
    before = mp.locator("[data-own-words] strong").inner_text()

    mp.locator("[data-subject]").fill(EDITED_SUBJECT)
    mp.locator("[data-body]").fill(EDITED_BODY)
    to, subject, body = decode_mailto(mp.locator("[data-link=mailto]").get_attribute("href"))
    assert to == "neil.coyle.mp@parliament.uk"
    assert subject == EDITED_SUBJECT
    assert body == EDITED_BODY.replace("\n", "\r\n")
    assert mp.locator("[data-own-words] strong").inner_text() != before
    assert mp.locator("[data-too-long]").is_hidden()
    gmail = mp.locator("[data-link=gmail]").get_attribute("href")
    assert gmail.startswith("https://mail.google.com/mail/?view=cm&fs=1&to=neil.coyle.mp%40")

    # Longer than a mail client accepts: the link keeps address and subject, and says so.
    mp.locator("[data-body]").fill("A long letter. " * 200)
    assert mp.locator("[data-too-long]").is_visible()
    assert decode_mailto(mp.locator("[data-link=mailto]").get_attribute("href"))[2] == ""

    # Using a send link shows the way to the thank-you step. There is no mail app here, so
    # the link's own navigation is cancelled after the page's handler has run.
    page.evaluate("document.addEventListener('click', e => e.preventDefault(), {once: true})")
    mp.locator("[data-link=mailto]").click()
    assert mp.locator(".sent-note").is_visible()
    page.get_by_role("link", name="I've sent my letters").click()
    page.wait_for_selector("h1:text('Thank you')")
    shot(page, "4-thanks")


def test_whole_flow_without_javascript(page_nojs, campaign_url, shot):
    page = page_nojs
    page.goto(campaign_url)
    choose_and_write(page)
    page.get_by_role("button", name="Write my letters").click()
    page.wait_for_selector("h1:text('Your letters')")
    assert page.locator("[data-update]").is_visible()
    assert page.get_by_role("button", name="Copy letter").first.is_hidden()
    shot(page, "letters")

    mp = page.locator("[data-letter]").first
    mp.locator("[data-subject]").fill(EDITED_SUBJECT)
    mp.locator("[data-body]").fill(EDITED_BODY)
    page.get_by_role("button", name="Update links after editing").click()
    page.wait_for_selector("h1:text('Your letters')")
    mp = page.locator("[data-letter]").first
    to, subject, body = decode_mailto(mp.locator("[data-link=mailto]").get_attribute("href"))
    assert (subject, body) == (EDITED_SUBJECT, EDITED_BODY.replace("\n", "\r\n"))

    with page.expect_download() as download:
        mp.get_by_role("button", name="Download as an email file (.eml)").click()
    message = email.message_from_bytes(
        Path(download.value.path()).read_bytes(), policy=email.policy.default
    )
    assert message["Subject"] == EDITED_SUBJECT
    assert message.get_content().replace("\r\n", "\n").strip() == EDITED_BODY
    page.get_by_role("link", name="I've sent my letters").click()
    page.wait_for_selector("h1:text('Thank you')")


@pytest.mark.parametrize("javascript", (True, False))
def test_lookup_down_the_supporter_picks_from_lists(watched, campaign_url, stub, shot, javascript):
    stub.mode = "down"
    page = watched(java_script_enabled=javascript).page
    page.goto(campaign_url)
    page.fill("#postcode", "SW1A 1AA")
    page.get_by_role("button", name="Find who to write to").click()
    page.wait_for_selector("#constituency")
    assert "couldn't look up your postcode" in page.content()
    if javascript:
        page.fill("#constituency-search", "Cardiff East")
        assert page.locator("#constituency").input_value() == "W07000089"
        page.fill("#pfa-search", "South Wales")
        assert page.locator("#pfa").input_value() == "W15000003"
    else:
        page.select_option("#constituency", "W07000089")
        page.select_option("#pfa", "W15000003")
    shot(page, "lists")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("text=Jo Stevens")
    page.fill("#name", "Siân Example")
    page.get_by_role("button", name="Write my letters").click()
    page.wait_for_selector("h1:text('Your letters')")
    assert page.locator("[data-letter]").count() == 3
    assert stub.requests  # the stub was asked, and failed


def test_invalid_postcode_error_is_focused_and_value_kept(page, campaign_url, shot):
    page.goto(campaign_url + "?postcode=FOO")
    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert page.locator("#postcode").input_value() == "FOO"
    assert "Enter a full UK postcode" in page.locator("#postcode-error").inner_text()
    page.get_by_role("link", name="Enter a full UK postcode, like SW1A 2DD.").click()
    assert page.evaluate("location.hash") == "#postcode"
    shot(page, "error")


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert len(result["passes"]) > 10  # axe really ran its rules on this page
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
    ]


def test_every_step_passes_axe(page_axe, base_url, campaign_url, stub):
    page = page_axe
    checked = {}
    page.goto(base_url + "/")
    checked["index"] = axe_violations(page)
    page.goto(campaign_url)
    checked["campaign"] = axe_violations(page)
    page.goto(campaign_url + "?postcode=FOO")
    checked["campaign with error"] = axe_violations(page)
    page.goto(campaign_url + "?manual=1")
    checked["lists"] = axe_violations(page)
    page.goto(campaign_url + "?postcode=SE1+2DL")
    checked["choose"] = axe_violations(page)
    page.get_by_role("button", name="Write my letters").click()
    page.wait_for_selector("text=There is a problem")
    checked["choose with errors"] = axe_violations(page)
    page.fill("#name", "Ann Example")
    page.get_by_role("button", name="Write my letters").click()
    page.wait_for_selector("h1:text('Your letters')")
    checked["letters"] = axe_violations(page)
    page.goto(campaign_url + "/thanks")
    checked["thanks"] = axe_violations(page)
    failures = {step: v for step, v in checked.items() if v}
    assert failures == {}
