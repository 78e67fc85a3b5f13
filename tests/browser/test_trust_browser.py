"""Trust and polish (issue 15) as a supporter sees it in Chromium at phone width.

Who runs the site and what happens to their details (name and logo in the header, the privacy
page from every footer and from beside the postcode box), sharing previews, "Source" by each
point, errors that name their field (with and without JavaScript), "(optional)", Back and
"Change my answers" keeping what was typed, the force list found by place name, the Channel
Islands, one thank-you, and an embed on a partner's page of another origin: outside links open
a new tab, and each step brings the frame's top into view. axe-core runs on every page visited.
The README's screenshots are taken here (docs/screenshots/).
"""

import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from supporter_steps import CONSTITUENCY
from supporter_steps import DESKTOP
from supporter_steps import FORCE
from supporter_steps import MP
from supporter_steps import POSTCODE
from supporter_steps import answer_defaults
from supporter_steps import axe_violations
from supporter_steps import axe_violations_without_js
from supporter_steps import describe
from supporter_steps import find_by_postcode
from supporter_steps import submit
from supporter_steps import write_letters

from advocacy.platform.models import CampaignRow
from advocacy.platform.models import campaigns_changed
from advocacy.platform.models import db

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or fail under CI) with the reason
    if os.environ.get("CI"):
        raise
    pytest.skip("Python playwright is not installed", allow_module_level=True)

SLUG = "stop-facial-recognition"
TITLE = "Stop police live facial recognition"
EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "advocacy" / "example_campaign.json").read_text()
)
SITE_NAME = "Example Rights Group"
CONTACT = "hello@rights.example"
POLICY = "https://rights.example/privacy"
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">'
    '<rect width="40" height="40" rx="8" fill="#0b6e4f"/>'
    '<path d="M11 21l6 6 12-14" stroke="#fff" stroke-width="4" fill="none"/></svg>'
)
ENTER_POSTCODE = "Enter your postcode, like SW1A 2DD."
ENTER_NAME = "Enter your name."
TICK_A_POINT = "Tick at least one point to make."
JERSEY = "JE2 4WD"


SETTINGS = {
    "SITE_NAME": SITE_NAME,
    "SITE_LOGO": "logo.svg",
    "SITE_CONTACT_EMAIL": CONTACT,
    "SITE_PRIVACY_URL": POLICY,
}


def forget_pages(app) -> None:
    """Drop the worker's parsed campaigns, and with them every page it keeps (pages.py)."""
    with app.app_context():
        campaigns_changed()


@pytest.fixture(autouse=True)
def branded(live_server, tmp_path):
    """The organisation's settings on the running app for each test here, then as they were."""
    (tmp_path / "logo.svg").write_text(LOGO, encoding="utf-8")
    app = live_server.app
    before = {key: app.config.get(key) for key in SETTINGS}, app.instance_path
    app.config.update(SETTINGS)
    app.instance_path = str(tmp_path)
    forget_pages(app)
    yield
    app.config.update(before[0])
    app.instance_path = before[1]
    forget_pages(app)


@pytest.fixture
def edit_campaign(live_server):
    """edit_campaign(field=value, ...) changes the example campaign's row until the test ends."""
    app = live_server.app
    saved: dict = {}

    def row():
        return db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()

    def edit(**changes) -> None:
        with app.app_context():
            found = row()
            for name, value in changes.items():
                saved.setdefault(name, getattr(found, name))
                setattr(found, name, value)
            db.session.commit()
        forget_pages(app)

    yield edit
    if saved:
        with app.app_context():
            found = row()
            for name, value in saved.items():
                setattr(found, name, value)
            db.session.commit()
        forget_pages(app)


# --- checks ------------------------------------------------------------------------------------


