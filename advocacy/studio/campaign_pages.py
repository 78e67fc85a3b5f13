"""The campaign studio's blueprint and its editor: staff list, write and publish campaigns.

Views stay thin: the form mapping is ``editor_form``, the rules are ``validation.validate``,
saving with revisions and conflict checks is ``store``. The same blueprint carries the routes of
``campaign_files`` (versions, import/export, place facts) and ``preview`` (preview, sharing).
"""

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.letters import history
from advocacy.letters import markdown
from advocacy.letters import reference
from advocacy.letters import validation
from advocacy.platform import store
from advocacy.platform.limits import limiter
from advocacy.platform.models import MAX_ID
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db
from advocacy.studio import editor_filters
from advocacy.studio import editor_form
from advocacy.studio.auth import staff_required
from advocacy.studio.editor_filters import facts_missing

bp = Blueprint("studio", __name__, url_prefix="/admin")
# More talking points than this and each folds to its label (the example's eight made the
# editor 25,000 px long).
FOLD_POINTS_OVER = 4


def version_number(value: str | None) -> int:
    """A version from a form; -1 (no such version) for anything else, a huge number included."""
    try:
        number = int(value or "")
    except ValueError:
        return -1
    return number if 0 <= number <= MAX_ID else -1


def campaign_row(campaign_id: int) -> CampaignRow:
    return db.get_or_404(CampaignRow, campaign_id, description="There is no such campaign.")


@bp.get("/")
@staff_required
def home():
    rows = db.session.execute(db.select(CampaignRow).order_by(CampaignRow.title)).scalars().all()
    return render_template("studio/campaigns.html", rows=rows)


def editor_page(
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
            force_facts=sorted(reference.force_fact_values()),
            place_facts_missing=facts_missing(doc.get("place_facts")),
            conflict=conflict,
            **_conflict_changes(conflict, doc),
            notice=notice,
            focus=focus,
            roles=campaigns.TARGET_ROLES,
            nations=campaigns.NATIONS,
            nation_names=campaigns.NATION_NAMES,
            placeholders=sorted(campaigns.PLACEHOLDERS),
            insert_menu=editor_form.placeholder_menu(
                campaigns.PLACEHOLDERS,
                sorted(reference.force_fact_values()),
                (doc.get("place_facts") or {}).get("columns") or (),
            ),
            fold_points_over=FOLD_POINTS_OVER,
            campaign_languages=campaigns.LANGUAGE_NAMES,
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
        return editor_page(editor_form.new_document())
    return _submit(None)


@bp.route("/campaigns/<id:campaign_id>", methods=["GET", "POST"])
@staff_required
def edit(campaign_id: int):
    row = campaign_row(campaign_id)
    if request.method == "GET":
        return editor_page(row.to_campaign().to_dict(), row=row)
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
    base = version_number(request.form.get("version"))
    op = request.form.get("op", "save")
    was = doc.get("status", "draft")
    if op in STATUS_OPS:
        doc["status"] = STATUS_OPS[op]
    if row is None and not doc["slug"]:
        doc["slug"] = editor_form.suggest_slug(doc["title"])  # shown, and changeable, if refused
    if editor_form.apply_op(doc, op):
        notice = "Not saved yet: press Save when you are ready."
        focus = editor_form.focus_after(doc, op)
        return editor_page(doc, row=row, version=base, notice=notice, focus=focus)
    problems = editor_form.problems(doc)
    try:
        campaign = campaign_json.from_dict(doc)
    except campaigns.InvalidCampaign as exc:
        # With no nation ticked, the document's own nation errors (computed for every nation)
        # would only confuse: the form's message replaces them.
        errors = {**exc.errors, **problems}
        doc["status"] = was  # not published: the page shows it as it still is
        return editor_page(doc, row=row, version=base, errors=errors, status=400)
    if problems:
        doc["status"] = was
        return editor_page(doc, row=row, version=base, errors=problems, status=400)
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
        return editor_page(doc, row=row, version=base, errors=errors, status=400)
    except store.EditConflict as conflict:
        return editor_page(doc, row=row, conflict=conflict, status=409)
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
    if validation.UNSTORABLE.search(text):
        return {"error": validation.UNSTORABLE_MESSAGE}, 400
    return {"html": markdown.render(text)}


for _name, _filter in editor_filters.FILTERS.items():
    bp.add_app_template_filter(_filter, _name)
