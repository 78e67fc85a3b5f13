"""The results page in a real browser: staff sign in, open a campaign's results with counts on
several days, see the chart with its figures, and axe-core finds no WCAG violation there (nor on
the supporter's reply page). The chart is server-drawn SVG: it shows with JavaScript off too."""

import os
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from advocacy.platform import receipts
from advocacy.platform import tally
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import RecipientTally
from advocacy.platform.models import Tally
from advocacy.platform.models import db
from advocacy.studio.staff import create_staff

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Python playwright is not installed", allow_module_level=True)

PASSWORD = "a long enough staff password"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SLUG = "stop-facial-recognition"


@pytest.fixture
def staff_email(live_server, request) -> str:
    email = f"{request.node.name[:30].lower().replace('_', '-')}@example.org"
    with live_server.app.app_context():
        create_staff(email, "editor", PASSWORD)
    return email


def letters_since(app, first=None) -> int:
    """The example campaign's letters counted so far (other browser tests in this session write
    some today, for it and for campaigns of their own)."""
    with app.app_context():
        tally.flush()
        example = db.select(CampaignRow.id).where(CampaignRow.slug == SLUG).scalar_subquery()
        query = db.select(db.func.sum(Tally.total)).where(
            Tally.event == "letters", Tally.campaign_id == example
        )
        if first is not None:
            query = query.where(Tally.day >= first)
        total = db.session.scalar(query) or 0
        db.session.remove()
        return int(total)


@pytest.fixture
def counted(live_server):
    """Counts on three past days (other tests count only today), letters to two recipients and
    a reply; removed afterwards. Yields the day with 7 letters."""
    app = live_server.app
    today = datetime.now(UTC).date()
    with app.app_context():
        rows = [
            Tally(campaign_id=1, day=today - timedelta(days=d), event=e, channel=c, ref=r, total=n)
            for d, e, c, r, n in (
                (1, "letters", "page", "", 7),
                (1, "sent", "page", "", 3),
                (3, "letters", "embed", "local-group", 12),
                (3, "sent", "embed", "local-group", 5),
                (9, "letters", "api", "", 1),
            )
        ]
        rows += [
            RecipientTally(
                campaign_id=1, day=today - timedelta(days=1), event=e, role=role, code=code, total=n
            )
            for e, role, code, n in (
                ("letters", "mp", "E14001172", 7),
                ("letters", "police_force", "E23000001", 7),
                ("replied", "mp", "E14001172", 2),
            )
        ]
        db.session.add_all(rows)
        db.session.commit()
        db.session.remove()
    yield today - timedelta(days=1)
    with app.app_context():
        db.session.execute(db.delete(Tally).where(Tally.day < today))
        db.session.execute(db.delete(RecipientTally).where(RecipientTally.day < today))
        db.session.commit()
        db.session.remove()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()


def axe_problems(page) -> list:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert len(found["passes"]) > 5, page.url
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in found["violations"]
    ]


def test_the_results_page_shows_the_counts_and_passes_axe(
    watched, base_url, stub, staff_email, counted, shot, live_server
):
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci)")
    page = watched(staff=True, bypass_csp=True, **DESKTOP).page
    sign_in(page, base_url, staff_email)
    all_time = letters_since(live_server.app)
    in_range = letters_since(live_server.app, counted - timedelta(days=28))

    # From the campaign list: each campaign's letters lead to its results.
    row = page.get_by_role("row").filter(has_text="/c/" + SLUG)
    expect(row.locator("td[data-letters]")).to_have_text(
        re.compile(rf"^{all_time} supporters wrote: see the results")
    )
    with page.expect_navigation():
        row.locator("td[data-letters] a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for")

    chart = page.get_by_role("img", name=re.compile("^Supporters who wrote, and sends, per day"))
    expect(chart).to_be_visible()
    day = counted.isoformat()
    bar = chart.locator(f'rect[data-day="{day}"][data-event="letters"]')
    expect(bar).to_have_attribute("data-value", "7")
    assert bar.bounding_box()["height"] > 0
    expect(page.locator(f'tr[data-day="{day}"] td').first).to_have_text("7")
    expect(page.locator("[data-range-letters]")).to_have_text(str(in_range))
    expect(page.locator("table[data-replies]")).to_contain_text("Rachel Blake")
    shot(page, "results")
    assert axe_problems(page) == [], page.url

    # A range that is not one: the error is announced and still nothing for axe to find.
    page.get_by_label("From").fill("2026-05-02")
    page.get_by_label("To (included)").fill("2026-05-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Show these dates").click()
    expect(page.get_by_role("alert")).to_contain_text("The end date is before the start date.")
    assert axe_problems(page) == [], page.url

    # The public counter, switched on from here, shows on the campaign page.
    page.goto(f"{base_url}/admin/campaigns/1/results")
    page.get_by_label("Show the count on the campaign page").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("now shows how many letters")
    page.goto(f"{base_url}/c/{SLUG}")
    written = letters_since(live_server.app)
    expect(page.locator("[data-letter-count]")).to_have_text(
        f"{written:,} people have written so far"
    )
    assert axe_problems(page) == [], page.url
    page.goto(f"{base_url}/admin/campaigns/1/results")
    page.get_by_label("Show the count on the campaign page").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()