def assert_axe_clean(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {where}:\n{describe(violations)}"


def assert_axe_clean_without_js(page, js_page, where: str) -> None:
    violations = axe_violations_without_js(page, js_page)
    assert violations == [], f"axe-core on {where} (no JavaScript):\n{describe(violations)}"


def assert_says_who_runs_it(page) -> None:
    """The header names the organisation (with its logo); the footer links the privacy page."""
    header = page.locator("header.site-header")
    expect(header.locator("a.site-name")).to_have_text(SITE_NAME)
    expect(header.locator("img.site-logo")).to_be_visible()
    expect(header).not_to_contain_text("Write to the people who decide")
    footer = page.locator("footer.site-footer")
    expect(footer).to_contain_text(f"Run by {SITE_NAME}")
    expect(footer.get_by_role("link", name=CONTACT)).to_have_attribute("href", f"mailto:{CONTACT}")
    privacy = footer.get_by_role("link", name="How we handle your details")
    expect(privacy).to_have_attribute("href", "/privacy")


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def assert_error_by_field(page, field_id: str, message: str) -> None:
    """The message is in the summary (linking to the field) and right above the field itself."""
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", f"#{field_id}")
    error = page.locator(f"#{field_id}-error")
    expect(error).to_have_text(f"Error: {message}")
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))
    if field_id == "points":  # the fieldset: the message opens it, above the first box
        first = field.locator("input[type=checkbox]").first
        assert field.locator(f"#{field_id}-error").count() == 1
        gap = box(first)["y"] - (box(error)["y"] + box(error)["height"])
    else:
        expect(field).to_have_attribute("aria-invalid", "true")
        holder = page.locator(".field--error").filter(has=field).filter(has=error)
        assert holder.count() == 1
        gap = box(field)["y"] - (box(error)["y"] + box(error)["height"])
    assert 0 <= gap < 40, f"the message for {field_id} sits {gap}px above it"
    expect(page.locator("main")).not_to_contain_text("This is required")


def frame_top(page) -> float:
    return page.locator("iframe[data-advocacy-frame]").evaluate(
        "f => f.getBoundingClientRect().top"
    )


def wait_for_frame_top_in_view(page) -> None:
    """The partner page scrolled so the frame's top is at the top of the window."""
    page.wait_for_function(
        "() => Math.abs(document.querySelector('iframe[data-advocacy-frame]')"
        ".getBoundingClientRect().top) <= 2"
    )


def scroll_frame_to(page, y: float) -> None:
    """Scroll the partner page so that the point y px down the frame is at the window's top."""
    page.evaluate(
        "y => { const f = document.querySelector('iframe[data-advocacy-frame]');"
        " window.scrollBy(0, f.getBoundingClientRect().top + y); }",
        y,
    )


def embed_frame(page):
    handle = page.locator("iframe[data-advocacy-frame]").element_handle()
    frame = handle.content_frame()
    assert frame is not None
    return frame


def links_leaving(frame, app_url: str) -> list[dict]:
    """Every link in the frame's document that leaves the flow: another site or /privacy."""
    return frame.evaluate(
        """app => [...document.querySelectorAll('a[href]')]
          .filter(a => /^https?:/.test(a.href))
          .filter(a => !a.href.startsWith(app + '/') || new URL(a.href).pathname === '/privacy')
          .map(a => ({href: a.href, target: a.target, rel: a.rel}))""",
        app_url,
    )


def assert_outside_links_open_a_new_tab(frame, app_url: str) -> list[dict]:
    leaving = links_leaving(frame, app_url)
    assert leaving, "the step has links that leave it"
    for link in leaving:
        assert link["target"] == "_blank", link
        assert "noopener" in link["rel"].split(), link
    # Links between the steps stay in the frame.
    inside = frame.evaluate(
        """app => [...document.querySelectorAll('a[href]')]
          .filter(a => a.href.startsWith(app + '/') && new URL(a.href).pathname !== '/privacy')
          .map(a => a.target)""",
        app_url,
    )
    assert all(target in ("", "_self") for target in inside), inside
    return leaving


# --- who runs the site, and the privacy page ---------------------------------------------------


