"""The campaign studio through the test client: editor, validation, sanitising, revisions,
edit conflicts, publishing, preview, and import/export."""

import html as htmllib
import io
import json
import re

import pytest
from staff_helpers import csrf_token
from test_editor_form import BrowserForm
from test_editor_form import form_for
from test_nations import scoped

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.letters.campaigns import NATIONS
from advocacy.platform.models import CampaignRevision
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db
from advocacy.platform.schema import example_campaign
from advocacy.studio import campaign_pages
from advocacy.studio import editor_form

EXAMPLE_ID = 1  # the seeded example campaign


def minimal(**changes) -> dict:
    doc = editor_form.new_document()
    doc.update(
        slug="test-campaign",
        title="Test campaign",
        subject_lines=["About {force_name}"],
        opening="I live in {constituency}.",
        talking_points=[
            {**editor_form.blank_point(), "label": "First", "phrasings": ["One.", "Uno."]},
            {**editor_form.blank_point(), "label": "Second", "phrasings": ["Two."]},
        ],
    )
    doc.update(changes)
    return doc


def post(client, path: str, doc: dict, **extra):
    data = form_for(doc)
    data["csrf_token"] = csrf_token(client, "/admin/campaigns/new")
    for key, value in extra.items():
        data[key] = value
    return client.post(path, data=data)