def test_the_chart_needs_no_javascript(watched, base_url, stub, staff_email, counted):
    page = watched(staff=True, java_script_enabled=False, **DESKTOP).page
    sign_in(page, base_url, staff_email)
    page.goto(f"{base_url}/admin/campaigns/1/results")
    chart = page.get_by_role("img", name=re.compile("^Supporters who wrote, and sends, per day"))
    expect(chart).to_be_visible()
    assert chart.locator("rect[data-value]").count() == 60  # 30 days, two bars a day


def test_the_reply_page_passes_axe_and_counts_an_answer(watched, base_url, stub, live_server):
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci)")
    page = watched(bypass_csp=True).page
    before = no_replies(live_server.app)
    # The thank-you page as "I've sent my letters" posts to it, with the reply link to keep.
    page.goto(f"{base_url}/c/{SLUG}/thanks")
    with live_server.app.app_context():  # as the letters page hands it out
        token = receipts.issue(
            SLUG, [("mp", "E14001172"), ("police_force", "E23000001")], channel="page"
        )
    with page.expect_navigation():
        page.evaluate(SEND_FORM, [["mp:E14001172", "police_force:E23000001"], token])
    link = page.get_by_label("Your link to tell us about replies")
    expect(link).to_have_value(
        f"{base_url}/c/{SLUG}/reply?r=mp:E14001172&r=police_force:E23000001&t={token}"
    )
    assert axe_problems(page) == [], page.url
    page.get_by_role("link", name="Open the reply page").click()
    expect(page.get_by_role("group", name="Did Rachel Blake MP reply?")).to_be_visible()
    assert axe_problems(page) == [], page.url
    group = page.get_by_role("group", name="Did the Metropolitan Police Service reply?")
    with page.expect_navigation():
        group.get_by_role("button", name="No reply yet").click()
    expect(page.get_by_role("status")).to_contain_text(
        "counted that the Metropolitan Police Service hasn't replied yet"
    )
    assert axe_problems(page) == [], page.url
    assert no_replies(live_server.app) == before + 1


# What the letters page's "I've sent my letters" form posts (tests/studio/test_results.py checks the
# form itself), submitted from the page the browser is on.
SEND_FORM = """([keys, token]) => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = location.pathname;
    for (const [name, value] of [...keys.map(key => ["r", key]), ["t", token]]) {
        const input = document.createElement("input");
        input.type = "hidden"; input.name = name; input.value = value;
        form.append(input);
    }
    document.body.append(form);
    form.submit();
}"""


def no_replies(app) -> int:
    """Supporters' "no reply yet" answers about the Met, so far."""
    with app.app_context():
        tally.flush()
        total = db.session.scalar(
            db.select(db.func.sum(RecipientTally.total)).where(
                RecipientTally.event == "no_reply",
                RecipientTally.role == "police_force",
                RecipientTally.code == "E23000001",
            )
        )
        db.session.remove()
        return int(total or 0)
