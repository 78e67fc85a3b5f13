"""The studio templates' filters: a campaign's parts in words staff read (conditions, where a
problem is, which wording a letter took and why). Registered on the studio's blueprint by
``campaign_pages``."""

import json
from collections.abc import Callable

from markupsafe import Markup

from advocacy.letters import campaigns
from advocacy.letters import conditions
from advocacy.letters import markdown
from advocacy.letters import validation
from advocacy.places import pipeline
from advocacy.platform import store
from advocacy.studio import editor_form

FILTERS: dict[str, Callable] = {}


def _filter(name: str) -> Callable[[Callable], Callable]:
    def add(function: Callable) -> Callable:
        FILTERS[name] = function
        return function

    return add


@_filter("field_id")
def _field_id(path: str) -> str:
    return editor_form.field_id(path)


@_filter("in_order")
def _in_order(chosen, known) -> list[str]:
    return editor_form.in_order(chosen or (), known)


@_filter("editable_text")
def _editable_text(value):
    return editor_form.editable_text(value)


@_filter("condition_words")
def _condition_words(when) -> str:
    """A condition, as a box holds it or as data, in words ("Only for supporters in Wales")."""
    if isinstance(when, str):
        when = editor_form.parse_condition(when)
        if when is None:
            return "(can't be read yet)"
    return conditions.in_words(when or {})


@_filter("condition_box")
def _condition_box(when) -> str:
    return editor_form.condition_text(when)


@_filter("without_nation")
def _without_nation(when) -> dict:
    return {k: v for k, v in (when or {}).items() if k != "nation"}


@_filter("plain_entries")
def _plain_entries(entries) -> list[str]:
    """A pool's entries that are text alone (one per line, or a box each)."""
    return [e if isinstance(e, str) else e.get("text", "") for e in entries or () if _plain(e)]


@_filter("rich_entries")
def _rich_entries(entries) -> list[dict]:
    """A pool's entries with a condition or a fact, as their boxes show them."""
    return [
        {
            "text": e.get("text", ""),
            "when": editor_form.condition_text(e.get("when")),
            "fact": e.get("fact") or "",
        }
        for e in entries or ()
        if not _plain(e)
    ]


def _plain(entry) -> bool:
    return isinstance(entry, str) or not (entry.get("when") or entry.get("fact"))


def facts_missing(facts) -> dict[str, list[str]]:
    """By column of the campaign's place facts, the places (by name) that have no value."""
    if not isinstance(facts, dict) or not facts.get("columns"):
        return {}
    book = pipeline.directory()
    if facts.get("key") == "constituency_code":
        names = {code: c.name for code, c in book.constituencies.items()}
    else:
        names = {code: a.force.name for code, a in book.force_areas.items()}
    rows = facts.get("rows") or {}
    return {
        column: sorted(names[code] for code in names if not (rows.get(code) or {}).get(column))
        for column in facts["columns"]
    }


@_filter("why")
def _why(letter, campaign: campaigns.Campaign) -> list[tuple[str, str]]:
    """Which wording each part of a letter took and why, for the parts that can differ:
    texts with alternatives, pools with conditions, points left out for a repeated fact."""
    return why(campaign, letter)


PART_NAMES = {"opening": "Opening", "closing": "Closing", "subject_lines": "Subject line"}


def why(campaign: campaigns.Campaign, letter) -> list[tuple[str, str]]:
    """Each part of ``letter`` that a condition or a fact decided, in words."""
    found = []
    for part, index in letter.taken:
        head, _, rest = part.partition(".")
        if head == "talking_points":
            point = campaign.point(rest)
            if point is None:
                continue
            name = f"Point “{point.label}”"
            if index == -1:
                found.append(
                    (name, "left out: every phrasing cites a fact this letter cites already")
                )
                continue
            entry = campaigns.as_alternative(point.phrasings[index])
            if entry.when or entry.fact or point.when:
                reason = conditions.in_words({**point.when, **entry.when})
                cites = f"; cites “{entry.fact}”" if entry.fact else ""
                found.append((name, f"phrasing {index + 1}: {reason}{cites}"))
            continue
        if head == "subject_lines":
            if (
                index >= 0
                and (entry := campaigns.as_alternative(campaign.subject_lines[index])).when
            ):
                found.append(
                    ("Subject line", f"line {index + 1}: {conditions.in_words(entry.when)}")
                )
            continue
        text = campaign.asks.get(rest, "") if head == "asks" else getattr(campaign, head, "")
        if isinstance(text, str):
            continue
        name = PART_NAMES.get(head) or f"Ask of the {validation.ROLE_WORDS.get(rest, rest)}"
        if index < 0:
            found.append((name, "none fits this letter"))
        elif text[index].when:
            said = conditions.in_words(text[index].when)
            found.append((name, f"alternative {index + 1} of {len(text)}: {said}"))
        else:
            skipped = "; ".join(conditions.in_words(a.when) for a in text[:index])
            found.append((name, f"the default, as none of these fits: {skipped}"))
    return found


@_filter("markdown_html")
def _markdown_html(text: str) -> Markup:
    """Staff Markdown as the page shows it, for the editor's preview beside the box."""
    return Markup(markdown.to_html(text or ""))


ITEM_NAMES = {
    "talking_points": "Talking point",
    "prompts": "Question",
    "fixed_recipients": "Fixed recipient",
}


@_filter("where")
def _where(path: str) -> str:
    """Which item an error is about, for the error summary: "Talking point 3: "."""
    head, _, rest = path.partition(".")
    index = rest.partition(".")[0]
    if head in ITEM_NAMES and index.isdecimal():
        return f"{ITEM_NAMES[head]} {editor_form.index(index) + 1}: "
    if head == "variants" and index in campaigns.NATION_NAMES:
        return f"{campaigns.NATION_NAMES[index]}'s own text: "
    return ""


@_filter("part_name")
def _part_name(path: str) -> str:
    """An error's place in an imported file, in the editor's words."""
    head = path.partition(".")[0]
    return _where(path).rstrip(": ") or store.FIELD_NAMES.get(head, "").capitalize() or path


@_filter("pretty")
def _pretty(value) -> str:
    """A campaign value as staff can read it: text as it is, lists and objects as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


@_filter("has_errors_under")
def _has_errors_under(errors, path: str) -> bool:
    """Whether any problem is about ``path`` or something inside it (a point's phrasing)."""
    return any(key == path or key.startswith(f"{path}.") for key in errors or ())