def test_the_site_says_who_runs_it_and_links_the_privacy_page(
    watched, campaign_url, stub, readme_shot
):
    page = watched().page
    page.goto(campaign_url)
    assert_says_who_runs_it(page)
    # Beside the postcode box: the link sits in its form, just under its button.
    form = page.locator("form.step").filter(has=page.get_by_label("Your postcode"))
    note = form.get_by_role("link", name="How we handle your postcode and details")
    expect(note).to_have_attribute("href", "/privacy")
    button = form.get_by_role("button", name="Find who to write to")
    gap = box(note)["y"] - (box(button)["y"] + box(button)["height"])
    assert 0 <= gap < 40, gap
    assert_axe_clean(page, "the campaign page")
    readme_shot(page, "campaign-phone", full_page=True)

    submit(page, note)
    assert urlsplit(page.url).path == "/privacy"
    expect(page.get_by_role("heading", level=1)).to_have_text("How we handle your details")
    main = page.locator("main")
    expect(main).to_contain_text(f"This site is run by {SITE_NAME} ({CONTACT})")
    # It names the lookup the app is actually configured with: here, the local stub.
    expect(main.locator("[data-lookup-host]")).to_have_text(urlsplit(stub.url).hostname)
    expect(main).to_contain_text("We don't store them, and they never appear in our logs")
    expect(main.get_by_role("link", name="read it here")).to_have_attribute("href", POLICY)
    assert_says_who_runs_it(page)
    assert_axe_clean(page, "the privacy page")

    desktop = watched(**DESKTOP).page
    desktop.goto(campaign_url)
    assert_says_who_runs_it(desktop)
    assert_axe_clean(desktop, "the campaign page at 1280 px")
    readme_shot(desktop, "campaign-desktop")


def test_the_campaign_page_carries_sharing_previews(page, campaign_url, base_url, edit_campaign):
    page.goto(campaign_url)

    def meta(attribute: str, name: str) -> str:
        return page.locator(f'head meta[{attribute}="{name}"]').get_attribute("content")

    description = meta("name", "description")
    assert description.startswith("Some police forces now scan the face of everyone who walks past")
    assert 40 < len(description) <= 201 and "<" not in description and "&lt;" not in description
    assert meta("property", "og:title") == TITLE == page.locator("h1").inner_text()
    assert meta("property", "og:description") == description
    assert meta("property", "og:url") == campaign_url
    assert meta("property", "og:site_name") == SITE_NAME
    assert meta("property", "og:type") == "website"
    # No picture of the campaign's own: the organisation's logo, which the app serves.
    assert meta("property", "og:image") == meta("name", "twitter:image") == f"{base_url}/site-logo"
    assert meta("name", "twitter:card") == "summary"
    assert meta("name", "twitter:title") == TITLE
    assert meta("name", "twitter:description") == description
    image = page.request.get(meta("property", "og:image"))
    assert image.ok and image.headers["content-type"].startswith("image/svg+xml")
    assert_axe_clean(page, "the campaign page")

    # A campaign may name its organiser and give its own picture for previews.
    picture = "https://rights.example/cameras.jpg"
    edit_campaign(organiser="Example Rights Group Southwark", image_url=picture)
    page.reload()
    expect(page.locator(".organiser")).to_have_text("A campaign by Example Rights Group Southwark")
    assert meta("property", "og:image") == meta("name", "twitter:image") == picture
    assert meta("name", "twitter:card") == "summary_large_image"
    assert_axe_clean(page, "the campaign page with its organiser")


# --- the choose step: sources, (optional) ------------------------------------------------------


def test_each_point_shows_its_source_beside_it(page, campaign_url, stub, readme_shot):
    find_by_postcode(page, campaign_url)
    assert_says_who_runs_it(page)
    english = [
        p
        for p in EXAMPLE["talking_points"]
        if "england" in p.get("when", {}).get("nation", ["england"])
    ]
    rows = page.locator("#points .checkbox")
    expect(rows).to_have_count(len(english))
    for point, row in zip(english, rows.all(), strict=True):
        label = row.locator("label")
        expect(label).to_have_text(point["label"])
        source = row.locator("a.source")
        expect(source).to_have_accessible_name(
            f"Source for “{point['label']}” (opens in a new tab)"
        )
        expect(source).to_have_attribute("href", point["source_url"])
        expect(source).to_have_attribute("target", "_blank")
        expect(source).to_have_attribute("rel", "noopener")
        # On the point's own row, at the right, readable at 390 px.
        s, lab = box(source), box(label)
        assert s["x"] >= lab["x"] + 20 and s["x"] + s["width"] <= 390
        assert s["y"] < lab["y"] + lab["height"] and lab["y"] < s["y"] + s["height"]
    assert_axe_clean(page, "the choose step")
    page.locator("#points").evaluate("e => e.scrollIntoView({block: 'start'})")
    readme_shot(page, "choose-phone")