def create(client, **changes):
    response = post(client, "/admin/campaigns/new", minimal(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/admin/campaigns/(\d+)", response.location).group(1))


def stored(app, campaign_id: int) -> CampaignRow:
    with app.app_context():
        row = db.session.get(CampaignRow, campaign_id)
        row.document = row.to_campaign().to_dict()
        row.revision_list = [(r.version, r.author, r.changes) for r in row.revisions]
        return row


def field_error(html: str, field_id: str) -> str:
    """The error message tied to a field by aria-describedby (not just anywhere on the page)."""
    control = re.search(rf'id="{field_id}"[^>]*>', html)
    assert control, f"no field {field_id}"
    assert 'aria-invalid="true"' in control.group(0), control.group(0)
    error = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert error, f"no error for {field_id}"
    return htmllib.unescape(re.sub(r"<[^>]+>", "", error.group(1))).strip()


# --- Creating, editing, publishing ------------------------------------------------------------


def test_staff_create_a_campaign_with_two_points_and_revision_one(app, admin):
    campaign_id = create(admin)
    row = stored(app, campaign_id)
    assert row.status == "draft"
    assert [p["label"] for p in row.document["talking_points"]] == ["First", "Second"]
    assert row.document["talking_points"][0]["phrasings"] == ("One.", "Uno.")
    assert row.revision_list == [(1, "admin@example.org", ["Created"])]
    page = admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert 'value="Test campaign"' in page
    assert admin.get("/admin/").get_data(as_text=True).count("Test campaign") == 1


def test_a_draft_is_not_public_until_published(app, admin, client):
    campaign_id = create(admin)
    other = app.test_client()
    assert other.get("/c/test-campaign").status_code == 404
    doc = minimal(status="live")
    response = post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1")
    assert response.status_code == 302
    page = other.get("/c/test-campaign")
    assert page.status_code == 200
    assert "Test campaign" in page.get_data(as_text=True)
    row = stored(app, campaign_id)
    assert row.revision_list[0] == (2, "admin@example.org", ["Status draft → live"])


def test_saving_nothing_new_makes_no_revision(app, admin):
    campaign_id = create(admin)
    response = post(admin, f"/admin/campaigns/{campaign_id}", minimal(), version="1")
    assert response.status_code == 302
    assert "Nothing had changed" in admin.get(response.location).get_data(as_text=True)
    assert len(stored(app, campaign_id).revision_list) == 1


def test_save_and_preview_goes_to_the_preview(admin):
    campaign_id = create(admin)
    doc = minimal(title="Renamed")
    response = post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1", then="preview")
    assert response.location.endswith(f"/admin/campaigns/{campaign_id}/preview")


def test_the_editor_shows_the_example_campaign_and_saves_it_unchanged(app, admin):
    html = admin.get(f"/admin/campaigns/{EXAMPLE_ID}").get_data(as_text=True)
    for point in example_campaign().talking_points:
        text = campaigns.as_alternative(point.phrasings[0]).text
        assert text in htmllib.unescape(html), point.id
    doc = example_campaign().to_dict()
    response = post(admin, f"/admin/campaigns/{EXAMPLE_ID}", doc, version="1")
    assert response.status_code == 302
    assert stored(app, EXAMPLE_ID).version == 1


def test_saving_the_example_as_opened_changes_nothing(app, admin):
    """The page's own fields, posted as a browser would: no new version, no history line."""
    page = BrowserForm()
    page.feed(admin.get(f"/admin/campaigns/{EXAMPLE_ID}").get_data(as_text=True))
    assert page.data.getlist("targets") == list(example_campaign().targets)
    response = admin.post(f"/admin/campaigns/{EXAMPLE_ID}", data=page.data)
    assert response.status_code == 302
    assert "Nothing had changed" in admin.get(response.location).get_data(as_text=True)
    row = stored(app, EXAMPLE_ID)
    assert row.version == 1 and len(row.revision_list) == 1
    history = admin.get(f"/admin/campaigns/{EXAMPLE_ID}/revisions").get_data(as_text=True)
    assert "who to write to" not in history


@pytest.mark.parametrize(
    ("op", "labels"),
    [
        ("add-talking_points", ["First", "Second", ""]),
        ("remove-talking_points-0", ["Second"]),
        ("down-talking_points-0", ["Second", "First"]),
        ("up-talking_points-1", ["Second", "First"]),
    ],
)
def test_add_remove_and_reorder_without_javascript_keep_the_rest_unsaved(app, admin, op, labels):
    campaign_id = create(admin)
    doc = minimal(title="Typed but not saved")
    response = post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1", op=op)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not saved yet" in html
    assert 'value="Typed but not saved"' in html
    shown = re.findall(r'name="talking_points\.\d+\.label" type="text" value="([^"]*)"', html)
    assert shown == labels
    assert stored(app, campaign_id).title == "Test campaign"


def test_adding_a_fixed_recipient_and_a_question(app, admin):
    doc = minimal()
    response = post(admin, "/admin/campaigns/new", doc, op="add-fixed_recipients")
    assert 'name="fixed_recipients.0.name"' in response.get_data(as_text=True)
    response = post(admin, "/admin/campaigns/new", doc, op="add-prompts")
    assert 'name="prompts.0.label"' in response.get_data(as_text=True)
    doc["fixed_recipients"] = [
        {
            "name": "Home Secretary",
            "email": "hs@example.org",
            "contact_url": None,
            "salutation": None,
        }
    ]
    doc["prompts"] = [{"id": "", "label": "Why does it matter to you?", "hint": ""}]
    campaign_id = int(
        re.search(r"(\d+)$", post(admin, "/admin/campaigns/new", doc).location).group(1)
    )
    row = stored(app, campaign_id)
    assert row.document["fixed_recipients"][0]["email"] == "hs@example.org"
    assert row.document["prompts"][0]["id"] == "why-does-it-matter-to-you"


def test_the_editor_says_which_fixed_recipients_are_too_many_or_too_alike(app, admin):
    doc = minimal()
    doc["fixed_recipients"] = [
        {"name": name, "email": "m@example.org", "contact_url": None, "salutation": None}
        for name in [*(f"Minister {i}" for i in range(11)), "Minister-0"]
    ]
    response = post(admin, "/admin/campaigns/new", doc)
    html = htmllib.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    heading = html.index('id="f-fixed-recipients"')
    assert html.index("Add at most 10 fixed recipients", heading) < html.index(
        "Fixed recipient 1</legend>"
    )
    assert "Fixed recipient 12: This name is too like fixed recipient 1's (“Minister 0”)" in html


# --- Finding your way in a long form ---------------------------------------------------------


def test_the_editor_has_contents_linking_to_each_section_and_point(admin):
    html = admin.get(f"/admin/campaigns/{EXAMPLE_ID}").get_data(as_text=True)
    contents = re.search(r'<nav class="contents".*?</nav>', html, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', contents)
    points = [f"f-talking-points-{i}" for i in range(len(example_campaign().talking_points))]
    for target in ["s-about", "s-recipients", "s-letter", "f-prompts", "f-place-facts", *points]:
        assert target in targets
    for target in targets:
        assert f'id="{target}"' in html, target
    label = example_campaign().talking_points[0].label
    assert f"Point 1: {label}" in htmllib.unescape(contents)


def test_the_save_bar_saves_and_each_point_folds_to_its_label(admin):
    html = admin.get(f"/admin/campaigns/{EXAMPLE_ID}").get_data(as_text=True)
    bar = re.search(r'<div class="form-actions editor-bar".*?</div>', html, re.S).group(0)
    assert '<button type="submit" name="op" value="save" class="button">Save</button>' in bar
    assert 'name="then" value="preview"' in bar
    assert html.index("editor-bar") > html.index('id="s-after"')  # last in the form: sticky
    label = htmllib.escape(example_campaign().talking_points[0].label, quote=False)
    summary = rf"<summary>Talking point 1: {re.escape(label)}</summary>"
    point_id = example_campaign().talking_points[0].id
    # More than four points: each folds to its label (studio.js keeps a point as it was left,
    # by its campaign and id, when the page comes back).
    assert len(example_campaign().talking_points) > campaign_pages.FOLD_POINTS_OVER
    details = rf'<details class="point-body" data-fold="{EXAMPLE_ID}:{point_id}">'
    assert re.search(rf"{details}\s*{summary}", html.replace("&#39;", "'"))
    assert '<details class="point-body" open' not in html
    # A folded point can still be moved and removed: its buttons are outside the fold.
    after_fold = point_html(html, 1).split("</details>")[-1]
    assert 'value="up-talking_points-1"' in after_fold
    assert 'value="remove-talking_points-1"' in after_fold


def test_a_point_with_an_error_or_just_added_stays_open(admin):
    page = BrowserForm()
    page.feed(admin.get(f"/admin/campaigns/{EXAMPLE_ID}").get_data(as_text=True))
    form = page.data
    form["talking_points.2.label"] = ""
    html = admin.post(f"/admin/campaigns/{EXAMPLE_ID}", data=form).get_data(as_text=True)
    opened = re.findall(r'<details class="point-body" open data-fold="[^"]*:([^"]+)"', html)
    assert opened == [example_campaign().talking_points[2].id]
    form["talking_points.2.label"] = "Back again"
    form["op"] = "add-talking_points"
    html = admin.post(f"/admin/campaigns/{EXAMPLE_ID}", data=form).get_data(as_text=True)
    count = len(example_campaign().talking_points)
    assert '<details class="point-body" open' in point_html(html, count)


def point_html(html: str, index: int) -> str:
    """The editor's talking point ``index``, to the next point (or the Add button)."""
    rest = html.split(f'id="f-talking-points-{index}"', 1)[1]
    return rest.split('<fieldset class="item point"')[0].split('value="add-talking_points"')[0]


@pytest.mark.parametrize(
    ("op", "target"),
    [
        ("down-talking_points-0", "f-talking-points-1"),
        ("up-talking_points-1", "f-talking-points-0"),
        ("remove-talking_points-1", "f-talking-points-0"),
        ("add-talking_points", "f-talking-points-2"),
        ("add-prompts", "f-prompts-0"),
        ("add-fixed_recipients", "f-fixed-recipients-0"),
    ],
)
def test_each_button_returns_to_the_item_it_acted_on(admin, op, target):
    campaign_id = create(admin)
    html = admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    button = re.search(rf'<button type="submit" name="op" value="{op}"[^>]*>', html).group(0)
    assert f'formaction="/admin/campaigns/{campaign_id}#{target}"' in button
    response = post(admin, f"/admin/campaigns/{campaign_id}", minimal(), version="1", op=op)
    item = re.search(rf'<[a-z0-9]+ [^>]*id="{target}"[^>]*>', response.get_data(as_text=True))
    assert 'tabindex="-1" autofocus data-focus' in item.group(0)
    assert response.get_data(as_text=True).count("autofocus") == 1


def test_removing_the_last_point_returns_to_the_talking_points(admin):
    campaign_id = create(admin)
    doc = minimal(talking_points=minimal()["talking_points"][:1])
    response = post(
        admin, f"/admin/campaigns/{campaign_id}", doc, version="1", op="remove-talking_points-0"
    )
    assert re.search(
        r'<h3 id="f-talking-points" tabindex="-1" autofocus', response.get_data(as_text=True)
    )


# --- Validation: every error next to its field, nothing lost ---------------------------------

INVALID = [
    ("no-title", {"title": ""}, "f-title", "Enter a title"),
    ("bad-slug", {"slug": "Not A Slug"}, "f-slug", "lower-case"),
    ("unknown-placeholder", {"opening": "Dear {mp_name}"}, "f-opening", "Unknown placeholder"),
    ("bad-subject", {"subject_lines": ["Fine", "{oops}"]}, "f-subject-lines", "Line 2"),
    ("no-subjects", {"subject_lines": []}, "f-subject-lines", "at least one subject"),
    ("bad-origin", {"allowed_origins": ["example.org"]}, "f-allowed-origins", "Line 1"),
    ("http-origin", {"allowed_origins": ["http://a.org"]}, "f-allowed-origins", "https://"),
    ("no-sign-off", {"sign_off": ""}, "f-sign-off", "Enter a sign-off"),
    ("ask-placeholder", {"asks": {"mp": "{nope}"}}, "f-asks-mp", "Unknown placeholder"),
]


@pytest.mark.parametrize(("case", "changes", "field_id", "message"), INVALID, ids=lambda x: x)
def test_validation_errors_sit_next_to_their_field_and_keep_the_input(
    app, admin, case, changes, field_id, message
):
    doc = minimal(**changes)
    response = post(admin, "/admin/campaigns/new", doc)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message.lower() in field_error(html, field_id).lower()
    assert f'href="#{field_id}"' in html  # the error summary links to the field
    assert "nothing was saved" in html
    assert 'value="Second"' in html  # everything else typed is still there
    with app.app_context():
        assert db.session.query(CampaignRow).count() == 1  # only the example


def test_an_empty_talking_point_is_an_error_on_its_fields(admin):
    doc = minimal()
    doc["talking_points"].append(editor_form.blank_point())
    html = post(admin, "/admin/campaigns/new", doc).get_data(as_text=True)
    assert "Enter what supporters tick" in field_error(html, "f-talking-points-2-label")
    assert "This is required." not in html
    assert re.search(r'id="f-talking-points-2-phrasings".*?Add at least one phrasing', html, re.S)


def test_an_opening_that_repeats_the_greeting_is_refused(admin):
    doc = minimal(opening="Dear {recipient_name}, I live in {constituency}.")
    html = post(admin, "/admin/campaigns/new", doc).get_data(as_text=True)
    assert "already begins “Dear …,”" in field_error(html, "f-opening")


def test_a_point_without_phrasings_is_named_in_the_summary_and_marked(admin):
    doc = minimal()
    doc["talking_points"].append({**editor_form.blank_point(), "label": "Costly"})
    html = post(admin, "/admin/campaigns/new", doc).get_data(as_text=True)
    assert "Talking point 3: Add at least one phrasing." in html
    assert "Add at least one phrasing" in field_error(html, "f-talking-points-2-phrasings-0")


def test_a_point_with_no_phrasings_yet_offers_two_boxes(admin):
    html = admin.get("/admin/campaigns/new").get_data(as_text=True)
    assert html.count('name="talking_points.0.phrasings"') == 2


def test_studio_errors_keep_the_studio_look(admin):
    response = admin.get("/admin/campaigns/999")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Back to the campaign studio" in html and "Campaign studio" in html
    assert "See all campaigns" not in html


def test_a_bad_source_link_and_a_bad_fixed_recipient(admin):
    doc = minimal()
    doc["talking_points"][0]["source_url"] = "javascript:alert(1)"
    doc["fixed_recipients"] = [
        {"name": "Minister", "email": "not-an-email", "contact_url": None, "salutation": None}
    ]
    html = post(admin, "/admin/campaigns/new", doc).get_data(as_text=True)
    assert "https://" in field_error(html, "f-talking-points-0-source-url")
    assert "doesn't look right" in field_error(html, "f-fixed-recipients-0-email")


def test_a_live_campaign_needs_talking_points(admin):
    doc = minimal(status="live", talking_points=[])
    html = post(admin, "/admin/campaigns/new", doc).get_data(as_text=True)
    assert "A live campaign needs at least one talking point." in html
    assert 'href="#f-talking-points"' in html


def test_a_slug_in_use_is_refused_on_the_slug_field(admin):
    doc = minimal(slug="stop-facial-recognition")
    response = post(admin, "/admin/campaigns/new", doc)
    assert response.status_code == 400
    assert "already uses the address" in field_error(response.get_data(as_text=True), "f-slug")


# --- Sanitising the summary -------------------------------------------------------------------


def test_the_summary_is_sanitised_on_save(app, admin):
    dirty = (
        '<p onclick="steal()" style="color:red">Hello <script>alert(1)</script>'
        '<a href="javascript:alert(2)">bad</a> '
        '<a href="https://ok.example/" onmouseover="x()">ok</a>'
        "<em>em</em> <strong>strong</strong></p><ul><li>item</li></ul><ol><li>n</li></ol>"
        '<img src=x onerror="alert(3)"><iframe src="https://evil.example/"></iframe>'
        "<style>body{display:none}</style>"
    )
    campaign_id = create(admin, summary_html=dirty, status="live")
    summary = stored(app, campaign_id).summary_html
    for gone in ("<script", "onclick", "style=", "javascript:", "onmouseover", "<img", "onerror"):
        assert gone not in summary
    assert "<iframe" not in summary and "<style" not in summary
    for kept in ("<p>", '<a href="https://ok.example/" rel="noopener">ok</a>', "<em>em</em>"):
        assert kept in summary
    assert "<strong>strong</strong>" in summary and "<ul><li>item</li></ul>" in summary
    assert "<ol><li>n</li></ol>" in summary
    page = app.test_client().get("/c/test-campaign").get_data(as_text=True)
    assert '<a href="https://ok.example/" rel="noopener">ok</a>' in page
    assert "alert(" not in page and "alert(" not in summary  # script text goes with the tag
    assert "display:none" not in summary


# --- Revisions and restore --------------------------------------------------------------------


def test_every_save_is_a_revision_that_can_be_viewed_and_restored(app, admin):
    campaign_id = create(admin, status="live")
    doc = minimal(status="live", title="Second title")
    doc["talking_points"] = list(reversed(doc["talking_points"]))
    third = {**editor_form.blank_point(), "label": "Third", "phrasings": ["3"]}
    doc["talking_points"].append(third)
    assert post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1").status_code == 302
    row = stored(app, campaign_id)
    assert row.version == 2
    changes = row.revision_list[0][2]
    assert "Changed the title" in changes
    assert "Added talking point “Third”" in changes
    assert "Moved point “Second” from 2 to 1" in changes

    listing = admin.get(f"/admin/campaigns/{campaign_id}/revisions").get_data(as_text=True)
    assert "Version 1" in listing and "Version 2" in listing and "admin@example.org" in listing
    old = admin.get(f"/admin/campaigns/{campaign_id}/revisions/1").get_data(as_text=True)
    assert "Test campaign" in old and "Second title" in old  # old and current side by side
    assert admin.get(f"/admin/campaigns/{campaign_id}/revisions/9").status_code == 404

    token = csrf_token(admin, f"/admin/campaigns/{campaign_id}/revisions/1")
    response = admin.post(
        f"/admin/campaigns/{campaign_id}/revisions/1/restore",
        data={"csrf_token": token, "version": "2"},
    )
    assert response.status_code == 302
    row = stored(app, campaign_id)
    assert row.version == 3
    assert row.title == "Test campaign"
    assert row.status == "live"  # restoring brings back words, not an unpublish
    assert row.revision_list[0][2][0] == "Restored version 1"
    assert [p["label"] for p in row.document["talking_points"]] == ["First", "Second"]


def test_restoring_a_version_invalid_today_opens_it_in_the_editor(app, admin):
    campaign_id = create(admin, talking_points=[])  # a draft may have no points
    doc = minimal(status="live")
    assert post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1").status_code == 302
    token = csrf_token(admin, f"/admin/campaigns/{campaign_id}/revisions/1")
    response = admin.post(
        f"/admin/campaigns/{campaign_id}/revisions/1/restore",
        data={"csrf_token": token, "version": "2"},
    )
    assert response.status_code == 400
    assert "A live campaign needs at least one talking point." in response.get_data(as_text=True)
    assert stored(app, campaign_id).version == 2


# --- Two people editing at once ---------------------------------------------------------------


@pytest.mark.parametrize("version", [str(2**31), str(2**63), "9" * 25])
def test_a_save_from_a_version_too_big_to_be_one_is_a_conflict(app, admin, version):
    campaign_id = create(admin)
    response = post(admin, f"/admin/campaigns/{campaign_id}", minimal(title="New"), version=version)
    assert response.status_code == 409
    assert stored(app, campaign_id).title != "New"


def test_the_second_save_is_refused_with_both_versions_shown(app, admin, editor):
    campaign_id = create(admin)
    # Both opened version 1. The editor saves first.
    theirs = minimal(title="The editor's title")
    assert post(editor, f"/admin/campaigns/{campaign_id}", theirs, version="1").status_code == 302
    mine = minimal(title="The admin's title", opening="My new opening in {constituency}.")
    response = post(admin, f"/admin/campaigns/{campaign_id}", mine, version="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this campaign" in html
    assert "editor@example.org saved version 2" in html
    # Their title, word by word against mine (test_history checks the diffs in detail).
    assert "<dt>Title</dt>" in html
    assert '[removed: </span>editor<span class="visually-hidden">]</span></del>' in html
    assert 'value="The admin&#39;s title"' in html  # my edit is still in the form
    assert 'name="version" value="2"' in html  # saving again now replaces version 2, knowingly
    assert stored(app, campaign_id).title == "The editor's title"

    again = post(admin, f"/admin/campaigns/{campaign_id}", mine, version="2")
    assert again.status_code == 302
    row = stored(app, campaign_id)
    assert row.title == "The admin's title"
    assert [v for v, _, _ in row.revision_list] == [3, 2, 1]  # the editor's version is kept


@pytest.mark.parametrize("detour", ["add-talking_points", "invalid"])
def test_the_version_an_edit_started_from_survives_buttons_and_errors(admin, editor, detour):
    campaign_id = create(admin)
    assert post(editor, f"/admin/campaigns/{campaign_id}", minimal(title="Theirs"), version="1")
    if detour == "invalid":
        page = post(admin, f"/admin/campaigns/{campaign_id}", minimal(title=""), version="1")
        assert page.status_code == 400
    else:
        page = post(admin, f"/admin/campaigns/{campaign_id}", minimal(), version="1", op=detour)
    assert 'name="version" value="1"' in page.get_data(as_text=True)
    response = post(admin, f"/admin/campaigns/{campaign_id}", minimal(title="Mine"), version="1")
    assert response.status_code == 409


def test_a_version_with_the_same_words_shows_no_differences(admin):
    html = admin.get(f"/admin/campaigns/{EXAMPLE_ID}/revisions/1").get_data(as_text=True)
    assert "This is the current version." in html
    token = csrf_token(admin, f"/admin/campaigns/{EXAMPLE_ID}")
    doc = example_campaign().to_dict() | {"title": "Changed"}
    data = form_for(doc)
    data["csrf_token"] = token
    data["version"] = "1"
    assert admin.post(f"/admin/campaigns/{EXAMPLE_ID}", data=data).status_code == 302
    html = admin.get(f"/admin/campaigns/{EXAMPLE_ID}/revisions/1").get_data(as_text=True)
    differing = re.findall(r"<dt>([^<]+)</dt>", html)
    assert differing == ["Title"]  # tuples in one document and lists in the other are equal


def test_a_stale_version_in_the_database_race_is_caught(app):
    """Between the version check and the write, another worker saves: still a conflict."""
    from advocacy.platform import store

    with app.app_context():
        row = db.session.get(CampaignRow, EXAMPLE_ID)
        row.to_campaign()
        # Another process bumps the row underneath this session.
        with db.engine.begin() as conn:
            conn.execute(db.text("UPDATE campaign SET version = 2, title = 'Theirs' WHERE id = 1"))
        changed = campaign_json.from_dict({**example_campaign().to_dict(), "title": "Mine"})
        with pytest.raises(store.EditConflict) as exc:
            store.save(row, changed, "me", base_version=1)
        assert exc.value.version == 2
        assert exc.value.theirs.title == "Theirs"
        assert db.session.query(CampaignRevision).count() == 1


# --- Import and export ------------------------------------------------------------------------


def as_json(value):
    """Tuples become lists, as in a file."""
    return json.loads(json.dumps(value))


def upload(client, content: bytes, name: str = "campaign.json"):
    token = csrf_token(client, "/admin/campaigns/import")
    return client.post(
        "/admin/campaigns/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_export_then_import_round_trips_as_a_draft(app, admin):
    response = admin.get(f"/admin/campaigns/{EXAMPLE_ID}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert (
        'filename="stop-facial-recognition.campaign.json"'
        in response.headers["Content-Disposition"]
    )
    exported = json.loads(response.data)
    assert exported == as_json(example_campaign().to_dict())
    assert exported["format"] == "advocacy.campaign/3" and "variants" not in exported

    exported["slug"] = "shared-copy"
    result = upload(admin, json.dumps(exported).encode())
    assert result.status_code == 302
    new_id = int(re.search(r"(\d+)$", result.location).group(1))
    row = stored(app, new_id)
    assert row.status == "draft"  # an import never publishes
    # The title is the original's, so the copy says it is one.
    copy = {**exported, "status": "draft", "title": f"{exported['title']} (copy)"}
    assert as_json(row.document) == copy
    assert json.loads(admin.get(f"/admin/campaigns/{new_id}/export").data) == copy


def test_each_imported_copy_gets_a_title_of_its_own(app, admin):
    exported = json.loads(admin.get(f"/admin/campaigns/{EXAMPLE_ID}/export").data)
    titles = []
    for slug in ("copy-one", "copy-two"):
        result = upload(admin, json.dumps({**exported, "slug": slug}).encode())
        titles.append(stored(app, int(result.location.rsplit("/", 1)[1])).title)
    assert titles == [f"{exported['title']} (copy)", f"{exported['title']} (copy 2)"]
    fresh = upload(admin, json.dumps({**exported, "slug": "fresh", "title": "New"}).encode())
    assert stored(app, int(fresh.location.rsplit("/", 1)[1])).title == "New"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not json at all", "isn't a JSON file"),
        (b"\xff\xfe\x00", "isn't a JSON file"),
        (b"[1, 2]", "must be a JSON object"),
        (json.dumps({"format": "other/9", "slug": "x"}).encode(), "Unknown format"),
        (
            json.dumps({"slug": "Bad Slug", "title": "", "subject_lines": []}).encode(),
            "lower-case letters",
        ),
        (json.dumps({"slug": "x", "title": "T", "talking_points": 3}).encode(), "Must be a list"),
        (b" " * (300 * 1024), "too big"),
    ],
)
def test_invalid_files_get_a_list_of_problems(app, admin, content, expected):
    response = upload(admin, content)
    html = htmllib.unescape(response.get_data(as_text=True))
    assert response.status_code in (400, 413)
    if response.status_code == 400:
        assert "This file can't be imported" in html
        assert expected.lower() in html.lower()
    with app.app_context():
        assert db.session.query(CampaignRow).count() == 1


def test_an_invalid_file_lists_every_problem(admin):
    bad = {"slug": "Bad Slug", "title": "", "subject_lines": [], "opening": "{nope}"}
    html = upload(admin, json.dumps(bad).encode()).get_data(as_text=True)
    for path in ("slug", "title", "subject_lines", "opening"):
        assert f"<code>{path}</code>" in html


def test_importing_a_slug_in_use_says_so_and_a_new_address_fixes_it(app, admin):
    exported = admin.get(f"/admin/campaigns/{EXAMPLE_ID}/export").data
    html = upload(admin, exported).get_data(as_text=True)
    assert "already uses the address /c/stop-facial-recognition" in html
    assert "<strong>Web address</strong>" in html  # named as in the editor
    token = csrf_token(admin, "/admin/campaigns/import")
    response = admin.post(
        "/admin/campaigns/import",
        data={"csrf_token": token, "slug": "our-copy", "file": (io.BytesIO(exported), "c.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert stored(app, int(response.location.rsplit("/", 1)[1])).slug == "our-copy"


def test_import_needs_a_file(admin):
    token = csrf_token(admin, "/admin/campaigns/import")
    response = admin.post("/admin/campaigns/import", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Choose a file." in response.get_data(as_text=True)


# --- Preview ----------------------------------------------------------------------------------


def test_preview_shows_every_letter_for_two_sample_supporters(admin, postcodes_io):
    response = admin.get(
        f"/admin/campaigns/{EXAMPLE_ID}/preview",
        query_string={
            "postcode": "SE1 2DL",
            "name_0": "Ann Example",
            "name_1": "Bo Sample",
            "points": ["accuracy", "bridges-ruling", "discrimination"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "As Ann Example would send them" in html and "As Bo Sample would send them" in html
    for name in ("Neil Coyle", "Metropolitan Police Service", "Mayor&#39;s Office for Policing"):
        assert html.count(f"To {name}") == 2, name
    assert html.count("mailto:") >= 2
    assert "https://mail.google.com/" in html
    varied = r"<strong>(\d+) of (\d+)</strong> campaign paragraphs are worded differently"
    differ, total = map(int, re.search(varied, html).groups())
    assert 0 < differ < total  # phrasing varies between supporters, not everything at once


def test_preview_says_print_and_post_for_a_body_reached_by_post(admin, postcodes_io):
    """As the letters page offers it: the Scottish Police Authority publishes no email, only a
    postal address; Police Scotland has a contact page."""
    html = admin.get(
        f"/admin/campaigns/{EXAMPLE_ID}/preview",
        query_string={"postcode": "AB10 1AB", "points": ["what-is-lfr"]},
    ).get_data(as_text=True)
    letters = {
        re.search(r"<h4>To ([^<]+)</h4>", part)[1]: part
        for part in html.split('<article class="letter')[1:]
    }
    spa = letters["Scottish Police Authority"]
    assert "none: they take letters by post" in spa
    assert "<strong>Print and post</strong>" in spa
    assert "Scottish Police Authority, 1 Pacific Quay, Glasgow G51 1DZ" in spa
    for name in ("Police Scotland", "Douglas Lumsden"):
        assert "Print and post" not in letters[name], name
        assert "take letters by post" not in letters[name], name


def test_preview_of_a_draft_by_chosen_areas(admin):
    campaign_id = create(admin)
    html = admin.get(
        f"/admin/campaigns/{campaign_id}/preview",
        query_string={"constituency": "E14001172", "pfa": "E23000001", "points": ["first"]},
    ).get_data(as_text=True)
    assert "a <strong>draft</strong>" in html
    assert "To Rachel Blake" in html
    assert "About the Metropolitan Police Service" in html
    assert "I live in Cities of London and Westminster." in html


def test_the_preview_asks_every_question_and_both_supporters_answer(admin):
    prompts = example_campaign().prompts
    assert len(prompts) >= 2
    html = admin.get(
        f"/admin/campaigns/{EXAMPLE_ID}/preview",
        query_string={
            "constituency": "E14001172",
            "pfa": "E23000001",
            **{f"answer_{q.id}": f"Answer {i} in my words." for i, q in enumerate(prompts)},
        },
    ).get_data(as_text=True)
    for i, q in enumerate(prompts):
        assert f'name="answer_{q.id}"' in html
        assert f"Answer {i} in my words.</textarea>" in html
    bodies = re.findall(r'<pre class="letter-body">(.*?)</pre>', html, re.S)
    assert bodies and all("Answer 0 in my words." in b for b in bodies)
    assert all("Answer 1 in my words." in b for b in bodies)
    lead_in = htmllib.escape(prompts[1].lead_in, quote=False)
    assert all(lead_in in b.replace("&#39;", "'") for b in bodies)  # the lead-in joins it


def test_an_older_preview_link_still_answers_the_first_question(admin):
    html = admin.get(
        f"/admin/campaigns/{EXAMPLE_ID}/preview",
        query_string={"constituency": "E14001172", "pfa": "E23000001", "own_words": "Mine."},
    ).get_data(as_text=True)
    assert f'name="answer_{example_campaign().prompts[0].id}"' in html
    assert "Mine.</textarea>" in html


def test_a_new_campaign_without_an_address_gets_one_from_its_title(app, admin):
    campaign_id = create(admin, slug="", title="Café – Stop LFR in Parks!")
    assert stored(app, campaign_id).slug == "cafe-stop-lfr-in-parks"


def test_the_address_is_suggested_as_you_type_only_for_a_new_campaign(admin):
    new = admin.get("/admin/campaigns/new").get_data(as_text=True)
    assert re.search(r'id="f-title"[^>]*data-slug-source', new)
    assert re.search(r'id="f-slug"[^>]*data-slug-target', new)
    assert '<script src="/static/studio.js" defer></script>' in new
    existing = admin.get(f"/admin/campaigns/{EXAMPLE_ID}").get_data(as_text=True)
    assert "data-slug-target" not in existing  # a live address never changes by itself


def test_preview_with_a_bad_postcode_says_why(admin, postcodes_io):
    response = admin.get(
        f"/admin/campaigns/{EXAMPLE_ID}/preview", query_string={"postcode": "ID1 1QE"}
    )
    assert response.status_code == 200
    assert "We couldn't find that postcode" in htmllib.unescape(response.get_data(as_text=True))
    assert "As Sam Taylor" not in response.get_data(as_text=True)


def test_studio_pages_are_private_and_unframeable(client):
    for path in ("/admin/", f"/admin/campaigns/{EXAMPLE_ID}", "/admin/campaigns/new"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/admin/login")
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_preview_says_which_letters_open_whole_in_one_click(admin):
    long = "A point that goes on and on, as policy briefs do. " * 50  # 2,500 characters
    campaign_id = create(
        admin,
        talking_points=[
            {**editor_form.blank_point(), "label": "Short", "phrasings": ["Short and sweet."]},
            {**editor_form.blank_point(), "label": "Long", "phrasings": [long.strip()]},
        ],
    )
    area = {"constituency": "E14001172", "pfa": "E23000001"}
    short = admin.get(
        f"/admin/campaigns/{campaign_id}/preview", query_string={**area, "points": ["short"]}
    ).get_data(as_text=True)
    assert short.count('data-fit="yes"') == 2  # the MP (the only one with an email), twice
    assert 'data-fit="no"' not in short
    assert re.search(
        r"Opens whole in one click</strong> in every email app \(\d+ characters", short
    )
    both = admin.get(
        f"/admin/campaigns/{campaign_id}/preview",
        query_string={**area, "points": ["short", "long"]},
    ).get_data(as_text=True)
    misses = [int(n) for n in re.findall(r"Misses one click by (\d+) characters", both)]
    assert len(misses) == 2 and all(n > 1000 for n in misses)  # by how much, too


def test_the_editor_shows_each_phrasings_length(admin):
    html = admin.get(f"/admin/campaigns/{EXAMPLE_ID}").get_data(as_text=True)
    first = example_campaign().talking_points[0].phrasings[0]
    assert f"{len(first)} characters" in html
    campaign_id = create(
        admin,
        talking_points=[{**editor_form.blank_point(), "label": "L", "phrasings": ["x " * 200]}],
    )
    html = admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert "399 characters: long for a letter that must fit one click" in html


# --- Nations ----------------------------------------------------------------------------------


def scoped_doc(**changes) -> dict:
    """test_nations' scoped campaign as a new draft under its own address."""
    doc = campaign_json.from_dict(scoped(slug="scoped", status="draft")).to_dict()
    doc.update(changes)
    return doc


def create_scoped(client, doc: dict) -> int:
    response = post(client, "/admin/campaigns/new", doc)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.location.rsplit("/", 1)[1])


def group_error(html: str, field_id: str) -> str:
    """The error inside a group of checkboxes, tied to the group by aria-describedby."""
    group = re.search(rf'<fieldset[^>]*id="{field_id}"[^>]*>(.*?)</fieldset>', html, re.S)
    assert group, f"no group {field_id}"
    assert f"{field_id}-error" in group.group(0).split(">", 1)[0]  # aria-describedby
    error = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', group.group(1))
    assert error, f"no error in {field_id}"
    return htmllib.unescape(re.sub(r"<[^>]+>", "", error.group(1))).strip()


def checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{re.escape(name)}" value="([a-z_]+)" checked', html)


def test_the_editor_offers_nations_for_the_campaign_each_point_and_each_recipient(admin):
    html = admin.get("/admin/campaigns/new").get_data(as_text=True)
    assert "Nations this campaign writes for" in html
    assert checked(html, "nations") == list(NATIONS)
    assert checked(html, "talking_points.0.nations") == list(NATIONS)  # all: every nation
    # Text for some recipients only is added with a button; a new campaign has none.
    assert "Add text for some recipients only: opening paragraph" in html
    assert 'name="opening.0.text"' not in html
    html = post(admin, "/admin/campaigns/new", minimal(), op="add-fixed_recipients").get_data(
        as_text=True
    )
    assert checked(html, "fixed_recipients.0.nations") == list(NATIONS)


def test_staff_save_a_scoped_campaign_through_the_editor(app, admin):
    doc = scoped_doc(
        fixed_recipients=[
            {
                "name": "Justice Secretary",
                "email": "js@example.org",
                "contact_url": None,
                "salutation": None,
                "nations": ["scotland"],
            }
        ]
    )
    campaign_id = create_scoped(admin, doc)
    row = stored(app, campaign_id)
    assert as_json(row.document) == as_json(campaign_json.from_dict(doc).to_dict())
    html = admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert checked(html, "talking_points.1.nations") == ["scotland"]
    assert checked(html, "talking_points.2.nations") == ["england", "wales"]
    assert checked(html, "fixed_recipients.0.nations") == ["scotland"]
    # A nation's own text is an alternative, its condition in words.
    assert 'name="asks.mp.0.when" type="text" value="nation: scotland"' in html
    assert "Only for supporters in Scotland" in html
    assert "Please raise this with colleagues at Holyrood." in html
    # Saving it unchanged from the page makes no new version.
    again = post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1")
    assert "Nothing had changed" in admin.get(again.location).get_data(as_text=True)


def test_changing_nations_and_their_text_is_named_in_the_history(app, admin):
    campaign_id = create(admin)
    asks = {"mp": "Vote.", "police_force": "Stop.", "police_oversight": "Ask."}
    doc = minimal(nations=["england", "scotland"], asks=asks)
    doc["variants"] = {"scotland": {"opening": "I live in Scotland."}}
    assert post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1").status_code == 302
    changes = stored(app, campaign_id).revision_list[0][2]
    assert changes == [
        "Changed the nations it writes for",
        "Changed the opening",
        "Changed the asks",
    ]


def test_no_nation_ticked_is_an_error_next_to_the_nations(app, admin):
    response = post(admin, "/admin/campaigns/new", minimal(nations=[]))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert group_error(html, "f-nations") == "Error: Choose at least one nation."
    assert 'href="#f-nations"' in html
    assert checked(html, "nations") == []  # as the user left it
    assert "Supporters in" not in html  # no errors about nations that weren't chosen
    with app.app_context():
        assert db.session.query(CampaignRow).count() == 1


def test_no_nation_ticked_is_reported_with_the_other_errors(admin):
    html = post(admin, "/admin/campaigns/new", minimal(nations=[], title="")).get_data(as_text=True)
    assert "Enter a title" in field_error(html, "f-title")
    assert "Choose at least one nation." in group_error(html, "f-nations")


def test_a_nation_left_without_points_is_an_error_on_the_nations(admin):
    doc = scoped_doc()
    doc["talking_points"][0]["nations"] = ["scotland"]  # Northern Ireland loses its only point
    html = post(admin, "/admin/campaigns/new", doc).get_data(as_text=True)
    assert "Supporters in Northern Ireland would get no talking points" in group_error(
        html, "f-nations"
    )


@pytest.mark.parametrize(
    ("change", "field_id", "message"),
    [
        (
            {"opening": "Hello {first_minister}"},
            "f-opening-0-text",
            "Unknown placeholder",
        ),
        (
            {"subject_lines": ["Fine", "{oops}"]},
            "f-subject-lines-when-1-text",
            "Unknown placeholder",
        ),
        (
            {"asks": {"police_force": "Stop \u202e now"}},
            "f-asks-police-force-0-text",
            "invisible or control characters",
        ),
    ],
)
def test_errors_in_a_nations_own_text_sit_next_to_its_alternative(admin, change, field_id, message):
    old = scoped(slug="scoped", status="draft")  # as a /2 file has it
    old["variants"]["scotland"].update(change)
    doc = campaign_json.from_dict(old, check=False).to_dict()
    html = post(admin, "/admin/campaigns/new", doc).get_data(as_text=True)
    assert message in field_error(html, field_id)
    assert f'href="#{field_id}"' in html


def test_an_items_nation_error_sits_on_its_checkboxes(admin):
    # Not possible from the checkboxes, but a restored or imported document can carry one.
    html = admin.get("/admin/campaigns/new").get_data(as_text=True)
    assert 'id="f-talking-points-0-nations"' in html
    with admin.application.test_request_context("/admin/campaigns/new"):
        page, _ = campaign_pages.editor_page(
            minimal(), errors={"talking_points.0.nations": ["Unknown nation 'mars'."]}
        )
    assert "Unknown nation" in group_error(page, "f-talking-points-0-nations")


def nations_shown(html: str) -> dict[str, str]:
    """Each nation's letter set in the per-nation preview, by nation key."""
    sections = re.findall(
        r'<section class="nation"[^>]*data-nation="(\w+)">(.*?)</section>', html, re.S
    )
    return dict(sections)


def test_the_preview_shows_one_letter_set_per_nation(admin):
    html = admin.get(f"/admin/campaigns/{EXAMPLE_ID}/preview").get_data(as_text=True)
    shown = nations_shown(html)
    assert list(shown) == list(NATIONS)  # no postcode or area given: every nation served
    expected = {
        "england": ("SE1 2DL · Bermondsey and Old Southwark", "Neil Coyle"),
        "wales": ("CF24 3AA · Cardiff East · South Wales Police", "Jo Stevens"),
        "scotland": ("AB10 1AB · Aberdeen South · Police Scotland", "Douglas Lumsden"),
        "northern_ireland": ("BT53 7HX · North Antrim", "Jim Allister"),
    }
    for nation, (where, mp) in expected.items():
        section = htmllib.unescape(shown[nation])
        assert f'<p class="place">{where}' in section, nation
        assert f"<h4>To {mp}</h4>" in section, nation
        postcode = where.split(" · ")[0]
        bodies = re.findall(r'<pre class="letter-body">(.*?)</pre>', section, re.S)
        assert bodies and all(b.endswith(f"Sam Taylor\n{postcode}") for b in bodies), nation
    assert "<h4>To Police Scotland</h4>" in shown["scotland"]
    assert "<h4>To Police Service of Northern Ireland</h4>" in shown["northern_ireland"]
    assert "would get no" not in html
    assert 'id="sample-1"' not in html  # not the single-place view


def test_the_preview_per_nation_uses_each_nations_points_and_text(app, admin):
    campaign_id = create_scoped(admin, scoped_doc())
    html = admin.get(
        f"/admin/campaigns/{campaign_id}/preview",
        query_string={"postcode": "SE1 2DL", "compare": "1"},
    ).get_data(as_text=True)
    shown = nations_shown(html)
    assert "Police Scotland should not start." in shown["scotland"]
    assert "Police Reform Bill must change" not in shown["scotland"]
    assert "Subject:</strong> Police Scotland and facial recognition" in shown["scotland"]
    assert "I live in Aberdeen South, in Scotland." in shown["scotland"]
    assert "The Police Reform Bill must change." in shown["wales"]
    assert "I live in Cardiff East." in shown["wales"]
    assert "Please raise this with the Assembly." in shown["northern_ireland"]
    assert "Points ticked: Everywhere." in shown["northern_ireland"]


def test_the_preview_flags_a_nation_with_no_points(app, admin):
    """A campaign stored under older rules may leave a nation without points: say so."""
    campaign_id = create_scoped(admin, scoped_doc())
    with app.app_context():
        row = db.session.get(CampaignRow, campaign_id)
        doc = row.to_campaign().to_dict()
        doc["talking_points"] = [p for p in doc["talking_points"] if p["id"] != "everywhere"]
        row.update_from(campaign_json.from_dict(doc, check=False))
        db.session.commit()
    html = admin.get(f"/admin/campaigns/{campaign_id}/preview").get_data(as_text=True)
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", html))
    assert "Supporters in Northern Ireland would get no talking points." in text
    assert "Supporters in Scotland would get no" not in text
    shown = nations_shown(html)
    assert "No talking points for supporters here." in shown["northern_ireland"]
    assert "<h4>To Jim Allister</h4>" in shown["northern_ireland"]  # the letters still show
    assert "No talking points" not in shown["scotland"]


def test_the_preview_compares_only_the_nations_served(admin):
    doc = scoped_doc(nations=["scotland"])
    doc["talking_points"] = [doc["talking_points"][1]]
    campaign_id = create_scoped(admin, doc)
    html = admin.get(f"/admin/campaigns/{campaign_id}/preview").get_data(as_text=True)
    assert list(nations_shown(html)) == ["scotland"]


def test_the_preview_shows_the_letters_in_welsh(admin, postcodes_io):
    query = {"postcode": "CF24 3AA", "points": ["what-is-lfr"], "language": "cy"}
    html = admin.get(f"/admin/campaigns/{EXAMPLE_ID}/preview", query_string=query)
    text = htmllib.unescape(html.get_data(as_text=True))
    assert '<option value="cy" selected>Cymraeg</option>' in text
    assert text.count("Annwyl Brif Gwnstabl,") == 2  # both sample supporters
    assert "Dear " not in text and "Yn gywir," in text
    english = admin.get(
        f"/admin/campaigns/{EXAMPLE_ID}/preview", query_string={**query, "language": "fr"}
    )
    assert "Dear Chief Constable," in htmllib.unescape(english.get_data(as_text=True))
