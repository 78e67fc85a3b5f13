"""The campaign editor's form, mapped to and from the campaign document.

Field names are the document's own paths (``talking_points.2.label``), so every error from
``campaigns.validate`` lands next to the field it is about, with no second set of rules.
Adding, removing and reordering items are form submissions too (``op`` buttons), so the editor
works without JavaScript and nothing typed is lost on the way.

Nation scopes are checkboxes: per item, all four ticked or none means "every nation the campaign
serves" (stored as an empty list), so the common case needs no thought.

A text chosen per recipient (opening, closing, each ask) is its default box (``opening``) and
the alternatives tried before it (``opening.0.text`` with its condition ``opening.0.when``).
A condition is typed as ``attribute: value, value; attribute: value`` and shown beside in words;
pool entries with a condition or a fact (subject lines, phrasings) keep theirs the same way.
"""

import contextlib
import json
import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from advocacy.letters import markdown
from advocacy.letters.campaign_json import upgraded
from advocacy.letters.campaigns import ASK_KEYS
from advocacy.letters.campaigns import NATIONS
from advocacy.letters.campaigns import TARGET_ROLES

LINE_FIELDS = ("subject_lines", "allowed_origins")  # one item per line in a textarea
TEXT_FIELDS = ("slug", "title", "summary_html", "status", "opening", "closing", "sign_off")
TEXT_FIELDS += ("next_ask", "share_text", "organiser", "image_url")
ITEM_FIELDS = {
    "talking_points": ("id", "label", "source_url"),
    "prompts": ("id", "label", "hint", "lead_in"),
    "fixed_recipients": ("name", "email", "contact_url", "salutation"),
}
MAX_ITEMS = 50
VARIANT_LINES = re.compile(r"variants\.[a-z_]+\.subject_lines")
OP = re.compile(r"^(add|remove|up|down)-(talking_points|prompts|fixed_recipients)(?:-(\d+))?$")
CHOSEN = ("opening", "closing", *(f"asks.{role}" for role in ASK_KEYS))
# Add an alternative to a text, or remove one: "add-alt-asks.mp", "remove-alt-opening-0".
ALT_OP = re.compile(r"^(add|remove)-alt-(opening|closing|asks\.[a-z_]+)(?:-(\d+))?$")
BAD_CONDITION = "Write the condition as attribute: value, value (and ; between attributes)."


def condition_text(when: Mapping[str, Any] | None) -> str:
    """A condition as its box shows it: "force.lfr_status: deploys, paused; nation: wales"."""
    return "; ".join(f"{k}: {', '.join(v)}" for k, v in (when or {}).items())


def parse_condition(text: str) -> dict[str, list[str]] | None:
    """A condition box's text as a condition ({} when empty); None when it can't be read."""
    when: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, colon, values = part.partition(":")
        listed = [v.strip() for v in values.split(",") if v.strip()]
        if not colon or not name.strip() or not listed:
            return None
        when[name.strip()] = listed
    return when


def editable_text(value: Any) -> dict[str, Any]:
    """A text as the editor shows it: the default and the alternatives tried before it."""
    if isinstance(value, str):
        return {"default": value, "alternatives": []}
    if isinstance(value, list | tuple) and value and isinstance(value[-1], Mapping):
        last = value[-1]
        rest = [a for a in value[:-1] if isinstance(a, Mapping)]
        default = last.get("text", "") if not last.get("when") else ""
        alts = rest + ([] if not last.get("when") else [last])
        return {
            "default": default,
            "alternatives": [
                {"text": a.get("text", ""), "when": condition_text(a.get("when"))} for a in alts
            ],
        }
    return {"default": "", "alternatives": []}


def chosen_from(form: MultiDict, name: str, errors: dict[str, list[str]]) -> Any:
    """A text from its boxes: a string, or alternatives ending with the default."""
    default = box_text(form.get(name, ""))
    alts = []
    for i in range(count_items(form, re.escape(name))):
        text = box_text(form.get(f"{name}.{i}.text", ""))
        raw = form.get(f"{name}.{i}.when", "")
        when = parse_condition(raw)
        if when is None:
            errors[f"{name}.{i}.when"] = [BAD_CONDITION]
            when = {}
        if text or raw.strip():
            alts.append({"when": when, "text": text} if when else {"text": text})
    return [*alts, {"text": default}] if alts else default