def test_optional_questions_say_so_and_can_be_left_empty(page, campaign_url, stub):
    find_by_postcode(page, campaign_url)
    for prompt in EXAMPLE["prompts"]:
        expect(page.get_by_label(f"{prompt['label']} (optional)", exact=True)).to_be_visible()
    expect(page.get_by_label("Your address (optional)", exact=True)).to_be_visible()
    expect(page.get_by_label("Your name", exact=True)).to_be_visible()
    assert page.locator("label", has_text="Your name (optional)").count() == 0
    assert_axe_clean(page, "the choose step")
    write_letters(page)  # nothing but a name: the optional questions really are optional
    expect(page.get_by_role("heading", name="Your letters")).to_be_visible()
    expect(page.locator("section[data-letter]")).to_have_count(3)
    assert_axe_clean(page, "the letters page")


# --- errors that name their field --------------------------------------------------------------


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_an_empty_postcode_says_enter_your_postcode(watched, campaign_url, stub, js):
    page = watched(java_script_enabled=js).page
    page.goto(campaign_url)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Find who to write to").click()
    assert navigation.value.status == 400
    assert stub.requests == [], "nothing to look up"
    assert page.title().startswith("Error: ")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_error_by_field(page, "postcode", ENTER_POSTCODE)
    assert_says_who_runs_it(page)
    if js:
        assert_axe_clean(page, "the empty-postcode error")
    else:
        assert_axe_clean_without_js(page, watched().page, "the empty-postcode error")

    page.get_by_label("Your postcode").fill(POSTCODE)
    submit(page, page.get_by_role("button", name="Find who to write to"))
    expect(page.get_by_role("heading", name="What you want to say")).to_be_visible()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_choose_step_names_each_missing_field(watched, campaign_url, stub, js, readme_shot):
    page = watched(java_script_enabled=js).page
    find_by_postcode(page, campaign_url)
    page.get_by_label("Why does this matter to you? (optional)").fill("Kept after the error.")
    for box_ in page.locator("#points input[type=checkbox]").all():
        box_.uncheck()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Write my letters").click()
    assert navigation.value.status == 400
    assert page.title().startswith("Error: ")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_error_by_field(page, "points", TICK_A_POINT)
    assert_error_by_field(page, "name", ENTER_NAME)
    expect(page.get_by_label("Why does this matter to you? (optional)")).to_have_value(
        "Kept after the error."
    )
    if js:
        assert_axe_clean(page, "the choose step's errors")
        page.evaluate("window.scrollTo(0, 0)")
        readme_shot(page, "errors-phone")
    else:
        assert_axe_clean_without_js(page, watched().page, "the choose step's errors")

    page.get_by_label(EXAMPLE["talking_points"][0]["label"]).check()
    write_letters(page)
    expect(page.get_by_role("heading", name="Your letters")).to_be_visible()


# --- steps that keep what was typed ------------------------------------------------------------


def test_back_from_the_points_keeps_the_postcode(page, campaign_url, stub):
    find_by_postcode(page, campaign_url)
    assert stub.requests == ["/postcodes/SE12DL"]
    submit(page, page.get_by_role("link", name="Back to change your postcode"))
    assert parse_qs(urlsplit(page.url).query).get("change") == ["1"]
    expect(page.get_by_label("Your postcode")).to_have_value(POSTCODE)
    expect(page.locator(".error-summary")).to_have_count(0)
    assert stub.requests == ["/postcodes/SE12DL"], "going back looks nothing up"
    assert_says_who_runs_it(page)
    assert_axe_clean(page, "the campaign page, back from the points")

    page.get_by_label("Your postcode").fill("M1 1AD")
    submit(page, page.get_by_role("button", name="Find who to write to"))
    expect(page.locator(".step").first).to_contain_text("For M1 1AD")


