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

from advocacy import markdown
from advocacy.delivery import ENCODED_WORD
from advocacy.delivery import safe_address
from advocacy.sanitize import clean_html

FORMAT = "advocacy.campaign/2"  # /2 added nation scopes; /1 files import unchanged
FORMATS = ("advocacy.campaign/1", FORMAT)
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
class TalkingPoint:
    id: str
    label: str
    phrasings: tuple[str, ...]
    source_url: str | None = None
    default_selected: bool = False
    nations: tuple[str, ...] = ()  # empty: every nation the campaign serves


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
class Variant:
    """One nation's own text, replacing the campaign's default where it is given."""

    subject_lines: tuple[str, ...] = ()
    opening: str = ""
    asks: Mapping[str, str] = field(default_factory=dict)


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
    subject_lines: tuple[str, ...] = ()
    opening: str = ""
    talking_points: tuple[TalkingPoint, ...] = ()
    prompts: tuple[Prompt, ...] = ()
    asks: Mapping[str, str] = field(default_factory=dict)
    closing: str = ""
    sign_off: str = "Yours sincerely,"
    next_ask: str = ""
    # What supporters say when they share the campaign: "…written to my MP about {share_text}".
    share_text: str = ""
    allowed_origins: tuple[str, ...] = ()
    nations: tuple[str, ...] = NATIONS  # the nations whose supporters it writes for
    variants: Mapping[str, Variant] = field(default_factory=dict)  # by nation
    summary: str = ""  # Markdown (optional: older documents have summary_html only)
    organiser: str = ""  # who runs the campaign, shown to supporters: "Big Brother Watch"
    # The picture for link previews (og:image), never shown on the page: a path on this site
    # ("/static/lfr.png") or an https:// address.
    image_url: str = ""

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

    @property
    def scoped(self) -> bool:
        """Whether anything in the campaign differs by nation."""
        return (
            set(self.nations) != set(NATIONS)
            or bool(self.variants)
            or any(p.nations for p in self.talking_points)
            or any(r.nations for r in self.fixed_recipients)
        )

    def for_nation(self, nation: str | None) -> "Campaign":
        """The campaign as a supporter in ``nation`` sees it: their points and fixed recipients
        only, and their nation's subject lines, opening and asks where it has its own. A place
        of no known nation gets the defaults and the points for every nation."""
        if nation is None or not self.scoped:
            return self
        # Made once per campaign object and nation: every supporter request asks, and a campaign
        # object is never changed (a save makes a new one). Kept outside the dataclass fields,
        # so equality, asdict and replace never see it.
        views = self.__dict__.setdefault("_nation_views", {})
        if nation not in views:
            views[nation] = self._for_nation(nation)
        return views[nation]

    def _for_nation(self, nation: str) -> "Campaign":
        variant = self.variants.get(nation, Variant())
        return replace(
            self,
            talking_points=tuple(p for p in self.talking_points if _in(nation, p.nations)),
            fixed_recipients=tuple(r for r in self.fixed_recipients if _in(nation, r.nations)),
            subject_lines=variant.subject_lines or self.subject_lines,
            opening=variant.opening or self.opening,
            asks={**self.asks, **{k: v for k, v in variant.asks.items() if v}},
            nations=(nation,),
            variants={},
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the same for export, revisions and the bundled example."""
        data = asdict(self)
        data["asks"] = dict(self.asks)
        data["variants"] = {
            nation: {**asdict(v), "asks": dict(v.asks)} for nation, v in self.variants.items()
        }
        for name in OMITTED_WHEN_EMPTY:  # so a document without them reads as it always did
            if not data[name]:
                del data[name]
        return {"format": FORMAT, **data}


# Optional texts newer than the format: left out of a document when empty, so documents and
# exports from before them stay as they were (and a row is reset to "" when they are).
OMITTED_WHEN_EMPTY = ("summary", "organiser", "image_url")


def in_words(items: list[str], last: str = "and") -> str:
    """Items as a sentence writes them: "A", "A and B", "A, B and C"."""
    return ", ".join(items[:-1]) + (f" {last} " if len(items) > 1 else "") + items[-1]


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
        "phrasings": "texts",
        "source_url": "text?",
        "default_selected": "bool",
        "nations": "texts",
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
TEXT_FIELDS = ("slug", "title", "summary_html", "status", "opening", "closing", "sign_off")
TEXT_FIELDS += ("next_ask", "share_text", "summary", "organiser", "image_url")
TEXT_LIST_FIELDS = ("targets", "subject_lines", "allowed_origins", "nations")
VARIANT_FIELDS = {"subject_lines": "texts", "opening": "text", "asks": "asks"}
TYPE_MESSAGES = {
    "text": "Must be text.",
    "text?": "Must be text (or left out).",
    "texts": "Must be a list of texts.",
    "bool": "Must be true or false.",
}


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "text?":
        return value is None or isinstance(value, str)
    if kind == "texts":
        return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
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
    asks = data.get("asks")
    if isinstance(asks, Mapping):
        for role, text in asks.items():
            if not isinstance(text, str):
                errors[f"asks.{str(role)[:40]}"] = ["Must be text."]
    elif asks is not None:
        errors["asks"] = ["Must be an object of target to text."]
    variants = data.get("variants")
    if isinstance(variants, Mapping):
        for nation, variant in variants.items():
            path = f"variants.{str(nation)[:40]}"
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


def from_dict(data: Mapping[str, Any], *, clean: bool = True, check: bool = True) -> Campaign:
    """Build and validate a campaign from its JSON form.

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
                FixedRecipient(**{**r, "nations": tuple(r.get("nations") or ())})
                for r in data.get("fixed_recipients", ())
            ),
            subject_lines=tuple(data.get("subject_lines", ())),
            opening=data.get("opening", ""),
            talking_points=tuple(
                TalkingPoint(
                    **{
                        **p,
                        "phrasings": tuple(p.get("phrasings") or ()),
                        "nations": tuple(p.get("nations") or ()),
                    }
                )
                for p in data.get("talking_points", ())
            ),
            prompts=tuple(Prompt(**p) for p in data.get("prompts", ())),
            asks=dict(data.get("asks") or {}),
            closing=data.get("closing", ""),
            sign_off=data.get("sign_off", "Yours sincerely,"),
            next_ask=data.get("next_ask", ""),
            share_text=data.get("share_text", ""),
            allowed_origins=tuple(data.get("allowed_origins", ())),
            nations=tuple(data.get("nations") or NATIONS),
            variants={
                nation: Variant(
                    subject_lines=tuple(v.get("subject_lines") or ()),
                    opening=v.get("opening") or "",
                    asks=dict(v.get("asks") or {}),
                )
                for nation, v in (data.get("variants") or {}).items()
            },
        )
    except TypeError as exc:
        # An unknown or missing key inside an item; say which, without Python's wording.
        field_name = str(exc).rsplit(" ", 1)[-1].strip("'")
        raise InvalidCampaign({"": [f"Unexpected or missing field {field_name!r}."]}) from None
    errors = validate(campaign) if check else {}
    if errors:
        raise InvalidCampaign(errors)
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


