"""Campaign staff in a real browser: sign in, write a campaign with two talking points, preview
it for a postcode, publish it, and then a supporter (another browser, no cookies) uses it.

Desktop-sized, JavaScript on. The staff session cookie must stay on /admin: the supporter pages
served to the same staff browser set and need no cookie (checked by conftest.Watched).
"""

import json
import os
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.platform import store
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


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


@pytest.fixture
def staff_email(live_server, request) -> str:
    name = request.node.name  # parametrized tests share a prefix: the checksum tells apart
    email = f"{name[:30].lower().replace('_', '-')}-{zlib.crc32(name.encode())}@example.org"
    with live_server.app.app_context():
        create_staff(email, "editor", PASSWORD)
    return email


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/admin/")
    expect(page.get_by_role("heading", name="Sign in to the campaign studio")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()


def test_staff_create_preview_and_publish_then_a_supporter_uses_it(
    watched, base_url, stub, shot, staff_email
):
    staff = watched(staff=True, **DESKTOP)
    page = staff.page
    sign_in(page, base_url, staff_email)
    cookies = staff.context.cookies()
    assert sorted((c["name"], c["path"], c["httpOnly"], c["sameSite"]) for c in cookies) == [
        ("advocacy_device", "/admin", True, "Strict"),  # spares it the account-wide limit
        ("advocacy_staff", "/admin", True, "Lax"),
    ]

    # Write the campaign: title, address, subject, opening, two talking points.
    submit(page, page.get_by_role("link", name="New campaign"))

    def field(label):
        return page.get_by_label(label, exact=True)

    field("Title").fill("Protect our parks")
    field("Web address").fill("protect-our-parks")
    field("Subject lines").fill("Keep facial recognition out of {constituency}")
    field("Opening paragraph").fill("I live in {constituency} and I am worried.")
    first = page.locator("#f-talking-points-0")
    first.get_by_label("What supporters tick").fill("Cameras in parks scan children")
    first.get_by_label("Phrasing 1").fill("Cameras in our parks would scan every child who plays.")
    submit(page, page.get_by_role("button", name="Add a talking point"))
    expect(page.get_by_text("Not saved yet")).to_be_visible()
    expect(field("Title")).to_have_value("Protect our parks")  # nothing typed is lost
    second = page.locator("#f-talking-points-1")
    second.get_by_label("What supporters tick").fill("Nobody voted for this")
    second.get_by_label("Phrasing 1").fill("No council or parliament has voted for park cameras.")
    shot(page, "editor")
    submit(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_text("Campaign created.")).to_be_visible()

    # Preview it for a postcode: the same letters a supporter would get, for two people.
    submit(page, page.get_by_role("link", name="Preview letters"))
    page.get_by_label("Postcode").fill("SE1 2DL")
    page.get_by_label("Cameras in parks scan children").check()
    page.get_by_label("Nobody voted for this").check()
    submit(page, page.get_by_role("button", name="Show the letters"))
    expect(page.get_by_role("heading", name="To Neil Coyle")).to_have_count(2)
    expect(
        page.get_by_text("Keep facial recognition out of Bermondsey and Old Southwark").first
    ).to_be_visible()
    expect(page.locator(".letter-body").first).to_contain_text("would scan every child")
    shot(page, "preview")

    # Publish.
    submit(page, page.get_by_role("link", name="Back to the editor"))
    submit(page, page.get_by_role("button", name="Publish", exact=True))
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    expect(page.get_by_text("Published: supporters can use it now.")).to_be_visible()
    expect(page.get_by_role("link", name="Open the live page")).to_be_visible()

    # A supporter, in a browser of their own, writes with it.
    supporter = watched().page
    supporter.goto(f"{base_url}/c/protect-our-parks")
    expect(supporter.get_by_role("heading", name="Protect our parks")).to_be_visible()
    supporter.get_by_label("Postcode").fill("SE1 2DL")
    submit(supporter, supporter.get_by_role("button", name="Find who to write to"))
    supporter.get_by_label("Nobody voted for this").check()
    supporter.get_by_label("Your name").fill("Ann Example")
    submit(supporter, supporter.get_by_role("button", name="Write my letters"))
    body = supporter.locator("#body-0")
    expect(body).to_contain_text("No council or parliament has voted for park cameras.")
    expect(body).to_contain_text("I live in Bermondsey and Old Southwark")


def test_the_share_panel_gives_the_code_and_previews_the_embed(
    watched, base_url, stub, shot, staff_email
):
    page = watched(staff=True, **DESKTOP).page
    sign_in(page, base_url, staff_email)
    submit(page, page.get_by_role("link", name="Stop police live facial recognition", exact=True))
    submit(page, page.get_by_role("link", name="Share and embed"))
    expect(page.get_by_text("No site can embed this campaign yet.")).to_be_visible()
    page.get_by_label("Partner label (optional)").fill("local-group")
    page.get_by_label("Accent colour").select_option("purple")
    submit(page, page.get_by_role("button", name="Update the code"))
    snippet = page.get_by_label("The partner pastes this into their page").input_value()
    assert f'href="{base_url}/c/stop-facial-recognition"' in snippet
    assert 'data-ref="local-group" data-theme="purple"' in snippet
    assert f'src="{base_url}/static/embed.js"' in snippet

    # The preview is the real embed, framed by this site and sized to its content.
    frame_el = page.locator("[data-embed-preview] iframe")
    expect(frame_el).to_have_count(1)
    embed = page.frame_locator("[data-embed-preview] iframe")
    expect(embed.get_by_role("heading", name="Stop police live facial recognition")).to_be_visible()
    expect(embed.locator("body.theme-purple")).to_have_count(1)
    page.wait_for_function(
        "() => document.querySelector('[data-embed-preview] iframe').style.minHeight === '0px'"
    )
    before = frame_el.evaluate("f => f.offsetHeight")
    embed.get_by_label("Postcode").fill("SE1 2DL")
    embed.get_by_role("button", name="Find who to write to").click()
    expect(embed.get_by_label("Your name")).to_be_visible()
    page.wait_for_function(
        "h => document.querySelector('[data-embed-preview] iframe').offsetHeight > h", arg=before
    )
    shot(page, "share")

    page.get_by_role("button", name="Copy code").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()


def test_studio_pages_pass_axe(watched, base_url, stub, staff_email):
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci)")
    page = watched(staff=True, bypass_csp=True, **DESKTOP).page
    page.goto(f"{base_url}/admin/login")
    assert axe_problems(page) == [], "/admin/login"
    sign_in(page, base_url, staff_email)
    for path in (
        "/admin/",
        "/admin/campaigns/1",
        "/admin/campaigns/1/preview?postcode=SE1+2DL",
        "/admin/campaigns/1/preview",  # one letter set per nation
        "/admin/campaigns/1/revisions",
        "/admin/campaigns/new",
        "/admin/directory?q=cumbria",
        "/admin/directory/police_oversight/E23000001",
        "/admin/account",
        "/admin/campaigns/import",
        "/admin/campaigns/1/share?ref=local-group&theme=green",
    ):
        page.goto(base_url + path)
        assert axe_problems(page) == [], path


