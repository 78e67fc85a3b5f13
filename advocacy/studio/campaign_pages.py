"""The campaign studio: staff list, write, preview, publish, restore, import and export campaigns.

Views stay thin: the form mapping is ``editor_form``, the rules are ``campaigns.validate``,
saving with revisions and conflict checks is ``store``, and the preview runs the supporter's own
pipeline, so what staff see is exactly what supporters will get.
"""

import json
import re
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from markupsafe import Markup
from markupsafe import escape
from wtforms import StringField
from wtforms.validators import Length

from advocacy.letters import campaigns
from advocacy.letters import conditions
from advocacy.letters import delivery
from advocacy.letters import history
from advocacy.letters import markdown
from advocacy.letters import place_facts as facts_module
from advocacy.letters.compose import Choices
from advocacy.letters.compose import Sender
from advocacy.places import directory
from advocacy.places import pipeline
from advocacy.places import postcodes
from advocacy.places.directory import OutsideCoverage
from advocacy.places.directory import UnknownArea
from advocacy.places.pipeline import Draft
from advocacy.places.postcodes import Place
from advocacy.platform import store
from advocacy.platform import tally
from advocacy.platform.limits import limiter
from advocacy.platform.models import MAX_ID
from advocacy.platform.models import CampaignRevision
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db
from advocacy.studio import editor_form
from advocacy.studio.auth import staff_required
from advocacy.supporters.public import THEMES

bp = Blueprint("studio", __name__, url_prefix="/admin")
SAMPLE_SUPPORTERS = ("Sam Taylor", "Priya Shah")
MAX_IMPORT = 256 * 1024  # within STUDIO_MAX_CONTENT_LENGTH, so a big file gets this message
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")  # json.loads joins the pairs that make a character
# One sample supporter's place per nation for comparing nations: a real postcode with its
# constituency and police force area, built from the bundled codes so the preview needs no
# postcode lookup (and works when postcodes.io is down).
SAMPLE_PLACES = {
    "england": ("SE1 2DL", "E14001085", "E23000001"),  # Bermondsey and Old Southwark, the Met
    "wales": ("CF24 3AA", "W07000089", "W15000003"),  # Cardiff East, South Wales Police
    "scotland": ("AB10 1AB", "S14000061", "S23000009"),  # Aberdeen South, Police Scotland
    "northern_ireland": ("BT53 7HX", "N05000012", "N99999999"),  # North Antrim, the PSNI
}


@bp.app_template_filter("field_id")
def _field_id(path: str) -> str:
    return editor_form.field_id(path)


@bp.app_template_filter("in_order")
def _in_order(chosen, known) -> list[str]:
    return editor_form.in_order(chosen or (), known)


@bp.app_template_filter("editable_text")
def _editable_text(value):
    return editor_form.editable_text(value)


@bp.app_template_filter("condition_words")
def _condition_words(when) -> str:
    """A condition, as a box holds it or as data, in words ("Only for supporters in Wales")."""
    if isinstance(when, str):
        when = editor_form.parse_condition(when)
        if when is None:
            return "(can't be read yet)"
    return conditions.in_words(when or {})


@bp.app_template_filter("condition_box")
def _condition_box(when) -> str:
    return editor_form.condition_text(when)


@bp.app_template_filter("without_nation")
def _without_nation(when) -> dict:
    return {k: v for k, v in (when or {}).items() if k != "nation"}


@bp.app_template_filter("plain_entries")
def _plain_entries(entries) -> list[str]:
    """A pool's entries that are text alone (one per line, or a box each)."""
    return [e if isinstance(e, str) else e.get("text", "") for e in entries or () if _plain(e)]


@bp.app_template_filter("rich_entries")
def _rich_entries(entries) -> list[dict]:
    """A pool's entries with a condition or a fact, as their boxes show them."""
    return [
        {
            "text": e.get("text", ""),
            "when": editor_form.condition_text(e.get("when")),
            "fact": e.get("fact") or "",
        }
        for e in entries or ()
        if not _plain(e)
    ]


