"""The supporter's path in a real browser at phone width, with and without JavaScript.

campaign page → postcode → choose points → letters → edit → send link → thank you; the lists
to choose from when postcodes.io is down; the invalid-postcode error; axe-core on every page;
and the privacy promises: no cookies, no storage, nothing fetched from anywhere but the app.
Every test also ends with the checks in conftest.Watched.check (no request left 127.0.0.1, no
cookie was set, no script or console error).
"""

import email
import email.policy
import os
import re
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from supporter_steps import CONSTITUENCY
from supporter_steps import FORCE
from supporter_steps import MP
from supporter_steps import MP_EMAIL
from supporter_steps import MP_HEADING
from supporter_steps import POSTCODE
from supporter_steps import WEBMAIL_KINDS
from supporter_steps import assert_mailto_is
from supporter_steps import assert_webmail_is
from supporter_steps import axe_violations
from supporter_steps import come_back
from supporter_steps import default_letters
from supporter_steps import describe
from supporter_steps import find_by_postcode
from supporter_steps import letter
from supporter_steps import mailto_fields
from supporter_steps import open_other_ways
from supporter_steps import opening
from supporter_steps import own_share
from supporter_steps import phrasings
from supporter_steps import sends
from supporter_steps import server_own_share
from supporter_steps import submit
from supporter_steps import write_letters

from advocacy.letters import delivery

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Python playwright is not installed", allow_module_level=True)

# Characters that break naive link building: + (a space to form decoders), & and # (end a
# field), % (starts an escape), a non-ASCII letter, and a line break in the body.
EDITED_SUBJECT = "LFR + rights & 100% #privacy, café é"
EDITED_BODY = (
    "Dear Neil Coyle,\n\n"
    "Please act on facial recognition + policing & rights: 100% #privacy, café é.\n"
    "A second line, after a single line break.\n\n"
    "Yours sincerely,\nAnn Example"
)
OWN_PARAGRAPH = "I walk past London Bridge station every day and do not want my face scanned."
WHY = "I go to protests and I don't want to be scanned + logged & kept on file."


# --- (a) the whole path with JavaScript -------------------------------------------------------