def choices(page) -> dict:
    """Everything the supporter has typed or ticked on the choose step."""
    return page.locator("form[method=post]").evaluate(
        """form => [...form.elements].filter(e => e.name && e.type !== 'hidden')
          .map(e => [e.name + (e.type === 'checkbox' ? ':' + e.value : ''),
                     e.type === 'checkbox' ? e.checked : e.value])"""
    )


def test_change_my_answers_keeps_everything(page, campaign_url, stub, readme_shot):
    find_by_postcode(page, campaign_url)
    answer_defaults(page)
    points = page.locator("#points input[type=checkbox]")
    points.nth(0).uncheck()
    points.nth(3).check()  # one that starts unticked
    typed = choices(page)
    submit(page, page.get_by_role("button", name="Write my letters"))
    body = page.locator("textarea[data-body]").first.input_value()
    assert_says_who_runs_it(page)
    assert_axe_clean(page, "the letters page")
    readme_shot(page, "letters-phone")

    submit(page, page.get_by_role("button", name="Change my answers"))
    expect(page.get_by_role("heading", name="What you want to say")).to_be_visible()
    assert choices(page) == typed
    expect(page.locator(".step").first).to_contain_text(f"For {POSTCODE}, in {CONSTITUENCY}")
    expect(page.locator(".error-summary")).to_have_count(0)
    assert_axe_clean(page, "the choose step, back from the letters")
    submit(page, page.get_by_role("button", name="Write my letters"))
    assert page.locator("textarea[data-body]").first.input_value() == body  # the same letter


# --- the lists, the Channel Islands ------------------------------------------------------------


def test_the_force_list_finds_london_and_a_search_that_matches_nothing_clears_it(
    page, campaign_url, stub
):
    page.goto(campaign_url)
    submit(page, page.get_by_role("link", name=re.compile("from a list instead")))
    forces = page.get_by_label("Search the list of police forces")
    chosen = "s => s.value && s.selectedOptions[0].textContent"
    forces.fill("london")
    assert page.locator("#pfa").evaluate(chosen) == FORCE
    shown = page.locator("#pfa option:not([hidden])").all_inner_texts()
    assert FORCE in shown and "City of London Police" in shown and len(shown) < 6
    assert_says_who_runs_it(page)
    assert_axe_clean(page, "the lists, searched")

    forces.fill("atlantis")
    assert page.locator("#pfa").evaluate("s => s.value") == ""
    assert page.locator("#pfa option:not([hidden])").evaluate_all("os => os.length") == 1
    page.get_by_label("Search the list of constituencies").fill("bermondsey")
    url = page.url
    page.get_by_role("button", name="Continue").click()  # no force chosen: the form stays
    assert page.url == url
    assert page.locator("#pfa").evaluate("s => s.validity.valueMissing")

    forces.fill("london")
    submit(page, page.get_by_role("button", name="Continue"))
    expect(page.locator(".recipients")).to_contain_text(FORCE)
    expect(page.locator(".recipients")).to_contain_text(MP)


def test_a_jersey_postcode_is_told_why_in_a_sentence(page, campaign_url, stub):
    page.goto(campaign_url)
    page.get_by_label("Your postcode").fill(JERSEY)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Find who to write to").click()
    assert navigation.value.status == 422
    message = (
        "The Channel Islands are Crown Dependencies: they have their own police and no MP at "
        "Westminster. This campaign writes to MPs and police in England, Scotland, Wales and "
        "Northern Ireland, so it can't write for you there. If you live in one of those, enter "
        "the postcode of your home address there."
    )
    expect(page.locator("#postcode-error")).to_have_text(f"Error: {message}")
    expect(page.locator(".error-summary")).to_contain_text(message)
    expect(page.get_by_label("Your postcode")).to_have_value(JERSEY)
    assert_says_who_runs_it(page)
    assert_axe_clean(page, "the Channel Islands message")


