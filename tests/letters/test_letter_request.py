"""Tests for advocacy.letters.letter_request.parse: what a supporter sends, checked with the
example."""

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from advocacy.letters import campaigns
from advocacy.letters.campaign_json import from_dict
from advocacy.letters.campaigns import Campaign
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Sender
from advocacy.letters.letter_request import MAX_ADDRESS
from advocacy.letters.letter_request import MAX_ANSWER
from advocacy.letters.letter_request import MAX_NAME
from advocacy.letters.letter_request import MAX_POSTCODE
from advocacy.letters.letter_request import InvalidInput
from advocacy.letters.letter_request import LetterRequest
from advocacy.letters.letter_request import parse

EXAMPLE = Path(campaigns.__file__).parent.parent / "example_campaign.json"
BAD_CHARACTERS = "This contains characters we can't put in a letter. Please retype it."
NO_AREA = "Choose both your constituency and your police force (or give a postcode)."
NO_PLACE = "Enter your postcode, or choose your constituency and police force."
ANSWERS_SHAPE = "Send answers as an object of prompt id to text."
POINTS_SHAPE = "Send a list of talking point ids."
MISSING = object()


def too_long(limit: int) -> str:
    return f"Please keep this to {limit} characters or fewer (it has {limit + 1})."


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return from_dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def request(**changes: Any) -> dict[str, Any]:
    """A valid request, with some fields changed (or removed, with MISSING)."""
    data: dict[str, Any] = {
        "postcode": "SE1 2DL",
        "name": "Ada Lovelace",
        "address": "1 High Street, London",
        "talking_points": ["accuracy", "cost"],
        "answers": {"why": "Because it matters.", "local": "Borough Market."},
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not MISSING}


def fields_for(data: Any, campaign: Campaign) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        parse(data, campaign)
    assert str(caught.value) == "Some of the details need another look."
    return caught.value.fields


# --- valid requests ------------------------------------------------------------------------------


def test_valid_request(campaign: Campaign) -> None:
    assert parse(request(), campaign) == LetterRequest(
        postcode="SE1 2DL",
        constituency_code=None,
        pfa_code=None,
        sender=Sender(name="Ada Lovelace", address="1 High Street, London", postcode=None),
        choices=Choices(
            talking_points=("accuracy", "cost"),
            answers=(("why", "Because it matters."), ("local", "Borough Market.")),
        ),
    )


@pytest.mark.parametrize("postcode", [MISSING, None, ""])
@pytest.mark.parametrize(
    ("constituency_code", "pfa_code"),
    [
        ("E14001085", "E23000001"),
        ("W07000089", "W15000003"),
        ("S14000061", "S23000009"),
        ("N05000018", "N99999999"),
    ],
)
def test_codes_instead_of_postcode(
    campaign: Campaign, postcode: Any, constituency_code: str, pfa_code: str
) -> None:
    data = request(postcode=postcode, constituency_code=constituency_code, pfa_code=pfa_code)
    result = parse(data, campaign)
    assert (result.postcode, result.constituency_code, result.pfa_code) == (
        None,
        constituency_code,
        pfa_code,
    )


def test_postcode_wins_over_codes(campaign: Campaign) -> None:
    data = request(constituency_code="E14001085", pfa_code="E23000001")
    result = parse(data, campaign)
    assert (result.postcode, result.constituency_code, result.pfa_code) == ("SE1 2DL", None, None)


def test_postcode_wins_even_over_bad_codes(campaign: Campaign) -> None:
    result = parse(request(constituency_code="nonsense", pfa_code=5), campaign)
    assert result.postcode == "SE1 2DL"


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"name": "  Ada Lovelace \t"}, "name", "Ada Lovelace"),
        ({"name": "Órfhlaith Ní Bhriain"}, "name", "Órfhlaith Ní Bhriain"),
        ({"name": "x" * MAX_NAME}, "name", "x" * MAX_NAME),
        ({"name": "Tom & Jerry <b>"}, "name", "Tom & Jerry <b>"),
        ({"name": "{constituency}"}, "name", "{constituency}"),
        ({"address": "  Flat 2, 1 High Street  "}, "address", "Flat 2, 1 High Street"),
        ({"address": MISSING}, "address", ""),
        ({"address": None}, "address", ""),
        ({"address": ""}, "address", ""),
        ({"address": "x" * MAX_ADDRESS}, "address", "x" * MAX_ADDRESS),
        ({"postcode": " se1 2dl "}, "postcode", "se1 2dl"),
        ({"postcode": "x" * MAX_POSTCODE}, "postcode", "x" * MAX_POSTCODE),
    ],
)
def test_valid_text(campaign: Campaign, changes: dict, field: str, expected: str) -> None:
    result = parse(request(**changes), campaign)
    value = result.postcode if field == "postcode" else getattr(result.sender, field)
    assert value == expected


