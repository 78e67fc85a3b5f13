"""A campaign's history and files: its versions (compare, restore), export and import as JSON,
and its place facts from a spreadsheet. Routes on the studio's blueprint (``campaign_pages.bp``).
"""

import json
import re
from dataclasses import replace
from typing import Any

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import StringField
from wtforms.validators import Length

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.letters import history
from advocacy.letters import place_facts as facts_module
from advocacy.letters import validation
from advocacy.places import pipeline
from advocacy.platform import store
from advocacy.platform.models import CampaignRevision
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db
from advocacy.studio.auth import staff_required
from advocacy.studio.campaign_pages import bp
from advocacy.studio.campaign_pages import campaign_row
from advocacy.studio.campaign_pages import editor_page
from advocacy.studio.campaign_pages import version_number
from advocacy.studio.editor_filters import facts_missing

MAX_IMPORT = 256 * 1024  # within STUDIO_MAX_CONTENT_LENGTH, so a big file gets this message
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")  # json.loads joins the pairs that make a character


@bp.get("/campaigns/<id:campaign_id>/revisions")
@staff_required
def revisions(campaign_id: int):
    row = campaign_row(campaign_id)
    return render_template("studio/revisions.html", row=row, revisions=row.revisions)


def _revision(row: CampaignRow, version: int) -> CampaignRevision:
    revision = db.session.execute(
        db.select(CampaignRevision).filter_by(campaign_id=row.id, version=version)
    ).scalar_one_or_none()
    if revision is None:
        abort(404, "There is no such version of this campaign.")
    return revision


@bp.get("/campaigns/<id:campaign_id>/revisions/<id:version>")
@staff_required
def revision(campaign_id: int, version: int):
    row = campaign_row(campaign_id)
    rev = _revision(row, version)
    current = row.to_campaign().to_dict()
    previous = _previous(row, version)
    return render_template(
        "studio/revision.html",
        row=row,
        revision=rev,
        doc=rev.document,
        # What this version changed (None for the first), and how it differs from now.
        changed=history.compare(previous.document, rev.document) if previous else None,
        differing=history.compare(rev.document, current),
    )


def _previous(row: CampaignRow, version: int) -> CampaignRevision | None:
    return db.session.execute(
        db.select(CampaignRevision)
        .filter(CampaignRevision.campaign_id == row.id, CampaignRevision.version < version)
        .order_by(CampaignRevision.version.desc())
        .limit(1)
    ).scalar_one_or_none()


@bp.post("/campaigns/<id:campaign_id>/revisions/<id:version>/restore")
@staff_required
def restore(campaign_id: int, version: int):
    row = campaign_row(campaign_id)
    rev = _revision(row, version)
    try:
        campaign = store.restorable(row, rev)
    except campaigns.InvalidCampaign as exc:
        # Not valid as things stand now: open it in the editor to fix, nothing saved yet.
        doc = {**rev.document, "slug": row.slug, "status": row.status}
        return editor_page(doc, row=row, errors=exc.errors, status=400)
    note = f"Restored version {version}"
    try:
        saved = store.save(
            row, campaign, current_user.email, version_number(request.form.get("version")), note
        )
    except store.EditConflict as conflict:
        return editor_page(campaign.to_dict(), row=row, conflict=conflict, status=409)
    flash(f"{note} as version {row.version}." if saved else "That version is the current one.")
    return redirect(url_for("studio.edit", campaign_id=row.id))


@bp.get("/campaigns/<id:campaign_id>/export")
@staff_required
def export(campaign_id: int):
    row = campaign_row(campaign_id)
    body = json.dumps(row.to_campaign().to_dict(), indent=2, ensure_ascii=False) + "\n"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{row.slug}.campaign.json"'},
    )


class PlaceFactsForm(FlaskForm):
    file = FileField("Place facts (.csv)", validators=[FileRequired("Choose a CSV file.")])


@bp.route("/campaigns/<id:campaign_id>/place-facts", methods=["GET", "POST"])
@staff_required
def place_facts(campaign_id: int):
    """Upload the campaign's own facts about places (a CSV), saved as a new version."""
    row = campaign_row(campaign_id)
    form = PlaceFactsForm()
    problem = None
    if form.validate_on_submit():
        raw = form.file.data.read(facts_module.MAX_FILE + 1)
        book = pipeline.directory()
        known = {"pfa_code": book.force_areas, "constituency_code": book.constituencies}
        try:
            facts = facts_module.parse_csv(raw, known)
            return _save_facts(row, facts, f"Place facts uploaded: {len(facts.rows)} rows.")
        except facts_module.BadFacts as exc:
            problem = str(exc)
        except campaigns.InvalidCampaign as exc:
            problem = "The campaign's text needs these facts: " + str(exc)
    current = row.to_campaign().place_facts
    status = 400 if problem or form.errors else 200
    return render_template(
        "studio/place_facts.html",
        row=row,
        form=form,
        problem=problem,
        facts=current,
        missing=facts_missing(current.to_dict() if current else None),
    ), status


