"""The editor's form ↔ campaign document mapping, and that the page round-trips documents."""

import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from test_nations import scoped
from werkzeug.datastructures import MultiDict

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.letters.campaigns import NATIONS
from advocacy.letters.campaigns import TARGET_ROLES
from advocacy.platform import store
from advocacy.platform.schema import example_campaign
from advocacy.studio import campaign_pages
from advocacy.studio import editor_form


def add_nations(data: MultiDict, name: str, nations) -> None:
    """An item's checkboxes as rendered: an empty scope (every nation) shows all ticked."""
    for nation in nations or NATIONS:
        data.add(name, nation)


def add_text(data: MultiDict, name: str, value) -> None:
    """A text chosen per recipient, as its boxes post it: alternatives, then the default."""
    shown = editor_form.editable_text(value)
    for i, alt in enumerate(shown["alternatives"]):
        data.add(f"{name}.{i}.when", alt["when"])
        data.add(f"{name}.{i}.text", alt["text"])
    data.add(name, shown["default"])


def add_entries(data: MultiDict, name: str, entries) -> list[str]:
    """A pool's entries with a condition or fact as their boxes post them; the plain ones."""
    plain = []
    rich = 0
    for entry in entries:
        if isinstance(entry, str) or not (entry.get("when") or entry.get("fact")):
            plain.append(entry if isinstance(entry, str) else entry["text"])
            continue
        data.add(f"{name}.{rich}.text", entry["text"])
        data.add(f"{name}.{rich}.when", editor_form.condition_text(entry.get("when")))
        data.add(f"{name}.{rich}.fact", entry.get("fact") or "")
        rich += 1
    return plain


def form_for(doc: dict) -> MultiDict:
    """The fields the editor page posts for a document (as the template renders them)."""
    doc = editor_form.for_editor(doc)
    data = MultiDict()
    for name in editor_form.TEXT_FIELDS:
        if name not in ("opening", "closing"):
            data.add(name, doc.get(name) or "")
    for name in ("opening", "closing"):
        add_text(data, name, doc.get(name) or "")
    for role in doc["targets"]:
        data.add("targets", role)
    lines = add_entries(data, "subject_lines.when", doc["subject_lines"])
    data.add("subject_lines", "\n".join(lines))
    data.add("allowed_origins", "\n".join(doc["allowed_origins"]))
    for role, text in doc["asks"].items():
        add_text(data, f"asks.{role}", text)
    data.add("nations", "")  # the hidden field that comes with the checkboxes
    for nation in doc.get("nations", NATIONS):
        data.add("nations", nation)
    data.add("place_facts", json.dumps(doc.get("place_facts") or {}))
    data.add("translations", json.dumps(doc.get("translations") or {}))
    for i, p in enumerate(doc["talking_points"]):
        data.add(f"talking_points.{i}.id", p["id"])
        data.add(f"talking_points.{i}.label", p["label"])
        plain = add_entries(data, f"talking_points.{i}.phrasings.when", p["phrasings"])
        for text in [*plain, ""]:  # the spare box is always posted, empty
            data.add(f"talking_points.{i}.phrasings", text)
        data.add(f"talking_points.{i}.source_url", p["source_url"] or "")
        if p["default_selected"]:
            data.add(f"talking_points.{i}.default_selected", "on")
        when = dict(p.get("when") or {})
        add_nations(
            data, f"talking_points.{i}.nations", when.pop("nation", None) or p.get("nations")
        )
        data.add(f"talking_points.{i}.when", editor_form.condition_text(when))
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
    return campaign_json.from_dict(scoped(fixed_recipients=recipients)).to_dict()


