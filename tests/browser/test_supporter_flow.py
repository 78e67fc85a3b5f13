"""The supporter's path in a real browser at phone width, with and without JavaScript.

campaign page → postcode → choose points → letters → edit → send link → thank you; the lists
to choose from when postcodes.io is down; the invalid-postcode error; axe-core on every page;
and the privacy promises: no cookies, no storage, nothing fetched from anywhere but the app.
Every test also ends with the checks in conftest.Watched.check (no request left 127.0.0.1, no
cookie was set, no script or console error).
"""

import email
import email.policy
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest

from advocacy import compose
from advocacy import delivery

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Python playwright is not installed", allow_module_level=True)

POSTCODE = "SE1 2DL"
MP = "Neil Coyle"
MP_EMAIL = "neil.coyle.mp@parliament.uk"
CONSTITUENCY = "Bermondsey and Old Southwark"
FORCE = "Metropolitan Police Service"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

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


# --- steps -------------------------------------------------------------------------------------


def submit(page, button) -> None:
    """Click a button that loads a new page, and wait until that page (and its script) is in."""
    with page.expect_navigation():
        button.click()


def find_by_postcode(page, campaign_url: str, postcode: str = POSTCODE) -> None:
    page.goto(campaign_url)
    page.get_by_label("Your postcode").fill(postcode)
    submit(page, page.get_by_role("button", name="Find who to write to"))


def write_letters(page, name: str = "Ann Example") -> None:
    """On the choose page: give a name and ask for the letters with the default points."""
    page.get_by_label("Your name").fill(name)
    submit(page, page.get_by_role("button", name="Write my letters"))


def letter(page, role: str = "Your MP"):
    """The letter card for a recipient role as the page words it."""
    role_line = page.locator(".role", has_text=re.compile("^" + re.escape(role)))
    return page.locator("section[data-letter]").filter(has=role_line)


def mailto_fields(href: str) -> tuple[str, dict[str, str]]:
    """Address and decoded fields of a mailto link; unquote, not unquote_plus: + is literal."""
    assert href.startswith("mailto:"), href
    path, _, query = href.removeprefix("mailto:").partition("?")
    fields = dict(pair.split("=", 1) for pair in query.split("&"))
    assert set(fields) == {"subject", "body"}, href
    return unquote(path), {key: unquote(value) for key, value in fields.items()}


def phrasings(point_id: str) -> list[str]:
    """The example campaign's wordings of one talking point."""
    spec = json.loads((ROOT / "advocacy" / "example_campaign.json").read_text(encoding="utf-8"))
    return next(p["phrasings"] for p in spec["talking_points"] if p["id"] == point_id)


def opening(phrasing: str) -> str:
    """The start of a wording, before any {placeholder} the letter fills in."""
    return phrasing.split("{")[0][:50]


def own_share(card) -> int:
    text = card.locator("[data-own-words]").inner_text()
    match = re.search(r"About (\d+)%", text)
    assert match, text
    return int(match.group(1))


def server_own_share(card, body: str) -> int:
    """What the server's compose.own_share says for this body and the card's stock paragraphs."""
    return compose.own_share(body, tuple(json.loads(card.get_attribute("data-stock"))))


def assert_mailto_is(card, subject: str, body: str) -> None:
    """The card's mailto link carries exactly this subject and body, CRLF line breaks."""
    href = card.locator("a[data-link=mailto]").get_attribute("href")
    address, fields = mailto_fields(href)
    assert address == MP_EMAIL
    assert fields["subject"] == subject
    assert fields["body"] == body.replace("\n", "\r\n")
    assert "+" not in href and " " not in href, "everything but unreserved characters is %XX"
    # The page builds links the same way as the server does, byte for byte.
    assert href == delivery.mailto([MP_EMAIL], subject, body)


# --- (a) the whole path with JavaScript -------------------------------------------------------