def axe_problems(page) -> list:
    """axe-core's WCAG violations on the page as it is now (details open or not)."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert len(results["passes"]) > 5, page.url
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]
    ]


def scoped_campaign(slug: str) -> campaigns.Campaign:
    """A campaign with a point for Scotland, one for England and Wales, and Scotland's own
    opening, subject and MP ask; Northern Ireland has no point, as a campaign saved under older
    rules may (so the preview has a nation to flag)."""
    return campaign_json.from_dict(
        {
            "slug": slug,
            "title": "Nations in the studio",
            "subject_lines": ["About {force_name}"],
            "opening": "I live in {constituency}.",
            "talking_points": [
                {
                    "id": "scots",
                    "label": "Scottish point",
                    "phrasings": ["Police Scotland should not start."],
                    "nations": ["scotland"],
                },
                {
                    "id": "ew",
                    "label": "England and Wales point",
                    "phrasings": ["The Police Reform Bill must change."],
                    "nations": ["england", "wales"],
                },
            ],
            "asks": {"mp": "Please act.", "police_force": "Stop.", "police_oversight": "Ask."},
            "variants": {
                "scotland": {
                    "opening": "I live in {constituency}, in Scotland.",
                    "subject_lines": ["Police Scotland and facial recognition"],
                    "asks": {"mp": "Please raise this with colleagues at Holyrood."},
                }
            },
        },
        check=False,
    )


def test_nations_in_the_editor_and_the_preview_per_nation(
    watched, base_url, live_server, stub, shot, staff_email
):
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci)")
    with live_server.app.app_context():
        campaign_id = store.create(scoped_campaign("nations-in-the-studio"), staff_email).id
    page = watched(staff=True, bypass_csp=True, **DESKTOP).page
    sign_in(page, base_url, staff_email)

    # The editor: nations per campaign and per point; Scotland's own opening is an alternative,
    # its condition shown in words.
    page.goto(f"{base_url}/admin/campaigns/{campaign_id}")
    scottish = page.locator("#f-talking-points-0-nations")
    expect(scottish.get_by_label("Scotland")).to_be_checked()
    expect(scottish.get_by_label("England")).not_to_be_checked()
    opening = page.locator("#f-opening-0")
    expect(opening.locator(".condition-words")).to_have_text("Only for supporters in Scotland")
    opening.locator("summary").click()  # folded to its condition
    expect(opening.get_by_label("Text")).to_have_value("I live in {constituency}, in Scotland.")
    assert axe_problems(page) == []

    # Wales gets its own opening; no nation ticked is refused next to the nations.
    submit(page, page.get_by_role("button", name="Add text for some recipients only: opening"))
    welsh = page.locator("#f-opening-1")
    welsh.get_by_label("Used when").fill("nation: wales")
    welsh.get_by_label("Text").fill("I live in {constituency}, in Wales.")
    nations = page.locator("#f-nations")
    for name in ("England", "Wales", "Scotland", "Northern Ireland"):
        nations.get_by_label(name).uncheck()
    submit(page, page.get_by_role("button", name="Save", exact=True))
    expect(nations.locator(".field-error")).to_have_text("Error: Choose at least one nation.")
    expect(page.get_by_role("link", name="Choose at least one nation.")).to_be_visible()
    expect(page.locator("#f-opening-1 .condition-words")).to_have_text(
        "Only for supporters in Wales"
    )
    page.locator("#f-opening-1 summary").click()
    expect(page.locator("#f-opening-1").get_by_label("Text")).to_have_value(
        "I live in {constituency}, in Wales."
    )  # kept
    shot(page, "editor-error")
    assert axe_problems(page) == []

    # The preview: one letter set per nation, side by side, and the nation with no points flagged.
    page.goto(f"{base_url}/admin/campaigns/{campaign_id}/preview")
    sections = page.locator("section.nation")
    expect(sections).to_have_count(4)
    expect(
        page.get_by_text("Supporters in Northern Ireland would get no talking points.")
    ).to_be_visible()
    scotland = page.locator('[data-nation="scotland"]')
    expect(scotland.get_by_role("heading", name="To Police Scotland")).to_be_visible()
    expect(scotland.locator(".letter-body").first).to_contain_text(
        "Police Scotland should not start."
    )
    boxes = [sections.nth(i).bounding_box() for i in range(4)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]  # side by side
    shot(page, "preview-nations")
    assert axe_problems(page) == []

    # On a phone they stack, one nation under another.
    phone = watched(staff=True).page
    sign_in(phone, base_url, staff_email)
    phone.goto(f"{base_url}/admin/campaigns/{campaign_id}/preview")
    first, second = (phone.locator("section.nation").nth(i).bounding_box() for i in range(2))
    assert second["y"] > first["y"] + first["height"] - 1 and first["x"] == second["x"]


# --- Finding your way in a long form, restoring a version, the suggested address -------------


def save_in_view(page) -> bool:
    """The sticky bar's Save is inside the window and nothing is drawn over its middle."""
    return page.evaluate(
        """() => {
          const b = document.querySelector('.editor-bar button[value=save]');
          const r = b.getBoundingClientRect();
          const inside = r.top >= 0 && r.bottom <= window.innerHeight;
          return inside && document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b;
        }"""
    )