class BrowserForm(HTMLParser):
    """What a browser posts for the editor page when Save is pressed, read from its HTML.

    As a browser does: a textarea loses one leading line break and posts its line breaks as
    CRLF; a one-line input loses line breaks; only ticked boxes are sent; of the buttons, only
    the one pressed (the first Save).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data = MultiDict()
        self.in_form = False
        self.textarea: tuple[str, list[str]] | None = None
        self.pressed = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "editor" in a.get("class", "").split():
            self.in_form = True
        if not self.in_form or "name" not in a:
            return
        kind = a.get("type", "text")
        if tag == "textarea":
            self.textarea = (a["name"], [])
        elif tag == "button" or kind == "submit":
            if not self.pressed and a.get("value") == "save":
                self.data.add(a["name"], a["value"])
                self.pressed = True
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                self.data.add(a["name"], a.get("value") or "on")
        elif tag == "input":
            self.data.add(a["name"], re.sub(r"[\r\n]", "", a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea:
            name, parts = self.textarea
            text = "".join(parts).removeprefix("\n")
            self.data.add(name, re.sub(r"\r\n|\r|\n", "\r\n", text))
            self.textarea = None
        elif tag == "form":
            self.in_form = False


def posted(app, doc: dict) -> MultiDict:
    """The editor page rendered for ``doc``, then saved untouched, as a browser would post it."""
    with app.test_request_context("/admin/campaigns/new"):  # the studio, where sessions are
        html, _ = campaign_pages.editor_page(doc)
    parser = BrowserForm()
    parser.feed(html)
    return parser.data


def round_trip(app, doc: dict) -> None:
    """Opening a campaign in the editor and saving it untouched gives back the same campaign."""
    expected = campaign_json.from_dict(doc).to_dict()
    again = campaign_json.from_dict(editor_form.from_form(posted(app, expected)))
    assert again.to_dict() == expected
    assert store.describe(expected, again.to_dict()) == []


def trimmed(value):
    """A document with the space around each text removed, as the editor trims what is typed."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: trimmed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [trimmed(v) for v in value]
    return value


def known_campaigns() -> dict[str, dict]:
    """Every campaign document the tests build (imported here: test_studio imports this file)."""
    from test_compose import fitting_campaign
    from test_studio import minimal

    return {
        "example": example_campaign().to_dict(),
        "scoped": scoped_campaign(),
        "organised": {
            **example_campaign().to_dict(),
            "organiser": "Big Brother Watch & Friends",
            "image_url": "https://example.org/share.png?w=1200&h=630",
        },
        "two-nations": scoped(nations=["scotland", "northern_ireland"]),
        "nations-out-of-order": scoped(nations=["wales", "england", "scotland"]),
        # Its phrasings end in a space, which the editor trims (on purpose: typed text).
        "fitting": trimmed(fitting_campaign().to_dict()),
        # The studio tests' new campaigns, as stored once created (their points get ids then).
        "studio-minimal": editor_form.from_form(form_for(minimal())),
        "fixed-only": editor_form.from_form(
            form_for(
                minimal(
                    targets=[],
                    fixed_recipients=[
                        {
                            **editor_form.BLANKS["fixed_recipients"](),
                            "name": "Minister",
                            "email": "m@example.org",
                        }
                    ],
                )
            )
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "example",
        "organised",
        "scoped",
        "two-nations",
        "nations-out-of-order",
        "fitting",
        "studio-minimal",
        "fixed-only",
    ],
)
def test_every_known_campaign_survives_a_round_trip_through_the_page(app, name):
    round_trip(app, known_campaigns()[name])


def test_the_form_helper_posts_what_the_page_posts(app):
    """form_for (used by the studio tests) builds the same document as the real page."""
    doc = example_campaign().to_dict()
    assert editor_form.from_form(form_for(doc)) == editor_form.from_form(posted(app, doc))


# Text as staff type it: quotes, ampersands and angle brackets (escaped on the page), curly
# quotes and accents, the odd known placeholder; never a "Dear" or an "=?" to be refused.
CHARS = "abcdefghijkl mnopqrstuvwxyz ABCEFGHIJ’é&<>\"',.!?-"
ONE_LINE = st.text(alphabet=CHARS, min_size=1, max_size=24).map(str.strip).filter(bool)
WORDS = st.one_of(ONE_LINE, ONE_LINE.map(lambda t: t + " {constituency}"))
# Several lines, some with a blank line between: browsers post these with CRLF.
PARAGRAPHS = st.lists(WORDS, min_size=1, max_size=3).flatmap(
    lambda lines: st.sampled_from(["\n", "\n\n"]).map(lambda sep: sep.join(lines))
)
MAYBE = st.one_of(st.just(""), PARAGRAPHS)
IDS = st.lists(
    st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True), min_size=6, max_size=6, unique=True
)


@st.composite
def ordered_subset(draw, values: tuple[str, ...], min_size: int = 0) -> list[str]:
    """Some of ``values``, in any order."""
    order = draw(st.permutations(values))
    return list(order[: draw(st.integers(min_size, len(values)))])