# --- thank you ---------------------------------------------------------------------------------


def test_the_thank_you_page_says_thank_you_once(page, campaign_url, stub):
    find_by_postcode(page, campaign_url)
    write_letters(page)
    submit(page, page.get_by_role("button", name="I've sent my letters"))
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert main.inner_text().lower().count("thank you") == 1
    share_url = page.locator("#share-url").input_value()
    whatsapp = main.get_by_role("link", name=re.compile("^WhatsApp"))
    text = parse_qs(urlsplit(whatsapp.get_attribute("href")).query)["text"][0]
    assert text == (
        f"I've written to my MP and police about {EXAMPLE['share_text']}. You can too: {share_url}"
    )
    assert_says_who_runs_it(page)
    assert_axe_clean(page, "the thank-you page")


# --- the embed on a partner's page -------------------------------------------------------------


def test_outside_links_in_the_embed_open_a_new_tab(
    watched, partners, stub, base_url, edit_campaign
):
    allowed, _ = partners
    summary_link = "https://report.example/lfr"
    edit_campaign(summary_html=f'<p>Read <a href="{summary_link}">the report</a>.</p>')
    ctx = watched()
    page = ctx.page
    page.goto(allowed.url)
    frame_locator = page.frame_locator("iframe[data-advocacy-frame]")
    expect(frame_locator.get_by_role("heading", name=TITLE)).to_be_visible()
    frame = embed_frame(page)
    leaving = assert_outside_links_open_a_new_tab(frame, base_url)
    assert summary_link in [link["href"] for link in leaving]
    assert f"{base_url}/privacy" in [link["href"] for link in leaving]
    assert_axe_clean(frame, "the embed's first step")

    frame_locator.get_by_label("Your postcode").fill(POSTCODE)
    frame_locator.get_by_role("button", name="Find who to write to").click()
    expect(frame_locator.get_by_text(MP).first).to_be_visible()
    leaving = assert_outside_links_open_a_new_tab(frame, base_url)
    sources = frame.locator("a.source").evaluate_all("links => links.map(a => a.href)")
    assert len(sources) >= 5 and set(sources) <= {link["href"] for link in leaving}
    assert_axe_clean(frame, "the embed's choose step")

    # Following one opens a tab, and the form stays where it was in the partner's page.
    with ctx.context.expect_page() as opened:
        frame_locator.locator(".privacy-note a, .embed-footer a").first.click()
    privacy = opened.value
    privacy.wait_for_load_state()
    assert urlsplit(privacy.url).path == "/privacy"
    expect(frame_locator.get_by_role("button", name="Write my letters")).to_be_visible()
    privacy.close()

    frame_locator.get_by_label("Your name").fill("Ann Example")
    frame_locator.get_by_role("button", name="Write my letters").click()
    expect(frame_locator.locator("#body-0")).to_contain_text(f"Dear {MP}")
    assert_outside_links_open_a_new_tab(frame, base_url)
    # The mail app opens from the top window, never inside the frame.
    expect(frame.locator("a[data-link=mailto]").first).to_have_attribute("target", "_top")
    assert_axe_clean(frame, "the embed's letters")