def test_sender_postcode_is_left_to_the_lookup(campaign: Campaign) -> None:
    assert parse(request(), campaign).sender.postcode is None


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (MISSING, ()),
        (None, ()),
        ({}, ()),
        ({"why": "One."}, (("why", "One."),)),
        ({"local": "Two."}, (("local", "Two."),)),
        # Answers come back in the campaign's order of prompts, whatever order they came in.
        ({"local": "Two.", "why": "One."}, (("why", "One."), ("local", "Two."))),
        ({"why": None}, (("why", ""),)),
        ({"why": "   "}, (("why", ""),)),
        # Several lines, blank lines and tabs are fine in an answer.
        ({"why": "Line one\nLine two\n\nPara two"}, (("why", "Line one\nLine two\n\nPara two"),)),
        ({"why": "a\r\nb\tc"}, (("why", "a\r\nb\tc"),)),
        ({"why": "  padded\n"}, (("why", "padded"),)),
        ({"why": "x" * MAX_ANSWER}, (("why", "x" * MAX_ANSWER),)),
        ({"why": "{constituency} & <b>"}, (("why", "{constituency} & <b>"),)),
    ],
)
def test_valid_answers(campaign: Campaign, answers: Any, expected: tuple) -> None:
    assert parse(request(answers=answers), campaign).choices.answers == expected


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        (["accuracy"], ("accuracy",)),
        (["cost", "accuracy"], ("cost", "accuracy")),
        # Repeats are dropped; the first mention keeps its place.
        (["accuracy", "cost", "accuracy"], ("accuracy", "cost")),
        (["cost", "cost", "cost"], ("cost",)),
    ],
)
def test_valid_talking_points(campaign: Campaign, points: list, expected: tuple) -> None:
    assert parse(request(talking_points=points), campaign).choices.talking_points == expected


def test_no_points_needed_when_the_campaign_has_none(campaign: Campaign) -> None:
    draft = replace(campaign, status="draft", talking_points=())
    result = parse(request(talking_points=[]), draft)
    assert result.choices.talking_points == ()
    result = parse(request(talking_points=MISSING), draft)
    assert result.choices.talking_points == ()


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Zoe\u0308", "Zo\u00eb"),  # e + combining diaeresis
        ("Jose\u0301", "Jos\u00e9"),
        ("Zo\u00eb", "Zo\u00eb"),
        ("\u212bngstr\u00f6m", "\u00c5ngstr\u00f6m"),  # ANGSTROM SIGN becomes A WITH RING
    ],
)
def test_nfc_normalisation(campaign: Campaign, raw: str, normalised: str) -> None:
    result = parse(request(name=raw, address=raw, answers={"why": raw}), campaign)
    assert result.sender.name == normalised
    assert result.sender.address == normalised
    assert result.choices.answers == (("why", normalised),)


def test_length_is_counted_after_normalisation(campaign: Campaign) -> None:
    decomposed = "e\u0301" * MAX_NAME  # twice the limit in code points, the limit once composed
    assert len(decomposed) == 2 * MAX_NAME
    result = parse(request(name=decomposed), campaign)
    assert result.sender.name == "\u00e9" * MAX_NAME


# --- invalid requests ----------------------------------------------------------------------------

