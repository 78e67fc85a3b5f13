"""The editor's form ↔ campaign document mapping (pure)."""

import pytest
from test_nations import scoped
from werkzeug.datastructures import MultiDict

from advocacy import campaigns
from advocacy import editor_form
from advocacy.campaigns import NATIONS
from advocacy.campaigns import TARGET_ROLES
from advocacy.schema import example_campaign


def add_nations(data: MultiDict, name: str, nations) -> None:
    """An item's checkboxes as rendered: an empty scope (every nation) shows all ticked."""
    for nation in nations or NATIONS:
        data.add(name, nation)


def form_for(doc: dict) -> MultiDict:
    """The fields the editor page posts for a document (as the template renders them)."""
    data = MultiDict()
    for name in editor_form.TEXT_FIELDS:
        data.add(name, doc.get(name) or "")
    for role in doc["targets"]:
        data.add("targets", role)
    for name in editor_form.LINE_FIELDS:
        data.add(name, "\n".join(doc[name]))
    for role, text in doc["asks"].items():
        data.add(f"asks.{role}", text)
    data.add("nations", "")  # the hidden field that comes with the checkboxes
    for nation in doc.get("nations", NATIONS):
        data.add("nations", nation)
    variants = doc.get("variants") or {}
    for nation in NATIONS:  # every nation's (folded) boxes are posted, most of them empty
        variant = variants.get(nation) or {}
        data.add(f"variants.{nation}.subject_lines", "\n".join(variant.get("subject_lines", [])))
        data.add(f"variants.{nation}.opening", variant.get("opening", ""))
        for role in TARGET_ROLES:
            data.add(f"variants.{nation}.asks.{role}", variant.get("asks", {}).get(role, ""))
    for i, p in enumerate(doc["talking_points"]):
        data.add(f"talking_points.{i}.id", p["id"])
        data.add(f"talking_points.{i}.label", p["label"])
        for text in [*p["phrasings"], ""]:  # the spare box is always posted, empty
            data.add(f"talking_points.{i}.phrasings", text)
        data.add(f"talking_points.{i}.source_url", p["source_url"] or "")
        if p["default_selected"]:
            data.add(f"talking_points.{i}.default_selected", "on")
        add_nations(data, f"talking_points.{i}.nations", p.get("nations"))
    for i, q in enumerate(doc["prompts"]):
        for key in ("id", "label", "hint", "lead_in"):
            data.add(f"prompts.{i}.{key}", q.get(key, ""))
    for i, r in enumerate(doc["fixed_recipients"]):
        for key in ("name", "email", "contact_url", "salutation"):
            data.add(f"fixed_recipients.{i}.{key}", r[key] or "")
        add_nations(data, f"fixed_recipients.{i}.nations", r.get("nations"))
    return data


def scoped_campaign() -> dict:
    """test_nations' scoped campaign, with fixed recipients for some nations, as stored."""
    recipients = [
        {"name": "Home Secretary", "email": "hs@example.org", "nations": ["england", "wales"]},
        {"name": "Justice Secretary", "email": "js@example.org", "nations": ["scotland"]},
        {"name": "Everyone's minister", "contact_url": "https://example.org/contact"},
    ]
    return campaigns.from_dict(scoped(fixed_recipients=recipients)).to_dict()


@pytest.mark.parametrize(
    "doc",
    [
        example_campaign().to_dict(),
        scoped_campaign(),
        campaigns.from_dict(scoped(nations=["scotland", "northern_ireland"])).to_dict(),
    ],
    ids=["example", "scoped", "two-nations"],
)
def test_every_known_campaign_survives_a_round_trip_through_the_form(doc):
    again = campaigns.from_dict(editor_form.from_form(form_for(doc)))
    assert again.to_dict() == doc


def test_fixed_recipients_round_trip():
    doc = example_campaign().to_dict()
    doc["fixed_recipients"] = [
        {
            "name": "Home Secretary",
            "email": "hs@example.org",
            "contact_url": None,
            "salutation": None,
            "nations": [],
        }
    ]
    parsed = editor_form.from_form(form_for(doc))
    assert parsed["fixed_recipients"] == doc["fixed_recipients"]


