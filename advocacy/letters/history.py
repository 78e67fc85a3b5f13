"""What changed between two versions of a campaign, as text staff can read.

Each part that differs becomes a word-level diff of its old and new text (``Change``).
Talking points are matched by their id, so a point that moved reads as "Moved point
'Accuracy' from 2 to 1", not as one point removed and another added.
"""

import difflib
import json
import re
from dataclasses import dataclass
from dataclasses import field
from os.path import commonprefix
from typing import Any

from advocacy.letters import conditions
from advocacy.letters import markdown
from advocacy.letters.campaign_json import upgraded
from advocacy.letters.campaigns import NATION_NAMES

# Words and punctuation marks, each with the spaces after it (and any spaces at the start): half
# as many tokens as words and spaces apart, and no run of " " tokens for the matcher to chew on.
WORDS = re.compile(r"\s+|\w+\s*|[^\w\s]\s*")
# The most pairs of tokens compared word by word (after the unchanged start and end are set
# aside): SequenceMatcher can take seconds on long rewritten text, so beyond this a part reads
# as the old text removed and the new added (about 1,500 rewritten characters on each side).
MAX_DIFF_PAIRS = 60_000
# Each part of a campaign as staff see it in the editor; talking points come last, by point.
PARTS = {
    "title": "Title",
    "slug": "Web address",
    "summary": "Summary",
    "organiser": "Organiser",
    "image_url": "Sharing image",
    "status": "Status",
    "nations": "Nations it writes for",
    "targets": "Who to write to",
    "fixed_recipients": "Fixed recipients",
    "subject_lines": "Subject lines",
    "opening": "Opening",
    "asks": "Asks",
    "place_facts": "Place facts",
    "closing": "Closing",
    "sign_off": "Sign-off",
    "prompts": "Questions for supporters",
    "next_ask": "Thank-you page text",
    "share_text": "What supporters share",
    "allowed_origins": "Sites allowed to embed",
}
POINT_PARTS = {
    "label": "label",
    "phrasings": "phrasings",
    "source_url": "source",
    "default_selected": "ticked at the start",
    "nations": "nations",
    "when": "only where",
}


@dataclass(frozen=True)
class Change:
    """One part that differs: a heading, notes ("Moved point …") and the words that changed,
    as (kind, text) pieces where kind is "same", "removed" or "added"."""

    part: str
    pieces: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def words(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """A word-level diff: runs of unchanged, removed and added text (spaces kept).

    Too long a rewrite (``MAX_DIFF_PAIRS``) is shown whole: the old text, then the new.
    """
    a, b = WORDS.findall(old), WORDS.findall(new)
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    pieces: list[tuple[str, str]] = [("same", "".join(a[:start]))]
    if len(middle_a) * len(middle_b) > MAX_DIFF_PAIRS:
        pieces += _replaced("".join(middle_a), "".join(middle_b))
    else:
        matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                pieces.append(("same", "".join(middle_a[i1:i2])))
            else:
                pieces += _replaced("".join(middle_a[i1:i2]), "".join(middle_b[j1:j2]))
    pieces.append(("same", "".join(a[len(a) - end :])))
    return _slid(_joined(pieces))


def _inside_word(text: str, at: int) -> bool:
    return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()


def _replaced(removed: str, added: str) -> list[tuple[str, str]]:
    """Removed and added text, less what both start or end with up to a word's edge: a token
    carries its spaces, so "wrong" → "wrong for women" reads as " for women" added."""
    head = len(commonprefix([removed, added]))
    while head and (_inside_word(removed, head) or _inside_word(added, head)):
        head -= 1
    rest_a, rest_b = removed[head:], added[head:]
    tail = len(commonprefix([rest_a[::-1], rest_b[::-1]]))
    while tail and (
        _inside_word(rest_a, len(rest_a) - tail) or _inside_word(rest_b, len(rest_b) - tail)
    ):
        tail -= 1
    cut_a, cut_b = len(rest_a) - tail, len(rest_b) - tail
    return [
        ("same", removed[:head]),
        ("removed", rest_a[:cut_a]),
        ("added", rest_b[:cut_b]),
        ("same", rest_a[cut_a:]),
    ]


def _slid(pieces: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """An insertion or deletion moved past the last unchanged text when it reads the same
    either way: "support[. Thank you]." as "support.[ Thank you.]"."""
    if len(pieces) >= 2 and pieces[-1][0] == "same" and pieces[-2][0] != "same":
        kind, text = pieces[-2]
        last = pieces[-1][1]
        alone = len(pieces) == 2 or pieces[-3][0] == "same"
        if alone and text.startswith(last):
            return _joined([*pieces[:-2], ("same", last), (kind, text[len(last) :] + last)])
    return pieces


def _joined(pieces: list | tuple) -> tuple[tuple[str, str], ...]:
    """Pieces without empty ones, neighbours of one kind run together."""
    out: list[tuple[str, str]] = []
    for kind, text in pieces:
        if not text:
            continue
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))
    return tuple(out)


def summary_text(doc: dict[str, Any]) -> str:
    """The summary as Markdown, for a document from before Markdown too."""
    return doc.get("summary") or markdown.from_html(doc.get("summary_html") or "")


# Recipients as the versions pages name them, in words rather than the document's keys.
RECIPIENT_NAMES = {
    "mp": "the MP",
    "police_force": "the police force",
    "police_oversight": "the body that oversees the force",
    "fixed": "the campaign's own recipients",
}


