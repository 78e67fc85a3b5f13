"""A campaign's text in another language (Welsh), written beside its English in the studio.

The English is shown, not edited, here: each translated box sits beside the text it renders, so
staff (or a translator with a staff account) work down one page. A save is a campaign save like
the editor's (a new version, the same conflict check, ``translation_errors`` at save) and
touches nothing but the translation. Routes on the studio's blueprint (``campaign_pages.bp``).
"""

from typing import Any

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.platform import languages
from advocacy.platform import store
from advocacy.platform.models import CampaignRow
from advocacy.studio import editor_form
from advocacy.studio import translation_form
from advocacy.studio.auth import staff_required
from advocacy.studio.campaign_pages import bp
from advocacy.studio.campaign_pages import campaign_row
from advocacy.studio.campaign_pages import version_number


@bp.route("/campaigns/<id:campaign_id>/text/<language>", methods=["GET", "POST"])
@staff_required
def translation(campaign_id: int, language: str):
    code = language
    if code not in campaigns.LANGUAGES:
        abort(404, "The campaign can't have text in that language.")
    row = campaign_row(campaign_id)
    english = row.to_campaign().to_dict()
    if request.method == "GET":
        text = (english.get("translations") or {}).get(code) or {}
        return _page(row, english, code, text)  # _page lays it out as the page shows it
    doc, errors = translation_form.from_form(request.form)
    base = version_number(request.form.get("version"))
    op = request.form.get("op", "save")
    if editor_form.ALT_OP.match(op):
        editor_form.apply_op(doc, op)
        notice = "Not saved yet: press Save when you are ready."
        focus = editor_form.focus_after(doc, op)
        return _page(row, english, code, doc, version=base, notice=notice, focus=focus)
    if errors:
        return _page(row, english, code, doc, version=base, errors=errors, status=400)
    translations = {k: v for k, v in (english.get("translations") or {}).items() if k != code}
    if op != "remove" and (text := translation_form.stored(doc)):
        translations[code] = text
    try:
        campaign = campaign_json.from_dict({**english, "translations": translations})
    except campaigns.InvalidCampaign as exc:
        prefix = f"translations.{code}."
        errors = {path.removeprefix(prefix): messages for path, messages in exc.errors.items()}
        return _page(row, english, code, doc, version=base, errors=errors, status=400)
    try:
        saved = store.save(row, campaign, current_user.email, base)
    except store.EditConflict as conflict:
        notice = (
            f"{conflict.author or 'Someone'} saved version {conflict.version} of this campaign"
            " while you were writing here. Your text is not saved yet and is still in the form:"
            " press Save to save it into their version."
        )
        return _page(row, english, code, doc, version=conflict.version, notice=notice, status=409)
    name = campaigns.LANGUAGE_NAMES[code]
    if op == "remove":
        flash(f"The campaign is no longer offered in {name}." if saved else "Nothing had changed.")
    else:
        flash(f"Saved as version {row.version}." if saved else "Nothing had changed.")
    return redirect(url_for("studio.translation", campaign_id=row.id, language=code))


def _page(
    row: CampaignRow,
    english: dict[str, Any],
    code: str,
    doc: dict[str, Any],
    *,
    version: int | None = None,
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
    focus: str | None = None,
    status: int = 200,
):
    """The page: each English text and, beside it, the boxes for the translation. Errors are
    placed as the editor places them (a pool entry's to its own box). The points and questions
    follow the English as it is now: after someone else's save, what was typed stays with its
    point, wherever that point has moved."""
    doc = translation_form.for_page(english, doc)
    moved = editor_form.entry_paths(doc)
    placed: dict[str, list[str]] = {}
    points = [p["id"] for p in doc["talking_points"]]
    questions = [q["id"] for q in doc["prompts"]]
    for path, messages in (errors or {}).items():
        # translation_errors names a point or question by its id: its place on this page.
        kind, _, item = path.partition(".")
        if kind == "talking_points" and item in points:
            path = f"talking_points.{points.index(item)}"
        elif kind == "prompts" and item in questions:
            path = f"prompts.{questions.index(item)}"
        placed.setdefault(moved.get(path, path), []).extend(messages)
    campaign = row.to_campaign()
    return (
        render_template(
            "studio/translation.html",
            row=row,
            code=code,
            language=campaigns.LANGUAGE_NAMES[code],
            english=editor_form.for_editor(english),
            doc=doc,
            needed=[
                campaign_json.needs_translation(campaign, p, code) for p in campaign.talking_points
            ],
            offered=code in (english.get("translations") or {}),
            site_offers=code in languages.offered(),
            version=row.version if version is None else version,
            errors=editor_form.field_errors(placed),
            notice=notice,
            focus=focus,
        ),
        status,
    )
