"""The campaign document: what staff write, checked once when saved, never at supporter time.

A campaign is a plain, frozen value (``Campaign``) with one JSON form (``FORMAT``). The same form
is used for the bundled example, the database rows, revisions and import/export, so there is one
set of rules for what a valid campaign is.
"""

import ipaddress
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import idna
from email_validator import EmailNotValidError
from email_validator import validate_email

from advocacy.letters import conditions
from advocacy.letters import markdown
from advocacy.letters import place_facts
from advocacy.letters.delivery import ENCODED_WORD
from advocacy.letters.delivery import safe_address
from advocacy.letters.place_facts import PlaceFacts
from advocacy.letters.sanitize import clean_html

# /2 added nation scopes, /3 conditions on text and place facts; /1 and /2 files import
# unchanged (their nation variants become conditions, ``upgraded``).
FORMAT = "advocacy.campaign/3"
FORMATS = ("advocacy.campaign/1", "advocacy.campaign/2", FORMAT)
# Policing and justice are devolved in Scotland and Northern Ireland, so a campaign may say
# different things, to different people, in each nation. Keys as staff write them in files.
NATIONS = ("england", "wales", "scotland", "northern_ireland")
NATION_NAMES = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}
STATUSES = ("draft", "live", "closed")
TARGET_ROLES = ("mp", "police_force", "police_oversight")
PLACEHOLDERS = frozenset(
    {
        "recipient_name",
        "constituency",
        "force_name",
        "oversight_name",
        "supporter_name",
        "postcode",
        "country",
    }
)
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
FACT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_TEXT = 4000
# Every supporter writes to each fixed recipient, so more than this is a campaign nobody finishes;
# a reply link carries one key per recipient (replies.MAX_KEYS) and must fit them all.
MAX_FIXED_RECIPIENTS = 10


class InvalidCampaign(ValueError):
    """A campaign document with problems; ``errors`` maps a field path to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))


@dataclass(frozen=True)
class Alternative:
    """One wording of a text or one entry of a pool, used where ``when`` matches the
    recipient (always, when it has none). ``fact`` names the fact a phrasing cites, so a
    letter never cites it twice."""

    text: str
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fact: str | None = None


# A text (opening, closing, an ask) is a string, or alternatives tried in order, the last with
# no condition; a pool (subject lines, a point's phrasings) holds strings and alternatives.
Text = str | tuple[Alternative, ...]
Entry = str | Alternative


def alternatives(text: Text) -> tuple[Alternative, ...]:
    """A text as its alternatives: a plain string is one alternative with no condition."""
    return (Alternative(text),) if isinstance(text, str) else tuple(text)


def as_alternative(entry: Entry) -> Alternative:
    return Alternative(entry) if isinstance(entry, str) else entry


def letter_texts(campaign: "Campaign") -> list[str]:
    """Every wording a letter may take: each alternative of each text, each pool entry."""
    chosen = [campaign.opening, campaign.closing, *campaign.asks.values()]
    texts = [a.text for text in chosen for a in alternatives(text)]
    texts += [as_alternative(e).text for e in campaign.subject_lines]
    pools = [p.phrasings for p in campaign.talking_points]
    return texts + [as_alternative(e).text for pool in pools for e in pool]


def default_text(text: Text) -> str:
    """The text a letter takes where no condition matches."""
    return text if isinstance(text, str) else (text[-1].text if text else "")


def usable(alt: Alternative, attributes: Mapping[str, str], *, partial: bool = False) -> bool:
    """Whether a letter with these attributes may take this wording: its condition matches,
    and every ``{force.…}``/``{place.…}`` it uses has a value here."""
    if not conditions.matches(alt.when, attributes, partial=partial):
        return False
    needed = conditions.facts_in(placeholders_in(alt.text))
    return all(attributes.get(n) or (partial and n not in attributes) for n in needed)


def choose(text: Text, attributes: Mapping[str, str], *, partial: bool = False) -> int | None:
    """The index of the first alternative this letter may take; None when none fits."""
    return next(
        (i for i, alt in enumerate(alternatives(text)) if usable(alt, attributes, partial=partial)),
        None,
    )


def eligible(pool: tuple[Entry, ...], attributes: Mapping[str, str]) -> list[int]:
    """The indexes of a pool's entries this letter may take."""
    return [i for i, e in enumerate(pool) if usable(as_alternative(e), attributes)]


@dataclass(frozen=True)
class TalkingPoint:
    id: str
    label: str
    phrasings: tuple[Entry, ...]
    source_url: str | None = None
    default_selected: bool = False
    # Where the point is offered, and in which letters: every attribute but role is the
    # place's; role picks the letters. Empty: everywhere.
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def nations(self) -> tuple[str, ...]:
        """The nations the point is for (empty: every nation the campaign serves)."""
        return tuple(self.when.get("nation", ()))


@dataclass(frozen=True)
class Prompt:
    id: str
    label: str
    hint: str = ""
    # Words the answer continues in the letter ("Near where I live, cameras could be used at"),
    # so a short answer ("Brixton high street") reads as a sentence.
    lead_in: str = ""


@dataclass(frozen=True)
class FixedRecipient:
    name: str
    email: str | None = None
    contact_url: str | None = None
    salutation: str | None = None
    nations: tuple[str, ...] = ()  # empty: every nation the campaign serves