def test_each_embed_step_brings_the_frame_top_into_view(watched, partners, stub, readme_shot):
    allowed, _ = partners
    page = watched().page
    page.goto(allowed.url + "/long")
    frame_element = page.locator("iframe[data-advocacy-frame]")
    frame_locator = page.frame_locator("iframe[data-advocacy-frame]")
    assert frame_top(page) > 2 * 844, "the embed starts far down the partner's page"
    assert page.evaluate("window.scrollY") == 0

    # The supporter scrolls down to it: the first step doesn't move the partner's page.
    scroll_frame_to(page, -300)
    expect(frame_locator.get_by_role("heading", name=TITLE)).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('iframe[data-advocacy-frame]').style.height"
    )
    top = frame_top(page)
    assert abs(top - 300) <= 2
    page.wait_for_timeout(300)  # any later height message has had time to arrive
    assert frame_top(page) == top
    frame = embed_frame(page)
    assert_axe_clean(frame, "the embed's first step")
    readme_shot(page, "embed-phone")

    # Only this app's frame may ask: the partner page's own message moves nothing.
    height = frame_element.evaluate("f => f.style.height")
    page.evaluate("() => window.postMessage({advocacyHeight: 300, advocacyScrollTop: true}, '*')")
    page.wait_for_timeout(200)
    assert frame_top(page) == top and frame_element.evaluate("f => f.style.height") == height

    steps = [
        ("Your postcode", POSTCODE, "Find who to write to", "Your letters will go to"),
        ("Your name", "Ann Example", "Write my letters", "Your letters"),
    ]
    for label, value, button, heading in steps:
        field = frame_locator.get_by_label(label)
        field.fill(value)
        # The supporter is reading down the frame: its top is well above the window.
        field_y = field.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
        scroll_frame_to(page, field_y - 100)
        assert frame_top(page) < -50
        frame_locator.get_by_role("button", name=button).click()
        expect(frame_locator.get_by_role("heading", name=heading)).to_be_visible()
        wait_for_frame_top_in_view(page)
        assert_axe_clean(embed_frame(page), f"the embed after {button!r}")
        if heading.startswith("Step 2"):
            readme_shot(page, "embed-choose-phone")

    sent = frame_locator.get_by_role("button", name="I've sent my letters")
    sent.scroll_into_view_if_needed()
    assert frame_top(page) < -50
    sent.click()
    expect(frame_locator.get_by_role("heading", name="Thank you")).to_be_visible()
    wait_for_frame_top_in_view(page)
    assert_axe_clean(embed_frame(page), "the embed's thank-you step")


# --- the first screen ----------------------------------------------------------------------------

LONG_SUMMARY = "".join(
    f"<p>Paragraph {n}: the campaign explains at length why this matters, with facts, dates "
    "and sources, as campaign staff often do when they write a summary.</p>"
    for n in range(15)
)


@pytest.mark.parametrize(
    "summary",
    [None, LONG_SUMMARY, "<p>" + "A very long first paragraph. " * 40 + "</p>"],
    ids=["example", "fifteen paragraphs", "one long paragraph"],
)
def test_the_postcode_box_is_in_the_first_screen_on_a_phone(
    page, campaign_url, edit_campaign, shot, summary
):
    if summary is not None:
        edit_campaign(
            summary_html=summary,
            title="Stop live facial recognition cameras in our streets, stations and parks",
        )
    page.goto(campaign_url)
    assert page.viewport_size == {"width": 390, "height": 844}
    postcode = box(page.get_by_label("Your postcode"))
    button = box(page.get_by_role("button", name="Find who to write to"))
    assert postcode["y"] + postcode["height"] <= 844 and button["y"] + button["height"] <= 844
    shot(page, "first-screen")
    if summary is not None:  # nothing the campaign wrote is lost: it follows the form
        expect(page.locator(".summary--why")).to_contain_text(
            "Paragraph 14" if "14" in summary else "A very long"
        )


@pytest.mark.parametrize("has_share_sheet", [True, False], ids=["share-sheet", "none"])
def test_sharing_is_big_buttons_and_the_phones_own_share_sheet(
    watched, campaign_url, stub, has_share_sheet
):
    browsing = watched()
    page = browsing.page
    if has_share_sheet:  # as a phone's browser has: record what would be shared
        page.add_init_script(
            "navigator.share = d => { window.shared = d; return Promise.resolve(); };"
        )
    page.goto(campaign_url + "/thanks")
    share = page.locator("ul.share")
    for name in ("WhatsApp", "Email"):
        link = share.get_by_role("link", name=re.compile("^" + name))
        assert box(link)["height"] >= 44 and "button" in link.get_attribute("class")
    native = share.get_by_role("button", name="Share…")
    if has_share_sheet:
        native.click()
        shared = page.evaluate("window.shared")
        assert shared["text"].startswith("I've written to my MP and police about")
        assert shared["text"].endswith(page.locator("#share-url").input_value())
    else:
        expect(native).to_be_hidden()