def entries_from(form: MultiDict, name: str, errors: dict[str, list[str]]) -> list[Any]:
    """Pool entries with a condition or a fact: each its own text, condition and fact box."""
    entries = []
    for i in range(count_items(form, re.escape(name))):
        text = box_text(form.get(f"{name}.{i}.text", ""))
        raw = form.get(f"{name}.{i}.when", "")
        fact = form.get(f"{name}.{i}.fact", "").strip()
        when = parse_condition(raw)
        if when is None:
            errors[f"{name}.{i}.when"] = [BAD_CONDITION]
            when = {}
        if not text:
            continue
        entry: dict[str, Any] = {"text": text}
        if when:
            entry["when"] = when
        if fact:
            entry["fact"] = fact
        entries.append(entry if len(entry) > 1 else text)
    return entries


def blank_point() -> dict[str, Any]:
    return {
        "id": "",
        "label": "",
        "phrasings": [],
        "source_url": None,
        "default_selected": False,
        "nations": [],
    }


BLANKS = {
    "talking_points": blank_point,
    "prompts": lambda: {"id": "", "label": "", "hint": "", "lead_in": ""},
    "fixed_recipients": lambda: {
        "name": "",
        "email": None,
        "contact_url": None,
        "salutation": None,
        "nations": [],
    },
}
NO_NATION = "Choose at least one nation."


def new_document() -> dict[str, Any]:
    """What a new campaign starts as: a draft with one empty talking point to fill in."""
    return {
        "slug": "",
        "title": "",
        "summary_html": "",
        "organiser": "",
        "image_url": "",
        "status": "draft",
        "targets": list(TARGET_ROLES),
        "fixed_recipients": [],
        "subject_lines": [],
        "opening": "",
        "talking_points": [blank_point()],
        "prompts": [],
        "asks": {},
        "closing": "",
        "sign_off": "Yours sincerely,",
        "next_ask": "",
        "share_text": "",
        "allowed_origins": [],
        "nations": list(NATIONS),
    }


def for_editor(doc: dict[str, Any]) -> dict[str, Any]:
    """A document as the editor shows it: in the current format (old revisions and files have
    nation variants, read as conditions), serving every nation when it says nothing."""
    points = doc.get("talking_points") or ()
    if doc.get("variants") or any(isinstance(p, Mapping) and "nations" in p for p in points):
        # A malformed old document is shown as it is.
        with contextlib.suppress(AttributeError, TypeError, KeyError):
            doc = upgraded({k: v for k, v in doc.items() if k != "_form_errors"})
    return markdown.for_editor({"nations": list(NATIONS), **doc})


def index(digits: str) -> int:
    """An item's index from a field name or a button; one too long to be any item's (``int``
    reads at most 4,300 digits) is past the end of every list."""
    return int(digits) if len(digits) <= 4 else MAX_ITEMS


def count_items(form: Mapping[str, str], name: str) -> int:
    pattern = re.compile(rf"^{name}\.(\d+)\.")
    indexes = [index(m.group(1)) for key in form if (m := pattern.match(key))]
    return min(max(indexes, default=-1) + 1, MAX_ITEMS)


def box_text(value: str) -> str:
    """A box's text as stored: browsers post a textarea's line breaks as CRLF, so they are
    made LF again, or saving an untouched page would change every multi-line text."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _optional(value: str) -> str | None:
    return value.strip() or None


def box_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def in_order(chosen: Iterable[str], known: Iterable[str]) -> list[str]:
    """Checkbox order for a list field: the chosen ones in the document's order, then the rest.

    The form posts ticked boxes in page order, so rendering them in the document's order is
    what lets an untouched save give back the same list (and no "Changed who to write to").
    """
    chosen = [c for c in dict.fromkeys(chosen) if c in known]
    return chosen + [k for k in known if k not in chosen]


def _ticked(form: MultiDict, name: str, known: tuple[str, ...]) -> list[str]:
    """The known values ticked, in the order posted (each once)."""
    return [v for v in dict.fromkeys(form.getlist(name)) if v in known]


def _item_nations(form: MultiDict, name: str) -> list[str]:
    """An item's ticked nations; all or none ticked both mean every nation (stored as [])."""
    chosen = _ticked(form, name, NATIONS)
    return [] if len(chosen) == len(NATIONS) else chosen


