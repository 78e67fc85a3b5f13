"""Tests for advocacy.letters.campaigns: the bundled example, validation and plain-text
placeholders."""

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from advocacy.letters import campaigns
from advocacy.letters import place_facts
from advocacy.letters import validation
from advocacy.letters.campaign_json import from_dict
from advocacy.letters.campaigns import FORMAT
from advocacy.letters.campaigns import MAX_TEXT
from advocacy.letters.campaigns import NATIONS
from advocacy.letters.campaigns import PLACEHOLDERS
from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import FixedRecipient
from advocacy.letters.campaigns import InvalidCampaign
from advocacy.letters.campaigns import Prompt
from advocacy.letters.campaigns import TalkingPoint
from advocacy.letters.campaigns import as_alternative
from advocacy.letters.campaigns import default_text
from advocacy.letters.campaigns import fill
from advocacy.letters.campaigns import letter_texts
from advocacy.letters.campaigns import placeholders_in
from advocacy.letters.campaigns import text_to_json
from advocacy.letters.validation import validate

EXAMPLE = Path(campaigns.__file__).parent.parent / "example_campaign.json"
ALLOWED = [f"{{{name}}}" for name in sorted(PLACEHOLDERS)]


@pytest.fixture
def data() -> dict[str, Any]:
    """A fresh copy of the example's JSON form for each test to change: its English alone (the
    rules of translations, and the example's Welsh, are tested in test_translations.py)."""
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del document["translations"]
    return document


@pytest.fixture(scope="module")
def example() -> Campaign:
    return from_dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def errors_for(data: Any) -> dict[str, list[str]]:
    with pytest.raises(InvalidCampaign) as caught:
        from_dict(data)
    assert caught.value.errors, "InvalidCampaign without errors"
    return caught.value.errors


def setting(path: str, value: Any) -> Callable[[dict], None]:
    """A change to the campaign's JSON form: set the value at a dotted path ("a.0.b")."""

    def change(data: dict) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def removing(key: str) -> Callable[[dict], None]:
    return lambda data: data.pop(key)


def unscoped(change: Callable[[dict], None]) -> Callable[[dict], None]:
    """The change made to the example with its nation conditions taken out (every point for
    every nation, no per-nation text), so a missing subject line, ask or point is not also a
    nation left without one."""

    def without_nation(when: dict) -> dict:
        return {k: v for k, v in when.items() if k != "nation"}

    def pool(entries: list) -> list:
        out = []
        for entry in entries:
            if isinstance(entry, dict) and (when := without_nation(entry.get("when", {}))):
                out.append({**entry, "when": when})
            elif isinstance(entry, dict):
                out.append({k: v for k, v in entry.items() if k != "when"})
            else:
                out.append(entry)
        return out

    def text(alternatives: str | list) -> str | list:
        if isinstance(alternatives, str):
            return alternatives
        return [a for a in alternatives if "nation" not in a.get("when", {})]

    def change_unscoped(data: dict) -> None:
        data["subject_lines"] = pool(data["subject_lines"])
        data["opening"] = text(data["opening"])
        data["asks"] = {role: text(t) for role, t in data["asks"].items()}
        for point in data["talking_points"]:
            if when := without_nation(point.pop("when", {})):
                point["when"] = when
            point["phrasings"] = pool(point["phrasings"])
        assert not from_dict(data).scoped
        change(data)

    return change_unscoped


# --- the bundled example -------------------------------------------------------------------------


def test_example_meets_the_brief(example: Campaign) -> None:
    assert example.slug == "stop-facial-recognition"
    assert example.status == "live"
    assert example.targets == ("mp", "police_oversight", "police_force")
    assert len(example.subject_lines) >= 3
    assert len(example.talking_points) >= 6
    for point in example.talking_points:
        texts = [as_alternative(p).text for p in point.phrasings]
        assert len(texts) >= 2, point.id
        assert len(set(texts)) == len(texts), point.id
        assert point.label.strip(), point.id
    assert [p.id for p in example.prompts] == ["why", "local"]
    assert set(example.asks) == {"mp", "police_force", "police_oversight"}
    assert example.fixed_recipients == ()
    assert example.sign_off == "Yours sincerely,"
    assert default_text(example.opening).startswith("I live in {constituency}")


def test_example_is_valid(example: Campaign) -> None:
    assert validate(example) == {}