def staff_page(watched, base_url, staff_email, **options):
    """A signed-in desktop page; axe needs the CSP bypassed to inject its script."""
    page = watched(staff=True, bypass_csp=True, **{**DESKTOP, **options}).page
    sign_in(page, base_url, staff_email)
    return page


def check_axe(page) -> None:
    if AXE.is_file():
        assert axe_problems(page) == [], page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_moving_a_point_down_lands_on_it(watched, base_url, stub, shot, staff_email, javascript):
    page = staff_page(watched, base_url, staff_email, java_script_enabled=javascript)
    page.goto(f"{base_url}/admin/campaigns/1")
    if javascript:  # axe runs as a script
        check_axe(page)
    label = page.locator("#f-talking-points-1 > details > summary").inner_text().split(": ", 1)[1]
    submit(page, page.get_by_role("button", name="Move point 2 down"))
    moved = page.locator("#f-talking-points-2")
    assert page.url.endswith("/admin/campaigns/1#f-talking-points-2")
    expect(moved.locator(":scope > details > summary")).to_have_text(f"Talking point 3: {label}")
    expect(moved).to_be_focused()
    expect(moved).to_be_in_viewport()
    expect(page.get_by_text("Not saved yet")).to_have_count(1)
    shot(page, "moved-point")
    if javascript:
        check_axe(page)
    # Moving it back up lands on it again, now second.
    submit(page, moved.get_by_role("button", name="Move point 3 up"))
    expect(page.locator("#f-talking-points-1")).to_be_focused()
    expect(page.locator("#f-talking-points-1 > details > summary")).to_have_text(
        f"Talking point 2: {label}"
    )