@st.composite
def item_nations(draw) -> list[str]:
    """Every nation ([]), or some but not all of them, in any order."""
    return draw(st.one_of(st.just([]), ordered_subset(NATIONS, 1).filter(lambda n: len(n) < 4)))


@st.composite
def documents(draw) -> dict:
    """A valid campaign document of any shape the editor can show."""
    ids = draw(IDS)
    points = [
        {
            "id": ids[i],
            "label": draw(ONE_LINE),
            "phrasings": draw(st.lists(PARAGRAPHS, min_size=1, max_size=3)),
            "source_url": draw(st.sampled_from([None, "https://example.org/a?b=1&c=2"])),
            "default_selected": draw(st.booleans()),
            # The first is for every nation, so each nation served has a point.
            "nations": [] if i == 0 else draw(item_nations()),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    prompts = [
        {
            "id": ids[3 + i],
            "label": draw(ONE_LINE),
            "hint": draw(st.one_of(st.just(""), ONE_LINE)),
            "lead_in": draw(st.one_of(st.just(""), WORDS)),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    recipients = [
        {
            # Numbered: replies are counted under a slug of the name, which must differ.
            "name": f"{draw(ONE_LINE)} {i + 1}",
            "email": email,
            "contact_url": draw(
                st.sampled_from([None, "https://example.org/contact"])
                if email
                else st.just("https://example.org/contact")
            ),
            "salutation": draw(st.one_of(st.none(), ONE_LINE)),
            "nations": draw(item_nations()),
        }
        for i, email in enumerate(
            draw(st.lists(st.sampled_from([None, "a@example.org"]), max_size=2))
        )
    ]
    targets = draw(ordered_subset(TARGET_ROLES, 0 if recipients else 1))
    variants = {
        nation: {
            "subject_lines": draw(st.lists(ONE_LINE, max_size=2)),
            "opening": draw(MAYBE),
            "asks": draw(st.dictionaries(st.sampled_from(TARGET_ROLES), PARAGRAPHS, max_size=3)),
        }
        for nation in draw(ordered_subset(NATIONS))
    }
    variants = {n: v for n, v in variants.items() if any(v.values())}
    doc = {
        "slug": draw(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)),
        "title": draw(ONE_LINE),
        "summary_html": draw(st.sampled_from(["", "<p>One <strong>two</strong></p>"])),
        "status": draw(st.sampled_from(campaigns.STATUSES)),
        "targets": targets,
        "fixed_recipients": recipients,
        "subject_lines": draw(st.lists(ONE_LINE, min_size=1, max_size=3)),
        "opening": draw(MAYBE),
        "talking_points": draw(st.permutations(points)),
        "prompts": prompts,
        "asks": draw(st.dictionaries(st.sampled_from(TARGET_ROLES), PARAGRAPHS)),
        "closing": draw(MAYBE),
        "sign_off": draw(ONE_LINE),
        "next_ask": draw(MAYBE),
        "share_text": draw(st.one_of(st.just(""), ONE_LINE)),
        "organiser": draw(st.one_of(st.just(""), ONE_LINE)),
        "image_url": draw(
            st.sampled_from(["", "/static/lfr.png?v=2", "https://example.org/a.png?w=1&h=2"])
        ),
        "allowed_origins": draw(
            ordered_subset(
                ("https://a.example", "https://www.example.org", "http://localhost:8000")
            )
        ),
        "nations": draw(ordered_subset(NATIONS, 1)),
        "variants": variants,
    }
    if campaign_json.from_dict(doc, check=False).scoped:
        # A nation served must have an ask for every target.
        doc["asks"] = {role: doc["asks"].get(role, "Please act.") for role in TARGET_ROLES}
    return doc


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=documents())
def test_any_campaign_survives_a_round_trip_through_the_page(app, doc):
    round_trip(app, doc)


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


@pytest.mark.parametrize(
    ("chosen", "shown"),
    [
        (["mp", "police_oversight", "police_force"], ["mp", "police_oversight", "police_force"]),
        (["police_oversight"], ["police_oversight", "mp", "police_force"]),
        ([], list(TARGET_ROLES)),
        (["pope", "mp", "mp"], list(TARGET_ROLES)),
    ],
)
def test_checkboxes_list_the_chosen_in_the_documents_order_then_the_rest(chosen, shown):
    assert editor_form.in_order(chosen, TARGET_ROLES) == shown


def test_targets_keep_the_order_posted():
    form = MultiDict([("targets", "police_oversight"), ("targets", "mp")])
    assert editor_form.from_form(form)["targets"] == ["police_oversight", "mp"]


def test_textarea_line_breaks_come_back_as_they_were():
    """Browsers post a textarea's line breaks as CRLF."""
    form = MultiDict([("opening", "One\r\n\r\nTwo\r\n"), ("talking_points.0.phrasings", "A\r\nB")])
    doc = editor_form.from_form(form)
    assert doc["opening"] == "One\n\nTwo"
    assert doc["talking_points"][0]["phrasings"] == ["A\nB"]


def test_unknown_targets_are_ignored_and_asks_keep_only_text():
    form = MultiDict(
        [("targets", "mp"), ("targets", "pope"), ("asks.mp", " Vote. "), ("asks.x", "y")]
    )
    doc = editor_form.from_form(form)
    assert doc["targets"] == ["mp"]
    assert doc["asks"] == {"mp": "Vote."}


def test_the_fixed_recipients_have_an_ask_of_their_own():
    """Staff ask the people they name themselves (the Home Secretary...) for something too."""
    form = MultiDict([("asks.fixed", " Bring forward a law. "), ("asks.police_force", "Stop.")])
    assert editor_form.from_form(form)["asks"] == {
        "police_force": "Stop.",
        "fixed": "Bring forward a law.",
    }


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


@pytest.mark.parametrize(
    ("op", "focus"),
    [
        ("add-talking_points", "talking_points.3"),
        ("remove-talking_points-1", "talking_points.1"),
        ("remove-talking_points-2", "talking_points.1"),
        ("up-talking_points-1", "talking_points.0"),
        ("down-talking_points-1", "talking_points.2"),
        ("down-talking_points-2", "talking_points.2"),
        ("save", None),
    ],
)
def test_the_page_comes_back_to_the_item_a_button_acted_on(op, focus):
    doc = points("a", "b", "c")
    editor_form.apply_op(doc, op)
    assert editor_form.focus_after(doc, op) == focus


def test_removing_the_only_item_comes_back_to_its_section():
    doc = points("a")
    editor_form.apply_op(doc, "remove-talking_points-0")
    assert editor_form.focus_after(doc, "remove-talking_points-0") == "talking_points"


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
        "talking_points.1.label": ["Enter what supporters tick for this point"],
    }


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Stop facial recognition", "stop-facial-recognition"),
        ("Café – Stop LFR in Parks!", "cafe-stop-lfr-in-parks"),
        ("  ’Quoted’ & more  ", "quoted-more"),
        ("", ""),
        ("€€€", ""),
        ("word " * 30, ("word-" * 12)[:59]),
    ],
)
def test_a_web_address_is_suggested_from_the_title(title, slug):
    assert editor_form.suggest_slug(title) == slug