def test_example_ids_are_unique(example: Campaign) -> None:
    ids = [p.id for p in example.talking_points]
    assert len(ids) == len(set(ids)) == len(example.talking_points)
    assert example.point("accuracy").label == "Innocent people are wrongly flagged"
    assert example.point("no-such-point") is None


def test_example_default_selection(example: Campaign) -> None:
    """Three points ticked in each nation: England and Wales share theirs."""
    selected = {
        nation: [p.id for p in example.for_nation(nation).talking_points if p.default_selected]
        for nation in NATIONS
    }
    england_and_wales = ["what-is-lfr", "accuracy", "no-legal-basis"]
    assert selected == {
        "england": england_and_wales,
        "wales": england_and_wales,
        "scotland": ["what-is-lfr", "scotland-not-yet", "scotland-law"],
        "northern_ireland": ["what-is-lfr", "ni-not-yet", "ni-policing-board"],
    }


def test_example_uses_only_known_placeholders(example: Campaign) -> None:
    used = set().union(*(placeholders_in(t) for t in letter_texts(example)))
    # The bundled force facts and the example's own place facts (issue 24), beside the
    # directory's placeholders.
    assert used == {
        "constituency",
        "force_name",
        "force.first_seen",
        "place.lfr_use",
        "place.spend",
    }


def test_example_lead_ins_read_naturally_with_the_answers_in_their_hints(example: Campaign):
    """Each example answer a hint quotes, as the letter has it after the prompt's lead-in, is a
    plain sentence (issue 26): "…used at Brixton market.", not "…used at Brixton high street"."""
    from advocacy.letters.compose import own_words

    written = {
        prompt.id: [
            own_words(answer, prompt.lead_in) for answer in re.findall(r'"([^"]+)"', prompt.hint)
        ]
        for prompt in example.prompts
    }
    assert written == {
        "why": ["I don't want my face scanned on my way to work."],
        "local": [
            "Near me, these cameras could be used at Brixton market.",
            "Near me, these cameras could be used at the station I use every day.",
        ],
    }


def test_example_keeps_to_the_corrected_facts(example: Campaign) -> None:
    """Issue 24: each point cites a specific page, never a home page; no "Parliament has never
    passed a law" (no Act *specifically* authorises the cameras); the Met's ten false alerts
    are ten people wrongly flagged, not a reassuring share of the faces scanned."""
    from urllib.parse import urlsplit

    for point in example.talking_points:
        assert urlsplit(point.source_url).path.strip("/"), point.id
    texts = [example.summary_html, *letter_texts(example)]
    for words in ("never passed", "0.0003", "3.1 million", "3,147,436", "patchwork"):
        assert not [t for t in texts if words in t], words
    assert any("wrongly flagged ten innocent people" in t for t in texts)


def test_example_place_facts_are_its_csv(example: Campaign) -> None:
    """The CSV beside the example is the file staff would upload for it: the same facts."""
    from advocacy.places.directory import bundled

    book = bundled()
    known = {"pfa_code": book.force_areas, "constituency_code": book.constituencies}
    raw = (EXAMPLE.parent / "example_place_facts.csv").read_bytes()
    assert place_facts.parse_csv(raw, known) == example.place_facts
    assert example.place_facts.columns == ("lfr_use", "spend")


# --- the JSON form -------------------------------------------------------------------------------


def test_round_trip(example: Campaign) -> None:
    assert from_dict(example.to_dict()) == example


def test_round_trip_through_json(example: Campaign, data: dict) -> None:
    as_json = json.loads(json.dumps(example.to_dict()))
    assert {**as_json, "translations": None} == {
        **json.loads(json.dumps(from_dict(data).to_dict())),
        "translations": None,  # left out of ``data``
    }
    assert from_dict(as_json) == example
    assert json.loads(json.dumps(from_dict(as_json).to_dict())) == as_json


def test_to_dict_shape(example: Campaign) -> None:
    out = example.to_dict()
    assert out["format"] == FORMAT == "advocacy.campaign/3"
    assert "variants" not in out
    assert list(out)[:3] == ["format", "slug", "title"]
    assert out["asks"] == {role: text_to_json(text) for role, text in example.asks.items()}
    assert out["talking_points"][0]["id"] == "what-is-lfr"
    # Changing the exported form leaves the campaign alone.
    out["asks"]["mp"] = "changed"
    assert text_to_json(example.asks["mp"]) != "changed"


