"""A campaign from its JSON form: shape checks with messages staff can act on, the upgrade of
older formats (``upgraded``), and ``from_dict``, which builds a ``Campaign`` and checks it.

The JSON form is what the database rows, revisions, import/export and the bundled example share;
writing it back is ``Campaign.to_dict`` (``advocacy.letters.campaigns``).
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from advocacy.letters import markdown
from advocacy.letters import place_facts
from advocacy.letters.campaigns import FORMAT
from advocacy.letters.campaigns import FORMATS
from advocacy.letters.campaigns import LANGUAGES
from advocacy.letters.campaigns import NATIONS
from advocacy.letters.campaigns import TARGET_ROLES
from advocacy.letters.campaigns import Alternative
from advocacy.letters.campaigns import Campaign
from advocacy.letters.campaigns import Entry
from advocacy.letters.campaigns import FixedRecipient
from advocacy.letters.campaigns import InvalidCampaign
from advocacy.letters.campaigns import Prompt
from advocacy.letters.campaigns import TalkingPoint
from advocacy.letters.campaigns import Text
from advocacy.letters.campaigns import alternatives
from advocacy.letters.campaigns import in_nation_order
from advocacy.letters.sanitize import clean_html
from advocacy.letters.validation import validate

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


# What a translation may hold: every text a supporter reads or a letter says, in the English
# document's shape ("text": one text; "alternatives": text or {when, text} objects; "pool":
# phrasings; "items": objects by id). Everything else (targets, conditions' meaning, sources,
# recipients) is the campaign's own, in every language.
TRANSLATED = {
    "title": "text",
    "summary": "text",
    "subject_lines": "pool",
    "opening": "alternatives",
    "talking_points": "items",
    "prompts": "items",
    "asks": "asks",
    "closing": "alternatives",
    "sign_off": "text",
    "next_ask": "text",
    "share_text": "text",
}
TRANSLATED_ITEMS = {
    "talking_points": {"id": "text", "label": "text", "phrasings": "pool"},
    "prompts": {"id": "text", "label": "text", "hint": "text", "lead_in": "text"},
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
        for path, variant in _objects_by_key(errors, "variants", variants, NATIONS, "nation"):
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
    errors.update(_translation_shape_errors(data.get("translations")))
    if data.get("format", FORMAT) not in FORMATS:
        errors["format"] = [
            f"Unknown format {str(data.get('format'))[:40]!r}; expected {FORMAT!r}."
        ]
    return errors


def _objects_by_key(
    errors: dict[str, list[str]],
    name: str,
    value: Mapping[Any, Any],
    known: tuple[str, ...],
    noun: str,
) -> list[tuple[str, Mapping[str, Any]]]:
    """``value`` as {key: object} with keys from ``known`` ("variants" by nation,
    "translations" by language): each good one's path and object; the others in ``errors``."""
    found = []
    for key, item in value.items():
        path = f"{name}.{str(key)[:40]}"
        if key not in known:
            errors[path] = [f"Unknown {noun} {str(key)[:40]!r}; use {', '.join(known)}."]
        elif not isinstance(item, Mapping):
            errors[path] = ["Must be an object."]
        else:
            found.append((path, item))
    return found


def _translation_shape_errors(translations: Any) -> dict[str, list[str]]:
    if translations is None:
        return {}
    if not isinstance(translations, Mapping):
        return {"translations": ["Must be an object of language to its text."]}
    errors: dict[str, list[str]] = {}
    for path, text in _objects_by_key(errors, "translations", translations, LANGUAGES, "language"):
        for key, value in text.items():
            kind = TRANSLATED.get(key)
            if kind is None:
                errors[path] = [f"Unexpected field {str(key)[:40]!r}."]
            elif kind == "items":
                if not isinstance(value, list | tuple) or not all(
                    isinstance(item, Mapping)
                    and isinstance(item.get("id"), str)
                    and all(
                        k in TRANSLATED_ITEMS[key] and _type_ok(TRANSLATED_ITEMS[key][k], v)
                        for k, v in item.items()
                    )
                    for item in value
                ):
                    fields = ", ".join(TRANSLATED_ITEMS[key])
                    errors[f"{path}.{key}"] = [f"Must be a list of objects of {fields}."]
            elif kind == "asks":
                if not isinstance(value, Mapping) or not all(
                    _type_ok("alternatives", v) for v in value.values()
                ):
                    errors[f"{path}.asks"] = ["Must be an object of target to text."]
            elif not _type_ok(kind, value):
                errors[f"{path}.{key}"] = [TYPE_MESSAGES[kind]]
    return errors


def in_language(campaign: Campaign, code: str) -> Campaign:
    """The campaign with its text in ``code``, where it has that translation (else as it is).

    Each field takes the translation's text when it has some, else keeps the English (a
    campaign offering a language has all of it: ``validation`` checks at save). Made once per
    campaign object and language, like ``Campaign.offered``.
    """
    if code == campaign.language:
        return campaign
    if campaign.language != "en":  # a translation: from its English self
        return in_language(campaign.__dict__["_english"], code)
    if code not in campaign.translations:
        return campaign
    made = campaign.__dict__.setdefault("_in_language", {})
    if code not in made:
        made[code] = _translated(campaign, code, campaign.translations[code])
        made[code].__dict__["_english"] = campaign
    return made[code]