@dataclass(frozen=True)
class Campaign:
    slug: str
    title: str
    # The summary as staff write it, in Markdown; summary_html is made from it when it is saved.
    # Documents from before Markdown have only summary_html, which is kept as it is.
    summary_html: str = ""
    status: str = "draft"
    targets: tuple[str, ...] = TARGET_ROLES
    fixed_recipients: tuple[FixedRecipient, ...] = ()
    subject_lines: tuple[Entry, ...] = ()
    opening: Text = ""
    talking_points: tuple[TalkingPoint, ...] = ()
    prompts: tuple[Prompt, ...] = ()
    asks: Mapping[str, Text] = field(default_factory=dict)
    closing: Text = ""
    sign_off: str = "Yours sincerely,"
    next_ask: str = ""
    # What supporters say when they share the campaign: "…written to my MP about {share_text}".
    share_text: str = ""
    allowed_origins: tuple[str, ...] = ()
    nations: tuple[str, ...] = NATIONS  # the nations whose supporters it writes for
    summary: str = ""  # Markdown (optional: older documents have summary_html only)
    organiser: str = ""  # who runs the campaign, shown to supporters: "Big Brother Watch"
    # The picture for link previews (og:image), never shown on the page: a path on this site
    # ("/static/lfr.png") or an https:// address.
    image_url: str = ""
    place_facts: PlaceFacts = field(default_factory=PlaceFacts)

    @property
    def summary_markdown(self) -> str:
        """The summary as Markdown, also for a summary written in HTML before Markdown."""
        return self.summary or markdown.from_html(self.summary_html)

    @property
    def next_ask_html(self) -> str:
        """The thank-you page text, written in Markdown, as sanitised HTML."""
        return markdown.to_html(self.next_ask)

    def point(self, point_id: str) -> TalkingPoint | None:
        return next((p for p in self.talking_points if p.id == point_id), None)

    def conditions(self) -> list[Mapping[str, tuple[str, ...]]]:
        """Every condition in the campaign, on texts, pools and points."""
        found = [
            a.when
            for t in (self.opening, self.closing, *self.asks.values())
            if not isinstance(t, str)
            for a in t
        ]
        pools = [self.subject_lines, *(p.phrasings for p in self.talking_points)]
        found += [e.when for pool in pools for e in pool if not isinstance(e, str)]
        return [w for w in found + [p.when for p in self.talking_points] if w]

    @property
    def scoped(self) -> bool:
        """Whether anything in the campaign differs by nation."""
        return (
            set(self.nations) != set(NATIONS)
            or any("nation" in w for w in self.conditions())
            or any(r.nations for r in self.fixed_recipients)
        )

    def for_nation(self, nation: str | None) -> "Campaign":
        """The campaign as offered to a supporter in ``nation``: the points and fixed
        recipients for their nation only. Which wording each letter takes is chosen per
        recipient when it is written (``compose``). A place of no known nation gets every
        point."""
        if nation is None or not self.scoped:
            return self
        return self.offered({"nation": nation})

    def offered(self, attributes: Mapping[str, str]) -> "Campaign":
        """The campaign as offered at a place with these attributes: the points whose
        condition (but for its role, which picks letters) matches, and the fixed recipients of
        its nation. An attribute not given is taken to match."""
        relevant = sorted({k for p in self.talking_points for k in p.when} | {"nation"})
        key = tuple(attributes.get(k) for k in relevant)
        # Made once per campaign object and place kind: every supporter request asks, and a
        # campaign object is never changed (a save makes a new one). Kept outside the
        # dataclass fields, so equality, asdict and replace never see it.
        views = self.__dict__.setdefault("_nation_views", {})
        if key not in views:
            at = {k: v for k, v in attributes.items() if k != "role"}
            nation = attributes.get("nation")
            views[key] = replace(
                self,
                talking_points=tuple(
                    p
                    for p in self.talking_points
                    if conditions.matches(
                        {k: v for k, v in p.when.items() if k != "role"}, at, partial=True
                    )
                ),
                fixed_recipients=tuple(
                    r for r in self.fixed_recipients if nation is None or _in(nation, r.nations)
                ),
                nations=(nation,) if nation in NATIONS else self.nations,
            )
        return views[key]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the same for export, revisions and the bundled example."""
        data = asdict(self)
        for name in ("opening", "closing"):
            data[name] = text_to_json(getattr(self, name))
        data["asks"] = {role: text_to_json(text) for role, text in self.asks.items()}
        data["subject_lines"] = tuple(entry_to_json(e) for e in self.subject_lines)
        data["talking_points"] = [_point_to_json(p) for p in self.talking_points]
        data["place_facts"] = self.place_facts.to_dict() if self.place_facts else {}
        for name in OMITTED_WHEN_EMPTY:  # so a document without them reads as it always did
            if not data[name]:
                del data[name]
        return {"format": FORMAT, **data}


def _when_to_json(when: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    return {name: list(values) for name, values in when.items()}


def entry_to_json(entry: Entry) -> str | dict[str, Any]:
    """A pool entry as the document writes it: a string when it has no condition or fact."""
    if isinstance(entry, str):
        return entry
    if not entry.when and not entry.fact:
        return entry.text
    out: dict[str, Any] = {"text": entry.text}
    if entry.when:
        out["when"] = _when_to_json(entry.when)
    if entry.fact:
        out["fact"] = entry.fact
    return out


def text_to_json(text: Text) -> str | list[dict[str, Any]]:
    """A text as the document writes it: a string when it is a default alone."""
    if isinstance(text, str):
        return text
    if len(text) == 1 and not text[0].when:
        return text[0].text
    return [
        {"when": _when_to_json(a.when), "text": a.text} if a.when else {"text": a.text}
        for a in text
    ]


def _point_to_json(point: TalkingPoint) -> dict[str, Any]:
    data = {
        "id": point.id,
        "label": point.label,
        "phrasings": tuple(entry_to_json(e) for e in point.phrasings),
        "source_url": point.source_url,
        "default_selected": point.default_selected,
    }
    if point.when:
        data["when"] = _when_to_json(point.when)
    return data


# Optional parts newer than the format: left out of a document when empty, so documents and
# exports from before them stay as they were (and a row is reset to "" when they are).
OMITTED_WHEN_EMPTY = ("summary", "organiser", "image_url", "place_facts")


def in_words(items: list[str], last: str = "and") -> str:
    """Items as a sentence writes them: "A", "A and B", "A, B and C"."""
    return ", ".join(items[:-1]) + (f" {last} " if len(items) > 1 else "") + items[-1]


def in_nation_order(nations) -> tuple[str, ...]:
    """Nations in one order everywhere (England, Wales, Scotland, Northern Ireland), as the
    editor lists them; a name that is no nation keeps its place after them, for the check."""
    return tuple(sorted(nations, key=lambda n: NATIONS.index(n) if n in NATIONS else len(NATIONS)))


def _in(nation: str, nations: tuple[str, ...]) -> bool:
    return not nations or nation in nations


def nation_of(country: str | None) -> str | None:
    """The nation key for a place's country as postcodes.io names it ("Northern Ireland")."""
    return next((key for key, name in NATION_NAMES.items() if name == country), None)