def test_supporter_flow_with_javascript(page, campaign_url, stub, shot, browsing):
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

    accuracy = page.get_by_label("Most alerts have pointed at the wrong person")
    cost = page.get_by_label("Public money could be better spent")
    expect(accuracy).to_be_checked()
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
    expect(page.locator("section[data-letter]")).to_have_count(3)
    mp = letter(page)
    expect(mp.get_by_role("heading")).to_have_text(f"1. To {MP}")
    body = mp.locator("textarea[data-body]")
    drafted = body.input_value()
    assert WHY in drafted
    # The ticked point is in the letter in one of its wordings, the unticked one is not.
    assert any(opening(p) in drafted for p in phrasings("cost"))
    assert not any(opening(p) in drafted for p in phrasings("accuracy"))
    assert drafted.rstrip().endswith("Ann Example\n1 Example Street, London\nSE1 2DL")
    # JavaScript rebuilds links as the letter changes, so the update button goes and the
    # copy buttons come.
    expect(page.locator("[data-update]:visible")).to_have_count(0)
    expect(mp.get_by_role("button", name="Copy subject")).to_be_visible()
    expect(mp.get_by_role("button", name="Copy letter")).to_be_visible()
    expect(mp.get_by_role("button", name="Copy address")).to_be_visible()
    shot(page, "3-letters")

    # The own-words share goes up when the supporter adds a paragraph of their own.
    before = own_share(mp)
    body.fill(drafted + "\n\n" + OWN_PARAGRAPH)
    expect(mp.locator("[data-own-words]")).not_to_contain_text(f"About {before}%")
    assert own_share(mp) > before
    assert own_share(mp) == server_own_share(mp, drafted + "\n\n" + OWN_PARAGRAPH)

    # Edits reach the send links at once, exactly, whatever the characters.
    mp.locator("input[data-subject]").fill(EDITED_SUBJECT)
    body.fill(EDITED_BODY)
    expect(mp.locator("[data-too-long]")).to_be_hidden()
    assert_mailto_is(mp, EDITED_SUBJECT, EDITED_BODY)
    gmail = urlsplit(mp.locator("a[data-link=gmail]").get_attribute("href"))
    assert unquote(dict(p.split("=", 1) for p in gmail.query.split("&"))["body"]) == EDITED_BODY
    shot(page, "4-edited")

    # Too long for one link: the note shows and the links carry the subject only.
    body.fill("This is a very long letter. " * 100)
    expect(mp.locator("[data-too-long]")).to_be_visible()
    _, fields = mailto_fields(mp.locator("a[data-link=mailto]").get_attribute("href"))
    assert fields == {"subject": EDITED_SUBJECT, "body": ""}
    for kind in ("gmail", "outlook", "office365", "yahoo"):
        assert mp.locator(f"a[data-link={kind}]").get_attribute("href").endswith("body=")
    shot(page, "5-too-long")
    body.fill(EDITED_BODY)
    expect(mp.locator("[data-too-long]")).to_be_hidden()
    assert_mailto_is(mp, EDITED_SUBJECT, EDITED_BODY)

    # Copy puts the edited letter on the clipboard.
    browsing.context.grant_permissions(["clipboard-read", "clipboard-write"])
    mp.get_by_role("button", name="Copy letter").click()
    expect(mp.locator("[data-copied]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == EDITED_BODY

    # Opening the mail app shows the "Sent it?" note; the mailto link is not a request.
    mp.locator("a[data-link=mailto]").click()
    note = mp.locator(".sent-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Sent it?")
    assert page.url.endswith("/letters")
    shot(page, "6-sent-note")

    submit(page, note.get_by_role("link", name="finish here"))
    assert page.url == f"{campaign_url}/thanks"
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_label("Link to share")).to_have_value(campaign_url)
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    shot(page, "7-thanks")


# --- (b) the whole path without JavaScript ----------------------------------------------------


def test_supporter_flow_without_javascript(page_nojs, campaign_url, stub, shot):
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
    shot(page, "2-letters")

    mp.locator("input[data-subject]").fill(EDITED_SUBJECT)
    mp.locator("textarea[data-body]").fill(EDITED_BODY)
    submit(page, page.get_by_role("button", name="Update links after editing"))
    mp = letter(page)
    expect(mp.locator("input[data-subject]")).to_have_value(EDITED_SUBJECT)
    expect(mp.locator("textarea[data-body]")).to_have_value(EDITED_BODY)
    expect(mp.locator("[data-too-long]")).to_be_hidden()
    assert_mailto_is(mp, EDITED_SUBJECT, EDITED_BODY)
    assert own_share(mp) == server_own_share(mp, EDITED_BODY) == 90  # all but "Dear Neil Coyle,"
    # The other letters came back unedited, with the supporter's answer still in them.
    expect(letter(page, "Your police force").locator("textarea[data-body]")).to_contain_text(WHY)
    shot(page, "3-updated")

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
    shot(page, "4-thanks")


def test_enter_in_subject_updates_links_without_javascript(page_nojs, campaign_url, stub):
    page = page_nojs
    find_by_postcode(page, campaign_url)
    write_letters(page)
    downloads = []
    page.on("download", lambda download: downloads.append(download.suggested_filename))
    subject = letter(page, "Your police force").locator("input[data-subject]")
    subject.fill(EDITED_SUBJECT)
    letter(page).locator("input[data-subject]").fill(EDITED_SUBJECT)
    letter(page).locator("textarea[data-body]").fill(EDITED_BODY)
    with page.expect_request(lambda r: r.method == "POST") as posted:
        subject.press("Enter")
    fields = (posted.value.post_data or "").split("&")
    pressed = [f for f in fields if f.startswith(("eml=", "update="))]
    assert pressed == ["update=1"], "Enter should act as the update button"
    # The re-rendered page's links carry the edits (expect waits for the new page).
    expect(letter(page).locator("a[data-link=mailto]")).to_have_attribute(
        "href", delivery.mailto([MP_EMAIL], EDITED_SUBJECT, EDITED_BODY)
    )
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
    expect(letter(page).get_by_role("heading")).to_have_text(f"1. To {MP}")
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
    expect(letter(page).get_by_role("heading")).to_have_text(f"1. To {MP}")
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
    "thanks": _thanks,
}


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(page_axe, campaign_url, stub, shot, name):
    PAGES[name](page_axe, campaign_url)
    page_axe.add_script_tag(path=str(AXE))
    results = page_axe.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    shot(page_axe, name)
    assert len(results["passes"]) > 10, "axe-core ran its rules"
    violations = results["violations"]
    assert violations == [], f"axe-core on the {name} page:\n{describe(violations)}"


# --- (f) privacy: nothing stored, nothing fetched from elsewhere ------------------------------


def test_no_cookies_storage_or_outside_requests(browsing, campaign_url, stub, shot):
    page = browsing.page
    find_by_postcode(page, campaign_url)
    write_letters(page)
    mp = letter(page)
    mp.locator("a[data-link=mailto]").click()
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