def test_round_trip_with_everything_set() -> None:
    campaign = Campaign(
        slug="a-b",
        title="T",
        summary_html="<p>S</p>",
        status="closed",
        targets=("police_force",),
        fixed_recipients=(FixedRecipient("Home Secretary", "hs@example.org", None, "Minister"),),
        subject_lines=("One {constituency}",),
        opening="Hello",
        talking_points=(TalkingPoint("p1", "Point", ("A", "B"), "https://example.org", True),),
        prompts=(Prompt("why", "Why?", "hint"),),
        asks={"police_force": "Please"},
        closing="Bye",
        sign_off="Best,",
        next_ask="Share",
        allowed_origins=("https://example.org",),
    )
    assert validate(campaign) == {}
    assert from_dict(json.loads(json.dumps(campaign.to_dict()))) == campaign


def test_minimal_draft_gets_defaults() -> None:
    campaign = from_dict({"slug": "x", "title": "X", "subject_lines": ["Hi"]})
    assert campaign.status == "draft"
    assert campaign.targets == ("mp", "police_force", "police_oversight")
    assert campaign.talking_points == ()
    assert campaign.sign_off == "Yours sincerely,"


# --- validation ----------------------------------------------------------------------------------

TOO_LONG = f"to {MAX_TEXT} characters or fewer"
INVALID = [
    # (id, change, field path, words in the message)
    ("bad-slug-caps", setting("slug", "Stop-LFR"), "slug", "lower-case"),
    ("bad-slug-space", setting("slug", "stop lfr"), "slug", "lower-case"),
    ("bad-slug-double-hyphen", setting("slug", "stop--lfr"), "slug", "single hyphens"),
    ("bad-slug-trailing-hyphen", setting("slug", "stop-"), "slug", "lower-case"),
    ("empty-slug", setting("slug", ""), "slug", "lower-case"),
    ("missing-slug", removing("slug"), "slug", "lower-case"),
    ("slug-not-text", setting("slug", 5), "slug", "Must be text"),
    ("empty-title", setting("title", ""), "title", "required"),
    ("blank-title", setting("title", "   "), "title", "required"),
    ("missing-title", removing("title"), "title", "required"),
    ("title-not-text", setting("title", 5), "title", "Must be text"),
    ("unknown-status", setting("status", "published"), "status", "draft, live, closed"),
    ("status-not-text", setting("status", ["live"]), "status", "Must be text"),
    ("unknown-target", setting("targets", ["mp", "mayor"]), "targets", "'mayor'"),
    ("no-targets", setting("targets", []), "targets", "at least one target"),
    ("no-subject-lines", unscoped(setting("subject_lines", [])), "subject_lines", "at least one"),
    ("empty-subject-line", setting("subject_lines.1", ""), "subject_lines.1", "required"),
    ("subject-not-text", setting("subject_lines.0", 7), "subject_lines.0", "Must be text"),
    ("empty-sign-off", setting("sign_off", ""), "sign_off", "required"),
    ("opening-not-text", setting("opening", None), "opening", "Must be text"),
    ("unknown-ask-role", unscoped(setting("asks", {"mayor": "Please"})), "asks", "'mayor'"),
    ("ask-not-text", setting("asks.mp", 5), "asks.mp", "Must be text"),
    ("empty-phrasings", setting("talking_points.2.phrasings", []), "talking_points.2.phrasings",
     "at least one phrasing"),
    ("phrasings-a-string", setting("talking_points.0.phrasings", "Text"),
     "talking_points.0.phrasings", "Must be a list"),
    ("empty-phrasing", setting("talking_points.1.phrasings.1", " "),
     "talking_points.1.phrasings.1", "required"),
    ("empty-point-label", setting("talking_points.0.label", ""), "talking_points.0.label",
     "required"),
    ("duplicate-point-id", setting("talking_points.3.id", "accuracy"), "talking_points.3.id",
     "'accuracy' is used twice"),
    ("bad-point-id", setting("talking_points.0.id", "What LFR"), "talking_points.0.id",
     "lower-case"),
    ("long-point-id", setting("talking_points.0.id", "a" * 41), "talking_points.0.id",
     "up to 40"),
    ("point-id-not-text", setting("talking_points.0.id", 3), "talking_points.0.id", "Must be text"),
    ("duplicate-prompt-id", setting("prompts.1.id", "why"), "prompts.1.id", "'why' is used twice"),
    ("bad-prompt-id", setting("prompts.0.id", "-why"), "prompts.0.id", "lower-case"),
    ("empty-prompt-label", setting("prompts.1.label", ""), "prompts.1.label", "required"),
    ("live-without-points", unscoped(setting("talking_points", [])), "talking_points",
     "live campaign needs at least one talking point"),
    ("live-with-points-as-string", setting("talking_points", "accuracy"), "talking_points",
     "Must be a list"),
    ("long-opening", setting("opening", "x" * (MAX_TEXT + 1)), "opening", TOO_LONG),
    ("long-title", setting("title", "x" * (MAX_TEXT + 1)), "title", TOO_LONG),
    ("long-phrasing", setting("talking_points.4.phrasings.0", "x" * (MAX_TEXT + 1)),
     "talking_points.4.phrasings.0", TOO_LONG),
    ("long-ask", setting("asks.police_force", "x" * (MAX_TEXT + 1)), "asks.police_force",
     TOO_LONG),
    ("fixed-without-address", setting("fixed_recipients", [{"name": "Home Secretary"}]),
     "fixed_recipients.0", "email address or contact page"),
    ("fixed-empty-address", setting("fixed_recipients", [
        {"name": "A", "email": "a@example.org"}, {"name": "B", "email": "", "contact_url": ""},
    ]), "fixed_recipients.1", "email address or contact page"),
    ("fixed-without-name", setting("fixed_recipients", [{"name": "", "email": "a@example.org"}]),
     "fixed_recipients.0", "Give a name"),
    # Replies are counted under a slug of the name: two alike would share their counts.
    ("fixed-names-alike", setting("fixed_recipients", [
        {"name": "Ministre d'État", "email": "a@example.org"},
        {"name": "Ministre d État", "email": "b@example.org"},
    ]), "fixed_recipients.1.name", "too like fixed recipient 1's (“Ministre d'État”)"),
    ("fixed-names-not-latin", setting("fixed_recipients", [
        {"name": "Home Secretary", "email": "h@example.org"},
        {"name": "Министр", "email": "a@example.org"},
        {"name": "大臣", "email": "b@example.org"},
    ]), "fixed_recipients.2.name", "Make the names differ in letters A to Z or digits"),
    ("too-many-fixed", setting("fixed_recipients", [
        {"name": f"Minister {i}", "email": f"m{i}@example.org"} for i in range(11)
    ]), "fixed_recipients", "Add at most 10 fixed recipients (“Also write to”)"),
    # Shapes that cannot become a campaign at all.
    ("point-is-a-list", setting("talking_points.0", ["a", "b"]), "talking_points.0",
     "Must be an object"),
    ("point-is-a-string", setting("talking_points.0", "accuracy"), "talking_points.0",
     "Must be an object"),
    ("point-with-unknown-key", setting("talking_points.0.colour", "red"), "talking_points.0",
     "Unexpected field 'colour'"),
    ("prompt-is-a-string", setting("prompts.0", "why"), "prompts.0", "Must be an object"),
    ("fixed-is-a-list", setting("fixed_recipients", [["Home Secretary"]]), "fixed_recipients.0",
     "Must be an object"),
    ("fixed-without-name-key", setting("fixed_recipients", [{"email": "a@example.org"}]), "",
     "Unexpected or missing field 'name'"),
    ("asks-a-number", setting("asks", 5), "asks", "Must be an object"),
    ("summary-not-text", setting("summary_html", 5), "summary_html", "Must be text"),
    ("wrong-format", setting("format", "advocacy.campaign/9"), "format", "Unknown format"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [pytest.param(change, path, words, id=case) for case, change, path, words in INVALID],
)
def test_invalid_campaign(data: dict, change: Callable, path: str, words: str) -> None:
    change(data)
    errors = errors_for(data)
    assert list(errors) == [path]
    assert words in " ".join(errors[path])


@pytest.mark.parametrize(
    ("change", "path", "unknown"),
    [
        pytest.param(
            setting("opening", "I live in {constituancy}."), "opening", "{constituancy}", id="open"
        ),
        pytest.param(setting("subject_lines.2", "About {force}"), "subject_lines.2", "{force}"),
        pytest.param(
            setting("talking_points.1.phrasings.2", "Ask {mp_name}"),
            "talking_points.1.phrasings.2",
            "{mp_name}",
            id="phrasing",
        ),
        pytest.param(setting("asks.mp", "Dear {name}"), "asks.mp", "{name}", id="ask"),
        pytest.param(setting("closing", "Thanks {}"), "closing", "{}", id="empty-braces"),
        pytest.param(
            setting("title", "{ constituency }"), "title", "{ constituency }", id="spaces"
        ),
        pytest.param(
            setting("next_ask", "{recipient_name.__class__}"),
            "next_ask",
            "{recipient_name.__class__}",
            id="attribute",
        ),
        pytest.param(setting("prompts.0.label", "Why {x}?"), "prompts.0.label", "{x}", id="label"),
    ],
)
def test_unknown_placeholder(data: dict, change: Callable, path: str, unknown: str) -> None:
    change(data)
    errors = errors_for(data)
    assert list(errors) == [path]
    (message,) = errors[path]
    assert message.startswith(f"Unknown placeholder {unknown}.")
    for name in ALLOWED:
        assert name in message
    assert "You can use " + ", ".join(ALLOWED) + "." in message


def test_several_unknown_placeholders_are_named_together(data: dict) -> None:
    data["opening"] = "{b} {a} {constituency} {b}"
    assert errors_for(data)["opening"][0].startswith("Unknown placeholder {a}, {b}.")


@pytest.mark.parametrize("value", [[], "campaign", None, 5, ["slug", "title"]])
def test_not_an_object(value: Any) -> None:
    assert errors_for(value) == {"": ["A campaign must be a JSON object."]}


def test_every_problem_is_reported_at_once(data: dict) -> None:
    data.update(slug="Bad Slug", title="", status="paused", subject_lines=[])
    data["talking_points"][0]["phrasings"] = []
    data["prompts"][1]["id"] = "why"
    errors = errors_for(data)
    assert set(errors) == {
        "slug",
        "title",
        "status",
        "subject_lines",
        "talking_points.0.phrasings",
        "prompts.1.id",
        "nations",  # England and Wales are left without a subject line
    }


def test_error_message_names_the_paths(data: dict) -> None:
    data["slug"] = "Bad"
    data["title"] = ""
    with pytest.raises(InvalidCampaign) as caught:
        from_dict(data)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == (
        "slug: Use lower-case letters, digits and single hyphens, like stop-lfr.; "
        "title: This is required."
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(setting("opening", "x" * MAX_TEXT), id="text-at-the-limit"),
        pytest.param(setting("status", "draft"), id="draft"),
        pytest.param(
            unscoped(lambda d: d.update(status="draft", talking_points=[])),
            id="draft-without-points",
        ),
        pytest.param(
            lambda d: d.update(targets=[], fixed_recipients=[{"name": "A", "email": "a@b.org"}]),
            id="only-fixed-recipients",
        ),
        pytest.param(setting("talking_points.0.id", "a" * 40), id="forty-character-id"),
        pytest.param(setting("talking_points.0.id", "0_a-b"), id="id-with-digit-underscore"),
        pytest.param(setting("opening", ""), id="empty-opening"),
        pytest.param(unscoped(setting("asks", {})), id="no-asks"),
        pytest.param(setting("closing", "{{constituency}}"), id="doubled-braces"),
        pytest.param(setting("closing", "a } stray { brace"), id="stray-braces"),
        pytest.param(setting("prompts", []), id="no-prompts"),
    ],
)
def test_valid_changes(data: dict, change: Callable) -> None:
    change(data)
    campaign = from_dict(data)
    assert campaign.slug == "stop-facial-recognition"
    assert validate(campaign) == {}