def fixed_key(name: str) -> str:
    """A fixed recipient's code in counts and reply links: a slug of their name ("Home
    Secretary" → "home-secretary"); a name with no letters A to Z gives "fixed"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "fixed"


def placeholders_in(text: str) -> set[str]:
    """Names used as ``{name}`` in staff text."""
    return {m.group(1) for m in PLACEHOLDER.finditer(text)}


def fill(text: str, values: Mapping[str, str]) -> str:
    """Plain-text substitution of known placeholders; staff text is never run as a template."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


LIST_FIELDS = (
    "nations",
    "targets",
    "fixed_recipients",
    "subject_lines",
    "talking_points",
    "prompts",
    "allowed_origins",
)


# The JSON type of every field of every item, so a wrong type is an error at save, not a
# crash or a silently stored oddity later. "text?" may also be null.
ITEM_FIELDS = {
    "talking_points": {
        "id": "text",
        "label": "text",
        "phrasings": "pool",
        "source_url": "text?",
        "default_selected": "bool",
        "nations": "texts",  # from /2 documents: read as when: {nation: [...]}
        "when": "when",
    },
    "prompts": {"id": "text", "label": "text", "hint": "text", "lead_in": "text"},
    "fixed_recipients": {
        "name": "text",
        "email": "text?",
        "contact_url": "text?",
        "salutation": "text?",
        "nations": "texts",
    },
}
TEXT_FIELDS = ("slug", "title", "summary_html", "status", "sign_off")
TEXT_FIELDS += ("next_ask", "share_text", "summary", "organiser", "image_url")
CHOSEN_TEXTS = ("opening", "closing")  # a string, or alternatives chosen per recipient
TEXT_LIST_FIELDS = ("targets", "allowed_origins", "nations")
VARIANT_FIELDS = {"subject_lines": "texts", "opening": "text", "asks": "asks"}
TYPE_MESSAGES = {
    "text": "Must be text.",
    "text?": "Must be text (or left out).",
    "texts": "Must be a list of texts.",
    "bool": "Must be true or false.",
    "pool": "Must be a list of texts or {text, when, fact} objects.",
    "when": "Must be an object of attribute to a list of values.",
    "alternatives": "Must be text, or a list of {when, text} objects.",
}


def _is_when(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, list | tuple) and all(isinstance(x, str) for x in v)
        for k, v in value.items()
    )


def _is_entry(value: Any, keys: frozenset[str]) -> bool:
    """An object of a pool or a text: its text, maybe a condition, maybe a fact."""
    return (
        isinstance(value, Mapping)
        and not set(value) - keys
        and isinstance(value.get("text"), str)
        and _is_when(value.get("when", {}))
        and isinstance(value.get("fact", ""), str)
    )


POOL_KEYS = frozenset({"text", "when", "fact"})
ALTERNATIVE_KEYS = frozenset({"text", "when"})


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "text?":
        return value is None or isinstance(value, str)
    if kind == "texts":
        return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    if kind == "pool":
        return isinstance(value, list | tuple) and all(
            isinstance(v, str) or _is_entry(v, POOL_KEYS) for v in value
        )
    if kind == "when":
        return _is_when(value)
    if kind == "alternatives":
        return isinstance(value, str) or (
            isinstance(value, list | tuple) and all(_is_entry(v, ALTERNATIVE_KEYS) for v in value)
        )
    return isinstance(value, str if kind == "text" else bool)