INVALID = [
    # (id, changes, {field: message})
    ("name-missing", {"name": MISSING}, {"name": "Enter your name."}),
    ("name-empty", {"name": ""}, {"name": "Enter your name."}),
    ("name-blank", {"name": " \t "}, {"name": "Enter your name."}),
    ("name-null", {"name": None}, {"name": "Enter your name."}),
    ("name-number", {"name": 42}, {"name": "This must be text."}),
    ("name-bool", {"name": True}, {"name": "This must be text."}),
    ("name-list", {"name": ["Ada"]}, {"name": "This must be text."}),
    ("name-dict", {"name": {"first": "Ada"}}, {"name": "This must be text."}),
    ("name-newline", {"name": "Ada\nLovelace"}, {"name": BAD_CHARACTERS}),
    ("name-cr", {"name": "Ada\rLovelace"}, {"name": BAD_CHARACTERS}),
    ("name-tab", {"name": "Ada\tLovelace"}, {"name": BAD_CHARACTERS}),
    ("name-nul", {"name": "Ada\x00Lovelace"}, {"name": BAD_CHARACTERS}),
    ("name-bell", {"name": "Ada\x07"}, {"name": BAD_CHARACTERS}),
    ("name-escape", {"name": "Ada\x1b[31mLovelace"}, {"name": BAD_CHARACTERS}),
    ("name-delete", {"name": "Ada\x7f"}, {"name": BAD_CHARACTERS}),
    ("name-c1-control", {"name": "Ada\x85Lovelace"}, {"name": BAD_CHARACTERS}),
    ("name-line-separator", {"name": "Ada\u2028Lovelace"}, {"name": BAD_CHARACTERS}),
    ("name-paragraph-separator", {"name": "Ada\u2029Lovelace"}, {"name": BAD_CHARACTERS}),
    (
        "name-too-long",
        {"name": "x" * (MAX_NAME + 1)},
        {"name": too_long(MAX_NAME)},
    ),
    (
        "address-too-long",
        {"address": "x" * (MAX_ADDRESS + 1)},
        {"address": too_long(MAX_ADDRESS)},
    ),
    ("address-newline", {"address": "Flat 2\n1 High Street"}, {"address": BAD_CHARACTERS}),
    ("address-nul", {"address": "1 High\x00Street"}, {"address": BAD_CHARACTERS}),
    ("address-number", {"address": 1}, {"address": "This must be text."}),
    ("address-list", {"address": ["1 High Street"]}, {"address": "This must be text."}),
    (
        "answer-too-long",
        {"answers": {"why": "x" * (MAX_ANSWER + 1)}},
        {"answers.why": too_long(MAX_ANSWER)},
    ),
    ("answer-nul", {"answers": {"why": "Hello\x00"}}, {"answers.why": BAD_CHARACTERS}),
    ("answer-vertical-tab", {"answers": {"local": "a\x0bb"}}, {"answers.local": BAD_CHARACTERS}),
    ("answer-form-feed", {"answers": {"local": "a\x0cb"}}, {"answers.local": BAD_CHARACTERS}),
    ("answer-number", {"answers": {"why": 5}}, {"answers.why": "This must be text."}),
    ("answer-list", {"answers": {"why": ["a", "b"]}}, {"answers.why": "This must be text."}),
    ("answer-dict", {"answers": {"why": {"a": 1}}}, {"answers.why": "This must be text."}),
    (
        "answers-a-string",
        {"answers": "Because."},
        {"answers": ANSWERS_SHAPE},
    ),
    (
        "answers-a-list",
        {"answers": [["why", "Because."]]},
        {"answers": ANSWERS_SHAPE},
    ),
    ("answers-a-number", {"answers": 0}, {"answers": ANSWERS_SHAPE}),
    ("answers-unknown-prompt", {"answers": {"how": "x"}}, {"answers": "Unknown prompt 'how'."}),
    (
        "answers-unknown-and-bad",
        {"answers": {"how": "x", "why": 5}},
        {"answers": "Unknown prompt 'how'.", "answers.why": "This must be text."},
    ),
    (
        "points-a-string",
        {"talking_points": "accuracy"},
        {"talking_points": POINTS_SHAPE},
    ),
    (
        "points-an-object",
        {"talking_points": {"accuracy": True}},
        {"talking_points": POINTS_SHAPE},
    ),
    ("points-null", {"talking_points": None}, {"talking_points": POINTS_SHAPE}),
    (
        "points-with-a-number",
        {"talking_points": ["accuracy", 5]},
        {"talking_points": POINTS_SHAPE},
    ),
    (
        "points-with-null",
        {"talking_points": [None]},
        {"talking_points": POINTS_SHAPE},
    ),
    (
        "points-nested",
        {"talking_points": [["accuracy"]]},
        {"talking_points": POINTS_SHAPE},
    ),
    (
        "points-unknown",
        {"talking_points": ["accuracy", "nope"]},
        {"talking_points": "Unknown talking point 'nope'."},
    ),
    (
        "points-wrong-case",
        {"talking_points": ["Accuracy"]},
        {"talking_points": "Unknown talking point 'Accuracy'."},
    ),
    (
        "points-empty",
        {"talking_points": []},
        {"talking_points": "Tick at least one point to make."},
    ),
    (
        "points-missing",
        {"talking_points": MISSING},
        {"talking_points": "Tick at least one point to make."},
    ),
    (
        "postcode-too-long",
        {"postcode": "x" * (MAX_POSTCODE + 1)},
        {"postcode": too_long(MAX_POSTCODE)},
    ),
    ("postcode-number", {"postcode": 12345}, {"postcode": "This must be text."}),
    ("postcode-list", {"postcode": ["SE1 2DL"]}, {"postcode": "This must be text."}),
    ("postcode-blank", {"postcode": "   "}, {"postcode": NO_PLACE}),
    ("postcode-newline", {"postcode": "SE1\n2DL"}, {"postcode": BAD_CHARACTERS}),
    (
        "no-postcode-no-codes",
        {"postcode": MISSING},
        {"postcode": NO_PLACE},
    ),
    (
        "no-postcode-one-code",
        {"postcode": None, "constituency_code": "E14001085"},
        {"pfa_code": NO_AREA},
    ),
    (
        "no-postcode-other-code",
        {"postcode": "", "pfa_code": "E23000001"},
        {"constituency_code": NO_AREA},
    ),
]

