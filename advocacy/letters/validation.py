"""What a valid campaign is: every check run when staff save, import or publish, each with a
message next to the field it is about. Never run at supporter time.
"""

import ipaddress
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import idna
from email_validator import EmailNotValidError
from email_validator import validate_email

from advocacy.letters import conditions
from advocacy.letters.campaigns import ASK_KEYS
from advocacy.letters.campaigns import FACT_ID
from advocacy.letters.campaigns import ITEM_ID
from advocacy.letters.campaigns import MAX_FIXED_RECIPIENTS
from advocacy.letters.campaigns import MAX_TEXT
from advocacy.letters.campaigns import NATION_NAMES
from advocacy.letters.campaigns import NATIONS
from advocacy.letters.campaigns import PLACEHOLDERS
from advocacy.letters.campaigns import SLUG
from advocacy.letters.campaigns import STATUSES
from advocacy.letters.campaigns import TARGET_ROLES
from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import Entry
from advocacy.letters.campaigns import alternatives
from advocacy.letters.campaigns import as_alternative
from advocacy.letters.campaigns import choose
from advocacy.letters.campaigns import fixed_key
from advocacy.letters.campaigns import in_words
from advocacy.letters.campaigns import placeholders_in
from advocacy.letters.campaigns import usable
from advocacy.letters.delivery import ENCODED_WORD
from advocacy.letters.delivery import safe_address
from advocacy.letters.reference import always_known
from advocacy.letters.reference import force_fact_values

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
        if role not in ASK_KEYS:
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
    return {**force_fact_values(), **c.place_facts.values()}


def _always_known(name: str) -> bool:
    """Whether every place has a value for this fact, so default text may use it."""
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
ROLE_WORDS["fixed"] = "recipients you named"  # the studio's words for asks.fixed


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