def _shape_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Wrong JSON types, found before anything is built, so none is silently dropped."""
    errors: dict[str, list[str]] = {}
    for name in LIST_FIELDS:
        if name in data and not isinstance(data[name], list | tuple):
            errors[name] = ["Must be a list."]
    for name in TEXT_LIST_FIELDS:
        if isinstance(data.get(name), list | tuple):
            for i, value in enumerate(data[name]):
                if not isinstance(value, str):
                    errors[f"{name}.{i}"] = ["Must be text."]
    if isinstance(data.get("subject_lines"), list | tuple):
        for i, value in enumerate(data["subject_lines"]):
            if not _type_ok("pool", [value]):
                errors[f"subject_lines.{i}"] = ["Must be text, or a {text, when} object."]
    for name, fields in ITEM_FIELDS.items():
        items = data.get(name)
        if not isinstance(items, list | tuple):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                errors[f"{name}.{i}"] = ["Must be an object."]
                continue
            for key, value in item.items():
                kind = fields.get(key)
                if kind is None:
                    errors[f"{name}.{i}"] = [f"Unexpected field {str(key)[:40]!r}."]
                elif key in item and not _type_ok(kind, value):
                    errors[f"{name}.{i}.{key}"] = [TYPE_MESSAGES[kind]]
    for name in TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            errors[name] = ["Must be text."]
    for name in CHOSEN_TEXTS:
        if name in data and not _type_ok("alternatives", data[name]):
            errors[name] = [TYPE_MESSAGES["alternatives"]]
    asks = data.get("asks")
    if isinstance(asks, Mapping):
        for role, text in asks.items():
            if not _type_ok("alternatives", text):
                errors[f"asks.{str(role)[:40]}"] = [TYPE_MESSAGES["alternatives"]]
    elif asks is not None:
        errors["asks"] = ["Must be an object of target to text."]
    variants = data.get("variants")
    if isinstance(variants, Mapping):
        for nation, variant in variants.items():
            path = f"variants.{str(nation)[:40]}"
            if nation not in NATIONS:
                errors[path] = [f"Unknown nation {str(nation)[:40]!r}; use {', '.join(NATIONS)}."]
                continue
            if not isinstance(variant, Mapping):
                errors[path] = ["Must be an object."]
                continue
            for key, value in variant.items():
                kind = VARIANT_FIELDS.get(key)
                if kind is None:
                    errors[path] = [f"Unexpected field {str(key)[:40]!r}."]
                elif kind == "asks":
                    if not isinstance(value, Mapping) or not all(
                        isinstance(v, str) for v in value.values()
                    ):
                        errors[f"{path}.asks"] = ["Must be an object of target to text."]
                elif not _type_ok(kind, value):
                    errors[f"{path}.{key}"] = [TYPE_MESSAGES[kind]]
    elif variants is not None:
        errors["variants"] = ["Must be an object of nation to text."]
    if data.get("format", FORMAT) not in FORMATS:
        errors["format"] = [
            f"Unknown format {str(data.get('format'))[:40]!r}; expected {FORMAT!r}."
        ]
    return errors


def upgraded(data: Mapping[str, Any], moved: dict[str, str] | None = None) -> dict[str, Any]:
    """A /1 or /2 document in the /3 form: each nation's own text (``variants``) becomes
    alternatives with a ``nation`` condition, tried before the default, and a point's
    ``nations`` its ``when``. The letters stay exactly as they were. The shape is checked.

    ``moved`` is filled with each new field path whose text came from another path of the
    old document, so errors can name the place in the file staff have."""
    moved = {} if moved is None else moved
    data = dict(data)
    variants = data.pop("variants", None) or {}
    order = [n for n in NATIONS if n in variants] + [n for n in variants if n not in NATIONS]

    def nation_first(path: str, default: Any, texts: dict[str, str], old: str) -> Any:
        by_text: dict[str, list[str]] = {}
        for nation in order:
            if text := texts.get(nation):
                by_text.setdefault(text, []).append(nation)
        if not by_text:
            return default
        alts = [{"when": {"nation": ns}, "text": text} for text, ns in by_text.items()]
        for k, nations in enumerate(by_text.values()):
            moved[f"{path}.{k}.text"] = f"variants.{nations[0]}.{old}"
            moved[f"{path}.{k}.when"] = f"variants.{nations[0]}"
        if isinstance(default, str):
            moved[f"{path}.{len(alts)}.text"] = path
            return [*alts, {"text": default}]
        return [*alts, *default]  # already alternatives: the nations' text comes first

    data["opening"] = nation_first(
        "opening",
        data.get("opening", ""),
        {n: v.get("opening") for n, v in variants.items()},
        "opening",
    )
    asks = dict(data.get("asks") or {})
    for role in dict.fromkeys(r for v in variants.values() for r in v.get("asks") or {}):
        texts = {n: (v.get("asks") or {}).get(role) for n, v in variants.items()}
        asks[role] = nation_first(f"asks.{role}", asks.get(role, ""), texts, f"asks.{role}")
    data["asks"] = asks
    own_lines = {n: v["subject_lines"] for n, v in variants.items() if v.get("subject_lines")}
    if own_lines:
        others = [n for n in NATIONS if n not in own_lines]
        lines, old = [], []
        for n in order:
            for j, line in enumerate(own_lines.get(n, ())):
                lines.append({"text": line, "when": {"nation": [n]}})
                old.append(f"variants.{n}.subject_lines.{j}")
        if others:  # the default lines, where no nation's own replaced them
            for j, line in enumerate(data.get("subject_lines") or ()):
                lines.append(
                    {"text": line, "when": {"nation": others}} if isinstance(line, str) else line
                )
                old.append(f"subject_lines.{j}")
        moved.update({f"subject_lines.{i}": path for i, path in enumerate(old)})
        data["subject_lines"] = lines
    points = []
    for i, point in enumerate(data.get("talking_points") or ()):
        point = dict(point)
        moved[f"talking_points.{i}.when"] = f"talking_points.{i}.nations"
        if nations := point.pop("nations", None):
            point["when"] = {"nation": list(nations), **(point.get("when") or {})}
        points.append(point)
    if "talking_points" in data:
        data["talking_points"] = points
    return data


def _alternatives_from(value: Any) -> Text:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return tuple(Alternative(a["text"], _when_from(a.get("when"))) for a in value)


def _entry_from(value: Any) -> Entry:
    if isinstance(value, str):
        return value
    return Alternative(value["text"], _when_from(value.get("when")), value.get("fact") or None)


def _when_from(value: Any) -> dict[str, tuple[str, ...]]:
    return {
        name: in_nation_order(values) if name == "nation" else tuple(values)
        for name, values in (value or {}).items()
    }


def from_dict(data: Mapping[str, Any], *, clean: bool = True, check: bool = True) -> Campaign:
    """Build and validate a campaign from its JSON form (any of ``FORMATS``).

    ``clean=False, check=False`` is for documents this app stored itself: they were cleaned and
    checked when they were saved (by the rules of the day, which may since have grown stricter:
    a stored campaign keeps working, and its editor shows what to fix at the next save).

    :raise InvalidCampaign: with every problem found, keyed by field path.
    """
    if not isinstance(data, Mapping):
        raise InvalidCampaign({"": ["A campaign must be a JSON object."]})
    errors = _shape_errors(data)
    if errors:
        raise InvalidCampaign(errors)
    moved: dict[str, str] = {}
    data = upgraded(data, moved)
    try:
        facts = place_facts.from_dict(data.get("place_facts"))
    except place_facts.BadFacts as exc:
        raise InvalidCampaign({"place_facts": [str(exc)]}) from None
    try:
        campaign = Campaign(
            slug=data.get("slug", ""),
            title=data.get("title", ""),
            summary=data.get("summary") or "",
            organiser=(data.get("organiser") or "").strip(),  # spaces alone: no organiser
            image_url=data.get("image_url") or "",
            summary_html=_summary_html(data) if clean else data.get("summary_html") or "",
            status=data.get("status", "draft"),
            targets=tuple(data.get("targets", TARGET_ROLES)),
            fixed_recipients=tuple(
                FixedRecipient(**{**r, "nations": in_nation_order(r.get("nations") or ())})
                for r in data.get("fixed_recipients", ())
            ),
            subject_lines=tuple(_entry_from(e) for e in data.get("subject_lines", ())),
            opening=_alternatives_from(data.get("opening", "")),
            talking_points=tuple(
                TalkingPoint(
                    **{
                        **p,
                        "phrasings": tuple(_entry_from(e) for e in p.get("phrasings") or ()),
                        "when": _when_from(p.get("when")),
                    }
                )
                for p in data.get("talking_points", ())
            ),
            prompts=tuple(Prompt(**p) for p in data.get("prompts", ())),
            asks={role: _alternatives_from(t) for role, t in (data.get("asks") or {}).items()},
            closing=_alternatives_from(data.get("closing", "")),
            sign_off=data.get("sign_off", "Yours sincerely,"),
            next_ask=data.get("next_ask", ""),
            share_text=data.get("share_text", ""),
            allowed_origins=tuple(data.get("allowed_origins", ())),
            nations=in_nation_order(data.get("nations") or NATIONS),
            place_facts=facts,
        )
    except TypeError as exc:
        # An unknown or missing key inside an item; say which, without Python's wording.
        field_name = str(exc).rsplit(" ", 1)[-1].strip("'")
        raise InvalidCampaign({"": [f"Unexpected or missing field {field_name!r}."]}) from None
    errors = validate(campaign) if check else {}
    if errors:
        found: dict[str, list[str]] = {}
        for path, messages in errors.items():
            found.setdefault(moved.get(path, path), []).extend(messages)
        raise InvalidCampaign(found)
    return campaign


def _summary_html(data: Mapping[str, Any]) -> str:
    """The summary's HTML: rendered from its Markdown when there is any, else the document's
    own HTML (from before Markdown), cleaned."""
    summary = data.get("summary") or ""
    if summary.strip():
        return markdown.to_html(summary)
    return clean_html(data.get("summary_html") or "")


# Control characters (NUL breaks PostgreSQL text), lone surrogates (no encoder takes them) and
# invisible reordering characters; line breaks and tabs are fine.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
UNSTORABLE_MESSAGE = "This contains invisible or control characters. Please retype it."
ENCODED_WORD_MESSAGE = (
    "Remove the “=?…?=” part: mail programs read it as hidden header code, not as words."
)


def text_problem(text: str) -> str | None:
    """Why staff text can't be stored or sent as it is, or None."""
    if UNSTORABLE.search(text):
        return UNSTORABLE_MESSAGE
    if ENCODED_WORD.search(text):
        return ENCODED_WORD_MESSAGE
    return None


