"""One click to a ready letter, in a real browser.

The default letter opens whole from its primary button and from every link under "Other ways to
send"; a letter too long for its links is copied and opened in the same click (with JavaScript),
or the page says to copy it from the box above (without); the mailto budget follows the
platform (Windows' mail-link limit, none elsewhere); "Sent it?" waits until the supporter comes
back from their email; and the letter box is as tall as its text. Every test also ends with the
checks in conftest.Watched.check (nothing left 127.0.0.1, no cookie, no script error).
"""

import os
import re

import pytest
from supporter_steps import ADDRESS_WITH_POSTCODE
from supporter_steps import LOCAL_SHORT
from supporter_steps import MP_EMAIL
from supporter_steps import MP_HEADING
from supporter_steps import NAME
from supporter_steps import WEBMAIL_KINDS
from supporter_steps import WHY_SHORT
from supporter_steps import come_back
from supporter_steps import default_letters
from supporter_steps import find_by_postcode
from supporter_steps import letter
from supporter_steps import mailto_fields
from supporter_steps import open_other_ways
from supporter_steps import opening
from supporter_steps import phrasings
from supporter_steps import submit
from supporter_steps import webmail_fields
from supporter_steps import write_letters

from advocacy.letters import delivery

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Python playwright is not installed", allow_module_level=True)

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
LONG_TEXT = "I walk past London Bridge station every day and do not want my face scanned. " * 40
# Links the tests click without leaving the page: a click still runs the page's own handler
# (the copy), then this stops the new tab, which would leave 127.0.0.1.
STAY_ON_PAGE = """() => document.addEventListener("click", e => {
  const away = "a[data-link]:not([data-link=mailto]), a[data-copy-open]";
  if (e.target.closest(away)) e.preventDefault();
})"""

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
MACOS_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
# Safari and Firefox have no navigator.userAgentData: the page reads the user agent string.
NO_UA_DATA = "Object.defineProperty(Navigator.prototype, 'userAgentData', {get: () => undefined})"


def lone_lf(text: str) -> bool:
    return re.search(r"(?<!\r)\n", text) is not None


def box(locator) -> dict:
    """The element's box on the page (scrolled or not), in CSS pixels."""
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {top: r.top + scrollY, bottom: r.bottom + scrollY}; }"
    )


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def reset_clipboard(page, card) -> None:
    page.evaluate("navigator.clipboard.writeText('nothing copied yet')")
    card.locator("[data-copied]").evaluate("e => { e.textContent = ''; }")


def letter_with_mailto_of(subject: str, body: str, length: int) -> str:
    """The body with words of the supporter's own added until its mailto is `length` long."""
    words = iter(LONG_TEXT.split() * 4)
    body += "\n\n" + next(words)
    while len(delivery.mailto([MP_EMAIL], subject, body)) < length:
        body += " " + next(words)
    return body