def test_fixed_recipient_with_contact_page_only(data: dict) -> None:
    data["fixed_recipients"] = [
        {"name": "Home Secretary", "contact_url": "https://example.org/contact"}
    ]
    campaign = from_dict(data)
    assert campaign.fixed_recipients == (
        FixedRecipient("Home Secretary", None, "https://example.org/contact", None),
    )


@pytest.mark.parametrize(
    ("html", "cleaned"),
    [
        ("<p>Hi <strong>there</strong></p>", "<p>Hi <strong>there</strong></p>"),
        ('<p onclick="steal()">Hi</p>', "<p>Hi</p>"),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        (
            '<a href="https://example.org/" target="_blank">x</a>',
            '<a href="https://example.org/" rel="noopener">x</a>',
        ),
        ("<img src=x onerror=alert(1)>", ""),
        ("<p>Tom & Jerry</p>", "<p>Tom &amp; Jerry</p>"),
        (None, ""),
    ],
)
def test_summary_html_is_cleaned(data: dict, html: str | None, cleaned: str) -> None:
    data["summary_html"] = html
    campaign = from_dict(data)
    assert campaign.summary_html == cleaned
    # Cleaning again changes nothing, so a saved campaign round-trips.
    assert from_dict(campaign.to_dict()) == campaign