def _check_text(
    errors: dict[str, list[str]],
    path: str,
    text: Any,
    required: bool,
    names: frozenset[str] = PLACEHOLDERS,
) -> None:
    """``names``: the placeholders the text may use (the force's and the place's facts too,
    for letter text)."""
    if not isinstance(text, str):
        errors.setdefault(path, []).append("Must be text.")
        return
    if problem := text_problem(text):
        errors.setdefault(path, []).append(problem)
    if required and not text.strip():
        errors.setdefault(path, []).append("This is required.")
    if len(text) > MAX_TEXT:
        errors.setdefault(path, []).append(f"Keep this to {MAX_TEXT} characters or fewer.")
    unknown = sorted(placeholders_in(text) - names)
    if unknown:
        allowed = ", ".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS))
        facts = ", ".join(f"{{{p}}}" for p in sorted(names - PLACEHOLDERS))
        listed = ", ".join(f"{{{u}}}" for u in unknown)
        message = f"Unknown placeholder {listed}. You can use {allowed}."
        errors.setdefault(path, []).append(message + (f" Facts: {facts}." if facts else ""))


def validate(c: Campaign) -> dict[str, list[str]]:
    """Every problem with a campaign, keyed by field path (empty when it can be saved)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(c.slug, str) or not SLUG.fullmatch(c.slug):
        errors["slug"] = ["Use lower-case letters, digits and single hyphens, like stop-lfr."]
    _check_text(errors, "title", c.title, required=True)
    if c.status not in STATUSES:
        errors["status"] = [f"Status must be one of {', '.join(STATUSES)}."]
    bad_roles = [t for t in c.targets if t not in TARGET_ROLES]
    if bad_roles:
        errors["targets"] = [f"Unknown target {bad_roles[0]!r}."]
    elif len(set(c.targets)) != len(c.targets):
        errors["targets"] = ["Each target can be chosen once."]
    if not c.targets and not c.fixed_recipients:
        errors["targets"] = ["Choose at least one target or add a fixed recipient."]
    if not c.subject_lines:
        errors["subject_lines"] = ["Add at least one subject line."]
    for name in ("sign_off", "next_ask", "share_text"):
        _check_text(errors, name, getattr(c, name), required=name == "sign_off")
    _check_chosen(errors, c)
    if any(re.match(r"\s*dear\b", a.text, re.I) for a in alternatives(c.opening)):
        errors.setdefault("opening", []).append(
            "Each letter already begins “Dear …,”: start the opening after the greeting."
        )
    for role in c.asks:
        if role not in TARGET_ROLES:
            errors.setdefault("asks", []).append(f"Unknown target {role!r}.")
    _check_items(errors, "talking_points", c.talking_points)
    _check_items(errors, "prompts", c.prompts)
    for i, point in enumerate(c.talking_points):
        _check_text(errors, f"talking_points.{i}.label", point.label, required=True)
        if not point.phrasings:
            errors[f"talking_points.{i}.phrasings"] = ["Add at least one phrasing."]
    for i, prompt in enumerate(c.prompts):
        _check_text(errors, f"prompts.{i}.label", prompt.label, required=True)
        _check_text(errors, f"prompts.{i}.hint", prompt.hint, required=False)
        _check_text(errors, f"prompts.{i}.lead_in", prompt.lead_in, required=False)
    if isinstance(c.summary_html, str) and UNSTORABLE.search(c.summary_html):
        errors["summary_html"] = [UNSTORABLE_MESSAGE]
    # Not _check_text: a summary has no placeholders, so braces in it are just braces.
    if isinstance(c.summary, str) and UNSTORABLE.search(c.summary):
        errors["summary"] = [UNSTORABLE_MESSAGE]
    if isinstance(c.summary, str) and len(c.summary) > MAX_TEXT:
        errors["summary"] = [f"Keep this to {MAX_TEXT} characters or fewer."]
    if problem := organiser_problem(c.organiser):
        errors["organiser"] = [problem]
    if problem := image_url_problem(c.image_url):
        errors["image_url"] = [problem]
    if c.status == "live" and not c.talking_points:
        errors.setdefault("talking_points", []).append(
            "A live campaign needs at least one talking point."
        )
    for i, point in enumerate(c.talking_points):
        if point.source_url and not is_web_url(point.source_url):
            errors[f"talking_points.{i}.source_url"] = [URL_MESSAGE]
    for i, r in enumerate(c.fixed_recipients):
        _check_text(errors, f"fixed_recipients.{i}.name", r.name, required=False)
        _check_text(errors, f"fixed_recipients.{i}.salutation", r.salutation or "", required=False)
        if not r.name or not (r.email or r.contact_url):
            errors[f"fixed_recipients.{i}"] = ["Give a name and an email address or contact page."]
        if r.email and email_problem(r.email):
            errors[f"fixed_recipients.{i}.email"] = [email_problem(r.email)]
        if r.contact_url and not is_web_url(r.contact_url):
            errors[f"fixed_recipients.{i}.contact_url"] = [URL_MESSAGE]
    _check_fixed_keys(errors, c.fixed_recipients)
    for i, origin in enumerate(c.allowed_origins):
        try:
            if parse_origin(origin) != origin:
                errors[f"allowed_origins.{i}"] = [f"Write this as {parse_origin(origin)}"]
        except ValueError as exc:
            errors[f"allowed_origins.{i}"] = [str(exc)]
    if len(set(c.allowed_origins)) != len(c.allowed_origins):
        errors.setdefault("allowed_origins", []).append("Each site can be listed once.")
    _check_nations(errors, c)
    return errors


def _check_fixed_keys(errors: dict[str, list[str]], recipients: tuple) -> None:
    """At most ``MAX_FIXED_RECIPIENTS``, and no two counted as one: replies are counted under
    ``fixed_key``, so two names that slug alike would share their counts."""
    if len(recipients) > MAX_FIXED_RECIPIENTS:
        errors.setdefault("fixed_recipients", []).append(
            f"Add at most {MAX_FIXED_RECIPIENTS} fixed recipients (“Also write to”): every "
            f"supporter writes to each of them. Remove {len(recipients) - MAX_FIXED_RECIPIENTS}."
        )
    first: dict[str, int] = {}
    for i, r in enumerate(recipients):
        if not isinstance(r.name, str) or not r.name:
            continue
        key = fixed_key(r.name)
        if key not in first:
            first[key] = i
            continue
        j = first[key]
        errors.setdefault(f"fixed_recipients.{i}.name", []).append(
            f"This name is too like fixed recipient {j + 1}'s (“{recipients[j].name}”): once "
            "accents, spaces, punctuation and letters other than A to Z are left out they read "
            "the same, so replies to them would be counted together. Make the names differ in "
            "letters A to Z or digits."
        )


def _fact_names(c: Campaign) -> dict[str, frozenset[str]]:
    """Each ``force.``/``place.`` attribute the campaign may use, with the values it has."""
    from advocacy.places.directory import force_fact_values  # noqa: PLC0415 — directory is heavier

    return {**force_fact_values(), **c.place_facts.values()}


def _always_known(name: str) -> bool:
    """Whether every place has a value for this fact, so default text may use it."""
    from advocacy.places.directory import always_known  # noqa: PLC0415

    return name.startswith("force.") and always_known(name)


def _check_when(errors: dict, path: str, when: Mapping, known: Mapping) -> None:
    roles = tuple(TARGET_ROLES)
    for problem in conditions.problems(when, known, roles=roles):
        errors.setdefault(f"{path}.when", []).append(problem)


def _check_chosen(errors: dict[str, list[str]], c: Campaign) -> None:
    """Texts and pools chosen per recipient: their wordings, their conditions, and that a
    default always exists (a letter never goes without its opening or a subject line)."""
    known = _fact_names(c)
    names = PLACEHOLDERS | frozenset(known)
    needs_default = "The last alternative is the default: it can't have a condition."
    for name, text in [("opening", c.opening), ("closing", c.closing)] + [
        (f"asks.{role}", text) for role, text in c.asks.items()
    ]:
        if isinstance(text, str):
            _check_text(errors, name, text, required=False, names=names)
            _check_default(errors, name, text)
            continue
        if not text:
            errors[name] = ["Add at least the default text."]
            continue
        for i, alt in enumerate(text):
            path = f"{name}.{i}"
            _check_text(errors, f"{path}.text", alt.text, required=False, names=names)
            last = i == len(text) - 1
            if alt.when:
                _check_when(errors, path, alt.when, known)
                if last:
                    errors.setdefault(f"{path}.when", []).append(needs_default)
            elif not last:
                errors.setdefault(f"{path}.when", []).append(
                    "Only the last alternative can have no condition: the ones after this "
                    "would never be used."
                )
            else:
                _check_default(errors, f"{path}.text", alt.text)
    if not c.subject_lines:
        errors["subject_lines"] = ["Add at least one subject line."]
    _check_pool(errors, "subject_lines", c.subject_lines, c, known, names, conditional=False)
    for i, point in enumerate(c.talking_points):
        path = f"talking_points.{i}"
        if point.when:
            _check_when(errors, path, point.when, known)
        _check_pool(errors, f"{path}.phrasings", point.phrasings, c, known, names, bool(point.when))


def _check_default(errors: dict[str, list[str]], path: str, text: str) -> None:
    """Default text goes to every place, so it may use only facts every place has."""
    missing = sorted(n for n in conditions.facts_in(placeholders_in(text)) if not _always_known(n))
    if missing:
        errors.setdefault(path, []).append(
            f"Not every place has {{{missing[0]}}}: use it in an alternative with a "
            "condition, and keep a default without it."
        )


def _check_pool(
    errors: dict[str, list[str]],
    path: str,
    pool: tuple[Entry, ...],
    c: Campaign,
    known: Mapping[str, frozenset[str]],
    names: frozenset[str],
    conditional: bool,
) -> None:
    """Each entry, and an entry for every letter: one with no condition, unless the point
    has its own, or entries for each nation the campaign serves (from /2 documents)."""
    covered: set[str] = set()
    default = False
    for j, entry in enumerate(pool):
        alt = as_alternative(entry)
        _check_text(errors, f"{path}.{j}", alt.text, required=True, names=names)
        if alt.when:
            _check_when(errors, f"{path}.{j}", alt.when, known)
            if set(alt.when) == {"nation"}:
                covered.update(alt.when["nation"])
        elif not conditions.facts_in(placeholders_in(alt.text)) - {
            n for n in known if _always_known(n)
        }:
            default = True
        if alt.fact is not None and not FACT_ID.fullmatch(alt.fact):
            errors.setdefault(f"{path}.{j}.fact", []).append(
                "Name the fact with lower-case letters, digits, - or _, like london-bridge."
            )
    if pool and not default and not conditional and not set(c.nations) <= covered:
        errors.setdefault(path, []).append(
            "Keep at least one entry with no condition (and no place fact), so every letter "
            "has one."
        )


def _check_nations(errors: dict[str, list[str]], c: Campaign) -> None:
    """Nation scopes name real nations, and no nation the campaign serves is left without a
    point, a subject line or an ask for each target (found at save, never at send)."""
    known = ", ".join(NATIONS)

    def check_keys(path: str, nations: tuple[str, ...]) -> None:
        bad = [n for n in nations if n not in NATIONS]
        if bad:
            errors.setdefault(path, []).append(f"Unknown nation {bad[0]!r}; use {known}.")

    check_keys("nations", c.nations)
    for i, r in enumerate(c.fixed_recipients):
        check_keys(f"fixed_recipients.{i}.nations", r.nations)
    if not c.scoped or errors.get("nations"):
        return
    for nation in c.nations:
        served = c.for_nation(nation)
        here = {"nation": nation}
        name = NATION_NAMES.get(nation, nation)
        missing = []
        if not served.talking_points:
            missing.append("talking points")
        if not any(usable(as_alternative(e), here, partial=True) for e in c.subject_lines):
            missing.append("subject line")
        for role in c.targets:
            if role not in ROLE_WORDS:
                continue  # unknown targets: an error above
            text = c.asks.get(role, "")
            index = choose(text, {**here, "role": role}, partial=True)
            if index is None or not alternatives(text)[index].text.strip():
                missing.append(f"ask of the {ROLE_WORDS[role]}")
        if missing:
            listed = in_words(missing, "or")
            errors.setdefault("nations", []).append(
                f"Supporters in {name} would get no {listed}: add it for {name}, or stop "
                f"serving {name}."
            )


ROLE_WORDS = {"mp": "MP", "police_force": "police force", "police_oversight": "oversight body"}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


URL_MESSAGE = "Enter a full web address starting with https:// (or http://)."


def is_web_url(url: str) -> bool:
    """An http(s) address with a host and nothing invisible or spaced in it."""
    url = url.strip()
    if not url or UNSTORABLE.search(url) or re.search(r"\s", url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # e.g. a port that is not a number
        return False


MAX_ORGANISER = 120
# Everything str.splitlines() breaks a line at (NEL and the Unicode line and paragraph
# separators included), not only \n and \r.
LINE_BREAKS = ("\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def organiser_problem(name: str) -> str | None:
    """Why an organiser's name can't be shown as it is, or None. Plain text on one line;
    braces are just braces (it is never filled in like letter text)."""
    if problem := text_problem(name):
        return problem
    if len(name.splitlines()) > 1 or name.endswith(LINE_BREAKS):
        return "Keep the organiser's name on one line."
    if len(name) > MAX_ORGANISER:
        return f"Keep this to {MAX_ORGANISER} characters or fewer."
    return None


MAX_IMAGE_URL = 500
IMAGE_URL_MESSAGE = (
    "Enter the picture's address on this site, starting with / (like /static/campaign.png), "
    "or its full web address starting with https://."
)
# What an address may hold after its host: URL characters only (no spaces, quotes, <, >,
# backslashes or #), and % only as the start of an escape like %20.
URL_PATH = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*")
HTTPS_IMAGE = re.compile(r"https://(?P<host>[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?(?P<rest>.*)")


def image_url_problem(url: str) -> str | None:
    """Why a sharing image's address can't go into a page's og:image tag, or None.

    Strict on purpose: a path on this site (never "//", which would be another site) or an
    https:// address of a named host, with nothing but URL characters in it.
    """
    if not url:
        return None
    if len(url) > MAX_IMAGE_URL:
        return f"Keep this to {MAX_IMAGE_URL} characters or fewer."
    if url.startswith("/"):
        ok = not url.startswith("//") and URL_PATH.fullmatch(url)
        return None if ok else IMAGE_URL_MESSAGE
    match = HTTPS_IMAGE.fullmatch(url)
    if match is None:
        return IMAGE_URL_MESSAGE
    rest = match["rest"]  # after the host and port: nothing, or a path or query
    if rest and not (rest[0] in "/?" and URL_PATH.fullmatch(rest)):
        return IMAGE_URL_MESSAGE
    host = match["host"].lower().rstrip(".")
    if "." not in host or not all(LABEL.fullmatch(label) for label in host.split(".")):
        return IMAGE_URL_MESSAGE
    if re.fullmatch(r"[0-9.]+", host):
        return "Use the picture's web address with a site name, not a number address."
    if match["port"] and not 0 < int(match["port"]) < 65536:
        return IMAGE_URL_MESSAGE
    return None


def email_problem(email: str) -> str | None:
    """Why an address can't be used in a ``To:`` header as it is, or None."""
    try:
        valid = validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"This email address doesn't look right: {exc}"
    if not safe_address(email.strip()) or not safe_address(valid.normalized):
        return "Enter a plain address, like name@example.org, with no name, quotes or “=?”."
    return None