def test_an_empty_required_field_is_named_and_other_messages_stay():
    errors = {
        "title": ["This is required."],
        "prompts.2.label": ["This is required."],
        "closing": ["This is required."],
        "opening": ["Too long."],
    }
    assert editor_form.field_errors(errors) == {
        "title": ["Enter a title"],
        "prompts.2.label": ["Enter the question"],
        "closing": ["This is required."],
        "opening": ["Too long."],
    }


def test_field_ids_are_valid_html_ids():
    assert editor_form.field_id("talking_points.2.phrasings.0") == "f-talking-points-2-phrasings-0"


def test_a_new_document_is_a_draft_with_one_point_to_fill_in():
    doc = editor_form.new_document()
    assert doc["status"] == "draft"
    assert len(doc["talking_points"]) == 1
    assert doc["nations"] == list(NATIONS) and "variants" not in doc
    assert "when" not in doc["talking_points"][0]
    with pytest.raises(campaigns.InvalidCampaign) as exc:
        campaign_json.from_dict(doc)
    assert "talking_points.0.label" in exc.value.errors


# --- Nations ----------------------------------------------------------------------------------


def test_the_campaigns_nations_are_the_ticked_ones_in_page_order():
    """The page lists them in the campaign's order, so page order keeps the campaign's."""
    form = MultiDict(
        [("nations", ""), ("nations", "scotland"), ("nations", "england"), ("nations", "england")]
    )
    doc = editor_form.from_form(form)
    assert doc["nations"] == ["scotland", "england"]
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
        (["wales", "england"], ["wales", "england"]),
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
    assert doc["talking_points"][0].get("when", {}).get("nation", []) == stored
    assert doc["fixed_recipients"][0]["nations"] == stored