def from_form(form: MultiDict) -> dict[str, Any]:
    """The campaign document the form describes (not yet validated).

    ``nations`` may come back empty (none ticked): the document format reads that as "every
    nation", so ``problems`` reports it instead of it being saved as the opposite of what was
    meant. The editor posts an empty ``nations`` value with its checkboxes; a form without the
    field at all (an older page) keeps every nation.
    """
    doc: dict[str, Any] = {name: box_text(form.get(name, "")) for name in TEXT_FIELDS}
    doc.update(markdown.from_form(form))  # Markdown, or the HTML from before it, untouched
    doc["targets"] = _ticked(form, "targets", TARGET_ROLES)
    for name in LINE_FIELDS:
        doc[name] = box_lines(form.get(name, ""))
    doc["nations"] = _ticked(form, "nations", NATIONS) if "nations" in form else list(NATIONS)
    errors: dict[str, list[str]] = {}
    doc["subject_lines"] = [
        *doc["subject_lines"],
        *entries_from(form, "subject_lines.when", errors),
    ]
    for name in ("opening", "closing"):
        doc[name] = chosen_from(form, name, errors)
    doc["asks"] = {
        role: text for role in ASK_KEYS if (text := chosen_from(form, f"asks.{role}", errors))
    }
    # Kept as the page was given them: the place facts (uploaded on their own page) and the
    # campaign's text in other languages (not edited on this page yet).
    for name in ("place_facts", "translations"):
        try:
            doc[name] = json.loads(form.get(name) or "{}")
        except ValueError:
            doc[name] = {}
    points = []
    for i in range(count_items(form, "talking_points")):
        p = f"talking_points.{i}."
        when = parse_condition(form.get(p + "when", ""))
        if when is None:
            errors[p + "when"] = [BAD_CONDITION]
        nations = _item_nations(form, p + "nations")
        when = {**({"nation": nations} if nations else {}), **(when or {})}
        point = {
            "id": form.get(p + "id", "").strip(),
            "label": form.get(p + "label", "").strip(),
            # Each point shows one spare box for another phrasing; empty boxes mean nothing.
            "phrasings": [box_text(t) for t in form.getlist(p + "phrasings") if t.strip()]
            + entries_from(form, p + "phrasings.when", errors),
            "source_url": _optional(form.get(p + "source_url", "")),
            "default_selected": form.get(p + "default_selected") == "on",
        }
        points.append({**point, "when": when} if when else point)
    doc["talking_points"] = _with_ids(points, "point")
    prompts = [
        {
            "id": form.get(f"prompts.{i}.id", "").strip(),
            "label": form.get(f"prompts.{i}.label", "").strip(),
            "hint": form.get(f"prompts.{i}.hint", "").strip(),
            "lead_in": form.get(f"prompts.{i}.lead_in", "").strip(),
        }
        for i in range(count_items(form, "prompts"))
    ]
    doc["prompts"] = _with_ids(prompts, "question")
    recipients = []
    for i in range(count_items(form, "fixed_recipients")):
        r = {
            key: _optional(form.get(f"fixed_recipients.{i}.{key}", ""))
            for key in ITEM_FIELDS["fixed_recipients"]
        }
        r["name"] = r["name"] or ""
        r["nations"] = _item_nations(form, f"fixed_recipients.{i}.nations")
        recipients.append(r)
    doc["fixed_recipients"] = recipients
    doc["_form_errors"] = errors
    return doc


def problems(doc: dict[str, Any]) -> dict[str, list[str]]:
    """What the form can get wrong that the document format can't express: no nation ticked,
    a condition box that can't be read."""
    found = dict(doc.pop("_form_errors", None) or {})
    return found if doc.get("nations") else {**found, "nations": [NO_NATION]}