def test_supporter_flow_with_javascript(page, campaign_url, stub, shot, browsing, live_server):
    sent_before = sends(live_server.app)
    page.goto(campaign_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop police live facial recognition")
    shot(page, "1-campaign")

    page.get_by_label("Your postcode").fill(POSTCODE)
    submit(page, page.get_by_role("button", name="Find who to write to"))
    assert stub.requests == ["/postcodes/SE12DL"]
    recipients = page.locator(".recipients li")
    expect(recipients).to_have_count(3)
    expect(recipients.nth(0)).to_contain_text(MP)
    expect(page.locator(".step").first).to_contain_text(f"For {POSTCODE}, in {CONSTITUENCY}")
    expect(recipients.filter(has_text=FORCE)).to_have_count(1)

    accuracy = page.get_by_label("Innocent people are wrongly flagged")
    cost = page.get_by_label("Public money could be better spent")
    # Three points are ticked by default; the cost point is not one of them.
    for label in (
        "It scans the face of everyone who walks past",
        "Innocent people are wrongly flagged",
        "There is no specific law, yet use is set to grow",
    ):
        expect(page.get_by_label(label)).to_be_checked()
    expect(page.locator("input[name=talking_points]:checked")).to_have_count(3)
    expect(cost).not_to_be_checked()
    accuracy.uncheck()
    cost.check()
    cost.uncheck()
    cost.check()
    page.get_by_label("Why does this matter to you?").fill(WHY)
    page.get_by_label("Your name").fill("Ann Example")
    page.get_by_label("Your address (optional)").fill("1 Example Street, London")
    shot(page, "2-choose")

    submit(page, page.get_by_role("button", name="Write my letters"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your letters")
    expect(page.locator(".step-label")).to_have_text("Step 3 of 3: send your letters")
    expect(page.locator("section[data-letter]")).to_have_count(3)
    mp = letter(page)
    expect(mp.get_by_role("heading")).to_have_text(f"1. To {MP_HEADING}")
    body = mp.locator("textarea[data-body]")
    drafted = body.input_value()
    assert WHY in drafted
    # The ticked point is in the letter in one of its wordings, the unticked one is not.
    assert any(opening(p) in drafted for p in phrasings("cost"))
    assert not any(opening(p) in drafted for p in phrasings("accuracy"))
    # The address has no postcode in it, so the signature adds it.
    assert drafted.rstrip().endswith("Ann Example\n1 Example Street, London\nSE1 2DL")
    # JavaScript rebuilds links as the letter changes, so the update button goes and the
    # copy buttons come.
    expect(page.locator("[data-update]:visible")).to_have_count(0)
    expect(mp.get_by_role("button", name="Copy subject")).to_be_visible()
    expect(mp.get_by_role("button", name="Copy letter")).to_be_visible()
    expect(mp.get_by_role("button", name="Copy address")).to_be_visible()
    # One primary action; the other ways wait, closed, under "Other ways to send".
    primary = mp.locator("a[data-link=mailto]")
    expect(primary).to_have_text("Open in your email app")
    expect(primary).to_be_visible()
    for kind in WEBMAIL_KINDS:
        expect(mp.locator(f"a[data-link={kind}]")).to_be_hidden()
    shot(page, "3-letters")

    # The own-words share goes up when the supporter adds a paragraph of their own.
    before = own_share(mp)
    body.fill(drafted + "\n\n" + OWN_PARAGRAPH)
    expect(mp.locator("[data-own-words]")).not_to_contain_text(f"About {before}%")
    assert own_share(mp) > before
    assert own_share(mp) == server_own_share(mp, drafted + "\n\n" + OWN_PARAGRAPH)

    # Edits reach the send links at once, exactly, whatever the characters.
    mp.locator("textarea[data-subject]").fill(EDITED_SUBJECT)
    body.fill(EDITED_BODY)
    expect(mp.locator("[data-too-long]")).to_be_hidden()
    assert_mailto_is(mp, EDITED_SUBJECT, EDITED_BODY)
    open_other_ways(mp)
    for kind in WEBMAIL_KINDS:
        expect(mp.locator(f"a[data-link={kind}]")).to_be_visible()
        assert_webmail_is(mp, kind, EDITED_SUBJECT, EDITED_BODY)
    shot(page, "4-edited")

    # Too long for one link: the note shows and the links carry the subject only.
    body.fill("This is a very long letter. " * 100)
    expect(mp.locator("[data-too-long]")).to_be_visible()
    expect(primary).to_have_text("Copy letter and open email")
    expect(primary).to_have_attribute("data-short", "")
    address, fields = mailto_fields(primary.get_attribute("href"))
    assert (address, fields) == (MP_EMAIL, {"subject": EDITED_SUBJECT, "body": ""})
    for kind in WEBMAIL_KINDS:
        link = mp.locator(f"a[data-link={kind}]")
        assert link.get_attribute("href").endswith("body=")
        expect(link).to_have_attribute("data-short", "")
    shot(page, "5-too-long")
    body.fill(EDITED_BODY)
    expect(mp.locator("[data-too-long]")).to_be_hidden()
    expect(primary).to_have_text("Open in your email app")
    expect(primary).not_to_have_attribute("data-short", "")
    assert_mailto_is(mp, EDITED_SUBJECT, EDITED_BODY)

    # Copy puts the edited letter on the clipboard.
    browsing.context.grant_permissions(["clipboard-read", "clipboard-write"])
    mp.get_by_role("button", name="Copy letter").click()
    expect(mp.locator("[data-copied]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == EDITED_BODY

    # Opening the mail app leaves the page where it is (the mailto link is not a request);
    # the "Sent it?" note waits until the supporter comes back from their email.
    primary.click()
    note = mp.locator(".sent-note")
    page.wait_for_timeout(300)
    expect(note).to_have_count(0)
    come_back(page)
    expect(note).to_be_visible()
    expect(note).to_contain_text("Sent it?")
    assert page.url.endswith("/letters")
    shot(page, "6-sent-note")

    submit(page, note.get_by_role("button", name="finish here"))
    # Counted (the browser's own headers say it came from this site), then on (303) to the
    # thank-you page, carrying only who the letters went to (for the reply link), roles and
    # codes, and the receipt that lets the reply page count.
    thanks = urlsplit(page.url)
    assert page.url.startswith(f"{campaign_url}/thanks?")
    query = parse_qs(thanks.query)
    assert query["r"] == ["mp:E14001085", "police_oversight:E23000001", "police_force:E23000001"]
    assert set(query) == {"r", "t"}
    assert sends(live_server.app) == sent_before + 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_label("Link to share")).to_have_value(campaign_url)
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    shot(page, "7-thanks")


# --- (b) the whole path without JavaScript ----------------------------------------------------


def test_supporter_flow_without_javascript(page_nojs, campaign_url, stub, shot, live_server):
    sent_before = sends(live_server.app)
    page = page_nojs
    find_by_postcode(page, campaign_url)
    expect(page.locator(".recipients li")).to_have_count(3)
    shot(page, "1-choose")
    page.get_by_label("Why does this matter to you?").fill(WHY)
    write_letters(page)
    expect(page.locator("section[data-letter]")).to_have_count(3)
    mp = letter(page)
    # Without JavaScript: no copy buttons, and the update button rebuilds the links.
    expect(mp.get_by_role("button", name="Copy letter")).to_be_hidden()
    expect(page.locator("[data-update]").last).to_be_visible()
    expect(mp.locator("a[data-link=mailto]")).to_have_text("Open in your email app")
    # The disclosure works without a script: the other ways open from their summary.
    for kind in WEBMAIL_KINDS:
        expect(mp.locator(f"a[data-link={kind}]")).to_be_hidden()
    open_other_ways(mp)
    for kind in WEBMAIL_KINDS:
        expect(mp.locator(f"a[data-link={kind}]")).to_be_visible()
    shot(page, "2-letters")

    mp.locator("textarea[data-subject]").fill(EDITED_SUBJECT)
    mp.locator("textarea[data-body]").fill(EDITED_BODY)
    submit(page, page.get_by_role("button", name="Update all the send buttons"))
    mp = letter(page)
    expect(mp.locator("textarea[data-subject]")).to_have_value(EDITED_SUBJECT)
    expect(mp.locator("textarea[data-body]")).to_have_value(EDITED_BODY)
    expect(mp.locator("[data-too-long]")).to_be_hidden()
    assert_mailto_is(mp, EDITED_SUBJECT, EDITED_BODY)
    for kind in WEBMAIL_KINDS:
        assert_webmail_is(mp, kind, EDITED_SUBJECT, EDITED_BODY)
    assert own_share(mp) == server_own_share(mp, EDITED_BODY) == 90  # all but "Dear Neil Coyle,"
    # The other letters came back unedited, with the supporter's answer still in them.
    expect(letter(page, "Your police force").locator("textarea[data-body]")).to_contain_text(WHY)
    shot(page, "3-updated")

    open_other_ways(mp)  # the page came back with the disclosure closed again
    with page.expect_download() as download_info:
        mp.get_by_role("button", name="Download as an email file (.eml)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".eml")
    message = email.message_from_bytes(
        Path(download.path()).read_bytes(), policy=email.policy.default
    )
    assert message["Subject"] == EDITED_SUBJECT
    assert message["To"] == MP_EMAIL
    assert message["X-Unsent"] == "1"
    assert message.get_content().replace("\r\n", "\n").rstrip("\n") == EDITED_BODY

    submit(page, page.locator("[data-thanks]"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    # Counted once: the receipt went on with the updated letters, and no new one was made.
    assert sends(live_server.app) == sent_before + 1
    shot(page, "4-thanks")


def test_enter_in_subject_with_javascript_inserts_and_sends_nothing(page, campaign_url, stub):
    find_by_postcode(page, campaign_url)
    write_letters(page)
    posts, downloads = [], []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.on("download", lambda download: downloads.append(download.suggested_filename))
    mp = letter(page)
    subject = mp.locator("textarea[data-subject]")
    drafted = subject.input_value()
    href = mp.locator("a[data-link=mailto]").get_attribute("href")
    subject.click()
    subject.press("End")
    subject.press("Enter")
    subject.press("Shift+Enter")
    page.wait_for_timeout(300)  # time for a submit or a download, if one were coming
    expect(subject).to_have_value(drafted)  # no line break in a one-line subject
    expect(subject).to_be_focused()
    assert mp.locator("a[data-link=mailto]").get_attribute("href") == href
    assert posts == [] and downloads == [], "Enter neither submits the form nor downloads"
    assert page.url.endswith("/letters")
    # A line break pasted in all the same reaches the links as a space, as on the server.
    subject.fill("Facial recognition\nin Southwark")
    address, fields = mailto_fields(mp.locator("a[data-link=mailto]").get_attribute("href"))
    assert (address, fields["subject"]) == (MP_EMAIL, "Facial recognition in Southwark")
    open_other_ways(mp)
    gmail = mp.locator("a[data-link=gmail]").get_attribute("href")
    body = mp.locator("textarea[data-body]").input_value()
    assert gmail == delivery.webmail("gmail", [MP_EMAIL], "Facial recognition in Southwark", body)


def test_line_break_in_subject_becomes_a_space_without_javascript(page_nojs, campaign_url, stub):
    page = page_nojs
    find_by_postcode(page, campaign_url)
    write_letters(page)
    downloads = []
    page.on("download", lambda download: downloads.append(download.suggested_filename))
    mp = letter(page)
    subject = mp.locator("textarea[data-subject]")
    subject.fill("Facial recognition")
    subject.press("End")
    subject.press("Enter")  # a textarea takes the line break; nothing is submitted
    subject.type("in Southwark")
    assert subject.input_value() == "Facial recognition\nin Southwark"
    mp.locator("textarea[data-body]").fill(EDITED_BODY)
    with page.expect_request(lambda r: r.method == "POST") as posted:
        submit(page, page.get_by_role("button", name="Update all the send buttons"))
    fields = (posted.value.post_data or "").split("&")
    pressed = [f for f in fields if f.startswith(("eml=", "update="))]
    assert pressed == ["update=1"]
    # The rebuilt links carry the subject on one line: the break is a space.
    mp = letter(page)
    assert_mailto_is(mp, "Facial recognition in Southwark", EDITED_BODY)
    for kind in WEBMAIL_KINDS:
        assert_webmail_is(mp, kind, "Facial recognition in Southwark", EDITED_BODY)
    assert downloads == []


# --- (c) postcodes.io down: choose from the lists ---------------------------------------------


def test_lookup_down_with_javascript_uses_search_boxes(page, campaign_url, stub, shot):
    stub.mode = "down"
    find_by_postcode(page, campaign_url)
    assert stub.requests == ["/postcodes/SE12DL"] * 2, "one try and one retry"
    notice = page.locator(".notice")
    expect(notice).to_contain_text("couldn't look up your postcode")
    expect(notice).to_be_focused()
    # An outage is not the supporter's mistake: their postcode is not marked as wrong.
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_label("Your postcode")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Your postcode")).to_have_value(POSTCODE)
    shot(page, "1-lists")

    page.get_by_label("Search the list of constituencies").fill("bermondsey")
    page.get_by_label("Search the list of police forces").fill("metropolitan")
    selected = "s => s.selectedOptions[0].textContent"
    assert page.locator("#constituency").evaluate(selected) == CONSTITUENCY
    assert page.locator("#pfa").evaluate(selected) == FORCE
    shot(page, "2-searched")

    submit(page, page.get_by_role("button", name="Continue"))
    expect(page.locator(".step").first).to_contain_text(f"For {CONSTITUENCY}:")
    expect(page.locator(".recipients li")).to_have_count(3)
    write_letters(page)
    expect(page.locator("section[data-letter]")).to_have_count(3)
    expect(letter(page).get_by_role("heading")).to_have_text(f"1. To {MP_HEADING}")
    assert "SE1 2DL" not in letter(page).locator("textarea[data-body]").input_value()
    shot(page, "3-letters")


def test_lookup_down_without_javascript_uses_lists(page_nojs, campaign_url, stub, shot):
    page = page_nojs
    stub.mode = "close"  # the connection drops with no answer at all
    find_by_postcode(page, campaign_url)
    assert stub.requests == ["/postcodes/SE12DL"] * 2, "one try and one retry"
    expect(page.locator(".notice")).to_contain_text("couldn't look up your postcode")
    expect(page.locator("input[type=search]")).to_have_count(0)
    shot(page, "1-lists")

    page.get_by_label("Your constituency").select_option(label=CONSTITUENCY)
    page.get_by_label("Your police force").select_option(label=FORCE)
    submit(page, page.get_by_role("button", name="Continue"))
    expect(page.locator(".step").first).to_contain_text(f"For {CONSTITUENCY}:")
    shot(page, "2-choose")
    write_letters(page)
    expect(page.locator("section[data-letter]")).to_have_count(3)
    expect(letter(page).get_by_role("heading")).to_have_text(f"1. To {MP_HEADING}")
    shot(page, "3-letters")


# --- (d) an invalid postcode ------------------------------------------------------------------


def test_invalid_postcode_with_javascript(page, campaign_url, stub, shot):
    page.goto(campaign_url)
    page.get_by_label("Your postcode").fill("FOO")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Find who to write to").click()
    assert navigation.value.status == 400
    assert stub.requests == [], "an invalid postcode is never sent to postcodes.io"
    assert page.title().startswith("Error: ")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#postcode")
    field = page.get_by_label("Your postcode")
    expect(field).to_have_value("FOO")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\bpostcode-error\b"))
    error = page.locator("#postcode-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Enter a full UK postcode")
    # The message sits right by the field, between its label and the box.
    assert page.locator(".field--error").filter(has=field).filter(has=error).count() == 1
    shot(page, "1-error")


def test_invalid_postcode_without_javascript(page_nojs, campaign_url, stub, shot):
    page = page_nojs
    find_by_postcode(page, campaign_url, "FOO")
    assert stub.requests == []
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Enter a full UK postcode")
    expect(summary).to_be_focused()  # by its autofocus attribute: no script needed
    expect(page.locator("#postcode-error")).to_contain_text("Enter a full UK postcode")
    expect(page.get_by_label("Your postcode")).to_have_value("FOO")
    shot(page, "1-error")


# --- (e) accessibility: axe-core, WCAG 2.2 AA rules ------------------------------------------


def _index(page, campaign_url):
    page.goto(campaign_url.split("/c/")[0] + "/")


def _campaign(page, campaign_url):
    page.goto(campaign_url)


def _campaign_error(page, campaign_url):
    find_by_postcode(page, campaign_url, "FOO")


def _manual_lists(page, campaign_url):
    page.goto(campaign_url)
    submit(page, page.get_by_role("link", name=re.compile("from a list instead")))
    expect(page.locator("#constituency-search")).to_be_visible()


def _choose(page, campaign_url):
    find_by_postcode(page, campaign_url)


def _choose_errors(page, campaign_url):
    find_by_postcode(page, campaign_url)
    page.get_by_label("Your name").fill("")
    submit(page, page.get_by_role("button", name="Write my letters"))
    expect(page.locator(".error-summary")).to_be_visible()


def _letters(page, campaign_url):
    find_by_postcode(page, campaign_url)
    write_letters(page)


def _letters_sent(page, campaign_url):
    """The default flow's letters, "Other ways to send" open, and back after sending one."""
    default_letters(page, campaign_url)
    mp = letter(page)
    open_other_ways(mp)
    mp.locator("a[data-link=mailto]").click()
    come_back(page)
    expect(mp.locator(".sent-note")).to_be_visible()


def _letters_too_long(page, campaign_url):
    """A letter too long for its links: the notice and the copy-and-open buttons."""
    find_by_postcode(page, campaign_url)
    write_letters(page)
    mp = letter(page)
    mp.locator("textarea[data-body]").fill("This is a very long letter. " * 120)
    expect(mp.locator("[data-too-long]")).to_be_visible()
    open_other_ways(mp)


def _thanks(page, campaign_url):
    page.goto(f"{campaign_url}/thanks")


PAGES = {
    "index": _index,
    "campaign": _campaign,
    "campaign-error": _campaign_error,
    "manual-lists": _manual_lists,
    "choose": _choose,
    "choose-errors": _choose_errors,
    "letters": _letters,
    "letters-sent": _letters_sent,
    "letters-too-long": _letters_too_long,
    "thanks": _thanks,
}


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(page_axe, campaign_url, stub, shot, name):
    PAGES[name](page_axe, campaign_url)
    violations = axe_violations(page_axe)
    shot(page_axe, name)
    assert violations == [], f"axe-core on the {name} page:\n{describe(violations)}"


# --- (f) privacy: nothing stored, nothing fetched from elsewhere ------------------------------


def test_no_cookies_storage_or_outside_requests(browsing, campaign_url, stub, shot):
    page = browsing.page
    find_by_postcode(page, campaign_url)
    write_letters(page)
    mp = letter(page)
    mp.locator("a[data-link=mailto]").click()
    come_back(page)
    expect(mp.locator(".sent-note")).to_be_visible()
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    submit(page, page.locator("[data-thanks]"))
    shot(page, "thanks")

    assert browsing.context.cookies() == []
    assert browsing.set_cookies == []
    assert browsing.blocked == []
    # Chromium reports the mailto link as a request, but it is handed to the mail app, not
    # fetched (the route guard never saw it); every fetch went to 127.0.0.1.
    schemes = {urlsplit(u).scheme for u in browsing.requests}
    assert "http" in schemes and schemes <= {"http", "data", "mailto"}, browsing.requests
    fetched = [u for u in browsing.requests if urlsplit(u).scheme != "mailto"]
    outside = [u for u in fetched if urlsplit(u).hostname != "127.0.0.1"]
    assert outside == [], f"requests that left 127.0.0.1: {outside}"
    paths = {urlsplit(u).path for u in browsing.requests}
    assert {"/static/site.css", "/static/site.js", f"{urlsplit(campaign_url).path}/thanks"} <= paths
    # The app asked the stub, never the real postcodes.io.
    assert stub.requests == ["/postcodes/SE12DL"]


def test_the_letters_page_says_what_is_below_and_keeps_count_of_what_is_done(
    page, campaign_url, stub
):
    default_letters(page, campaign_url)
    expect(page.locator(".overview")).to_have_text(
        "3 letters: 1 opens in your email, 2 go through their websites."
    )
    mark = page.locator("[data-done-mark]")
    expect(mark).to_be_hidden()
    page.context.route("**/*", lambda route: route.abort())  # the sites the buttons open
    page.locator("section[data-letter]").nth(2).locator("a[data-send]").first.click()
    expect(mark).to_have_text("1 of 3 done")
    page.locator("section[data-letter]").nth(1).locator("a[data-send]").first.click()
    expect(mark).to_have_text("2 of 3 done")