def test_alternatives_come_back_from_their_boxes_before_the_default():
    form = MultiDict(
        [
            ("opening.0.when", " nation: wales "),
            ("opening.0.text", " I live in Wales. "),
            ("opening.1.when", ""),
            ("opening.1.text", ""),  # an empty added alternative: nothing
            ("opening", "I live here."),
            ("asks.police_force.0.when", "force.lfr_status: deploys, paused ,trial"),
            ("asks.police_force.0.text", "Stop."),
            ("asks.police_force", "Don't start."),
            ("asks.mp", "Act."),
        ]
    )
    doc = editor_form.from_form(form)
    assert doc["opening"] == [
        {"when": {"nation": ["wales"]}, "text": "I live in Wales."},
        {"text": "I live here."},
    ]
    assert doc["asks"] == {
        "police_force": [
            {"when": {"force.lfr_status": ["deploys", "paused", "trial"]}, "text": "Stop."},
            {"text": "Don't start."},
        ],
        "mp": "Act.",
    }
    assert editor_form.problems(doc) == {}


def test_a_condition_box_that_cant_be_read_is_a_problem_next_to_it():
    form = MultiDict(
        [
            ("nations", "wales"),
            ("opening.0.when", "wales"),
            ("opening.0.text", "x"),
            ("opening", "y"),
        ]
    )
    doc = editor_form.from_form(form)
    assert editor_form.problems(doc) == {"opening.0.when": [editor_form.BAD_CONDITION]}


def test_pool_entries_keep_their_condition_and_fact():
    form = MultiDict(
        [
            ("subject_lines", "Plain"),
            ("subject_lines.when.0.text", "Stop in {constituency}"),
            ("subject_lines.when.0.when", "force.lfr_status: deploys"),
            ("subject_lines.when.0.fact", ""),
            ("talking_points.0.id", "a"),
            ("talking_points.0.label", "A"),
            ("talking_points.0.phrasings", "One."),
            ("talking_points.0.phrasings.when.0.text", "London Bridge."),
            ("talking_points.0.phrasings.when.0.when", ""),
            ("talking_points.0.phrasings.when.0.fact", "london-bridge"),
            ("talking_points.0.when", "role: mp"),
        ]
    )
    doc = editor_form.from_form(form)
    assert doc["subject_lines"] == [
        "Plain",
        {"text": "Stop in {constituency}", "when": {"force.lfr_status": ["deploys"]}},
    ]
    point = doc["talking_points"][0]
    assert point["phrasings"] == ["One.", {"text": "London Bridge.", "fact": "london-bridge"}]
    assert point["when"] == {"role": ["mp"]}


@pytest.mark.parametrize(
    ("op", "opening"),
    [
        ("add-alt-opening", [{"when": {}, "text": ""}, {"text": "Hi."}]),
        ("remove-alt-opening-0", "Hi."),
    ],
)
def test_adding_and_removing_an_alternative(op, opening):
    doc = editor_form.new_document()
    doc["opening"] = (
        "Hi."
        if op.startswith("add")
        else [
            {"when": {"nation": ["wales"]}, "text": "W."},
            {"text": "Hi."},
        ]
    )
    assert editor_form.apply_op(doc, op)
    assert doc["opening"] == opening
    assert editor_form.focus_after(doc, op) == "opening.alternatives"


def test_the_editor_shows_an_old_documents_nation_text_as_alternatives():
    doc = editor_form.for_editor(scoped_campaign())
    assert "variants" not in doc
    assert doc["opening"][0]["when"] == {"nation": ["scotland"]}


def test_a_document_from_before_nations_gets_them_in_the_editor():
    old = {"slug": "old", "title": "Old", "talking_points": []}
    shown = editor_form.for_editor(old)
    assert shown["nations"] == list(NATIONS) and "variants" not in shown
    assert editor_form.for_editor({**old, "nations": ["wales"]})["nations"] == ["wales"]