def suggest_slug(title: str) -> str:
    """A web address from a title ("Café – Stop LFR!" → "cafe-stop-lfr"), the same rule as
    static/studio.js, so staff need not invent one; empty when the title has no letters."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")


def _with_ids(items: list[dict[str, Any]], stem: str) -> list[dict[str, Any]]:
    """Give new items an id from their label; existing ids stay, so selections stay stable."""
    taken = {item["id"] for item in items if item["id"]}
    for i, item in enumerate(items):
        if item["id"]:
            continue
        base = _slugify(item["label"]) or f"{stem}-{i + 1}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base[:36]}-{n}", n + 1
        item["id"] = candidate
        taken.add(candidate)
    return items


def _apply_alt(doc: dict[str, Any], match: re.Match) -> None:
    action, name, index = match.group(1), match.group(2), match.group(3)
    if name.startswith("asks."):
        holder, key = doc.setdefault("asks", {}), name.partition(".")[2]
    else:
        holder, key = doc, name
    value = holder.get(key, "")
    alts = [dict(a) for a in alternatives_json(value)]
    if action == "add" and len(alts) < MAX_ITEMS:
        alts.insert(len(alts) - 1, {"when": {}, "text": ""})  # before the default
    elif action == "remove" and index is not None and int(index) < len(alts) - 1:
        del alts[int(index)]
    holder[key] = alts if len(alts) > 1 else alts[0]["text"]


def alternatives_json(value: Any) -> list[dict[str, Any]]:
    """A text's JSON form as a list of alternatives, the default last."""
    if isinstance(value, str) or not value:
        return [{"text": value or ""}]
    return list(value)


def apply_op(doc: dict[str, Any], op: str) -> bool:
    """Add, remove or move an item in place; False when ``op`` is not such an operation."""
    if alt := ALT_OP.match(op or ""):
        _apply_alt(doc, alt)
        return True
    match = OP.match(op or "")
    if not match:
        return False
    action, name, digits = match.group(1), match.group(2), match.group(3)
    items = doc[name]
    i = index(digits) if digits is not None else None
    if action == "add":
        if len(items) < MAX_ITEMS:
            items.append(BLANKS[name]())
    elif i is None or not 0 <= i < len(items):
        return True
    elif action == "remove":
        del items[i]
    elif action == "up" and i > 0:
        items[i - 1], items[i] = items[i], items[i - 1]
    elif action == "down" and i < len(items) - 1:
        items[i + 1], items[i] = items[i], items[i + 1]
    return True


def focus_after(doc: Mapping[str, Any], op: str) -> str | None:
    """The item an add/remove/move button acted on, where it is now (``talking_points.2``), so
    the page comes back to it rather than to the top of a long form. After removing the last
    item of a list, its section (``talking_points``); None when ``op`` is no such button.

    The template's buttons carry the same place as a fragment of their ``formaction``, so the
    browser scrolls there even without JavaScript.
    """
    if alt := ALT_OP.match(op or ""):
        return f"{alt.group(2)}.alternatives"
    match = OP.match(op or "")
    if not match:
        return None
    action, name, digits = match.group(1), match.group(2), match.group(3)
    count = len(doc[name])
    i = index(digits) if digits is not None else count - 1
    if action == "up":
        i -= 1
    elif action == "down":
        i += 1
    i = min(max(i, 0), count - 1)
    return f"{name}.{i}" if count else name


# What to enter, by field (item indexes as N), for campaigns.validate's "This is required.":
# an error summary of several "This is required." lines would not say which box is empty.
REQUIRED = "This is required."
ENTER = {
    "title": "Enter a title",
    "sign_off": "Enter a sign-off, like “Yours sincerely,”",
    "talking_points.N.label": "Enter what supporters tick for this point",
    "talking_points.N.phrasings.N": "Enter the phrasing",
    "prompts.N.label": "Enter the question",
    "subject_lines.N": "Enter the subject line",
    "fixed_recipients.N.name": "Enter the recipient's name",
}


