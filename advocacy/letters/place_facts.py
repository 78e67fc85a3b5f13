"""A campaign's own facts about places: a CSV staff upload, keyed by police force area or
constituency code, whose columns become ``{place.<column>}`` placeholders and ``place.<column>``
condition attributes ("a council motion", "local deployments").

Stored with the campaign document as ``place_facts``::

    {"key": "pfa_code", "columns": ["deployments"], "rows": {"E23000001": {"deployments": "12"}}}

Bounded (``MAX_ROWS``, ``MAX_COLUMNS``, ``MAX_VALUE``) and plain text, so a file can't make a
campaign too big to load or put control characters into a letter. Pure: no Flask, no I/O.
"""

import csv
import io
import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

KEYS = ("pfa_code", "constituency_code")
KEY_WORDS = {"pfa_code": "police force area", "constituency_code": "constituency"}
COLUMN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ROWS = 700  # every constituency (650) or force area (45), with room to spare
MAX_COLUMNS = 20
MAX_VALUE = 500
MAX_FILE = 256 * 1024
# Control characters and invisible reordering characters; a value is one line of plain text.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@dataclass(frozen=True)
class PlaceFacts:
    key: str = "pfa_code"
    columns: tuple[str, ...] = ()
    rows: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.columns)

    def at(self, pfa_code: str | None, constituency_code: str | None) -> dict[str, str]:
        """The ``place.<column>`` values at a place ("" where its row has none)."""
        code = pfa_code if self.key == "pfa_code" else constituency_code
        row = self.rows.get(code or "", {})
        return {f"place.{c}": row.get(c, "") for c in self.columns}

    def values(self) -> dict[str, frozenset[str]]:
        """Each ``place.<column>`` with the values its rows have, for checking conditions."""
        return {
            f"place.{c}": frozenset(v for row in self.rows.values() if (v := row.get(c, "")))
            for c in self.columns
        }

    def missing(self, codes: Iterable[str]) -> dict[str, list[str]]:
        """By column, the codes (of ``codes``, the directory's) that have no value in it."""
        codes = list(codes)
        return {
            c: [code for code in codes if not self.rows.get(code, {}).get(c)] for c in self.columns
        }

    def to_dict(self) -> dict[str, Any]:
        rows = {code: dict(row) for code, row in self.rows.items()}
        return {"key": self.key, "columns": list(self.columns), "rows": rows}


class BadFacts(ValueError):
    """A place-facts file or document that can't be used; the message is for staff."""


def from_dict(data: Any) -> PlaceFacts:
    """Place facts from their JSON form, checked (shape, bounds, plain text).

    :raise BadFacts: what is wrong, in words.
    """
    if data in (None, {}):
        return PlaceFacts()
    if not isinstance(data, Mapping) or set(data) - {"key", "columns", "rows"}:
        raise BadFacts("Must be an object with key, columns and rows.")
    key, columns, rows = data.get("key", "pfa_code"), data.get("columns"), data.get("rows")
    if key not in KEYS:
        raise BadFacts(f"The key must be {' or '.join(KEYS)}.")
    if not isinstance(columns, list | tuple) or not all(isinstance(c, str) for c in columns):
        raise BadFacts("The columns must be a list of names.")
    if not isinstance(rows, Mapping):
        raise BadFacts("The rows must be an object of code to values.")
    _check_columns(columns)
    if len(rows) > MAX_ROWS:
        raise BadFacts(f"Keep to {MAX_ROWS} rows or fewer.")
    clean: dict[str, dict[str, str]] = {}
    for code, row in rows.items():
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z][0-9]{8}", code):
            raise BadFacts(f"{str(code)[:20]!r} is not an area code like E23000001.")
        if not isinstance(row, Mapping) or not all(isinstance(v, str) for v in row.values()):
            raise BadFacts(f"The row for {code} must be an object of column to text.")
        unknown = set(row) - set(columns)
        if unknown:
            raise BadFacts(f"The row for {code} has a value for {sorted(unknown)[0]!r}, no column.")
        for column, value in row.items():
            _check_value(code, column, value)
        clean[code] = {c: v.strip() for c, v in row.items() if v.strip()}
    return PlaceFacts(key, tuple(columns), clean)


def _check_columns(columns: Iterable[str]) -> None:
    columns = list(columns)
    if not columns:
        raise BadFacts("Add at least one column of facts beside the code.")
    if len(columns) > MAX_COLUMNS:
        raise BadFacts(f"Keep to {MAX_COLUMNS} columns of facts or fewer.")
    for column in columns:
        if not COLUMN.fullmatch(column):
            raise BadFacts(
                f"Column {column[:40]!r}: name columns with lower-case letters, digits and _, "
                "starting with a letter (like local_deployments)."
            )
    if len(set(columns)) != len(columns):
        raise BadFacts("Each column name can be used once.")


def _check_value(code: str, column: str, value: str) -> None:
    if UNSAFE.search(value):
        raise BadFacts(
            f"The {column} of {code} has a line break, control or invisible character: keep "
            "each value to one line of plain text."
        )
    if len(value) > MAX_VALUE:
        raise BadFacts(f"The {column} of {code}: keep each value to {MAX_VALUE} characters.")


def parse_csv(raw: bytes, known_codes: Mapping[str, Iterable[str]]) -> PlaceFacts:
    """Place facts from an uploaded CSV: a header row whose first column is ``pfa_code`` or
    ``constituency_code``, then one row per area. ``known_codes`` maps each key to the
    directory's codes, so a code that is no area is found now, not never matched.

    :raise BadFacts: what is wrong, in words, naming the row.
    """
    if len(raw) > MAX_FILE:
        raise BadFacts(f"This file is too big: keep it under {MAX_FILE // 1024} KB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFacts("Save the file as CSV in UTF-8.") from None
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise BadFacts(f"This isn't a CSV file: {exc}") from None
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise BadFacts("The file is empty.")
    header = [cell.strip() for cell in table[0]]
    if header[0] not in KEYS:
        raise BadFacts("The first column must be pfa_code or constituency_code.")
    key, columns = header[0], header[1:]
    _check_columns(columns)
    if len(table) - 1 > MAX_ROWS:
        raise BadFacts(f"Keep to {MAX_ROWS} rows or fewer.")
    known = set(known_codes.get(key, ()))
    rows: dict[str, dict[str, str]] = {}
    for number, cells in enumerate(table[1:], start=2):
        if len(cells) > len(header):
            raise BadFacts(f"Row {number} has more cells than the header.")
        code = cells[0].strip()
        if code not in known:
            raise BadFacts(f"Row {number}: {code[:20]!r} is no {KEY_WORDS[key]} code.")
        if code in rows:
            raise BadFacts(f"Row {number}: {code} is in the file twice.")
        row = {}
        for column, value in zip(columns, cells[1:], strict=False):
            _check_value(code, column, value)
            if value.strip():
                row[column] = value.strip()
        rows[code] = row
    return PlaceFacts(key, tuple(columns), rows)
