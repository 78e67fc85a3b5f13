"""The campaign's Welsh, written beside its English in the studio (issue 27, item 3)."""

import html as htmllib
import re

from test_editor_form import BrowserForm
from test_studio import EXAMPLE_ID
from test_studio import create
from test_studio import minimal
from test_studio import post
from test_studio import stored

from advocacy.platform.schema import example_campaign
from advocacy.studio import editor_form

WELSH = f"/admin/campaigns/{EXAMPLE_ID}/text/cy"


def page_data(client, path: str):
    """The page's fields as a browser would post them, untouched."""
    return page_data_from(client.get(path).get_data(as_text=True))


def page_data_from(html: str):
    form = BrowserForm()
    form.feed(html)
    return form.data


def text(html: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))


def field_error(html: str, field_id: str) -> str:
    """The error tied to a box (its aria-describedby), as words."""
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert match, f"no error on {field_id}"
    return text(match.group(1)).replace("Error:", "").strip()


def complete_welsh(data):
    """The Welsh text page of a campaign made by ``test_studio.create``, filled in: all it needs."""
    for name, value in {
        "title": "Ymgyrch brawf",
        "subject_lines": "Ynglŷn â {force_name}",
        "opening": "Rwy'n byw yn {constituency}.",
        "talking_points.0.label": "Cyntaf",
        "talking_points.1.label": "Ail",
        "sign_off": "Yn gywir,",
    }.items():
        data[name] = value
    data.setlist("talking_points.0.phrasings", ["Un."])
    data.setlist("talking_points.1.phrasings", ["Dau."])
    return data


def test_each_english_text_sits_beside_its_welsh_box(admin) -> None:
    html = admin.get(WELSH).get_data(as_text=True)
    welsh = example_campaign().translations["cy"]
    english = example_campaign()
    # The English title, shown (not a box), and the Welsh title in its box, marked Welsh.
    pair = html.split('id="s-about"')[1].split("</fieldset>")[0]
    assert f'<p class="english-text">{htmllib.escape(english.title, quote=False)}</p>' in pair
    assert re.search(r'<input id="f-title" name="title" type="text" value="([^"]*)"', pair)[
        1
    ] == htmllib.escape(welsh["title"])
    assert 'lang="cy"' in pair and 'class="english" lang="en"' in pair
    # Every talking point of the English, in its order, with the Welsh where there is some.
    labels = re.findall(r"<summary>Talking point \d+: ([^<(]+)", html)
    assert [htmllib.unescape(s).strip() for s in labels] == [
        p.label for p in english.talking_points
    ]
    first = welsh["talking_points"][0]
    assert first["phrasings"][0] in text(html)
    # A point only for Scotland needs no Welsh: folded and marked optional.
    scottish = english.talking_points.index(
        next(p for p in english.talking_points if p.id == "scotland-not-yet")
    )
    assert re.search(
        rf'<details class="point-body">\s*<summary>Talking point {scottish + 1}: [^<]*\(not '
        r"offered in Wales: optional\)",
        html,
    )
    # Each ask's alternatives in English with when each is used, and the Welsh's own boxes.
    # What a translator needs to know about placeholders in Welsh.
    assert "A name a placeholder fills in is never mutated" in text(html)
    asks = text(html.split('id="f-asks"')[1])
    assert "Only when the police force uses the cameras: " in asks
    assert "Otherwise: " in asks
    assert 'name="asks.police_oversight.0.when"' in html


def test_saving_the_page_as_opened_changes_nothing(app, admin) -> None:
    response = admin.post(WELSH, data=page_data(admin, WELSH))
    assert response.status_code == 302
    assert "Nothing had changed" in admin.get(response.location).get_data(as_text=True)
    row = stored(app, EXAMPLE_ID)
    assert row.version == 1
    assert row.to_campaign().translations == example_campaign().translations


def test_a_welsh_edit_saves_a_version_with_the_english_untouched(app, admin) -> None:
    data = page_data(admin, WELSH)
    data["title"] = "Stopiwch y camerâu sy'n sganio wynebau"
    data.setlist(
        "talking_points.0.phrasings",
        ["Ymadrodd newydd.", *data.getlist("talking_points.0.phrasings")],
    )
    response = admin.post(WELSH, data=data)
    assert response.status_code == 302, text(response.get_data(as_text=True))[:3000]
    campaign = stored(app, EXAMPLE_ID).to_campaign()
    assert campaign.translations["cy"]["title"] == "Stopiwch y camerâu sy'n sganio wynebau"
    assert campaign.translations["cy"]["talking_points"][0]["phrasings"][0] == "Ymadrodd newydd."
    english = example_campaign().to_dict()
    assert {k: v for k, v in campaign.to_dict().items() if k != "translations"} == {
        k: v for k, v in english.items() if k != "translations"
    }
    assert "Saved as version 2" in admin.get(WELSH).get_data(as_text=True)