@bp.post("/campaigns/<id:campaign_id>/place-facts/remove")
@staff_required
def remove_place_facts(campaign_id: int):
    row = campaign_row(campaign_id)
    try:
        return _save_facts(row, facts_module.PlaceFacts(), "Place facts removed.")
    except campaigns.InvalidCampaign as exc:
        flash("The campaign's text still uses its place facts: " + str(exc))
        return redirect(url_for("studio.place_facts", campaign_id=row.id))


def _save_facts(row: CampaignRow, facts, message: str):
    """Save the campaign with new place facts, checked like any save.

    :raise campaigns.InvalidCampaign: the campaign's text or conditions need what is gone.
    """
    doc = {**row.to_campaign().to_dict(), "place_facts": facts.to_dict() if facts else {}}
    campaign = campaign_json.from_dict(doc)
    try:
        store.save(row, campaign, current_user.email, version_number(request.form.get("version")))
    except store.EditConflict:
        flash("Someone saved the campaign meanwhile: check it, then upload again.")
        return redirect(url_for("studio.edit", campaign_id=row.id))
    flash(message)
    return redirect(url_for("studio.edit", campaign_id=row.id) + "#f-place-facts")


class ImportForm(FlaskForm):
    file = FileField("Campaign file (.json)", validators=[FileRequired("Choose a file.")])
    slug = StringField(
        "New web address (optional)",
        filters=[lambda v: (v or "").strip()],
        validators=[Length(max=80)],
    )


def _lone_surrogates(data: Any) -> dict[str, list[str]]:
    """Where a file's text, keys included, holds a lone surrogate: JSON can write one
    (``"\\ud800"``) but it is no character, so no page, letter or message could show it.
    Paths show such keys escaped. A loop, not recursion: the file may be nested ~1,000 deep."""
    found: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                shown = key.encode("utf-8", "backslashreplace").decode()
                child = f"{path}.{shown}" if path else shown
                if shown != key:
                    found[child] = [validation.UNSTORABLE_MESSAGE]
                stack.append((child, item))
        elif isinstance(value, list):
            stack += ((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and LONE_SURROGATE.search(value):
            found[path] = [validation.UNSTORABLE_MESSAGE]
    return found


def parse_import(raw: bytes, slug: str = "") -> campaigns.Campaign:
    """A campaign from an exported file; imports always arrive as drafts, never published.

    :raise campaigns.InvalidCampaign: every problem found, by field.
    """
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise campaigns.InvalidCampaign({"": [f"This isn't a JSON file: {exc}"]}) from None
    except RecursionError:
        raise campaigns.InvalidCampaign({"": ["This file is nested too deeply."]}) from None
    except ValueError:  # a number of more digits than int() reads (4,300)
        raise campaigns.InvalidCampaign({"": ["A number in this file is too long."]}) from None
    if found := _lone_surrogates(data):
        raise campaigns.InvalidCampaign(found)
    if isinstance(data, dict):
        data = {**data, "status": "draft"} | ({"slug": slug} if slug else {})
    return campaign_json.from_dict(data)


def _copy_title(title: str) -> str:
    """A title no other campaign has: an imported copy gets " (copy)", then " (copy 2)"…,
    so two campaigns in the list are never told apart only by their address."""
    taken = set(db.session.execute(db.select(CampaignRow.title)).scalars())
    candidate, n = title, 1
    while candidate in taken:
        candidate = f"{title} (copy{'' if n == 1 else f' {n}'})"
        n += 1
    return candidate


@bp.route("/campaigns/import", methods=["GET", "POST"])
@staff_required
def import_campaign():
    form = ImportForm()
    problems: dict[str, list[str]] = {}
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_IMPORT + 1)
        try:
            if len(raw) > MAX_IMPORT:
                raise campaigns.InvalidCampaign({"": ["This file is too big for a campaign."]})
            campaign = parse_import(raw, form.slug.data)
            row = store.create(
                replace(campaign, title=_copy_title(campaign.title)), current_user.email
            )
        except campaigns.InvalidCampaign as exc:
            problems = exc.errors
        except store.SlugTaken as exc:
            problems = {"slug": [str(exc) + " Give a new web address below."]}
        else:
            flash("Imported as a draft. Check it, preview it, then publish it.")
            return redirect(url_for("studio.edit", campaign_id=row.id))
    status = 400 if problems or form.errors else 200
    return render_template("studio/import.html", form=form, problems=problems), status