# Known gaps in validation: these should fail with InvalidCampaign but do not yet.
GAPS = [
    pytest.param(
        setting("asks", "mp"),
        id="asks-a-string-raises-plain-ValueError",
    ),
    pytest.param(
        lambda d: d.update(status="draft", talking_points="accuracy"),
        id="draft-talking-points-a-string-is-silently-dropped",
    ),
    pytest.param(setting("prompts", "why"), id="prompts-a-string-is-silently-dropped"),
    pytest.param(setting("targets", ["mp", "mp"]), id="duplicate-targets-give-duplicate-letters"),
]


@pytest.mark.parametrize("change", GAPS)
def test_validation_gaps(data: dict, change: Callable) -> None:
    change(data)
    with pytest.raises(InvalidCampaign):
        from_dict(data)


# --- placeholders --------------------------------------------------------------------------------

VALUES = {
    "recipient_name": "Jo Stevens",
    "constituency": "Cardiff East",
    "force_name": "South Wales Police",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dear {recipient_name},", "Dear Jo Stevens,"),
        ("{constituency} and {constituency}", "Cardiff East and Cardiff East"),
        ("{force_name} in {constituency}", "South Wales Police in Cardiff East"),
        ("no placeholders", "no placeholders"),
        ("", ""),
        # Unknown names, and known ones we have no value for, stay as written.
        ("Hello {unknown}", "Hello {unknown}"),
        ("From {supporter_name}", "From {supporter_name}"),
        # Nothing is ever evaluated: no attributes, indexes, conversions or format specs.
        ("{recipient_name.__class__}", "{recipient_name.__class__}"),
        ("{recipient_name.__class__.__mro__}", "{recipient_name.__class__.__mro__}"),
        ("{recipient_name[0]}", "{recipient_name[0]}"),
        ("{recipient_name!r}", "{recipient_name!r}"),
        ("{recipient_name:>20}", "{recipient_name:>20}"),
        ("{0} {}", "{0} {}"),
        ("%(constituency)s", "%(constituency)s"),
        ("{{ constituency }}", "{{ constituency }}"),
        # Stray braces are left alone.
        ("a { b", "a { b"),
        ("a } b", "a } b"),
        ("} {", "} {"),
        ("{constituency", "{constituency"),
        ("constituency}", "constituency}"),
        ("{{constituency}}", "{Cardiff East}"),
        ("${constituency}", "$Cardiff East"),
    ],
)
def test_fill(text: str, expected: str) -> None:
    assert fill(text, VALUES) == expected


