"""The studio and conditions (issue 24): conditions edited in the editor and shown in words,
place facts uploaded as a CSV (and refused when they can't be used), and the preview saying
which text each letter took and why."""

import html as htmllib
import io
import re

import pytest
from staff_helpers import csrf_token
from test_studio import create
from test_studio import minimal
from test_studio import post
from test_studio import stored

from advocacy.letters import place_facts

STOP = "I ask {force_name} to stop using live facial recognition."
NOT_START = "I ask {force_name} not to start using live facial recognition."


def upload_facts(client, campaign_id: int, content: bytes, version: str = "1"):
    token = csrf_token(client, f"/admin/campaigns/{campaign_id}/place-facts")
    return client.post(
        f"/admin/campaigns/{campaign_id}/place-facts",
        data={"csrf_token": token, "version": version, "file": (io.BytesIO(content), "f.csv")},
        content_type="multipart/form-data",
    )


def text_of(html: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))


def test_a_condition_is_saved_from_its_box_and_shown_in_words(app, admin):
    campaign_id = create(admin)
    doc = minimal(
        asks={
            "police_force": [
                {"when": {"force.lfr_status": ["deploys", "paused", "trial"]}, "text": STOP},
                {"text": NOT_START},
            ]
        }
    )
    assert post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1").status_code == 302
    assert stored(app, campaign_id).document["asks"]["police_force"][0]["text"] == STOP
    page = admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Only when the police force uses the cameras" in text_of(page)
    assert 'value="force.lfr_status: deploys, paused, trial"' in page


def test_adding_and_removing_an_alternative_keeps_what_was_typed(admin):
    response = post(admin, "/admin/campaigns/new", minimal(), op="add-alt-opening")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Not saved yet" in page
    assert 'name="opening.0.when"' in page and 'name="opening.0.text"' in page
    assert "I live in {constituency}." in page  # the default is kept, after it


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("force.lfr_status: deployed", "Unknown value for force.lfr_status: 'deployed'"),
        ("force.mood: calm", "Unknown attribute 'force.mood'"),
        ("nation wales", "Write the condition as attribute: value"),
    ],
)
def test_an_unknown_attribute_or_value_is_refused_at_save_next_to_its_box(admin, when, message):
    doc = minimal(opening=[{"when": {}, "text": "Welsh."}, {"text": "Default."}])
    from test_editor_form import form_for  # noqa: PLC0415

    data = form_for(doc)
    data["opening.0.when"] = when
    data["csrf_token"] = csrf_token(admin, "/admin/campaigns/new")
    response = admin.post("/admin/campaigns/new", data=data)
    assert response.status_code == 400
    assert message in text_of(response.get_data(as_text=True))


CSV = b"pfa_code,deployments,motion\r\nE23000001,180,yes\r\nW15000003,70,\r\n"


def test_place_facts_upload_becomes_placeholders_and_says_which_places_lack_them(app, admin):
    campaign_id = create(admin)
    response = upload_facts(admin, campaign_id, CSV)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    row = stored(app, campaign_id)
    assert row.document["place_facts"] == {
        "key": "pfa_code",
        "columns": ["deployments", "motion"],
        "rows": {
            "E23000001": {"deployments": "180", "motion": "yes"},
            "W15000003": {"deployments": "70"},
        },
    }
    assert row.revision_list[0][2] == ["Changed the place facts"]
    page = text_of(admin.get(f"/admin/campaigns/{campaign_id}").get_data(as_text=True))
    assert "{place.deployments}" in page and "43:" in page and "44:" in page  # of 45 forces
    # Text may now use them, with a condition or where the place has them.
    doc = stored(app, campaign_id).document | {
        "asks": {
            "mp": [
                {"when": {"place.motion": ["yes"]}, "text": "Our council voted against them."},
                {"text": "Please act."},
            ]
        }
    }
    assert post(admin, f"/admin/campaigns/{campaign_id}", doc, version="2").status_code == 302
    # Removing the facts the text needs is refused, with the reason.
    token = csrf_token(admin, f"/admin/campaigns/{campaign_id}/place-facts")
    admin.post(
        f"/admin/campaigns/{campaign_id}/place-facts/remove",
        data={"csrf_token": token, "version": "3"},
    )
    assert stored(app, campaign_id).document["place_facts"]["columns"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"code,deployments\r\nE23000001,3\r\n", "first column must be pfa_code"),
        (b"pfa_code,deployments\r\nE99999999,3\r\n", "is no police force area code"),
        (b"pfa_code,Deployments!\r\nE23000001,3\r\n", "name columns with lower-case"),
        (b"pfa_code,note\r\nE23000001,a\x07b\r\n", "control or invisible character"),
        (b"pfa_code,note\r\nE23000001,a\r\nE23000001,b\r\n", "in the file twice"),
        (b"\xff\xfe", "UTF-8"),
        (b"pfa_code\r\nE23000001\r\n", "at least one column"),
        (b"pfa_code,note\r\n" + b"E23000001," + b"x" * 600 + b"\r\n", "500 characters"),
    ],
)
def test_a_place_facts_file_that_cant_be_used_is_refused_with_the_reason(
    app, admin, content, message
):
    campaign_id = create(admin)
    response = upload_facts(admin, campaign_id, content)
    assert response.status_code == 400
    assert message in text_of(response.get_data(as_text=True))
    assert "place_facts" not in stored(app, campaign_id).document


def test_place_facts_are_bounded():
    rows = "".join(f"E23{i:06d},1\r\n" for i in range(place_facts.MAX_ROWS + 1))
    codes = {"pfa_code": [f"E23{i:06d}" for i in range(place_facts.MAX_ROWS + 1)]}
    with pytest.raises(place_facts.BadFacts, match="rows or fewer"):
        place_facts.parse_csv(f"pfa_code,n\r\n{rows}".encode(), codes)
    header = ",".join(f"c{i}" for i in range(place_facts.MAX_COLUMNS + 1))
    with pytest.raises(place_facts.BadFacts, match="columns of facts or fewer"):
        place_facts.parse_csv(f"pfa_code,{header}\r\n".encode(), codes)


def test_the_preview_says_which_text_each_letter_took_and_why(app, admin):
    campaign_id = create(admin)
    doc = minimal(
        asks={
            "police_force": [
                {"when": {"force.lfr_status": ["deploys", "paused", "trial"]}, "text": STOP},
                {"text": NOT_START},
            ]
        }
    )
    assert post(admin, f"/admin/campaigns/{campaign_id}", doc, version="1").status_code == 302
    page = admin.get(f"/admin/campaigns/{campaign_id}/preview").get_data(as_text=True)
    sections = dict(
        re.findall(r'<section class="nation"[^>]*data-nation="(\w+)">(.*?)</section>', page, re.S)
    )
    england, scotland = text_of(sections["england"]), text_of(sections["scotland"])
    assert "stop using live facial recognition" in england  # the Met deploys
    assert "Ask of the police force : alternative 1 of 2: Only when the police force uses" in (
        re.sub(r"\s+", " ", england)
    )
    assert "not to start" in scotland  # Police Scotland: none
    assert "the default, as none of these fits: Only when the police force uses the cameras" in (
        re.sub(r"\s+", " ", scotland)
    )