# --- the default letter opens whole, from every link -------------------------------------------


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_default_letter_opens_whole_from_every_link(watched, campaign_url, stub, shot, size):
    page = watched(**(DESKTOP if size == "desktop" else {})).page
    default_letters(page, campaign_url, shot)
    expect(page.locator(".step-label")).to_have_text("Step 3 of 3: send your letters")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your letters")
    mp = letter(page)
    expect(mp.get_by_role("heading")).to_have_text(f"1. To {MP_HEADING}")
    subject = mp.locator("textarea[data-subject]").input_value()
    body = mp.locator("textarea[data-body]").input_value()

    # The letter: each default point in one of its wordings, the answers as sentences (the
    # local one after its lead-in), and the postcode once, as the address already has it.
    for point in ("what-is-lfr", "accuracy", "no-legal-basis"):
        assert any(opening(p) in body for p in phrasings(point)), point
    assert f"\n\n{WHY_SHORT}.\n\n" in body
    assert f"\n\nNear me, these cameras could be used at {LOCAL_SHORT}.\n\n" in body
    assert body.endswith(f"Yours sincerely,\n{NAME}\n{ADDRESS_WITH_POSTCODE}")
    assert body.count("SE1 2DL") == 1

    # One primary action, and it carries the whole letter: byte for byte, CRLF line breaks.
    primary = mp.locator("a[data-link=mailto]")
    expect(primary).to_have_text("Open in your email app")
    expect(primary).not_to_have_attribute("data-short", "")
    expect(mp.locator("[data-too-long]")).to_be_hidden()
    href = primary.get_attribute("href")
    address, fields = mailto_fields(href)
    assert address == MP_EMAIL
    assert fields["subject"] == subject
    assert fields["body"].encode() == body.replace("\n", "\r\n").encode()
    assert "\r\n" in fields["body"] and not lone_lf(fields["body"])
    assert href == delivery.mailto([MP_EMAIL], subject, body)  # as the server builds it

    # Copy buttons above the send button, and the other ways below it, closed.
    copies = mp.locator("[data-copy-buttons]")
    expect(copies.get_by_role("button", name="Copy subject")).to_be_visible()
    expect(copies.get_by_role("button", name="Copy letter")).to_be_visible()
    details = mp.locator("details.other-ways")
    assert details.get_attribute("open") is None
    order = [mp.locator("textarea[data-body]"), copies, primary, details]
    boxes = [box(element) for element in order]
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert above["bottom"] <= below["top"], boxes
    # Nothing sticks out sideways: no page-wide horizontal scroll at either width.
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    shot(page, "letters")

    # Each webmail link under "Other ways to send" opens the same letter (LF line breaks).
    open_other_ways(mp)
    for kind in WEBMAIL_KINDS:
        link = mp.locator(f"a[data-link={kind}]")
        expect(link).to_be_visible()
        expect(link).not_to_have_attribute("data-short", "")
        link_href = link.get_attribute("href")
        assert webmail_fields(kind, link_href) == {"to": MP_EMAIL, "subject": subject, "body": body}
        assert link_href == delivery.webmail(kind, [MP_EMAIL], subject, body)
        assert len(link_href) <= delivery.BUDGETS[kind]
    expect(mp.get_by_role("button", name="Download as an email file (.eml)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    shot(page, "other-ways")


# --- too long for a link: copy and open in one click -------------------------------------------


def test_too_long_letter_is_copied_and_opened_in_one_click(browsing, campaign_url, stub, shot):
    page = browsing.page
    browsing.context.grant_permissions(["clipboard-read", "clipboard-write"])
    default_letters(page, campaign_url)
    page.evaluate(STAY_ON_PAGE)
    mp = letter(page)
    subject = mp.locator("textarea[data-subject]").input_value()
    long_body = mp.locator("textarea[data-body]").input_value() + "\n\n" + LONG_TEXT.strip()
    mp.locator("textarea[data-body]").fill(long_body)

    primary = mp.locator("a[data-link=mailto]")
    expect(primary).to_have_text("Copy letter and open email")
    expect(primary).to_have_attribute("data-short", "")
    notice = mp.locator("[data-too-long]")
    expect(notice).to_be_visible()
    expect(notice.locator("[data-js]")).to_be_visible()
    expect(notice.locator("[data-no-js]")).to_be_hidden()
    # The link opens a message to the right address with the subject, and no body.
    href = primary.get_attribute("href")
    assert mailto_fields(href) == (MP_EMAIL, {"subject": subject, "body": ""})
    assert href == delivery.mailto([MP_EMAIL], subject, "")
    shot(page, "too-long")

    # One click: the whole edited letter is on the clipboard, and the email app opens.
    reset_clipboard(page, mp)
    primary.click()
    expect(mp.locator("[data-copied]")).to_have_text("Copied.")
    assert clipboard(page) == long_body
    assert page.url.endswith("/letters")
    expect(mp.locator(".sent-note")).to_have_count(0)

    # Every other way does both halves in one click too.
    open_other_ways(mp)
    for kind in WEBMAIL_KINDS:
        link = mp.locator(f"a[data-link={kind}]")
        expect(link).to_have_attribute("data-short", "")
        # It says what a click does, and still that it opens a new tab.
        expect(link).to_have_text(re.compile(r"^Copy letter and open .+ \(opens in a new tab\)$"))
        assert link.get_attribute("href") == delivery.webmail(kind, [MP_EMAIL], subject, "")
        reset_clipboard(page, mp)
        link.click()
        expect(mp.locator("[data-copied]")).to_have_text("Copied.")
        assert clipboard(page) == long_body, kind

    # A recipient with no email address: the one button copies their letter and opens their
    # contact page (or website).
    for role in ("Your police force", "The body that oversees your police force"):
        card = letter(page, role)
        link = card.locator("a[data-copy-open]")
        copy_and_open = r"^Copy letter and (open their contact page|go to their website)"
        expect(link).to_have_text(re.compile(copy_and_open))
        reset_clipboard(page, card)
        link.click()
        expect(card.locator("[data-copied]")).to_have_text("Copied.")
        assert clipboard(page) == card.locator("textarea[data-body]").input_value(), role
    shot(page, "copied")


def test_too_long_letter_without_javascript_says_copy_it_from_the_box(
    page_nojs, campaign_url, stub, shot
):
    page = page_nojs
    find_by_postcode(page, campaign_url)
    write_letters(page)
    mp = letter(page)
    subject = mp.locator("textarea[data-subject]").input_value()
    long_body = mp.locator("textarea[data-body]").input_value() + "\n\n" + LONG_TEXT.strip()
    mp.locator("textarea[data-body]").fill(long_body)
    submit(page, page.get_by_role("button", name="Update all the send buttons"))

    mp = letter(page)
    body = mp.locator("textarea[data-body]")
    expect(body).to_have_value(long_body)
    notice = mp.locator("[data-too-long]")
    expect(notice).to_be_visible()
    instruction = notice.locator("[data-no-js]")
    expect(instruction).to_be_visible()
    expect(instruction).to_have_text(
        "Copy the whole letter from the box above, then press a button below and paste it "
        "into the new message."
    )
    expect(notice.locator("[data-js]")).to_be_hidden()
    expect(mp.locator("[data-copy-buttons]")).to_be_hidden()  # no script, no copy buttons
    primary = mp.locator("a[data-link=mailto]")
    expect(primary).to_have_text("Open a new email")
    assert primary.get_attribute("href") == delivery.mailto([MP_EMAIL], subject, "")
    # The letter box, then the instruction, then the button it talks about.
    boxes = [box(body), box(notice), box(primary)]
    assert boxes[0]["bottom"] <= boxes[1]["top"] and boxes[1]["bottom"] <= boxes[2]["top"], boxes
    open_other_ways(mp)
    for kind in WEBMAIL_KINDS:
        link = mp.locator(f"a[data-link={kind}]")
        assert link.get_attribute("href") == delivery.webmail(kind, [MP_EMAIL], subject, "")
        expect(link).to_have_text(re.compile(r"^Open a new .+ message \(opens in a new tab\)$"))
    shot(page, "too-long")


# --- the mailto budget follows the platform ----------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "user_agent", "ua_data", "whole"),
    [
        ("windows-chrome", WINDOWS_CHROME, True, False),
        ("macos-chrome", MACOS_CHROME, True, True),
        ("android-chrome", ANDROID_CHROME, True, True),
        ("iphone-safari", IPHONE_SAFARI, False, True),
        ("windows-firefox", WINDOWS_FIREFOX, False, False),
    ],
)
def test_mailto_budget_follows_the_platform(
    watched, campaign_url, stub, shot, platform, user_agent, ua_data, whole
):
    options = {"user_agent": user_agent}
    if platform.startswith(("windows", "macos")):
        options |= DESKTOP
    ctx = watched(**options)
    if not ua_data:
        ctx.context.add_init_script(NO_UA_DATA)
    page = ctx.page
    default_letters(page, campaign_url)
    if ua_data:  # the page goes by the platform the browser reports
        reported = page.evaluate("navigator.userAgentData.platform")
        assert (
            reported
            == {"windows": "Windows", "macos": "macOS", "android": "Android"}[
                platform.split("-")[0]
            ]
        )
    else:
        assert page.evaluate("navigator.userAgentData") is None

    mp = letter(page)
    subject = mp.locator("textarea[data-subject]").input_value()
    body = letter_with_mailto_of(subject, mp.locator("textarea[data-body]").input_value(), 2400)
    full = delivery.mailto([MP_EMAIL], subject, body)
    assert delivery.MAX_LINK_LENGTH < 2400 <= len(full) < 2450 < delivery.MAILTO_UNLIMITED_BUDGET
    mp.locator("textarea[data-body]").fill(body)

    primary = mp.locator("a[data-link=mailto]")
    if whole:
        expect(primary).to_have_text("Open in your email app")
        expect(primary).not_to_have_attribute("data-short", "")
        assert primary.get_attribute("href") == full
        # The notice speaks of the main button only: it carries the letter, so none shows.
        expect(mp.locator("[data-too-long]")).to_be_hidden()
    else:
        expect(primary).to_have_text("Copy letter and open email")
        expect(primary).to_have_attribute("data-short", "")
        assert primary.get_attribute("href") == delivery.mailto([MP_EMAIL], subject, "")
        expect(mp.locator("[data-too-long]")).to_be_visible()
    # The webmail budgets are the same everywhere: Gmail and Outlook.com take this letter
    # whole, Microsoft 365 and Yahoo Mail (1,800) don't.
    names = {"gmail": "Gmail", "outlook": "Outlook.com", "office365": "Microsoft 365"}
    for kind in WEBMAIL_KINDS:
        fits = kind in ("gmail", "outlook")
        expected = delivery.webmail(kind, [MP_EMAIL], subject, body if fits else "")
        link = mp.locator(f"a[data-link={kind}]")
        assert link.get_attribute("href") == expected, kind
        name = names.get(kind, "Yahoo Mail")
        label = name if fits else f"Copy letter and open {name}"
        expect(link).to_have_text(f"{label} (opens in a new tab)")
    shot(page, "letter")


# --- "Sent it?" waits for the supporter to come back --------------------------------------------


def test_sent_note_appears_only_after_coming_back(browsing, campaign_url, stub, shot):
    page = browsing.page
    default_letters(page, campaign_url)
    page.evaluate(STAY_ON_PAGE)
    notes = page.locator(".sent-note")
    mp = letter(page)

    come_back(page)  # nothing was sent yet: nothing to say
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(notes).to_have_count(0)

    mp.locator("a[data-link=mailto]").click()
    page.wait_for_timeout(300)
    expect(notes).to_have_count(0)  # not on the click: the email app is in front
    assert page.url.endswith("/letters")
    come_back(page)
    note = mp.locator(".sent-note")
    expect(note).to_be_visible()
    expect(note).to_have_text("Sent it? When you've sent every letter, finish here.")
    expect(note).to_have_attribute("role", "status")
    expect(note.get_by_role("button", name="finish here")).to_have_attribute(
        "form", page.locator("form:has([data-thanks])").get_attribute("id")
    )
    come_back(page)
    expect(notes).to_have_count(1)  # once per letter, however often they come back

    # The force's contact page opens in a new tab: the note waits for the window's focus.
    force = letter(page, "Your police force")
    force.locator("a[data-copy-open]").click()
    page.wait_for_timeout(300)
    expect(force.locator(".sent-note")).to_have_count(0)
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(force.locator(".sent-note")).to_be_visible()
    expect(notes).to_have_count(2)
    shot(page, "sent-notes")

    submit(page, note.get_by_role("button", name="finish here"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


# --- the letter box is as tall as its text ------------------------------------------------------


def assert_no_inner_scroll(area) -> None:
    scroll, client = area.evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert scroll == client, f"scrollHeight {scroll} != clientHeight {client}: an inner scrollbar"


def sizing_boxes(ctx, sizing: str):
    """The page, in a browser without CSS field-sizing when ``sizing`` is "script" (site.js
    sizes the boxes instead)."""
    page = ctx.page
    if sizing == "script":
        ctx.context.add_init_script(
            "const supports = CSS.supports.bind(CSS);"
            "CSS.supports = (p, v) => p === 'field-sizing' ? false : supports(p, v);"
        )

        def without_field_sizing(route):
            css = route.fetch().text().replace("field-sizing: content", "field-sizing: fixed")
            route.fulfill(body=css, content_type="text/css; charset=utf-8")

        page.route("**/static/site.css", without_field_sizing)
    return page


@pytest.mark.parametrize("sizing", ["css", "script"])
def test_answer_boxes_grow_with_their_text(watched, campaign_url, stub, sizing):
    page = sizing_boxes(watched(), sizing)
    find_by_postcode(page, campaign_url)
    box = page.locator("textarea.answer").first
    empty = box.bounding_box()["height"]
    box.fill("Cameras near the station would scan me every morning on my way to work. " * 6)
    assert box.bounding_box()["height"] > empty
    assert_no_inner_scroll(box)


@pytest.mark.parametrize("sizing", ["css", "script"])
def test_letter_box_grows_with_its_text(watched, campaign_url, stub, shot, sizing):
    page = sizing_boxes(watched(), sizing)
    default_letters(page, campaign_url)
    assert page.viewport_size["width"] == 390
    sized_by = "e => [getComputedStyle(e).fieldSizing, e.style.height]"
    field_sizing, height = page.locator("textarea[data-body]").first.evaluate(sized_by)
    if sizing == "css":
        assert (field_sizing, height) == ("content", "")
    else:
        assert field_sizing == "fixed" and height.endswith("px")
    cards = page.locator("section[data-letter]")
    expect(cards).to_have_count(3)
    for i in range(3):
        assert_no_inner_scroll(cards.nth(i).locator("textarea[data-body]"))
        assert_no_inner_scroll(cards.nth(i).locator("textarea[data-subject]"))
    shot(page, "default")

    mp = letter(page)
    body = mp.locator("textarea[data-body]")
    before = body.evaluate("e => e.clientHeight")
    body.fill(body.input_value() + "\n\n" + LONG_TEXT.strip())
    assert body.evaluate("e => e.clientHeight") > before + 200
    assert_no_inner_scroll(body)
    subject = mp.locator("textarea[data-subject]")
    subject.fill("Facial recognition")
    one_line = subject.evaluate("e => e.clientHeight")
    assert_no_inner_scroll(subject)
    subject.fill("A much longer subject line that cannot fit on one line of a phone screen")
    assert subject.evaluate("e => e.clientHeight") > one_line
    assert_no_inner_scroll(subject)
    shot(page, "grown")