def test_fill_does_not_expand_values() -> None:
    """A value that looks like a placeholder (a supporter's name, say) is inserted as it is."""
    values = {"recipient_name": "{constituency}", "constituency": "Cardiff East"}
    assert fill("{recipient_name} / {constituency}", values) == "{constituency} / Cardiff East"


def test_fill_keeps_backslashes_in_values() -> None:
    values = {"recipient_name": r"A \1 \g<0> B"}
    assert fill("Dear {recipient_name}", values) == r"Dear A \1 \g<0> B"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Hi {a} {b} {a}", {"a", "b"}),
        ("{constituency}", {"constituency"}),
        ("none", set()),
        ("{}", {""}),
        ("{{x}}", {"x"}),
        ("{ x }", {" x "}),
    ],
)
def test_placeholders_in(text: str, names: set[str]) -> None:
    assert placeholders_in(text) == names


def test_from_dict_does_not_keep_the_input(data: dict) -> None:
    original = copy.deepcopy(data)
    campaign = from_dict(data)
    data["talking_points"][0]["phrasings"].append("extra")
    data["asks"]["mp"] = "changed"
    assert campaign.point("what-is-lfr").phrasings == tuple(
        original["talking_points"][0]["phrasings"]
    )
    assert campaign.asks["mp"] == from_dict(original).asks["mp"]


