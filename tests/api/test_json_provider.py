"""The app's JSON: written by orjson, read back as the same values as Flask's."""

import dataclasses
import json
import uuid
from collections import namedtuple
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from decimal import Decimal

import flask
import pytest
from app_config import settings_for
from flask import render_template_string
from flask.json.provider import DefaultJSONProvider

from advocacy import create_app

SLUG = "stop-facial-recognition"
LETTERS = f"/api/v1/campaigns/{SLUG}/letters"
Pair = namedtuple("Pair", "left right")


@dataclasses.dataclass
class Inner:
    when: date
    amount: Decimal


@dataclasses.dataclass
class Outer:
    name: str
    inner: Inner
    tags: tuple[str, ...] = ()


VALUES = {
    "nested": {
        "zeta": {"ünïcödé": "Café – £5 ✓ 😀", "b": [1, 2.5, None, True, False]},
        "alpha": ["</script><script>alert(1)</script>", {"y": "\u2028\u2029", "x": "\x00\x1f"}],
        "Mid": {"": "empty key", "é": "non-ASCII key"},
    },
    "int keys": {10: "ten", 9: "nine", 100: "hundred", -1: "minus one"},
    "datetime": datetime(2024, 1, 2, 3, 4, 5),
    "aware datetime": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
    "utc datetime": datetime(2024, 6, 30, 23, 59, 59, 999999, tzinfo=UTC),
    "date": date(2024, 2, 29),
    "dates inside": {"at": [datetime(1999, 12, 31, 23, 59), date(2000, 1, 1)]},
    "dataclass": Outer("n", Inner(date(2024, 1, 2), Decimal("1.10")), ("a", "b")),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "decimal": [Decimal("3.14159265358979323846264338327950288"), Decimal("-0.0")],
    "over 64 bits": [2**64, -(2**63) - 1, 2**200, {"n": 10**30}],
    "64 bits": [2**64 - 1, -(2**63), 2**63],
    "namedtuple": Pair("l", "r"),
    "tuple": (1, "two", (3,)),
    "lone surrogate": {"text": "a \ud800 b"},
    "scalars": [0, -0.0, 1e16, 1.5e-300, "", "x"],
}


@pytest.fixture(scope="module")
def japp(tmp_path_factory) -> flask.Flask:
    """One app for the tests that only write and read JSON."""
    return create_app(settings_for(tmp_path_factory.mktemp("json") / "json.sqlite"))


@pytest.fixture(scope="module")
def flask_json(japp) -> DefaultJSONProvider:
    """Flask's own provider on the same app: what the app's JSON must read back as."""
    return DefaultJSONProvider(japp)


def keys_in_order(text: str | bytes) -> list[list[str]]:
    """Every object's keys, in the order the JSON text writes them."""
    seen: list[list[str]] = []
    json.loads(text, object_pairs_hook=lambda pairs: seen.append([k for k, _ in pairs]) or {})
    return seen


@pytest.mark.parametrize("name", VALUES)
def test_dumps_reads_back_as_flasks_json(japp, flask_json, name) -> None:
    value = VALUES[name]
    written = japp.json.dumps(value)
    assert isinstance(written, str)
    assert json.loads(written) == json.loads(flask_json.dumps(value))


@pytest.mark.parametrize("name", [n for n in VALUES if n != "int keys"])
def test_dumps_sorts_keys(japp, name) -> None:
    for keys in keys_in_order(japp.json.dumps(VALUES[name])):
        assert keys == sorted(keys)


def test_dumps_is_compact(japp) -> None:
    assert japp.json.dumps({"b": [1, {"d": 2, "c": None}], "a": "x"}) == (
        '{"a":"x","b":[1,{"c":null,"d":2}]}'
    )