def needs_translation(campaign: Campaign, point: TalkingPoint, code: str) -> bool:
    """Whether a point must be written in ``code`` for the campaign to offer it: a point for
    every nation does; one for some nations does in Welsh when Wales is among them."""
    return not point.nations or (
        code == "cy" and "wales" in campaign.nations and "wales" in point.nations
    )


def translation_errors(campaign: Campaign) -> dict[str, list[str]]:
    """What a translation of a valid campaign lacks or gets wrong: a campaign offering a
    language has, in it, every text a supporter in a nation it serves reads (a point only for
    Scotland needs no Welsh while Wales is not among them), and each text passes the checks
    the English passes."""
    errors: dict[str, list[str]] = {}
    for code, text in campaign.translations.items():
        path = f"translations.{code}"
        missing = [
            name
            for name, has in (
                ("title", True),
                ("summary", bool(campaign.summary_markdown.strip())),
                ("subject_lines", True),
                ("opening", bool(campaign.opening)),
                ("closing", bool(campaign.closing)),
                ("sign_off", True),
                ("next_ask", bool(campaign.next_ask)),
                ("share_text", bool(campaign.share_text)),
            )
            if has and not text.get(name)
        ]
        for name in missing:
            errors[f"{path}.{name}"] = ["Write this in this language too."]
        points = {p.get("id"): p for p in text.get("talking_points") or ()}
        for point in campaign.talking_points:
            got = points.pop(point.id, {})
            if needs_translation(campaign, point, code) and not (
                got.get("label") and got.get("phrasings")
            ):
                errors[f"{path}.talking_points.{point.id}"] = [
                    f"Write the point {point.id!r} in this language too: its label and phrasings."
                ]
        prompts = {p.get("id"): p for p in text.get("prompts") or ()}
        for prompt in campaign.prompts:
            got = prompts.pop(prompt.id, {})
            lacking = [
                k for k in ("label", "hint", "lead_in") if getattr(prompt, k) and not got.get(k)
            ]
            if lacking:
                errors[f"{path}.prompts.{prompt.id}"] = [
                    f"Write the question {prompt.id!r} in this language too: {', '.join(lacking)}."
                ]
        for kind, unknown in (("talking_points", points), ("prompts", prompts)):
            if unknown:
                errors[f"{path}.{kind}"] = [
                    f"No {kind.replace('_', ' ')[:-1]} {next(iter(unknown))!r} in the campaign."
                ]
        asks = text.get("asks") or {}
        for role in campaign.asks:
            if any(a.text.strip() for a in alternatives(campaign.asks[role])) and not asks.get(
                role
            ):
                errors[f"{path}.asks.{role}"] = ["Write this ask in this language too."]
        if unknown_asks := [r for r in asks if r not in campaign.asks]:
            errors[f"{path}.asks"] = [f"No ask for {unknown_asks[0]!r} in the campaign."]
        # The texts themselves, by the English checks (placeholders, length, conditions).
        for where, messages in validate(in_language(campaign, code)).items():
            if where.split(".")[0] in TRANSLATED:
                errors.setdefault(f"{path}.{where}", messages)
    return errors


def _translated(campaign: Campaign, code: str, text: Mapping[str, Any]) -> Campaign:
    points = {p["id"]: p for p in text.get("talking_points") or ()}
    prompts = {p["id"]: p for p in text.get("prompts") or ()}
    asks = text.get("asks") or {}
    summary = text.get("summary") or ""
    return replace(
        campaign,
        language=code,
        title=text.get("title") or campaign.title,
        summary=summary or campaign.summary,
        summary_html=markdown.to_html(summary) if summary.strip() else campaign.summary_html,
        subject_lines=tuple(_entry_from(e) for e in text["subject_lines"])
        if text.get("subject_lines")
        else campaign.subject_lines,
        opening=_alternatives_from(text["opening"]) if text.get("opening") else campaign.opening,
        talking_points=tuple(
            replace(
                p,
                label=points[p.id].get("label") or p.label,
                phrasings=tuple(_entry_from(e) for e in points[p.id].get("phrasings") or ())
                or p.phrasings,
            )
            if p.id in points
            else p
            for p in campaign.talking_points
        ),
        prompts=tuple(
            replace(
                p,
                **{k: prompts[p.id].get(k) or getattr(p, k) for k in ("label", "hint", "lead_in")},
            )
            if p.id in prompts
            else p
            for p in campaign.prompts
        ),
        asks={
            role: _alternatives_from(asks[role]) if asks.get(role) else ask
            for role, ask in campaign.asks.items()
        },
        closing=_alternatives_from(text["closing"]) if text.get("closing") else campaign.closing,
        sign_off=text.get("sign_off") or campaign.sign_off,
        next_ask=text.get("next_ask") or campaign.next_ask,
        share_text=text.get("share_text") or campaign.share_text,
    )


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
            translations={
                code: dict(text) for code, text in (data.get("translations") or {}).items()
            },
        )
    except TypeError as exc:
        # An unknown or missing key inside an item; say which, without Python's wording.
        field_name = str(exc).rsplit(" ", 1)[-1].strip("'")
        raise InvalidCampaign({"": [f"Unexpected or missing field {field_name!r}."]}) from None
    errors = validate(campaign) if check else {}
    if check and not errors:  # the English first: its translations are checked against it
        errors = translation_errors(campaign)
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
