"""The campaign document: what staff write, checked once when saved, never at supporter time.

A campaign is a plain, frozen value (``Campaign``) with one JSON form (``FORMAT``). The same form
is used for the bundled example, the database rows, revisions and import/export, so there is one
set of rules for what a valid campaign is.
"""

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any

from advocacy.letters import conditions
from advocacy.letters import markdown
from advocacy.letters.message import N_
from advocacy.letters.place_facts import PlaceFacts

# /2 added nation scopes, /3 conditions on text and place facts; /1 and /2 files import
# unchanged (their nation variants become conditions, ``upgraded``).
FORMAT = "advocacy.campaign/3"
FORMATS = ("advocacy.campaign/1", "advocacy.campaign/2", FORMAT)
# Policing and justice are devolved in Scotland and Northern Ireland, so a campaign may say
# different things, to different people, in each nation. Keys as staff write them in files.
NATIONS = ("england", "wales", "scotland", "northern_ireland")
NATION_NAMES = {
    "england": N_("England"),
    "wales": N_("Wales"),
    "scotland": N_("Scotland"),
    "northern_ireland": N_("Northern Ireland"),
}
STATUSES = ("draft", "live", "closed")
TARGET_ROLES = ("mp", "police_force", "police_oversight")
# What ``asks`` may be keyed by: a target role, or "fixed" for the campaign's own recipients.
ASK_KEYS = (*TARGET_ROLES, "fixed")
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
# Placeholders only a place fills: a campaign using one asks where the supporter lives.
PLACE_PLACEHOLDERS = frozenset(
    {"constituency", "force_name", "oversight_name", "postcode", "country"}
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
    # The campaign's text in other languages, as staff wrote it (``campaign_json.TRANSLATED``
    # says which fields): {"cy": {"title": ..., "talking_points": [{"id", "label", ...}]}}.
    # ``campaign_json.in_language`` makes the campaign in one of them.
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    language: str = "en"  # the language of this object's text

    @functools.cached_property
    def languages(self) -> tuple[str, ...]:
        """The languages a supporter may read and write this campaign in, English first."""
        return ("en", *(code for code in LANGUAGES if code in self.translations))

    @property
    def summary_markdown(self) -> str:
        """The summary as Markdown, also for a summary written in HTML before Markdown."""
        return self.summary or markdown.from_html(self.summary_html)

    @property
    def next_ask_html(self) -> str:
        """The thank-you page text, written in Markdown, as sanitised HTML."""
        return markdown.to_html(self.next_ask)

    def point(self, point_id: str) -> TalkingPoint | None:
        return self._points_by_id.get(point_id)

    @functools.cached_property
    def _points_by_id(self) -> dict[str, TalkingPoint]:
        """Asked for each point of every letters request: a lookup, not a search."""
        found: dict[str, TalkingPoint] = {}
        for p in self.talking_points:
            found.setdefault(p.id, p)  # the first, as the search found it
        return found

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

    @functools.cached_property
    def needs_place(self) -> bool:
        """Whether supporters must say where they live: it writes to someone found by place
        (a target role), or something in it differs by place (nations, conditions, place
        facts, a placeholder only a place fills). A campaign to its fixed recipients alone, the
        same everywhere, asks for no postcode. Worked out once per campaign object."""
        if self.targets or self.scoped or self.conditions() or self.place_facts:
            return True
        names = {n for text in letter_texts(self) for n in placeholders_in(text)}
        return any(n in PLACE_PLACEHOLDERS or n.startswith(("force.", "place.")) for n in names)

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
        del data["language"]  # a stored campaign is always its English self
        data["translations"] = {code: dict(text) for code, text in self.translations.items()}
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
OMITTED_WHEN_EMPTY = ("summary", "organiser", "image_url", "place_facts", "translations")
# The languages a campaign may add to its English text (Welsh: issue 27).
LANGUAGES = ("cy",)
LANGUAGE_NAMES = {"cy": "Welsh"}  # in English, for the studio


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
    return _NATION_KEYS.get(country or "")


_NATION_KEYS = {str(name): key for key, name in NATION_NAMES.items()}


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