def test_stored_campaigns_are_not_cleaned_again(data: dict) -> None:
    data["summary_html"] = "<p>Already clean, <em>kept</em> as stored.</p>"
    assert from_dict(data, clean=False).summary_html == data["summary_html"]
    data["summary_html"] = "<p onclick='x()'>Hi</p>"
    assert from_dict(data).summary_html == "<p>Hi</p>"


# --- Hostile documents (security review): every wrong type, invisible character or header
# syntax is an error at save, with its field, never a crash or a silently stored oddity.

HOSTILE = [
    ("source-url-number", "talking_points.0.source_url", 123),
    ("origin-null", "allowed_origins.0", None),
    ("default-selected-text", "talking_points.0.default_selected", "yes"),
    ("hint-list", "prompts.0.hint", [1]),
    ("nested-phrasings", "talking_points.0.phrasings", [["a", ["b"]]]),
    ("nested-subjects", "subject_lines.0", ["a"]),
    ("title-surrogate", "title", "Stop \ud800 now"),
    ("title-nul", "title", "Stop\x00 now"),
    ("phrasing-nul", "talking_points.0.phrasings.0", "a\x00b"),
    ("label-surrogate", "talking_points.0.label", "\udfff"),
    ("hint-nul", "prompts.0.hint", "\x00"),
    ("fixed-name-number", "fixed_recipients.0.name", 5),
    ("fixed-email-list", "fixed_recipients.0.email", ["a@b.org"]),
    ("subject-encoded-word", "subject_lines.0", "=?utf-8?q?now=0ABcc:_spy@evil.example?="),
    ("opening-encoded-word", "opening", "Hello =?UTF-8?B?QmNjOiB4QHkueg==?= there"),
    ("fixed-email-encoded-word", "fixed_recipients.0.email", "=?utf-8?q?x=0A?=@example.org"),
    ("slug-newline", "slug", "stop-lfr\n"),
    ("point-id-newline", "talking_points.0.id", "accuracy\n"),
]


@pytest.mark.parametrize(("path", "value"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_values_are_errors_at_their_field(data: dict, path: str, value: Any) -> None:
    data["fixed_recipients"] = [{"name": "Home Secretary", "email": "hs@example.org"}]
    data["allowed_origins"] = ["https://a.example"]
    setting(path, value)(data)
    errors = errors_for(data)
    assert any(key == path or path.startswith(f"{key}.") for key in errors), errors


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example; report-uri https://evil.example",
        "https://a.example report-uri",
        "https://a.ex'ample",
        'https://a.example"',
        "https://a\\.example",
        "https://a.example,https://b.example",
        "https://a.example\x00",
        "https://a..example",
        "https://-a.example",
        "https://a.example:99999",
        "https://a.example:0",
        "https://user@a.example",
        "https://*.example",
        "javascript://a.example",
        "https://",
        "https://[::1",
    ],
)
def test_origins_are_parsed_strictly(origin: str) -> None:
    with pytest.raises(ValueError):
        validation.parse_origin(origin)
    assert not validation.is_origin(origin)


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://Example.org/page?x=1#y", "https://example.org"),
        ("https://example.org:443", "https://example.org"),
        ("https://example.org:8443/", "https://example.org:8443"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("http://localhost:5001", "http://localhost:5001"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("https://example.org.", "https://example.org"),
    ],
)
def test_origins_are_written_as_browsers_write_them(text: str, origin: str) -> None:
    assert validation.parse_origin(text) == origin
    assert validation.is_origin(origin)


def test_an_origin_with_surrounding_space_is_rewritten_not_stored(data: dict) -> None:
    data["allowed_origins"] = ["https://a.example\n"]
    assert errors_for(data) == {"allowed_origins.0": ["Write this as https://a.example"]}


def test_a_summary_never_keeps_a_nul(data: dict) -> None:
    data["summary_html"] = "<p>a\x00b</p>"
    assert "\x00" not in from_dict(data).summary_html