def test_starting_welsh_names_every_box_still_needed_and_keeps_what_was_typed(app, admin) -> None:
    campaign_id = create(admin, next_ask="Tell a friend.")
    path = f"/admin/campaigns/{campaign_id}/text/cy"
    html = admin.get(path).get_data(as_text=True)
    assert "Not offered in Welsh yet" in html
    data = page_data(admin, path)
    data["title"] = "Ymgyrch brawf"
    response = admin.post(path, data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Ymgyrch brawf"' in html  # kept
    for box in ("f-subject-lines", "f-opening", "f-sign-off", "f-next-ask"):
        assert field_error(html, box) == "Write this in this language too.", box
    assert "f-title-error" not in html
    # A point's missing Welsh is on the point, linked from the summary.
    assert '<a href="#f-talking-points-0">' in html
    assert "Write the point &#39;first&#39; in this language too" in html
    assert stored(app, campaign_id).to_campaign().translations == {}


def test_a_complete_welsh_is_offered_and_can_be_stopped(app, admin) -> None:
    campaign_id = create(admin)
    path = f"/admin/campaigns/{campaign_id}/text/cy"
    data = complete_welsh(page_data(admin, path))
    data.setlist("talking_points.0.phrasings", ["Un.", ""])  # the spare box, posted empty
    response = admin.post(path, data=data)
    assert response.status_code == 302, text(response.get_data(as_text=True))[:3000]
    campaign = stored(app, campaign_id).to_campaign()
    assert campaign.languages == ("en", "cy")
    assert campaign.translations["cy"] == {
        "title": "Ymgyrch brawf",
        "subject_lines": ["Ynglŷn â {force_name}"],
        "opening": "Rwy'n byw yn {constituency}.",
        "talking_points": [
            {"id": "first", "label": "Cyntaf", "phrasings": ["Un."]},
            {"id": "second", "label": "Ail", "phrasings": ["Dau."]},
        ],
        "sign_off": "Yn gywir,",
    }
    html = admin.get(path).get_data(as_text=True)
    assert "Offered in Welsh:" in html
    data = page_data(admin, path)
    data["op"] = "remove"
    response = admin.post(path, data=data)
    assert response.status_code == 302
    assert "no longer offered in Welsh" in admin.get(path).get_data(as_text=True)
    assert stored(app, campaign_id).to_campaign().languages == ("en",)


def test_a_welsh_placeholder_error_is_on_its_box(admin) -> None:
    data = page_data(admin, WELSH)
    data["sign_off"] = "Yn gywir, {enw}"
    response = admin.post(WELSH, data=data)
    assert response.status_code == 400
    assert "{enw}" in field_error(response.get_data(as_text=True), "f-sign-off")


def test_an_alternative_is_added_without_javascript_and_nothing_is_saved(app, admin) -> None:
    data = page_data(admin, WELSH)
    data["title"] = "Teitl newydd"
    data["op"] = "add-alt-closing"
    response = admin.post(WELSH, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="closing.0.when"' in html and 'value="Teitl newydd"' in html
    assert "Not saved yet" in html
    assert stored(app, EXAMPLE_ID).version == 1


def test_a_save_after_someone_elses_is_refused_then_goes_through(app, admin) -> None:
    data = page_data(admin, WELSH)
    data["title"] = "Teitl gan y cyfieithydd"
    other = page_data(admin, WELSH)
    other["share_text"] = "camerâu sy'n adnabod wynebau"
    assert admin.post(WELSH, data=other).status_code == 302  # version 2, someone else's
    response = admin.post(WELSH, data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "saved version 2 of this campaign while you were writing here" in html
    assert 'value="Teitl gan y cyfieithydd"' in html
    again = page_data_from(html)
    assert admin.post(WELSH, data=again).status_code == 302
    assert stored(app, EXAMPLE_ID).to_campaign().translations["cy"]["title"] == (
        "Teitl gan y cyfieithydd"
    )


def test_the_editor_links_to_it_and_only_staff_reach_it(app, admin, client) -> None:
    html = admin.get(f"/admin/campaigns/{EXAMPLE_ID}").get_data(as_text=True)
    assert f'<a href="{WELSH}">Welsh text</a>' in html
    assert admin.get(f"/admin/campaigns/{EXAMPLE_ID}/text/fr").status_code == 404
    assert admin.get("/admin/campaigns/999/text/cy").status_code == 404
    signed_out = app.test_client()
    assert signed_out.get(WELSH).status_code == 302


def test_after_someone_reorders_the_points_the_welsh_stays_with_its_point(app, admin) -> None:
    campaign_id = create(admin)
    path = f"/admin/campaigns/{campaign_id}/text/cy"
    data = complete_welsh(page_data(admin, path))
    first, second = (
        {**editor_form.blank_point(), "id": pid, "label": label, "phrasings": phrasings}
        for pid, label, phrasings in (("first", "First", ["One."]), ("second", "Second", ["Two."]))
    )
    swapped = minimal(talking_points=[second, first])
    moved = post(admin, f"/admin/campaigns/{campaign_id}", swapped, version="1")
    assert moved.status_code == 302  # version 2: the English points swapped
    refused = admin.post(path, data=data)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert re.search(r'name="talking_points.0.id" value="second"', html)
    assert re.search(
        r'id="f-talking-points-0-label" name="talking_points.0.label" '
        r'type="text" value="Ail"',
        html,
    )
    assert admin.post(path, data=page_data_from(html)).status_code == 302
    welsh = stored(app, campaign_id).to_campaign().translations["cy"]["talking_points"]
    assert {p["id"]: p["label"] for p in welsh} == {"second": "Ail", "first": "Cyntaf"}