def _plain(entry) -> bool:
    return isinstance(entry, str) or not (entry.get("when") or entry.get("fact"))


def _facts_missing(facts) -> dict[str, list[str]]:
    """By column of the campaign's place facts, the places (by name) that have no value."""
    if not isinstance(facts, dict) or not facts.get("columns"):
        return {}
    book = pipeline.directory()
    if facts.get("key") == "constituency_code":
        names = {code: c.name for code, c in book.constituencies.items()}
    else:
        names = {code: a.force.name for code, a in book.force_areas.items()}
    rows = facts.get("rows") or {}
    return {
        column: sorted(names[code] for code in names if not (rows.get(code) or {}).get(column))
        for column in facts["columns"]
    }


@bp.app_template_filter("why")
def _why(letter, campaign: campaigns.Campaign) -> list[tuple[str, str]]:
    """Which wording each part of a letter took and why, for the parts that can differ:
    texts with alternatives, pools with conditions, points left out for a repeated fact."""
    return why(campaign, letter)


PART_NAMES = {"opening": "Opening", "closing": "Closing", "subject_lines": "Subject line"}


def why(campaign: campaigns.Campaign, letter) -> list[tuple[str, str]]:
    """Each part of ``letter`` that a condition or a fact decided, in words."""
    found = []
    for part, index in letter.taken:
        head, _, rest = part.partition(".")
        if head == "talking_points":
            point = campaign.point(rest)
            if point is None:
                continue
            name = f"Point “{point.label}”"
            if index == -1:
                found.append(
                    (name, "left out: every phrasing cites a fact this letter cites already")
                )
                continue
            entry = campaigns.as_alternative(point.phrasings[index])
            if entry.when or entry.fact or point.when:
                reason = conditions.in_words({**point.when, **entry.when})
                cites = f"; cites “{entry.fact}”" if entry.fact else ""
                found.append((name, f"phrasing {index + 1}: {reason}{cites}"))
            continue
        if head == "subject_lines":
            if (
                index >= 0
                and (entry := campaigns.as_alternative(campaign.subject_lines[index])).when
            ):
                found.append(
                    ("Subject line", f"line {index + 1}: {conditions.in_words(entry.when)}")
                )
            continue
        text = campaign.asks.get(rest, "") if head == "asks" else getattr(campaign, head, "")
        if isinstance(text, str):
            continue
        name = PART_NAMES.get(head) or f"Ask of the {campaigns.ROLE_WORDS.get(rest, rest)}"
        if index < 0:
            found.append((name, "none fits this letter"))
        elif text[index].when:
            said = conditions.in_words(text[index].when)
            found.append((name, f"alternative {index + 1} of {len(text)}: {said}"))
        else:
            skipped = "; ".join(conditions.in_words(a.when) for a in text[:index])
            found.append((name, f"the default, as none of these fits: {skipped}"))
    return found


@bp.app_template_filter("markdown_html")
def _markdown_html(text: str) -> Markup:
    """Staff Markdown as the page shows it, for the editor's preview beside the box."""
    return Markup(markdown.to_html(text or ""))


ITEM_NAMES = {
    "talking_points": "Talking point",
    "prompts": "Question",
    "fixed_recipients": "Fixed recipient",
}


@bp.app_template_filter("where")
def _where(path: str) -> str:
    """Which item an error is about, for the error summary: "Talking point 3: "."""
    head, _, rest = path.partition(".")
    index = rest.partition(".")[0]
    if head in ITEM_NAMES and index.isdecimal():
        return f"{ITEM_NAMES[head]} {editor_form.index(index) + 1}: "
    if head == "variants" and index in campaigns.NATION_NAMES:
        return f"{campaigns.NATION_NAMES[index]}'s own text: "
    return ""


