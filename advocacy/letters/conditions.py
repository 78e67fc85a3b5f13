"""Conditions on a letter's recipient (``when``): which text a letter takes, as data and in words.

A condition maps attributes to the values allowed: every attribute must match (and), and an
attribute matches when the recipient's value is one of its list (or). Attributes are the
recipient's ``role``, the supporter's ``nation``, the bundled facts about their police force
(``force.lfr_status``...) and the campaign's own place facts (``place.deployments``...). A
value a place lacks matches nothing. Pure: no Flask, no I/O; the caller gives the values.
"""

import re
from collections.abc import Mapping
from collections.abc import Set

Condition = Mapping[str, tuple[str, ...]]

ROLE_VALUES = ("mp", "police_force", "police_oversight", "fixed")
NATIONS = ("england", "wales", "scotland", "northern_ireland")
LFR_STATUSES = ("deploys", "paused", "trial", "none", "unknown")
# Attributes whose values are a closed list, whatever the data holds today.
CLOSED = {"role": ROLE_VALUES, "nation": NATIONS, "force.lfr_status": LFR_STATUSES}
FACT = re.compile(r"^(force|place)\.([a-z][a-z0-9_]{0,39})$")

ROLE_WORDS = {
    "mp": "the MP",
    "police_force": "the police force",
    "police_oversight": "the oversight body",
    "fixed": "the campaign's own recipients",
}
NATION_WORDS = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}
LFR_WORDS = {
    "deploys": "uses the cameras",
    "paused": "has paused its use of the cameras",
    "trial": "has trialled the cameras",
    "none": "does not use the cameras",
    "unknown": "has no use of the cameras on record",
}
# The sets staff use most, in the words they think in.
LFR_SETS = {
    frozenset({"deploys", "paused", "trial"}): "uses the cameras",
    frozenset({"none", "unknown"}): "has no use of the cameras on record",
}


def matches(when: Condition, attributes: Mapping[str, str], *, partial: bool = False) -> bool:
    """Whether every attribute of ``when`` has one of its values. With ``partial``, an
    attribute that ``attributes`` doesn't name at all is taken to match (a nation's view of a
    campaign, before the place or the recipient is known)."""
    for name, values in when.items():
        if name not in attributes:
            if partial:
                continue
            return False
        if attributes[name] not in values:
            return False
    return True


def facts_in(names: Set[str]) -> set[str]:
    """The ``force.``/``place.`` names among placeholder names."""
    return {name for name in names if FACT.match(name)}


def problems(
    when: object, known: Mapping[str, Set[str]], *, roles: tuple[str, ...] = ROLE_VALUES
) -> list[str]:
    """What is wrong with a condition, for staff. ``known`` maps each fact attribute
    (``force.what``, ``place.deployments``) to the values the data has: a value outside them
    (or outside a closed list) can never match, so it is a typo."""
    if not isinstance(when, Mapping) or not when:
        return ["A condition names at least one attribute and its values."]
    found = []
    for name, values in when.items():
        shown = str(name)[:40]
        if name == "role":
            allowed: Set[str] | None = set(roles) | {"fixed"}
        elif name in CLOSED:
            allowed = set(CLOSED[name])
        elif name in known:
            allowed = known[name]
        else:
            found.append(
                f"Unknown attribute {shown!r}: use role, nation, force.<column> or "
                "place.<column> (a column of the campaign's place facts)."
            )
            continue
        if not isinstance(values, list | tuple) or not values:
            found.append(f"Give {shown} at least one value.")
            continue
        for value in values:
            if not isinstance(value, str) or value not in allowed:
                listed = ", ".join(sorted(allowed)[:12]) if allowed else "none yet"
                what = f"{name}" if name in ("role", "nation") else f"value for {shown}"
                if name in ("role", "nation"):
                    listed = ", ".join(CLOSED[name]) if name == "nation" else listed
                    found.append(f"Unknown {what} {str(value)[:40]!r}; use {listed}.")
                else:
                    found.append(f"Unknown {what}: {str(value)[:40]!r}; use {listed}.")
    return found


def in_words(when: Condition) -> str:
    """A condition as staff read it: "Only when the police force uses the cameras"."""
    if not when:
        return "Always"
    parts = []
    for name, values in when.items():
        if name == "role":
            parts.append("in letters to " + _either([ROLE_WORDS.get(v, v) for v in values]))
        elif name == "nation":
            parts.append("for supporters in " + _either([NATION_WORDS.get(v, v) for v in values]))
        elif name == "force.lfr_status":
            said = LFR_SETS.get(frozenset(values)) or _either([LFR_WORDS.get(v, v) for v in values])
            parts.append(f"when the police force {said}")
        else:
            kind, _, column = name.partition(".")
            whose = "the police force's" if kind == "force" else "the place's"
            listed = _either([f"“{v}”" for v in values])
            parts.append(f"when {whose} {column.replace('_', ' ')} is {listed}")
    return "Only " + ", and ".join(parts)


def _either(items: list[str]) -> str:
    return ", ".join(items[:-1]) + (" or " if len(items) > 1 else "") + items[-1]