def test_empty_phrasing_boxes_are_dropped_and_lines_split():
    form = MultiDict(
        [
            ("subject_lines", "  First  \n\n Second\r\n"),
            ("allowed_origins", "https://a.example\n"),
            ("talking_points.0.label", "A point"),
            ("talking_points.0.phrasings", "  One  "),
            ("talking_points.0.phrasings", "   "),
            ("talking_points.0.phrasings", "Two"),
        ]
    )
    doc = editor_form.from_form(form)
    assert doc["subject_lines"] == ["First", "Second"]
    assert doc["allowed_origins"] == ["https://a.example"]
    assert doc["talking_points"][0]["phrasings"] == ["One", "Two"]
    assert doc["talking_points"][0]["default_selected"] is False


def test_new_items_get_unique_ids_from_their_labels_and_old_ids_stay():
    form = MultiDict(
        [
            ("talking_points.0.id", "kept"),
            ("talking_points.0.label", "It is Unlawful!"),
            ("talking_points.1.label", "It is unlawful"),
            ("talking_points.2.label", "It is unlawful"),
            ("talking_points.3.label", ""),
            ("prompts.0.label", "Why does this matter to you?"),
        ]
    )
    doc = editor_form.from_form(form)
    assert [p["id"] for p in doc["talking_points"]] == [
        "kept",
        "it-is-unlawful",
        "it-is-unlawful-2",
        "point-4",
    ]
    assert doc["prompts"][0]["id"] == "why-does-this-matter-to-you"


def test_unknown_targets_are_ignored_and_asks_keep_only_text():
    form = MultiDict(
        [("targets", "mp"), ("targets", "pope"), ("asks.mp", " Vote. "), ("asks.x", "y")]
    )
    doc = editor_form.from_form(form)
    assert doc["targets"] == ["mp"]
    assert doc["asks"] == {"mp": "Vote."}


def test_item_count_is_capped():
    form = MultiDict([(f"prompts.{i}.label", "q") for i in range(500)])
    assert len(editor_form.from_form(form)["prompts"]) == editor_form.MAX_ITEMS


def points(*labels):
    return {"talking_points": [{**editor_form.blank_point(), "label": x} for x in labels]}


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("add-talking_points", ["a", "b", "c", ""]),
        ("remove-talking_points-1", ["a", "c"]),
        ("up-talking_points-1", ["b", "a", "c"]),
        ("up-talking_points-0", ["a", "b", "c"]),
        ("down-talking_points-1", ["a", "c", "b"]),
        ("down-talking_points-2", ["a", "b", "c"]),
        ("remove-talking_points-9", ["a", "b", "c"]),
    ],
)
def test_operations_add_remove_and_move(op, expected):
    doc = points("a", "b", "c")
    assert editor_form.apply_op(doc, op) is True
    assert [p["label"] for p in doc["talking_points"]] == expected


@pytest.mark.parametrize("op", ["save", "", "delete-everything", "add-slug", "remove-prompts-x"])
def test_anything_else_is_not_an_operation(op):
    doc = points("a")
    assert editor_form.apply_op(doc, op) is False
    assert [p["label"] for p in doc["talking_points"]] == ["a"]


def test_line_field_errors_move_onto_their_textarea():
    errors = {
        "subject_lines.2": ["Unknown placeholder {x}."],
        "allowed_origins.0": ["Not a site."],
        "talking_points.1.label": ["This is required."],
    }
    assert editor_form.field_errors(errors) == {
        "subject_lines": ["Line 3: Unknown placeholder {x}."],
        "allowed_origins": ["Line 1: Not a site."],
        "talking_points.1.label": ["This is required."],
    }


def test_field_ids_are_valid_html_ids():
    assert editor_form.field_id("talking_points.2.phrasings.0") == "f-talking-points-2-phrasings-0"


def test_a_new_document_is_a_draft_with_one_point_to_fill_in():
    doc = editor_form.new_document()
    assert doc["status"] == "draft"
    assert len(doc["talking_points"]) == 1
    assert doc["nations"] == list(NATIONS) and doc["variants"] == {}
    assert doc["talking_points"][0]["nations"] == []
    with pytest.raises(campaigns.InvalidCampaign) as exc:
        campaigns.from_dict(doc)
    assert "talking_points.0.label" in exc.value.errors


