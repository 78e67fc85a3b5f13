"""The form for a campaign's text in another language, written beside its English.

Every text a supporter reads or a letter says (``campaign_json.TRANSLATED``) has a box named by
the English document's path (``talking_points.2.label``), points and questions in the English
order and keeping their English ids. So the checks' errors (``translation_errors``, and the
English checks run on the translated campaign) land next to their box, and the editor's own
fields and parsing (alternatives with conditions, pool entries) serve both pages.
"""

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from advocacy.letters.campaigns import ASK_KEYS
from advocacy.studio.editor_form import box_lines
from advocacy.studio.editor_form import box_text
from advocacy.studio.editor_form import chosen_from
from advocacy.studio.editor_form import count_items
from advocacy.studio.editor_form import entries_from

PLAIN = ("title", "summary", "sign_off", "next_ask", "share_text")
PROMPT_TEXTS = ("label", "hint", "lead_in")


def for_page(english: Mapping[str, Any], text: Mapping[str, Any]) -> dict[str, Any]:
    """The translation ``text`` as its page shows it: every field, the points and questions
    in the English order (a point not yet translated has empty boxes)."""
    points = {p.get("id"): p for p in text.get("talking_points") or ()}
    prompts = {p.get("id"): p for p in text.get("prompts") or ()}
    return {
        **{name: text.get(name) or "" for name in PLAIN},
        "subject_lines": list(text.get("subject_lines") or ()),
        "opening": text.get("opening") or "",
        "closing": text.get("closing") or "",
        "asks": dict(text.get("asks") or {}),
        "talking_points": [
            {
                "id": p["id"],
                "label": points.get(p["id"], {}).get("label") or "",
                "phrasings": list(points.get(p["id"], {}).get("phrasings") or ()),
            }
            for p in english.get("talking_points") or ()
        ],
        "prompts": [
            {"id": q["id"], **{k: prompts.get(q["id"], {}).get(k) or "" for k in PROMPT_TEXTS}}
            for q in english.get("prompts") or ()
        ],
    }


def from_form(form: MultiDict) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The page's text (in ``for_page``'s shape) and the conditions that could not be read."""
    errors: dict[str, list[str]] = {}
    doc: dict[str, Any] = {name: box_text(form.get(name, "")) for name in PLAIN}
    doc["subject_lines"] = [
        *box_lines(form.get("subject_lines", "")),
        *entries_from(form, "subject_lines.when", errors),
    ]
    for name in ("opening", "closing"):
        doc[name] = chosen_from(form, name, errors)
    doc["asks"] = {role: t for role in ASK_KEYS if (t := chosen_from(form, f"asks.{role}", errors))}
    doc["talking_points"] = [
        {
            "id": form.get(f"talking_points.{i}.id", "").strip(),
            "label": box_text(form.get(f"talking_points.{i}.label", "")),
            "phrasings": [
                box_text(t) for t in form.getlist(f"talking_points.{i}.phrasings") if t.strip()
            ]
            + entries_from(form, f"talking_points.{i}.phrasings.when", errors),
        }
        for i in range(count_items(form, "talking_points"))
    ]
    doc["prompts"] = [
        {
            "id": form.get(f"prompts.{i}.id", "").strip(),
            **{k: box_text(form.get(f"prompts.{i}.{k}", "")) for k in PROMPT_TEXTS},
        }
        for i in range(count_items(form, "prompts"))
    ]
    return doc, errors


def stored(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The translation as the campaign keeps it: only what has text (an empty box means "not
    written yet", which the checks report where it is needed)."""
    out: dict[str, Any] = {name: doc[name] for name in PLAIN if doc.get(name)}
    for name in ("subject_lines", "opening"):
        if _has_text(doc.get(name)):
            out[name] = doc[name]
    points = [
        {k: v for k, v in p.items() if v}
        for p in doc.get("talking_points") or ()
        if p.get("label") or p.get("phrasings")
    ]
    if points:
        out["talking_points"] = points
    prompts = [
        {k: v for k, v in q.items() if v}
        for q in doc.get("prompts") or ()
        if any(q.get(k) for k in PROMPT_TEXTS)
    ]
    if prompts:
        out["prompts"] = prompts
    if asks := {role: t for role, t in (doc.get("asks") or {}).items() if _has_text(t)}:
        out["asks"] = asks
    if _has_text(doc.get("closing")):
        out["closing"] = doc["closing"]
    # In the document's own order, so an untouched page saves the same translation.
    order = ("title", "summary", "subject_lines", "opening", "talking_points", "prompts")
    order += ("asks", "closing", "sign_off", "next_ask", "share_text")
    return {name: out[name] for name in order if name in out}


def _has_text(value: Any) -> bool:
    """A text, alternatives or pool with any words in it."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping):
        return bool(str(value.get("text", "")).strip())
    return isinstance(value, list | tuple) and any(_has_text(v) for v in value)