def test_dates_and_dataclasses_stay_on_the_fast_path(japp) -> None:
    """Written by orjson (raw UTF-8), not handed to the standard library (``\\u00e9``)."""
    value = {"é": [date(2024, 1, 2), Decimal("1"), uuid.UUID(int=0), VALUES["dataclass"]]}
    written = japp.json.dumps(value)
    assert written.startswith('{"é":["Tue, 02 Jan 2024 00:00:00 GMT","1",')


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 1, 2, 3, 4, 5), '"Tue, 02 Jan 2024 03:04:05 GMT"'),
        (
            datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            '"Tue, 02 Jan 2024 01:04:05 GMT"',
        ),
        (date(2024, 2, 29), '"Thu, 29 Feb 2024 00:00:00 GMT"'),
        (uuid.UUID(int=1), '"00000000-0000-0000-0000-000000000001"'),
        (Decimal("1.10"), '"1.10"'),
        (2**64, "18446744073709551616"),
        (-(2**63) - 1, "-9223372036854775809"),
    ],
)
def test_dates_uuids_decimals_and_big_integers_are_written_as_flask_writes_them(
    japp, flask_json, value, expected
) -> None:
    assert japp.json.dumps(value) == expected == flask_json.dumps(value)


def test_a_dataclass_is_written_as_its_fields(japp) -> None:
    written = json.loads(japp.json.dumps({"d": VALUES["dataclass"]}))
    assert written == {
        "d": {
            "name": "n",
            "inner": {"when": "Tue, 02 Jan 2024 00:00:00 GMT", "amount": "1.10"},
            "tags": ["a", "b"],
        }
    }


def test_what_neither_can_write_is_still_refused(japp, flask_json) -> None:
    for value in (object(), {"s": {1, 2}}, {"t": datetime(2024, 1, 1).time()}):
        with pytest.raises(TypeError):
            flask_json.dumps(value)
        with pytest.raises(TypeError):
            japp.json.dumps(value)


@pytest.mark.parametrize("name", ["nested", "dataclass", "over 64 bits", "datetime"])
def test_dumps_with_indent_still_indents(japp, flask_json, name) -> None:
    value = VALUES[name]
    written = japp.json.dumps(value, indent=2)
    assert written == flask_json.dumps(value, indent=2)
    if isinstance(value, (dict, list, Outer)):
        assert "\n  " in written
    for keys in keys_in_order(written):
        assert keys == sorted(keys)


def test_other_options_go_to_the_standard_library(japp, flask_json) -> None:
    value = {"b": "é", "a": [1, 2]}
    assert japp.json.dumps(value, sort_keys=False) == flask_json.dumps(value, sort_keys=False)
    assert japp.json.dumps(value, separators=(", ", ": ")) == '{"a": [1, 2], "b": "\\u00e9"}'
    assert japp.json.dumps(value, ensure_ascii=False) == flask_json.dumps(value, ensure_ascii=False)


def test_templates_still_write_json_safe_for_a_script_tag(japp) -> None:
    with japp.test_request_context():
        page = render_template_string("{{ v|tojson }}", v={"b": "</script>&'", "a": "é"})
    assert "</script>" not in page
    assert json.loads(page) == {"a": "é", "b": "</script>&'"}
    assert page.index('"a"') < page.index('"b"')


# --- response -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VALUES)
def test_a_json_answer_is_the_text_dumps_writes_and_a_newline(japp, name) -> None:
    """The answer carries orjson's bytes as they are: the same bytes as Flask's way (the text
    ``dumps`` writes, a newline, encoded), the standard library's where orjson can't."""
    with japp.app_context():
        response = japp.json.response(VALUES[name])
    written = japp.json.dumps(VALUES[name], separators=(",", ":"))  # as Flask asks for it
    assert response.get_data() == f"{written}\n".encode()
    assert response.mimetype == "application/json"
    assert response.content_length == len(response.get_data())


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [((), {}, b"null\n"), ((1, "b"), {}, b'[1,"b"]\n'), ((), {"b": 1, "a": 2}, b'{"a":2,"b":1}\n')],
)
def test_a_json_answer_takes_its_arguments_as_flask_does(japp, args, kwargs, expected) -> None:
    with japp.app_context():
        assert japp.json.response(*args, **kwargs).get_data() == expected
        with pytest.raises(TypeError):
            japp.json.response(1, a=2)