def _check_text(errors: dict[str, list[str]], path: str, text: Any, required: bool) -> None:
    if not isinstance(text, str):
        errors.setdefault(path, []).append("Must be text.")
        return
    if problem := text_problem(text):
        errors.setdefault(path, []).append(problem)
    if required and not text.strip():
        errors.setdefault(path, []).append("This is required.")
    if len(text) > MAX_TEXT:
        errors.setdefault(path, []).append(f"Keep this to {MAX_TEXT} characters or fewer.")
    unknown = sorted(placeholders_in(text) - PLACEHOLDERS)
    if unknown:
        allowed = ", ".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS))
        names = ", ".join(f"{{{u}}}" for u in unknown)
        errors.setdefault(path, []).append(f"Unknown placeholder {names}. You can use {allowed}.")


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
    for i, line in enumerate(c.subject_lines):
        _check_text(errors, f"subject_lines.{i}", line, required=True)
    for name in ("opening", "closing", "sign_off", "next_ask", "share_text"):
        _check_text(errors, name, getattr(c, name), required=name == "sign_off")
    if isinstance(c.opening, str) and re.match(r"\s*dear\b", c.opening, re.I):
        errors.setdefault("opening", []).append(
            "Each letter already begins “Dear …,”: start the opening after the greeting."
        )
    for role, text in c.asks.items():
        if role not in TARGET_ROLES:
            errors.setdefault("asks", []).append(f"Unknown target {role!r}.")
        _check_text(errors, f"asks.{role}", text, required=False)
    _check_items(errors, "talking_points", c.talking_points)
    _check_items(errors, "prompts", c.prompts)
    for i, point in enumerate(c.talking_points):
        _check_text(errors, f"talking_points.{i}.label", point.label, required=True)
        if not point.phrasings:
            errors[f"talking_points.{i}.phrasings"] = ["Add at least one phrasing."]
        for j, text in enumerate(point.phrasings):
            _check_text(errors, f"talking_points.{i}.phrasings.{j}", text, required=True)
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


def _check_nations(errors: dict[str, list[str]], c: Campaign) -> None:
    """Nation scopes name real nations, and no nation the campaign serves is left without a
    point, a subject line or an ask for each target (found at save, never at send)."""
    known = ", ".join(NATIONS)

    def check_keys(path: str, nations: tuple[str, ...]) -> None:
        bad = [n for n in nations if n not in NATIONS]
        if bad:
            errors.setdefault(path, []).append(f"Unknown nation {bad[0]!r}; use {known}.")

    check_keys("nations", c.nations)
    for i, point in enumerate(c.talking_points):
        check_keys(f"talking_points.{i}.nations", point.nations)
    for i, r in enumerate(c.fixed_recipients):
        check_keys(f"fixed_recipients.{i}.nations", r.nations)
    for nation, variant in c.variants.items():
        path = f"variants.{nation}"
        check_keys(path, (nation,))
        for j, line in enumerate(variant.subject_lines):
            _check_text(errors, f"{path}.subject_lines.{j}", line, required=True)
        _check_text(errors, f"{path}.opening", variant.opening, required=False)
        for role, text in variant.asks.items():
            if role not in TARGET_ROLES:
                errors.setdefault(f"{path}.asks", []).append(f"Unknown target {role!r}.")
            _check_text(errors, f"{path}.asks.{role}", text, required=False)
    if not c.scoped or errors.get("nations"):
        return
    for nation in c.nations:
        served = c.for_nation(nation)
        name = NATION_NAMES.get(nation, nation)
        missing = []
        if not served.talking_points:
            missing.append("talking points")
        if not served.subject_lines:
            missing.append("subject line")
        missing += [
            f"ask of the {ROLE_WORDS[r]}"
            for r in c.targets
            if r in ROLE_WORDS and not served.asks.get(r)  # unknown targets: an error above
        ]
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