# A host name of letters, digits and hyphens per label, after IDNA encoding (xn--...).
LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
ORIGIN_SYNTAX = re.compile(
    r"(?P<scheme>[A-Za-z]+)://(?P<host>\[[0-9A-Fa-f:.]+\]|[^/?#:\[\]@]+)(?::(?P<port>[0-9]{1,5}))?"
    r"(?:[/?#].*)?",
    re.DOTALL,
)


def _host(text: str) -> str:
    """The host as a browser puts it in an Origin: lower case, IDNA-encoded; ValueError else."""
    if text.startswith("["):
        address = ipaddress.IPv6Address(text[1:-1])  # ValueError when it is not one
        return f"[{address.compressed}]"
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        pass
    try:
        host = idna.encode(text.rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError:
        raise ValueError(text) from None
    if not all(LABEL.fullmatch(label) for label in host.split(".")) or len(host) > 253:
        raise ValueError(text)
    return host


def parse_origin(text: str) -> str:
    """A site allowed to embed the campaign, as a browser writes its origin.

    ``https://Example.org/page`` is written ``https://example.org``. Only a scheme, a host name
    (IDNA) or IP address, and a port survive: the result goes into the ``frame-ancestors``
    header and is compared with the ``Origin`` header, so nothing else may ever reach either.

    :raise ValueError: with a message for staff.
    """
    shown = text.strip()[:100]
    match = ORIGIN_SYNTAX.fullmatch(text.strip())
    if match is None or match["scheme"].lower() not in ("http", "https"):
        if "*" in text or "@" in text.split("//", 1)[-1].split("/", 1)[0]:
            raise ValueError(
                "List each site in full, like https://www.example.org (no * or logins)."
            )
        raise ValueError(f"{shown!r} is not a site address. Write it like https://www.example.org")
    scheme = match["scheme"].lower()
    try:
        host = _host(match["host"])
    except ValueError:
        raise ValueError(
            f"{shown!r} is not a site address. Write it like https://www.example.org"
        ) from None
    port = int(match["port"]) if match["port"] else None
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"{shown!r} has an invalid port number.")
    if scheme == "http" and not _is_loopback(host.strip("[]")):
        raise ValueError("Use the site's https:// address; only local test sites may use http.")
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def is_origin(text: str) -> bool:
    """Whether text is exactly an origin as ``parse_origin`` writes it."""
    try:
        return parse_origin(text) == text
    except ValueError:
        return False


def _check_items(errors: dict[str, list[str]], path: str, items: tuple) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item.id, str) or not ITEM_ID.fullmatch(item.id):
            errors[f"{path}.{i}.id"] = ["Use up to 40 lower-case letters, digits, - or _."]
        elif item.id in seen:
            errors[f"{path}.{i}.id"] = [f"The id {item.id!r} is used twice."]
        else:
            seen.add(item.id)