def test_a_json_answer_in_debug_is_flasks_own(japp, flask_json) -> None:
    value = {"b": [1, {"d": 2}], "a": "é"}
    with japp.app_context():
        japp.debug = True
        try:
            indented = japp.json.response(value).get_data()
            flasks = flask_json.response(value).get_data()
        finally:
            japp.debug = False
    assert indented == flasks
    assert b'\n  "a"' in indented


# --- loads ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"b": [1, 2.5, null, true], "a": "Café – £5 ✓ 😀"}',
        '"\\u00e9\\ud83d\\ude00"',
        "[]",
        "0",
        "-0.0",
        "1e400",
        '{"a": 1, "a": 2}',
        '  {"x": "y"}\n',
        "18446744073709551615",
        "-9223372036854775808",
    ],
)
def test_loads_reads_bytes_and_str_as_the_standard_library_does(japp, text) -> None:
    expected = json.loads(text)
    assert japp.json.loads(text) == expected
    assert japp.json.loads(text.encode()) == expected
    assert japp.json.loads(text.encode("utf-16")) == expected  # json.loads detects the encoding


@pytest.mark.parametrize(
    "text", ["18446744073709551616", "-9223372036854775809", '{"id": 100000000000000000000001}']
)
def test_loads_keeps_integers_over_64_bits_exact(japp, text) -> None:
    """BUG (advocacy/__init__.py JSONProvider.loads): orjson reads an integer it can't hold in
    64 bits as a float, without an error, so the standard library is never asked and the number
    comes back rounded (2**64 as 1.8446744073709552e+19). Flask's provider gives the exact int."""
    expected = json.loads(text)
    assert japp.json.loads(text) == expected
    assert japp.json.loads(text.encode()) == expected
    assert type(japp.json.loads(text)) is type(expected)


@pytest.mark.parametrize(
    "text", ['"\\ud800"', '"a\\udfffb"', '{"why": "I care \\ud800"}', '["\\udbff", "\\ud800x"]']
)
def test_loads_reads_a_lone_surrogate_escape_as_the_standard_library_does(japp, text) -> None:
    expected = json.loads(text)
    assert japp.json.loads(text) == expected
    assert japp.json.loads(text.encode()) == expected


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000])
def test_loads_refuses_deep_nesting_with_a_value_error(japp, text) -> None:
    for given in (text, text.encode()):
        with pytest.raises(ValueError) as caught:
            japp.json.loads(given)
        assert not isinstance(caught.value, RecursionError)


@pytest.mark.parametrize("text", ["", "nope", "[1,", '{"a" 1}', "NaN]", b"\xff\xfe\xfa"])
def test_loads_refuses_what_is_not_json(japp, text) -> None:
    with pytest.raises(ValueError):
        japp.json.loads(text)


def test_get_json_reads_through_the_apps_provider(japp) -> None:
    body = '{"b": "\\ud800", "a": [1, 2]}'
    with japp.test_request_context(method="POST", data=body, content_type="application/json"):
        assert flask.request.get_json() == {"a": [1, 2], "b": "\ud800"}


# --- The letters API's answer ---------------------------------------------------------------------


def test_the_letters_answer_is_sorted_compact_json(client, postcodes_io) -> None:
    wanted = {
        "postcode": "SE1 2DL",
        "name": "Ann Exämple",
        "talking_points": ["accuracy", "cost"],
        "answers": {"why": "Café </script> & 😀"},
    }
    response = client.post(LETTERS, json=wanted)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    raw = response.get_data()
    assert raw.endswith(b"}\n")
    assert b'": ' not in raw and b'", "' not in raw  # compact
    objects = keys_in_order(raw)
    assert len(objects) > 6
    for keys in objects:
        assert keys == sorted(keys)
    letters = json.loads(raw)["letters"]
    assert "Café </script> & 😀" in letters[0]["body"]
    assert letters[0]["body"].endswith("Ann Exämple\nSE1 2DL")


def test_an_error_answer_is_sorted_json_too(client) -> None:
    response = client.post(LETTERS, json={"name": "Ann"})
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    for keys in keys_in_order(response.get_data()):
        assert keys == sorted(keys)
