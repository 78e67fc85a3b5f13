"""The bundled reference data under ``advocacy/data`` (sources in ``data/SOURCES.md``), and the
facts about each police force a letter may cite.

Reading a bundled CSV needs no Flask and no database, so the pure core can check a campaign's
``force.`` conditions and placeholders against the facts without the directory.
"""

import csv
from datetime import date
from functools import cache
from pathlib import Path

from advocacy.letters import dates

DATA = Path(__file__).parent.parent / "data"
# What each force did with live facial recognition in 2025-26 (data/SOURCES.md): the ``force.``
# attributes of a place, for campaign conditions ({force.lfr_status}) and placeholders.
FORCE_FACTS = "police_lfr_2025_26.csv"


def rows(name: str | Path) -> list[dict[str, str]]:
    """A CSV's rows; a relative name is under ``advocacy/data``, an absolute path is as is."""
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def force_facts() -> dict[str, dict[str, str]]:
    """Each police force area's row of ``FORCE_FACTS`` by its code, without the code; read once
    per process."""
    return {
        row["pfa_code"]: {k: (v or "").strip() for k, v in row.items() if k != "pfa_code"}
        for row in rows(FORCE_FACTS)
    }


@cache
def force_fact_values() -> dict[str, frozenset[str]]:
    """Each ``force.<column>`` attribute with the values the data has: what a campaign's
    conditions may name (a value nobody has is a typo)."""
    rows = force_facts().values()
    columns = next(iter(rows)).keys()
    return {f"force.{c}": frozenset(r[c] for r in rows if r[c]) for c in columns}


def always_known(name: str) -> bool:
    """Whether every force has a value for ``force.<column>``, so text may use it anywhere."""
    column = name.removeprefix("force.")
    return all(row.get(column) for row in force_facts().values())


@cache
def fact_in_words(name: str, value: str, language: str = "en") -> str:
    """A force fact as a letter in ``language`` reads it: a date as "October 2025" or
    "21 October 2025" ("Hydref 2025" in Welsh). Kept: the facts are a small, fixed set."""
    if name != "first_seen" or not value:
        return value
    parts = value.split("-")
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return value
    if len(parts) > 2:
        return dates.day_in_words(day, language)
    return dates.month_in_words(day, language)