@bp.app_template_filter("part_name")
def _part_name(path: str) -> str:
    """An error's place in an imported file, in the editor's words."""
    head = path.partition(".")[0]
    return _where(path).rstrip(": ") or store.FIELD_NAMES.get(head, "").capitalize() or path


@bp.app_template_filter("pretty")
def _pretty(value) -> str:
    """A campaign value as staff can read it: text as it is, lists and objects as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


def _row(campaign_id: int) -> CampaignRow:
    return db.get_or_404(CampaignRow, campaign_id, description="There is no such campaign.")


@bp.get("/")
@staff_required
def home():
    rows = db.session.execute(db.select(CampaignRow).order_by(CampaignRow.title)).scalars().all()
    return render_template("studio/campaigns.html", rows=rows)


def _editor(
    doc, *, row=None, version=None, errors=None, conflict=None, notice=None, focus=None, status=200
):
    """The editor page. ``version`` is the one the user's edit is based on: it travels through
    add/remove buttons and error pages unchanged, so a conflict is still noticed at save time.
    ``focus`` is the item (or section) a button just acted on: the page puts focus there."""
    if version is None:
        version = row.version if row else 0
    doc = editor_form.for_editor(doc)
    moved = editor_form.entry_paths(doc)
    placed: dict[str, list[str]] = {}
    for path, messages in (errors or {}).items():
        placed.setdefault(moved.get(path, path), []).extend(messages)
    shown_errors = editor_form.field_errors(placed)
    return (
        render_template(
            "studio/editor.html",
            doc=doc,
            row=row,
            version=conflict.version if conflict else version,
            errors=shown_errors,
            force_facts=sorted(directory.force_fact_values()),
            place_facts_missing=_facts_missing(doc.get("place_facts")),
            conflict=conflict,
            **_conflict_changes(conflict, doc),
            notice=notice,
            focus=focus,
            roles=campaigns.TARGET_ROLES,
            nations=campaigns.NATIONS,
            nation_names=campaigns.NATION_NAMES,
            placeholders=sorted(campaigns.PLACEHOLDERS),
        ),
        status,
    )


def _conflict_changes(conflict: store.EditConflict | None, mine: dict) -> dict:
    """For a refused save, as the version page shows changes (words, points by id): what the
    other save changed since this edit began (None when that version is unknown), and what
    saving this edit would change in theirs."""
    if conflict is None:
        return {"their_changes": None, "my_changes": []}
    theirs = conflict.theirs.to_dict()
    return {
        "their_changes": history.compare(conflict.base, theirs) if conflict.base else None,
        "my_changes": history.compare(theirs, mine),
    }


@bp.route("/campaigns/new", methods=["GET", "POST"])
@staff_required
def new():
    if request.method == "GET":
        return _editor(editor_form.new_document())
    return _submit(None)


@bp.route("/campaigns/<id:campaign_id>", methods=["GET", "POST"])
@staff_required
def edit(campaign_id: int):
    row = _row(campaign_id)
    if request.method == "GET":
        return _editor(row.to_campaign().to_dict(), row=row)
    return _submit(row)


# The editor's Publish, Unpublish and Close buttons: a save that sets the status, with the
# checks a save of that status makes (a campaign goes live only when it is complete).
STATUS_OPS = {"publish": "live", "unpublish": "draft", "close": "closed"}
STATUS_DONE = {
    "live": "Published: supporters can use it now.",
    "draft": "Unpublished: only staff can see it.",
    "closed": "Closed: the page says the campaign has ended.",
}


def _submit(row: CampaignRow | None):
    """Save the editor, or carry out one of its add/remove/move buttons without saving."""
    doc = editor_form.from_form(request.form)
    base = _int(request.form.get("version"))
    op = request.form.get("op", "save")
    was = doc.get("status", "draft")
    if op in STATUS_OPS:
        doc["status"] = STATUS_OPS[op]
    if row is None and not doc["slug"]:
        doc["slug"] = editor_form.suggest_slug(doc["title"])  # shown, and changeable, if refused
    if editor_form.apply_op(doc, op):
        notice = "Not saved yet: press Save when you are ready."
        focus = editor_form.focus_after(doc, op)
        return _editor(doc, row=row, version=base, notice=notice, focus=focus)
    problems = editor_form.problems(doc)
    try:
        campaign = campaigns.from_dict(doc)
    except campaigns.InvalidCampaign as exc:
        # With no nation ticked, the document's own nation errors (computed for every nation)
        # would only confuse: the form's message replaces them.
        errors = {**exc.errors, **problems}
        doc["status"] = was  # not published: the page shows it as it still is
        return _editor(doc, row=row, version=base, errors=errors, status=400)
    if problems:
        doc["status"] = was
        return _editor(doc, row=row, version=base, errors=problems, status=400)
    author = current_user.email
    try:
        if row is None:
            row = store.create(campaign, author)
            flash("Campaign created.")
        elif store.save(row, campaign, author, base):
            flash(f"Saved as version {row.version}.")
        else:
            flash("Nothing had changed, so there is no new version.")
        if op in STATUS_OPS:
            flash(STATUS_DONE[doc["status"]])
    except store.SlugTaken as exc:
        errors = {"slug": [str(exc)]}
        return _editor(doc, row=row, version=base, errors=errors, status=400)
    except store.EditConflict as conflict:
        return _editor(doc, row=row, conflict=conflict, status=409)
    if request.form.get("then") == "preview":
        return redirect(url_for("studio.preview", campaign_id=row.id))
    return redirect(url_for("studio.edit", campaign_id=row.id))


def _per_account() -> str:
    return f"markdown-preview:{current_user.get_id()}"


@bp.post("/markdown")
@staff_required  # first: nobody signed out counts against an account's allowance
@limiter.limit(lambda: current_app.config["MARKDOWN_PREVIEW_RATE_LIMIT"], key_func=_per_account)
def markdown_preview():
    """Markdown typed in the editor as supporters will see it, for its live preview: the
    text is read as a save reads it and rendered by the same function, so the preview is what
    saving stores, and text a save refuses gets the save's message. CSRF-checked like every
    staff POST; limited per account."""
    text = request.form.get("text", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > campaigns.MAX_TEXT:
        return {"error": f"Keep this to {campaigns.MAX_TEXT} characters or fewer."}, 400
    if campaigns.UNSTORABLE.search(text):
        return {"error": campaigns.UNSTORABLE_MESSAGE}, 400
    return {"html": markdown.render(text)}


def _int(value: str | None) -> int:
    """A version from a form; -1 (no such version) for anything else, a huge number included."""
    try:
        number = int(value or "")
    except ValueError:
        return -1
    return number if 0 <= number <= MAX_ID else -1


@bp.get("/campaigns/<id:campaign_id>/revisions")
@staff_required
def revisions(campaign_id: int):
    row = _row(campaign_id)
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
    row = _row(campaign_id)
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
    row = _row(campaign_id)
    rev = _revision(row, version)
    try:
        campaign = store.restorable(row, rev)
    except campaigns.InvalidCampaign as exc:
        # Not valid as things stand now: open it in the editor to fix, nothing saved yet.
        doc = {**rev.document, "slug": row.slug, "status": row.status}
        return _editor(doc, row=row, errors=exc.errors, status=400)
    note = f"Restored version {version}"
    try:
        saved = store.save(
            row, campaign, current_user.email, _int(request.form.get("version")), note
        )
    except store.EditConflict as conflict:
        return _editor(campaign.to_dict(), row=row, conflict=conflict, status=409)
    flash(f"{note} as version {row.version}." if saved else "That version is the current one.")
    return redirect(url_for("studio.edit", campaign_id=row.id))


@bp.get("/campaigns/<id:campaign_id>/export")
@staff_required
def export(campaign_id: int):
    row = _row(campaign_id)
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
    row = _row(campaign_id)
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
        missing=_facts_missing(current.to_dict() if current else None),
    ), status


@bp.post("/campaigns/<id:campaign_id>/place-facts/remove")
@staff_required
def remove_place_facts(campaign_id: int):
    row = _row(campaign_id)
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
    campaign = campaigns.from_dict(doc)
    try:
        store.save(row, campaign, current_user.email, _int(request.form.get("version")))
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
                    found[child] = [campaigns.UNSTORABLE_MESSAGE]
                stack.append((child, item))
        elif isinstance(value, list):
            stack += ((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and LONE_SURROGATE.search(value):
            found[path] = [campaigns.UNSTORABLE_MESSAGE]
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
    return campaigns.from_dict(data)


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


@bp.get("/campaigns/<id:campaign_id>/preview")
@staff_required
def preview(campaign_id: int):
    """Every letter for two sample supporters, built by the supporters' own pipeline."""
    row = _row(campaign_id)
    campaign = row.to_campaign()
    args = request.args
    postcode = args.get("postcode", "")[:16]
    names = [
        (args.get(f"name_{i}") or default)[:100] for i, default in enumerate(SAMPLE_SUPPORTERS)
    ]
    chosen = (
        tuple(args.getlist("points"))
        or tuple(p.id for p in campaign.talking_points if p.default_selected)
        or tuple(p.id for p in campaign.talking_points)
    )
    # One answer per question, used by both sample supporters; ``own_words`` is the first
    # question's answer in links made before every question was asked.
    given = {p.id: args.get(f"answer_{p.id}", "")[:2000] for p in campaign.prompts}
    if campaign.prompts and not given[campaign.prompts[0].id]:
        given[campaign.prompts[0].id] = args.get("own_words", "")[:2000]
    answers = tuple((pid, text) for pid, text in given.items() if text.strip())
    error = None
    samples = []
    place = None
    by_place = postcode.strip() or args.get("constituency") or args.get("pfa")
    compare = bool(args.get("compare")) or not by_place
    if not compare:
        try:
            place = pipeline.locate(postcode, args.get("constituency"), args.get("pfa"))
            choices = Choices(tuple(p for p in chosen if campaign.point(p)), answers)
            samples = [
                (name, pipeline.drafts(campaign, place, Sender(name), choices)) for name in names
            ]
        except (postcodes.PostcodeError, OutsideCoverage, UnknownArea) as exc:
            error = str(exc)
    nation_samples = _nation_samples(campaign, names[0], chosen, answers) if compare else []
    book = pipeline.directory()
    return render_template(
        "studio/preview.html",
        row=row,
        campaign=campaign,
        postcode=postcode,
        names=names,
        chosen=chosen,
        given=given,
        place=place,
        samples=samples,
        varied=_varied(samples),
        nation_samples=nation_samples,
        nation_names=campaigns.NATION_NAMES,
        error=error,
        constituencies=book.grouped_constituencies(),
        force_areas=sorted(book.force_areas.values(), key=lambda a: a.force.name),
        webmail=delivery.WEBMAIL,
    )