BAD_CODES = [
    "e14001085",  # lower case
    "E1400108",  # too short
    "E140010850",  # too long
    "X14001085",  # not a UK nation letter
    "M99999999",  # Isle of Man pseudo code
    " E14001085",
    "E14001085 ",
    "E14 001085",
    "",
    14001085,
    None,
    ["E14001085"],
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [pytest.param(changes, expected, id=case) for case, changes, expected in INVALID],
)
def test_invalid_request(campaign: Campaign, changes: dict, expected: dict[str, str]) -> None:
    fields = fields_for(request(**changes), campaign)
    assert fields == {field: [message] for field, message in expected.items()}


@pytest.mark.parametrize("code", BAD_CODES)
def test_bad_constituency_code(campaign: Campaign, code: Any) -> None:
    data = request(postcode=MISSING, constituency_code=code, pfa_code="E23000001")
    assert fields_for(data, campaign) == {"constituency_code": [NO_AREA]}


@pytest.mark.parametrize("code", BAD_CODES)
def test_bad_pfa_code(campaign: Campaign, code: Any) -> None:
    data = request(postcode=MISSING, constituency_code="E14001085", pfa_code=code)
    assert fields_for(data, campaign) == {"pfa_code": [NO_AREA]}


@pytest.mark.parametrize("field", ["constituency_code", "pfa_code"])
def test_code_with_trailing_newline(campaign: Campaign, field: str) -> None:
    data = request(postcode=MISSING, constituency_code="E14001085", pfa_code="E23000001")
    data[field] += "\n"
    assert set(fields_for(data, campaign)) == {field}


def test_every_problem_at_once(campaign: Campaign) -> None:
    data = {
        "postcode": 5,
        "name": "Ada\x00",
        "address": "x" * (MAX_ADDRESS + 1),
        "talking_points": ["nope"],
        "answers": {"why": "x" * (MAX_ANSWER + 1)},
    }
    assert set(fields_for(data, campaign)) == {
        "postcode",
        "name",
        "address",
        "talking_points",
        "answers.why",
    }


def test_empty_object(campaign: Campaign) -> None:
    assert fields_for({}, campaign) == {
        "postcode": [NO_PLACE],
        "name": ["Enter your name."],
        "talking_points": ["Tick at least one point to make."],
    }


@pytest.mark.parametrize(
    "data",
    [[], [request()], "name=Ada", "", None, 5, True, b"{}"],
    ids=["empty-list", "list", "string", "empty-string", "none", "number", "bool", "bytes"],
)
def test_not_an_object(campaign: Campaign, data: Any) -> None:
    assert fields_for(data, campaign) == {"": ["Send a JSON object."]}


def test_input_is_not_changed(campaign: Campaign) -> None:
    data = request(name="  Zoe\u0308  ", talking_points=["cost", "cost"])
    before = json.dumps(data)
    parse(data, campaign)
    assert json.dumps(data) == before
