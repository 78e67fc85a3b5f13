"""What a supporter asks for when they ask for letters, checked in one place.

Both the JSON API and the web form hand their input here as a plain mapping, so the rules (and
their messages) are the same everywhere. Pure: no Flask.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import fixed_key
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Sender
from advocacy.letters.message import N_
from advocacy.letters.recipient import Recipient

MAX_NAME = 100
MAX_ADDRESS = 200
MAX_ANSWER = 2000
MAX_POSTCODE = 16
NO_PLACE = N_("Enter your postcode, or choose your constituency and police force.")
NO_AREA = N_("Choose both your constituency and your police force (or give a postcode).")
POLICE_ROLES = frozenset({"police_force", "police_oversight"})
NO_CONSTITUENCY = N_("Choose your constituency (or give a postcode).")  # campaigns to no police
AREA_CODE = re.compile(r"^[ENSWL][0-9]{8}$")
# Line breaks and tabs are fine in longer answers; no other control characters anywhere, and
# no invisible characters that reorder or hide text (bidi overrides, zero-width space, BOM).
# Zero-width joiners stay: emoji and several scripts need them. Lone surrogates (JSON can
# carry "\ud800") are no characters at all: no encoder takes them.
CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028\u2029"
    r"\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
LINE_BREAKS = re.compile(r"[\r\n\t]")


class InvalidInput(ValueError):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        super().__init__(N_("Some of the details need another look."))


@dataclass(frozen=True)
class LetterRequest:
    postcode: str | None
    constituency_code: str | None
    pfa_code: str | None
    sender: Sender
    choices: Choices
    # Whom to write to, as roles and fixed-recipient ids; None: everyone the campaign targets.
    recipients: tuple[str, ...] | None = None
    language: str = "en"  # the letters' language: one of the campaign's ``languages``


# What an empty required field says, naming it (never "This is required.").
REQUIRED = {"name": N_("Enter your name."), "postcode": N_("Enter your postcode.")}


def _text(errors, name, value, *, limit, required, multiline=False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = [N_("This must be text.")]
        return ""
    value = unicodedata.normalize("NFC", value).strip()
    if CONTROL.search(value) or (not multiline and LINE_BREAKS.search(value)):
        errors[name] = [N_("This contains characters we can't put in a letter. Please retype it.")]
    elif required and not value:
        errors[name] = [REQUIRED.get(name) or N_("Fill this in.")]
    elif len(value) > limit:
        errors[name] = [
            N_(
                "Please keep this to %(limit)s characters or fewer (it has %(length)s).",
                limit=limit,
                length=len(value),
            )
        ]
    return value


def _points(errors, value, campaign: Campaign) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["talking_points"] = [N_("Send a list of talking point ids.")]
        return ()
    unknown = [v for v in value if campaign.point(v) is None]
    if unknown:
        errors["talking_points"] = [N_("Unknown talking point %(id)r.", id=unknown[0])]
    elif not value and campaign.talking_points:
        errors["talking_points"] = [N_("Tick at least one point to make.")]
    return tuple(dict.fromkeys(value))


def _answers(errors, value, campaign: Campaign) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        errors["answers"] = [N_("Send answers as an object of prompt id to text.")]
        return ()
    known = {p.id for p in campaign.prompts}
    answers = []
    for key, text in value.items():
        if key not in known:
            errors["answers"] = [N_("Unknown prompt %(id)r.", id=key)]
            continue
        answers.append(
            (
                key,
                _text(
                    errors, f"answers.{key}", text, limit=MAX_ANSWER, required=False, multiline=True
                ),
            )
        )
    order = [p.id for p in campaign.prompts]
    return tuple(sorted(answers, key=lambda a: order.index(a[0])))


NOBODY_CHOSEN = N_("Select at least one person to write to.")


def choice_id(recipient: Recipient) -> str:
    """How a supporter names a recipient to write to: the role ("mp", "police_force"), or for a
    recipient the campaign names itself, "fixed:" and the key counts and reply links use."""
    if recipient.role == "fixed":
        return f"fixed:{fixed_key(recipient.name)}"
    return recipient.role


def recipient_ids(campaign: Campaign) -> list[str]:
    """What ``recipients`` may name: the campaign's roles, "fixed" for all its own recipients,
    and each of them by id."""
    fixed = [f"fixed:{fixed_key(r.name)}" for r in campaign.fixed_recipients]
    return [*campaign.targets, *(["fixed"] if fixed else []), *fixed]


def chosen(recipient: Recipient, wanted: tuple[str, ...] | None) -> bool:
    """Whether the supporter writes to ``recipient``; no choice made means everyone."""
    return wanted is None or recipient.role in wanted or choice_id(recipient) in wanted


def _recipients(errors, value, campaign: Campaign) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["recipients"] = [N_('Send a list of roles ("mp", "police_force") or recipient ids.')]
        return None
    known = recipient_ids(campaign)
    unknown = [v for v in value if v not in known]
    if unknown:
        errors["recipients"] = [
            N_(
                "Unknown recipient %(id)r: this campaign writes to %(known)s.",
                id=unknown[0][:60],
                known=", ".join(repr(k) for k in known),
            )
        ]
    elif not value:
        errors["recipients"] = [NOBODY_CHOSEN]
    return tuple(dict.fromkeys(value))


def parse(data: Any, campaign: Campaign) -> LetterRequest:
    """Check a request for letters.

    :raise InvalidInput: every problem, keyed by field name.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput({"": [N_("Send a JSON object.")]})
    errors: dict[str, list[str]] = {}
    postcode = constituency = pfa = None
    raw_postcode = data.get("postcode")
    has_codes = data.get("constituency_code") is not None or data.get("pfa_code") is not None
    if isinstance(raw_postcode, str) and not raw_postcode.strip():
        raw_postcode = None
    if not campaign.needs_place:
        pass  # written from nowhere in particular: a postcode or areas sent are not used
    elif raw_postcode is not None:
        postcode = _text(errors, "postcode", raw_postcode, limit=MAX_POSTCODE, required=True)
    elif has_codes:
        police = writes_to_police(campaign)
        constituency = _code(
            errors,
            "constituency_code",
            data.get("constituency_code"),
            NO_AREA if police else NO_CONSTITUENCY,
        )
        # A campaign that writes to no police needs no force area (none sent, or left empty).
        if police or data.get("pfa_code") not in (None, ""):
            pfa = _code(errors, "pfa_code", data.get("pfa_code"))
    else:
        errors["postcode"] = [NO_PLACE]
    name = _text(errors, "name", data.get("name"), limit=MAX_NAME, required=True)
    address = _text(errors, "address", data.get("address"), limit=MAX_ADDRESS, required=False)
    points = _points(errors, data.get("talking_points", []), campaign)
    answers = _answers(errors, data.get("answers"), campaign)
    recipients = _recipients(errors, data.get("recipients"), campaign)
    language = data.get("language") or "en"
    if language not in campaign.languages:
        errors["language"] = [
            N_(
                "This campaign's letters are in %(languages)s: send one of those.",
                languages=", ".join(repr(code) for code in campaign.languages),
            )
        ]
    if errors:
        raise InvalidInput(errors)
    return LetterRequest(
        postcode=postcode,
        constituency_code=constituency,
        pfa_code=pfa,
        sender=Sender(name=name, address=address, postcode=None),
        choices=Choices(talking_points=points, answers=answers),
        recipients=recipients,
        language=language,
    )


def writes_to_police(campaign: Campaign) -> bool:
    return bool(set(campaign.targets) & POLICE_ROLES)


def _code(errors, name, value, message: str = NO_AREA) -> str | None:
    if not isinstance(value, str) or not AREA_CODE.fullmatch(value):
        errors[name] = [message]
        return None
    return value