def as_text(key: str, value: Any) -> str:
    """A part's value as lines of text, the way staff would write it."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if key in ("opening", "closing") and isinstance(value, list | tuple):
        return "\n".join(line for a in value if (line := _entry(a)))
    if key == "targets":
        names = (RECIPIENT_NAMES.get(v, v) for v in value)
        return "\n".join(name[:1].upper() + name[1:] for name in names)
    if key in ("nations", "subject_lines", "allowed_origins", "phrasings"):
        return "\n".join(NATION_NAMES.get(v, v) if key == "nations" else _entry(v) for v in value)
    if key == "asks":
        return "\n".join(
            f"Ask to {RECIPIENT_NAMES.get(role, role)}: {as_text('opening', text)}"
            for role, text in value.items()
        )
    if key == "when" and isinstance(value, dict):
        return conditions.in_words(value)
    if key == "place_facts" and isinstance(value, dict):
        rows = value.get("rows") or {}
        return "\n".join(
            f"{code}: " + ", ".join(f"{k} {v}" for k, v in row.items())
            for code, row in rows.items()
        )
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):  # fixed recipients, questions: one block each
        return "\n\n".join(_fields(item) if isinstance(item, dict) else str(item) for item in value)
    return _fields(value) if isinstance(value, dict) else str(value)


def _entry(entry: Any) -> str:
    """An alternative or pool entry as a line: its text, then when it is used and its fact."""
    if not isinstance(entry, dict):
        return str(entry)
    notes = [conditions.in_words(entry["when"])] if entry.get("when") else []
    notes += [f"cites {entry['fact']}"] if entry.get("fact") else []
    return str(entry.get("text", "")) + (f" ({'; '.join(notes)})" if notes else "")


def _fields(item: dict[str, Any]) -> str:
    """An item as "name: value" lines, leaving out what is empty."""
    lines = []
    for name, value in item.items():
        text = as_text(name, value).replace("\n", "; ")
        if text:
            lines.append(f"{name.replace('_', ' ')}: {text}")
    return "\n".join(lines)


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every part that differs between two campaign documents, in the editor's order."""
    old, new = _plain(old), _plain(new)
    changes = []
    for key, part in PARTS.items():
        if key == "summary":
            before, after = summary_text(old), summary_text(new)
        else:
            before, after = as_text(key, old.get(key)), as_text(key, new.get(key))
        if before != after:
            changes.append(Change(part, words(before, after)))
    return changes + point_changes(old.get("talking_points") or [], new.get("talking_points") or [])


def point_changes(old: list[dict], new: list[dict]) -> list[Change]:
    """Talking points matched by id: added, removed, moved, and each one's edited parts."""
    before = {p["id"]: p for p in old}
    after = {p["id"]: p for p in new}
    changes = []
    for position, point in enumerate(new, 1):
        if point["id"] not in before:
            text = as_text("phrasings", point.get("phrasings"))
            changes.append(
                Change(
                    f"Talking point “{point['label']}”",
                    words("", text),
                    (f"Added point “{point['label']}” at {position}",),
                )
            )
    for point in old:
        if point["id"] not in after:
            text = as_text("phrasings", point.get("phrasings"))
            changes.append(
                Change(
                    f"Talking point “{point['label']}”",
                    words(text, ""),
                    (f"Removed point “{point['label']}”",),
                )
            )
    moved = dict(moves(old, new))
    for point in new:
        was = before.get(point["id"])
        if was is None:
            continue
        notes = [moved[point["id"]]] if point["id"] in moved else []
        pieces: list[tuple[str, str]] = []
        for key, name in POINT_PARTS.items():
            a, b = as_text(key, was.get(key)), as_text(key, point.get(key))
            if a != b:
                pieces += [("same", f"{name.capitalize()}: "), *words(a, b), ("same", "\n")]
        if notes or pieces:
            changes.append(Change(f"Talking point “{point['label']}”", tuple(pieces), tuple(notes)))
    return changes


def moves(old: list[dict], new: list[dict]) -> list[tuple[str, str]]:
    """(id, "Moved point 'X' from 2 to 1") for the points that moved: those outside the
    longest run of points kept in the same order, so one move reads as one move."""
    kept_old = [p["id"] for p in old if p["id"] in {q["id"] for q in new}]
    kept_new = [p["id"] for p in new if p["id"] in {q["id"] for q in old}]
    matcher = difflib.SequenceMatcher(None, kept_old, kept_new, autojunk=False)
    stayed = {kept_new[j + k] for _, j, size in matcher.get_matching_blocks() for k in range(size)}
    old_at = {p["id"]: i for i, p in enumerate(old, 1)}
    return [
        (p["id"], f"Moved point “{p['label']}” from {old_at[p['id']]} to {i}")
        for i, p in enumerate(new, 1)
        if p["id"] in old_at and p["id"] not in stayed
    ]


def current_form(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document in the current format, for comparing with another."""
    return _plain(doc)


def _plain(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as JSON (tuples and lists alike), in the current format: an old
    revision's nation variants read as the conditions they became."""
    doc = json.loads(json.dumps(doc))
    try:
        return upgraded(doc)
    except (AttributeError, TypeError, KeyError):  # not a document this app wrote
        return doc
