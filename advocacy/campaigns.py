"""The campaign document: what staff write, checked once when saved, never at supporter time.

A campaign is a plain, frozen value (``Campaign``) with one JSON form (``FORMAT``). The same form
is used for the bundled example, the database rows, revisions and import/export, so there is one
set of rules for what a valid campaign is.
"""

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError
from email_validator import validate_email

from advocacy.sanitize import clean_html

FORMAT = "advocacy.campaign/1"
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


@dataclass(frozen=True)
class Prompt:
    id: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class FixedRecipient:
    name: str
    email: str | None = None
    contact_url: str | None = None
    salutation: str | None = None


@dataclass(frozen=True)
class Campaign:
    slug: str
    title: str
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
    allowed_origins: tuple[str, ...] = ()

    def point(self, point_id: str) -> TalkingPoint | None:
        return next((p for p in self.talking_points if p.id == point_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the same for export, revisions and the bundled example."""
        data = asdict(self)
        data["asks"] = dict(self.asks)
        return {"format": FORMAT, **data}


def placeholders_in(text: str) -> set[str]:
    """Names used as ``{name}`` in staff text."""
    return {m.group(1) for m in PLACEHOLDER.finditer(text)}


def fill(text: str, values: Mapping[str, str]) -> str:
    """Plain-text substitution of known placeholders; staff text is never run as a template."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


LIST_FIELDS = (
    "targets",
    "fixed_recipients",
    "subject_lines",
    "talking_points",
    "prompts",
    "allowed_origins",
)


def _shape_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Wrong JSON types, found before anything is built, so none is silently dropped."""
    errors: dict[str, list[str]] = {}
    for name in LIST_FIELDS:
        if name in data and not isinstance(data[name], list | tuple):
            errors[name] = ["Must be a list."]
    for name in ("talking_points", "prompts", "fixed_recipients"):
        items = data.get(name)
        if isinstance(items, list | tuple):
            for i, item in enumerate(items):
                if not isinstance(item, Mapping):
                    errors[f"{name}.{i}"] = ["Must be an object."]
                elif not isinstance(item.get("phrasings", []), list | tuple):
                    errors[f"{name}.{i}.phrasings"] = ["Must be a list."]
    for name in (
        "slug",
        "title",
        "summary_html",
        "status",
        "opening",
        "closing",
        "sign_off",
        "next_ask",
    ):
        if data.get(name) is not None and not isinstance(data[name], str):
            errors[name] = ["Must be text."]
    if "asks" in data and not isinstance(data["asks"], Mapping | None):
        errors["asks"] = ["Must be an object of target to text."]
    if data.get("format", FORMAT) != FORMAT:
        errors["format"] = [f"Unknown format {data.get('format')!r}; expected {FORMAT!r}."]
    return errors


def from_dict(data: Mapping[str, Any], *, clean: bool = True) -> Campaign:
    """Build and validate a campaign from its JSON form.

    ``clean=False`` is for documents this app stored itself, whose summary was cleaned when it
    was saved; cleaning is most of the cost of loading a campaign on each request.

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
            summary_html=(clean_html if clean else str)(data.get("summary_html") or ""),
            status=data.get("status", "draft"),
            targets=tuple(data.get("targets", TARGET_ROLES)),
            fixed_recipients=tuple(FixedRecipient(**r) for r in data.get("fixed_recipients", ())),
            subject_lines=tuple(data.get("subject_lines", ())),
            opening=data.get("opening", ""),
            talking_points=tuple(
                TalkingPoint(**{**p, "phrasings": tuple(p.get("phrasings") or ())})
                for p in data.get("talking_points", ())
            ),
            prompts=tuple(Prompt(**p) for p in data.get("prompts", ())),
            asks=dict(data.get("asks") or {}),
            closing=data.get("closing", ""),
            sign_off=data.get("sign_off", "Yours sincerely,"),
            next_ask=data.get("next_ask", ""),
            allowed_origins=tuple(data.get("allowed_origins", ())),
        )
    except TypeError as exc:
        # An unknown or missing key inside an item; say which, without Python's wording.
        field_name = str(exc).rsplit(" ", 1)[-1].strip("'")
        raise InvalidCampaign({"": [f"Unexpected or missing field {field_name!r}."]}) from None
    errors = validate(campaign)
    if errors:
        raise InvalidCampaign(errors)
    return campaign


def _check_text(errors: dict[str, list[str]], path: str, text: Any, required: bool) -> None:
    if not isinstance(text, str):
        errors.setdefault(path, []).append("Must be text.")
        return
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
    if not isinstance(c.slug, str) or not SLUG.match(c.slug):
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
    for name in ("opening", "closing", "sign_off", "next_ask"):
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
    if c.status == "live" and not c.talking_points:
        errors.setdefault("talking_points", []).append(
            "A live campaign needs at least one talking point."
        )
    for i, point in enumerate(c.talking_points):
        if point.source_url and not is_web_url(point.source_url):
            errors[f"talking_points.{i}.source_url"] = [URL_MESSAGE]
    for i, r in enumerate(c.fixed_recipients):
        if not r.name or not (r.email or r.contact_url):
            errors[f"fixed_recipients.{i}"] = ["Give a name and an email address or contact page."]
        if r.email and email_problem(r.email):
            errors[f"fixed_recipients.{i}.email"] = [email_problem(r.email)]
        if r.contact_url and not is_web_url(r.contact_url):
            errors[f"fixed_recipients.{i}.contact_url"] = [URL_MESSAGE]
    for i, origin in enumerate(c.allowed_origins):
        try:
            if parse_origin(origin) != origin:
                errors[f"allowed_origins.{i}"] = [f"Write this as {parse_origin(origin)}"]
        except ValueError as exc:
            errors[f"allowed_origins.{i}"] = [str(exc)]
    if len(set(c.allowed_origins)) != len(c.allowed_origins):
        errors.setdefault("allowed_origins", []).append("Each site can be listed once.")
    return errors


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


URL_MESSAGE = "Enter a full web address starting with https:// (or http://)."


def is_web_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url.strip()


def email_problem(email: str) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"This email address doesn't look right: {exc}"
    return None


def parse_origin(text: str) -> str:
    """A site allowed to embed the campaign, as a browser writes its origin.

    ``https://Example.org/page`` is written ``https://example.org``; wildcards and other schemes
    are refused, so the allow-list can be compared with the ``Origin`` header exactly.

    :raise ValueError: with a message for staff.
    """
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{text.strip()!r} is not a site address. Write it like https://www.example.org"
        )
    if "*" in parts.netloc or parts.username or parts.password:
        raise ValueError("List each site in full, like https://www.example.org (no * or logins).")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError("Use the site's https:// address; only local test sites may use http.")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{text.strip()!r} has an invalid port number.") from None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _check_items(errors: dict[str, list[str]], path: str, items: tuple) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item.id, str) or not ITEM_ID.match(item.id):
            errors[f"{path}.{i}.id"] = ["Use up to 40 lower-case letters, digits, - or _."]
        elif item.id in seen:
            errors[f"{path}.{i}.id"] = [f"The id {item.id!r} is used twice."]
        else:
            seen.add(item.id)