@dataclass(frozen=True)
class NationSample:
    """One nation's letters for the sample supporter, and what that nation's supporters lack."""

    nation: str
    place: Place | None
    points: tuple[campaigns.TalkingPoint, ...]  # the ones ticked for these letters
    drafts: tuple[Draft, ...] = ()
    missing: tuple[str, ...] = ()  # "talking points", "subject line"
    error: str | None = None
    where: str = ""  # "SE1 2DL · Bermondsey and Old Southwark · Metropolitan Police Service"


def _nation_samples(
    campaign: campaigns.Campaign,
    name: str,
    chosen: tuple[str, ...],
    answers: tuple[tuple[str, str], ...],
) -> list[NationSample]:
    """One letter set per nation the campaign serves, so staff see at once what each nation's
    supporters send, and which nation would get no points.

    What is missing is read from ``campaign.for_nation``, not from validation: a stored
    campaign saved under older rules may not validate today, and its preview must still say
    what is wrong rather than fail.
    """
    book = pipeline.directory()
    result = []
    for nation in campaign.nations:
        if nation not in SAMPLE_PLACES:
            continue
        served = campaign.for_nation(nation)
        gaps = {"talking points": served.talking_points, "subject line": served.subject_lines}
        missing = tuple(what for what, present in gaps.items() if not present)
        # The points staff ticked that this nation has; else what its supporters start with.
        ids = (
            [p for p in chosen if served.point(p)]
            or [p.id for p in served.talking_points if p.default_selected]
            or [p.id for p in served.talking_points]
        )
        points = tuple(p for p in served.talking_points if p.id in ids)
        postcode, constituency, pfa = SAMPLE_PLACES[nation]
        try:
            place = replace(book.place_for(constituency, pfa), postcode=postcode)
            drafts = pipeline.drafts(campaign, place, Sender(name), Choices(tuple(ids), answers))
        except (OutsideCoverage, UnknownArea) as exc:
            result.append(NationSample(nation, None, points, missing=missing, error=str(exc)))
            continue
        force = book.force_area(pfa).force.name
        where = " · ".join((postcode, place.constituency_name or "", force))
        result.append(NationSample(nation, place, points, tuple(drafts), missing, where=where))
    return result