def test_save_stays_in_view_while_scrolling(watched, base_url, stub, shot, staff_email):
    page = staff_page(watched, base_url, staff_email)
    page.goto(f"{base_url}/admin/campaigns/1")
    assert save_in_view(page)
    for where in ("document.body.scrollHeight / 2", "document.body.scrollHeight"):
        page.evaluate(f"window.scrollTo(0, {where})")
        page.wait_for_function("() => window.scrollY > 0")
        assert save_in_view(page), where
    shot(page, "save-bar-bottom")
    # The contents list gets to any point; the example's points start folded to their labels,
    # and one opens with a click.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".contents").get_by_role("link", name="Point 5:").click()
    expect(page.locator("#f-talking-points-4")).to_be_in_viewport()
    fifth = page.locator("#f-talking-points-4").get_by_label("What supporters tick")
    expect(fifth).to_be_hidden()
    page.locator("#f-talking-points-4 > details > summary").click()
    expect(fifth).to_be_visible()
    assert save_in_view(page)
    check_axe(page)


def test_restoring_an_older_version_brings_its_text_back(
    watched, base_url, live_server, stub, shot, staff_email
):
    with live_server.app.app_context():
        doc = scoped_campaign("restore-me").to_dict()
        first = campaign_json.from_dict({**doc, "title": "Old", "nations": ["england", "scotland"]})
        row = store.create(first, staff_email)
        store.save(
            row, replace(first, title="New", opening="I live near {constituency}."), staff_email, 1
        )
        campaign_id = row.id
    page = staff_page(watched, base_url, staff_email)
    page.goto(f"{base_url}/admin/campaigns/{campaign_id}")
    expect(page.get_by_label("Title", exact=True)).to_have_value("New")
    submit(page, page.get_by_role("link", name="Versions (2)"))
    check_axe(page)
    submit(page, page.get_by_role("link", name="Version 1", exact=True))
    check_axe(page)
    submit(page, page.get_by_role("button", name="Restore version 1"))
    expect(page.get_by_text("Restored version 1 as version 3.")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Old")
    expect(
        page.get_by_label("Opening paragraph (for every other letter)", exact=True)
    ).to_have_value("I live in {constituency}.")
    shot(page, "restored")
    check_axe(page)


def test_the_web_address_follows_the_title_until_staff_type_one(
    watched, base_url, stub, staff_email
):
    # CSP enforced here: studio.js must work under script-src 'self'.
    page = watched(staff=True, **DESKTOP).page
    sign_in(page, base_url, staff_email)
    page.goto(f"{base_url}/admin/campaigns/new")
    title = page.get_by_label("Title", exact=True)
    slug = page.get_by_label("Web address", exact=True)
    title.press_sequentially("Café – Stop LFR")
    expect(slug).to_have_value("cafe-stop-lfr")
    title.press_sequentially(" in Parks!")
    expect(slug).to_have_value("cafe-stop-lfr-in-parks")
    slug.fill("my-own-address")
    title.press_sequentially(" Now")
    expect(slug).to_have_value("my-own-address")


# --- The live Markdown preview and remembered folds -------------------------------------------


def test_the_summary_preview_follows_the_typing(watched, base_url, stub, shot, staff_email):
    # CSP enforced: the preview's fetch must work under connect-src 'self'.
    page = watched(staff=True, **DESKTOP).page
    sign_in(page, base_url, staff_email)
    page.goto(f"{base_url}/admin/campaigns/1")
    region = page.get_by_role("region", name="How the summary will look")
    expect(region).to_be_visible()  # shown once studio.js runs; hidden without it
    summary = page.get_by_label("Summary", exact=True)
    box, shown = summary.bounding_box(), region.bounding_box()
    assert shown["x"] > box["x"] + box["width"] - 1  # beside the box, not under it
    summary.fill("")
    summary.press_sequentially("Cameras scan **everyone**: [read more](https://example.org/r)")
    expect(region.locator("strong")).to_have_text("everyone")
    link = region.get_by_role("link", name="read more")
    expect(link).to_have_attribute("href", "https://example.org/r")
    expect(link).to_have_attribute("rel", "noopener")
    summary.press_sequentially(" <script>document.title='x'</script>")
    expect(region).to_contain_text("<script>document.title='x'</script>")  # shown as typed
    assert page.title() != "x"
    page.get_by_label("Thank-you page text", exact=True).fill("Now *share* it.")
    thanks = page.get_by_role("region", name="How the thank-you text will look")
    expect(thanks.locator("em")).to_have_text("share")
    shot(page, "markdown-preview")
    # Nothing was saved. axe, which needs the CSP bypassed, on a preview with a link in it.
    page = staff_page(watched, base_url, staff_email)
    page.goto(f"{base_url}/admin/campaigns/1")
    page.get_by_label("Summary", exact=True).fill("**Bold** [words](https://example.org)")
    region = page.get_by_role("region", name="How the summary will look")
    expect(region.locator("strong")).to_have_text("Bold")
    check_axe(page)


def test_an_opened_point_stays_open_after_save_and_move(watched, base_url, stub, shot, staff_email):
    """The example has more than four points, so each starts folded to its label; one opened by
    hand stays open through a save and a move, and is open when the campaign is opened again."""
    page = staff_page(watched, base_url, staff_email)
    page.goto(f"{base_url}/admin/campaigns/1")
    editor_height = page.evaluate("document.body.scrollHeight")
    assert editor_height < 15000, editor_height  # 25,834 px with every point open
    second = page.locator("#f-talking-points-1")
    label = second.locator(":scope > details > summary").inner_text().split(": ", 1)[1]
    expect(second.get_by_label("What supporters tick")).to_be_hidden()
    second.locator(":scope > details > summary").click()
    expect(second.get_by_label("What supporters tick")).to_be_visible()
    submit(page, page.locator(".editor-bar").get_by_role("button", name="Save", exact=True))
    expect(page.get_by_text("Nothing had changed")).to_be_visible()
    expect(page.locator("#f-talking-points-1").get_by_label("What supporters tick")).to_be_visible()
    expect(page.locator("#f-talking-points-0").get_by_label("What supporters tick")).to_be_hidden()
    # Point 3 moves up past it (its buttons are outside the fold): the opened point is now
    # third, and still open; the moved one opens too, as the point just acted on.
    submit(page, page.get_by_role("button", name="Move point 3 up"))
    third = page.locator("#f-talking-points-2")
    expect(third.locator(":scope > details > summary")).to_have_text(f"Talking point 3: {label}")
    expect(third.get_by_label("What supporters tick")).to_be_visible()
    expect(page.locator("#f-talking-points-3").get_by_label("What supporters tick")).to_be_hidden()
    shot(page, "opened-point-kept")
    check_axe(page)
    # Folded again by hand, it stays folded when the campaign is opened again.
    third.locator(":scope > details > summary").click()
    expect(third.get_by_label("What supporters tick")).to_be_hidden()
    page.goto(f"{base_url}/admin/campaigns/1")
    expect(page.locator("#f-talking-points-1 > details > summary")).to_have_text(
        f"Talking point 2: {label}"
    )
    expect(page.locator("#f-talking-points-1").get_by_label("What supporters tick")).to_be_hidden()


def save_by_enter(page, title: str) -> None:
    """Type a title and press Enter: the editor's first button is Save."""
    field = page.get_by_label("Title", exact=True)
    field.fill(title)
    with page.expect_navigation():
        field.press("Enter")


def test_a_save_from_another_tab_says_so_and_keeps_this_tabs_text(
    watched, base_url, live_server, stub, shot, staff_email
):
    example = json.loads((ROOT / "advocacy" / "example_campaign.json").read_text("utf-8"))
    with live_server.app.app_context():  # its own campaign: the server is shared by all tests
        mine = campaign_json.from_dict({**example, "slug": "conflict-me", "status": "draft"})
        campaign_id = store.create(mine, staff_email).id
    here = staff_page(watched, base_url, staff_email)
    there = here.context.new_page()
    for page in (here, there):
        page.goto(f"{base_url}/admin/campaigns/{campaign_id}")
    save_by_enter(there, "Saved in the other tab")
    expect(there.get_by_label("Title", exact=True)).to_have_value("Saved in the other tab")

    save_by_enter(here, "Typed in this tab")
    heading = here.get_by_role("heading", name="You saved this campaign in another tab")
    expect(heading).to_be_visible()
    expect(here.get_by_text("You, in another tab, saved version")).to_be_visible()
    expect(here.get_by_label("Title", exact=True)).to_have_value("Typed in this tab")
    shot(here, "conflict")
    check_axe(here)


def conditions_campaign(slug: str) -> campaigns.Campaign:
    """Scotland's own opening and force ask, as an imported /2 file has them."""
    return campaign_json.from_dict(
        {
            "format": "advocacy.campaign/2",
            "slug": slug,
            "title": f"Conditions ({slug})",
            "subject_lines": ["About {force_name}"],
            "opening": "I live in {constituency}.",
            "talking_points": [
                {"id": "scan", "label": "It scans everyone", "phrasings": ["It scans all."]}
            ],
            "asks": {
                "mp": "Please act.",
                "police_force": "Please think again.",
                "police_oversight": "Please hold them to account.",
            },
            "variants": {
                "scotland": {
                    "opening": "I live in {constituency}, in Scotland.",
                    "asks": {"police_force": "Please do not start in Scotland."},
                }
            },
        }
    )


STOP = "I ask {force_name} to stop using live facial recognition."
NOT_START = "I ask {force_name} not to start using live facial recognition."


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_condition_in_the_editor_and_which_text_each_letter_took(
    watched, base_url, live_server, stub, shot, staff_email, javascript, readme_shot
):
    """Staff add an ask for forces that use the cameras, see its condition in words, and the
    preview says, per sample place, which ask each letter took and why."""
    slug = f"conditions-{'js' if javascript else 'no-js'}"
    with live_server.app.app_context():
        campaign_id = store.create(conditions_campaign(slug), staff_email).id
    page = staff_page(watched, base_url, staff_email, java_script_enabled=javascript)
    page.goto(f"{base_url}/admin/campaigns/{campaign_id}")
    force_ask = page.locator("#f-asks-police-force-alternatives")
    submit(page, force_ask.get_by_role("button", name="Add text for some recipients only"))
    # The campaign asks Scotland's force in its own words already: the new alternative comes
    # after that, before the default.
    added = page.locator("#f-asks-police-force-1")
    expect(added).to_be_visible()
    added.get_by_label("Used when").fill("force.lfr_status: deploys, paused, trial")
    added.get_by_label("Text").fill(STOP)
    page.get_by_label("Ask of the police force (for every other letter)").fill(NOT_START)
    # A value the data can't have is refused next to the box, and nothing typed is lost.
    page.locator("#f-opening-0 summary").click()  # folded to its condition
    page.locator("#f-opening-0").get_by_label("Used when").fill("nation: cornwall")
    submit(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.locator("#f-opening-0")).to_contain_text("Unknown nation 'cornwall'")
    expect(page.locator("#f-asks-police-force-1").get_by_label("Text")).to_have_value(STOP)
    page.locator("#f-opening-0").get_by_label("Used when").fill("nation: scotland")
    submit(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    saved = page.locator("#f-asks-police-force-1")
    expect(saved.locator(".condition-words")).to_have_text(
        "Only when the police force uses the cameras"
    )
    if javascript:
        check_axe(page)
        saved.scroll_into_view_if_needed()
        readme_shot(page, "studio-condition")  # docs/studio.md shows it

    # The preview: England's sample place is policed by the Met (deploys), Scotland's by Police
    # Scotland (none); each letter says which ask it took and why.
    page.goto(f"{base_url}/admin/campaigns/{campaign_id}/preview")
    england = page.locator('[data-nation="england"]')
    scotland = page.locator('[data-nation="scotland"]')
    england_force = england.locator("article.letter").filter(
        has=page.get_by_role("heading", name="To Metropolitan Police Service")
    )
    expect(england_force.locator(".letter-body")).to_contain_text("to stop using live facial")
    expect(england_force.locator(".why")).to_contain_text(
        "Ask of the police force: alternative 2 of 3: Only when the police force uses the cameras"
    )
    expect(england_force.locator(".why")).to_contain_text(
        "Opening: the default, as none of these fits: Only for supporters in Scotland"
    )
    scotland_force = scotland.locator("article.letter").filter(
        has=page.get_by_role("heading", name="To Police Scotland")
    )
    # The first alternative that fits wins: Scotland's own ask.
    expect(scotland_force.locator(".why")).to_contain_text(
        "Ask of the police force: alternative 1 of 3: Only for supporters in Scotland"
    )
    expect(scotland_force.locator(".why")).to_contain_text(
        "Opening: alternative 1 of 2: Only for supporters in Scotland"
    )
    if javascript:
        check_axe(page)
        england_force.locator(".why").scroll_into_view_if_needed()
        readme_shot(page, "studio-preview")


def test_an_unticked_recipients_ask_goes_and_comes_back_as_it_was(
    watched, base_url, stub, staff_email
):
    page = staff_page(watched, base_url, staff_email)
    page.goto(f"{base_url}/admin/campaigns/1")
    ask = page.locator("[data-ask-role='mp']")
    expect(ask).to_be_visible()
    typed = ask.locator("textarea").last.input_value()
    page.locator("#f-targets-mp").uncheck()
    expect(ask).to_be_hidden()
    expect(page.locator("[data-ask-role='police_force']")).to_be_visible()
    page.locator("#f-targets-mp").check()
    expect(ask).to_be_visible()
    assert ask.locator("textarea").last.input_value() == typed  # nothing typed was lost
    check_axe(page)


def test_without_javascript_every_ask_shows(watched, base_url, stub, staff_email):
    page = staff_page(watched, base_url, staff_email, java_script_enabled=False)
    page.goto(f"{base_url}/admin/campaigns/1")
    page.locator("#f-targets-mp").uncheck()
    expect(page.locator("[data-ask-role='mp']")).to_be_visible()