def _named(path: str, message: str) -> str:
    """A "This is required." that names what to enter; any other message as it is."""
    if message != REQUIRED:
        return message
    return ENTER.get(re.sub(r"\.\d+", ".N", path), message)


def entry_paths(doc: Mapping[str, Any]) -> dict[str, str]:
    """Where each pool entry's errors go on the page: a plain entry is a line of the subject
    lines box or a phrasing box (counting plain ones only), an entry with a condition or a
    fact has its own boxes (``subject_lines.when.0.text``)."""
    moved: dict[str, str] = {}

    def walk(path: str, entries: Any, plain_path: str) -> None:
        plain = rich = 0
        for n, entry in enumerate(entries if isinstance(entries, list | tuple) else ()):
            if isinstance(entry, Mapping) and (entry.get("when") or entry.get("fact")):
                moved[f"{path}.{n}"] = f"{path}.when.{rich}.text"
                for part in ("when", "fact"):
                    moved[f"{path}.{n}.{part}"] = f"{path}.when.{rich}.{part}"
                rich += 1
            else:
                moved[f"{path}.{n}"] = f"{plain_path}.{plain}"
                plain += 1

    walk("subject_lines", doc.get("subject_lines"), "subject_lines")
    for i, point in enumerate(doc.get("talking_points") or ()):
        if isinstance(point, Mapping):
            path = f"talking_points.{i}.phrasings"
            walk(path, point.get("phrasings"), path)
    return moved


def field_errors(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Validation errors keyed by the form field they belong to, an empty required field
    named ("Enter a title", not "This is required.").

    Line-per-item fields (subject lines, allowed sites, a nation's own subject lines) have one
    textarea, so their item errors move onto it, saying which line.
    """
    out: dict[str, list[str]] = {}
    errors = {path: [_named(path, m) for m in messages] for path, messages in errors.items()}
    for path, messages in errors.items():
        field, _, line = path.rpartition(".")
        if line.isdecimal() and (field in LINE_FIELDS or VARIANT_LINES.fullmatch(field)):
            out.setdefault(field, []).extend(f"Line {index(line) + 1}: {m}" for m in messages)
        else:
            out.setdefault(path, []).extend(messages)
    return out


def field_id(path: str) -> str:
    """An HTML id for a field path."""
    return "f-" + path.replace(".", "-").replace("_", "-")


# The editor's Insert menu: each placeholder in the words staff think in, in the menu's order
# (the supporter's, the recipient's, then the place's). Force facts and place facts not named
# here read "the force's <fact>" and "your place fact: <column>".
PLACEHOLDER_WORDS = {
    "supporter_name": "the supporter's name",
    "recipient_name": "the name of the person the letter is to",
    "constituency": "the supporter's constituency",
    "country": "the supporter's nation (England, Wales…)",
    "postcode": "the supporter's postcode",
    "force_name": "their police force",
    "oversight_name": "the body that oversees their police force",
    "force.lfr_status": "what their force did with the cameras (a word, like deploys)",
    "force.what": "what their force did with the cameras, in a sentence",
    "force.first_seen": "when their force first used the cameras (October 2025)",
    "force.source_url": "the source for their force's record (a web address)",
    "force.force_name": "their police force's name, as the facts file has it",
}


def placeholder_menu(
    placeholders: Iterable[str], force_facts: Iterable[str], place_columns: Iterable[str]
) -> list[dict[str, str]]:
    """What the Insert menu offers: ``{"name", "words"}`` for each placeholder, the
    supporter's and the recipient's first, then the force's facts, then the campaign's own."""
    order = {name: i for i, name in enumerate(PLACEHOLDER_WORDS)}
    placeholders = sorted(placeholders, key=lambda n: (order.get(n, len(order)), n))
    names = [*placeholders, *force_facts, *(f"place.{c}" for c in place_columns)]
    words = {
        **{f: f"the force's {f.removeprefix('force.').replace('_', ' ')}" for f in force_facts},
        **{f"place.{c}": f"your place fact: {c}" for c in place_columns},
        **PLACEHOLDER_WORDS,
    }
    return [{"name": n, "words": words.get(n, n)} for n in dict.fromkeys(names)]