# --- Nations ----------------------------------------------------------------------------------


def test_the_campaigns_nations_are_the_ticked_ones_in_their_usual_order():
    form = MultiDict([("nations", ""), ("nations", "scotland"), ("nations", "england")])
    doc = editor_form.from_form(form)
    assert doc["nations"] == ["england", "scotland"]
    assert editor_form.problems(doc) == {}


def test_no_nation_ticked_is_a_problem_not_every_nation():
    """The document format reads [] as every nation, so the form must catch it first."""
    doc = editor_form.from_form(MultiDict([("nations", ""), ("nations", "mars")]))
    assert doc["nations"] == []
    assert editor_form.problems(doc) == {"nations": ["Choose at least one nation."]}


def test_a_form_without_the_nations_field_keeps_every_nation():
    doc = editor_form.from_form(MultiDict([("title", "Older page")]))
    assert doc["nations"] == list(NATIONS)
    assert editor_form.problems(doc) == {}


@pytest.mark.parametrize(
    ("ticked", "stored"),
    [
        ([], []),
        (list(NATIONS), []),
        (["wales", "england"], ["england", "wales"]),
        (["scotland", "atlantis"], ["scotland"]),
    ],
)
def test_an_items_nations_all_or_none_mean_every_nation(ticked, stored):
    form = MultiDict(
        [("talking_points.0.label", "A point"), ("fixed_recipients.0.name", "Minister")]
        + [("talking_points.0.nations", n) for n in ticked]
        + [("fixed_recipients.0.nations", n) for n in ticked]
    )
    doc = editor_form.from_form(form)
    assert doc["talking_points"][0]["nations"] == stored
    assert doc["fixed_recipients"][0]["nations"] == stored


def test_only_nations_with_their_own_text_get_a_variant():
    form = MultiDict(
        [
            ("variants.scotland.subject_lines", " Holyrood \n\n Police Scotland \r\n"),
            ("variants.scotland.opening", "  "),
            ("variants.scotland.asks.mp", " Raise it at Holyrood. "),
            ("variants.scotland.asks.police_force", ""),
            ("variants.wales.opening", ""),
            ("variants.wales.asks.mp", "  "),
            ("variants.northern_ireland.opening", "In Northern Ireland, "),
            ("variants.atlantis.opening", "Not a nation"),
            ("variants.england.asks.pope", "Not a target"),
        ]
    )
    assert editor_form.from_form(form)["variants"] == {
        "scotland": {
            "subject_lines": ["Holyrood", "Police Scotland"],
            "opening": "",
            "asks": {"mp": "Raise it at Holyrood."},
        },
        "northern_ireland": {"subject_lines": [], "opening": "In Northern Ireland,", "asks": {}},
    }


def test_variant_subject_line_errors_move_onto_their_textarea():
    errors = {
        "variants.scotland.subject_lines.1": ["Unknown placeholder {x}."],
        "variants.scotland.opening": ["Too long."],
    }
    assert editor_form.field_errors(errors) == {
        "variants.scotland.subject_lines": ["Line 2: Unknown placeholder {x}."],
        "variants.scotland.opening": ["Too long."],
    }


def test_a_nations_own_text_opens_when_it_has_text_or_an_error():
    doc = scoped_campaign()
    assert editor_form.open_variants(doc, {}) == {"scotland", "northern_ireland"}
    errors = {"variants.wales.opening": ["Unknown placeholder {x}."]}
    assert "wales" in editor_form.open_variants(doc, errors)
    assert editor_form.open_variants(editor_form.new_document(), {}) == set()


def test_a_document_from_before_nations_gets_them_in_the_editor():
    old = {"slug": "old", "title": "Old", "talking_points": []}
    shown = editor_form.for_editor(old)
    assert shown["nations"] == list(NATIONS) and shown["variants"] == {}
    assert editor_form.for_editor({**old, "nations": ["wales"]})["nations"] == ["wales"]