def _varied(samples) -> tuple[int, int]:
    """Campaign paragraphs phrased differently for the two sample supporters, of how many."""
    if len(samples) != 2:
        return (0, 0)
    (name, first), (_, second) = samples
    # Paragraphs with the supporter's name in them differ anyway; count the wording only.
    mine = [[p for p in d.letter.stock if name not in p] for d in first]
    differ = sum(
        len(set(paragraphs) - set(d.letter.stock))
        for paragraphs, d in zip(mine, second, strict=True)
    )
    return (differ, sum(len(paragraphs) for paragraphs in mine))


def embed_snippet(root: str, slug: str, text: str, *, ref: str = "", theme: str = "") -> str:
    """The HTML a partner pastes: a link to the full page that embed.js turns into the form."""
    extra = "".join(f' data-{k}="{escape(v)}"' for k, v in (("ref", ref), ("theme", theme)) if v)
    return (
        f'<a class="advocacy-embed" href="{escape(root)}/c/{escape(slug)}" '
        f'data-campaign="{escape(slug)}"{extra}>{escape(text)}</a>\n'
        f'<script async src="{escape(root)}/static/embed.js"></script>'
    )


@bp.get("/campaigns/<id:campaign_id>/share")
@staff_required
def share(campaign_id: int):
    """The link and embed snippet for partners, a live preview of the embed, and partner counts."""
    row = _row(campaign_id)
    args = request.args
    ref = tally.clean_ref(args.get("ref", "").strip())
    theme = args.get("theme") if args.get("theme") in THEMES else ""
    text = (args.get("text") or "").strip()[:100] or f"Take action: {row.title}"
    root = request.url_root.rstrip("/")
    g.frame_self = True  # the preview frames this site's own embed
    return render_template(
        "studio/share.html",
        row=row,
        ref=ref,
        ref_refused=bool(args.get("ref", "").strip()) and not ref,
        theme=theme,
        themes=THEMES,
        text=text,
        link=root + url_for("public.campaign", slug=row.slug, ref=ref or None),
        snippet=embed_snippet(root, row.slug, text, ref=ref, theme=theme),
        # The preview leaves the label out, so staff trying it don't add to a partner's count.
        preview=embed_snippet(root, row.slug, text, theme=theme),
        preview_url=url_for("public.embed_campaign", slug=row.slug, theme=theme or None),
        totals=tally.by_ref(row.id),
    )
