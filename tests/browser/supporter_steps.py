"""Steps and checks that the supporter's browser tests share (not a test module itself).

The supporter's path: campaign page → postcode → choose points → letters; reading the send
links back; opening "Other ways to send"; coming back to the page after sending; axe-core.
"""

import json
import re
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

from advocacy.letters import compose
from advocacy.letters import delivery
from advocacy.platform import tally
from advocacy.platform.models import Tally
from advocacy.platform.models import db

POSTCODE = "SE1 2DL"
MP = "Neil Coyle"
MP_HEADING = "Neil Coyle MP"
MP_EMAIL = "neil.coyle.mp@parliament.uk"
CONSTITUENCY = "Bermondsey and Old Southwark"
FORCE = "Metropolitan Police Service"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WEBMAIL_KINDS = ("gmail", "outlook", "office365", "yahoo")
# Options for a desktop-sized context, over conftest.PHONE: watched(**DESKTOP).
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False}


def sends(app, channel: str = "page", ref: str = "") -> int:
    """ "I've sent my letters" presses counted so far by the live app (pending ones written)."""
    with app.app_context():
        tally.flush()
        total = db.session.scalar(
            db.select(db.func.sum(Tally.total)).where(
                Tally.event == "sent", Tally.channel == channel, Tally.ref == ref
            )
        )
        return int(total or 0)


# The default flow: the points ticked by default, a short answer to each question, a name and
# an address that already has the postcode in it (so the signature doesn't repeat it).
WHY_SHORT = "I don't want my face scanned on my way to work"
LOCAL_SHORT = "London Bridge station"
NAME = "Ann Example"
ADDRESS_WITH_POSTCODE = "1 Example Street, London SE1 2DL"


# --- steps -------------------------------------------------------------------------------------


def submit(page, button) -> None:
    """Click a button that loads a new page, and wait until that page (and its script) is in."""
    with page.expect_navigation():
        button.click()


def find_by_postcode(page, campaign_url: str, postcode: str = POSTCODE) -> None:
    page.goto(campaign_url)
    page.get_by_label("Your postcode").fill(postcode)
    submit(page, page.get_by_role("button", name="Find who to write to"))


def write_letters(page, name: str = NAME) -> None:
    """On the choose page: give a name and ask for the letters with the default points."""
    page.get_by_label("Your name").fill(name)
    submit(page, page.get_by_role("button", name="Write my letters"))


def answer_defaults(page) -> None:
    """On the choose page: the default points, a short answer to each question, name, address."""
    page.get_by_label("Why does this matter to you?").fill(WHY_SHORT)
    page.get_by_label("Where near you might these cameras be used?").fill(LOCAL_SHORT)
    page.get_by_label("Your name").fill(NAME)
    page.get_by_label("Your address (optional)").fill(ADDRESS_WITH_POSTCODE)


def default_letters(page, campaign_url: str, shot=None) -> None:
    """The default flow from the campaign page to the letters page."""
    find_by_postcode(page, campaign_url)
    answer_defaults(page)
    if shot is not None:
        shot(page, "choose")
    submit(page, page.get_by_role("button", name="Write my letters"))


def letter(page, role: str = "Your MP"):
    """The letter card for a recipient role as the page words it."""
    role_line = page.locator(".role", has_text=re.compile("^" + re.escape(role)))
    return page.locator("section[data-letter]").filter(has=role_line)


def open_other_ways(card):
    """Open the card's "Other ways to send" disclosure; the links inside are hidden till then."""
    details = card.locator("details.other-ways")
    if details.get_attribute("open") is None:
        details.locator("summary", has_text="Other ways to send").click()
    assert details.get_attribute("open") is not None
    return details


def come_back(page) -> None:
    """What the page sees when the supporter comes back from their email app."""
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")


# --- reading links back ------------------------------------------------------------------------


def mailto_fields(href: str) -> tuple[str, dict[str, str]]:
    """Address and decoded fields of a mailto link; unquote, not unquote_plus: + is literal."""
    assert href.startswith("mailto:"), href
    path, _, query = href.removeprefix("mailto:").partition("?")
    fields = dict(pair.split("=", 1) for pair in query.split("&"))
    assert set(fields) == {"subject", "body"}, href
    return unquote(path), {key: unquote(value) for key, value in fields.items()}


def webmail_fields(kind: str, href: str) -> dict[str, str]:
    """The to, subject and body of a webmail compose link, by delivery.WEBMAIL's field names."""
    spec = delivery.WEBMAIL[kind]
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == spec.base.split("?")[0], href
    fields = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    return {
        "to": unquote(fields[spec.to]),
        "subject": unquote(fields[spec.subject]),
        "body": unquote(fields[spec.body]),
    }


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


def assert_webmail_is(card, kind: str, subject: str, body: str) -> None:
    """The card's link for one webmail client carries exactly this letter (LF line breaks)."""
    href = card.locator(f"a[data-link={kind}]").get_attribute("href")
    assert webmail_fields(kind, href) == {"to": MP_EMAIL, "subject": subject, "body": body}
    assert href == delivery.webmail(kind, [MP_EMAIL], subject, body)


# --- the campaign ------------------------------------------------------------------------------


def phrasings(point_id: str) -> list[str]:
    """The example campaign's wordings of one talking point."""
    spec = json.loads((ROOT / "advocacy" / "example_campaign.json").read_text(encoding="utf-8"))
    found = next(p["phrasings"] for p in spec["talking_points"] if p["id"] == point_id)
    return [p if isinstance(p, str) else p["text"] for p in found]  # a string, or {"text": …}


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


# --- accessibility -----------------------------------------------------------------------------


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations on a page or frame as it is now.

    axe is handed over by the driver, not as a <script>, so the page's own CSP stays on. It
    needs JavaScript: for a page without it, see axe_violations_without_js.
    """
    page.evaluate("() => { if (window.axe) return;\n" + AXE.read_text(encoding="utf-8") + "\n}")
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert len(results["passes"]) > 10, "axe-core ran its rules"
    return results["violations"]


def axe_violations_without_js(page, js_page) -> list[dict]:
    """axe on what a page without JavaScript shows (axe itself needs JavaScript to run).

    The page's HTML is replayed at its own address in js_page, a page of a context with
    JavaScript on, and the site's script is left out, so nothing enhances it.
    """
    url, html = page.url, page.content()
    js_page.route(
        lambda u: u == url, lambda route: route.fulfill(body=html, content_type="text/html")
    )
    js_page.route(
        "**/static/site.js", lambda route: route.fulfill(body="", content_type="text/javascript")
    )
    try:
        js_page.goto(url)
        return axe_violations(js_page)
    finally:
        js_page.unroute_all()
