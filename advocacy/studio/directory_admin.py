"""The studio's directory page, staff corrections, and the ``flask refresh-mps`` command.

Bundled addresses go out of date (by-elections, new commissioners, new inboxes). Staff correct
them here; the correction is stored apart from the bundled CSVs so the page can always show
what was bundled and what differs, and a correction can be undone.
"""

import re

import click
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from markupsafe import escape
from wtforms import StringField
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from advocacy.letters.addressing import mp_salutation
from advocacy.letters.addressing import mp_salutation_cy
from advocacy.letters.validation import UNSTORABLE
from advocacy.letters.validation import UNSTORABLE_MESSAGE
from advocacy.letters.validation import email_problem
from advocacy.letters.validation import is_web_url
from advocacy.places import members
from advocacy.places import overrides
from advocacy.places.bundled_roles import dear
from advocacy.places.directory import ROLES
from advocacy.studio.auth import staff_required

bp = Blueprint("directory_admin", __name__, url_prefix="/admin", cli_group=None)
ROLE_LABELS = {"mp": "MP", "police_force": "Police force", "police_oversight": "Oversight body"}
PAGE_SIZE = 50
# Every field is one line: line breaks (\n, NEL, U+2028…) and other C0/C1 controls too.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@bp.app_template_filter("breakable")
def breakable(text: str | None) -> Markup:
    """An address or web address that may wrap after @ . / but never inside a word."""
    return Markup(re.sub(r"([@./])", r"\1<wbr>", str(escape(text or ""))))


@bp.get("/directory")
@staff_required
def index():
    query = request.args.get("q", "").strip().lower()[:100]
    role = request.args.get("role", "")
    rows = [
        e
        for e in overrides.entries()
        if (not role or e.role == role)
        and (not query or query in f"{e.area} {e.current.name} {e.current.email}".lower())
    ]
    if request.args.get("show") == "review":
        rows = [e for e in rows if e.current.needs_review]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    # The filters travel with every page link, so paging never loses them.
    filters = {k: v for k, v in request.args.items() if k in ("q", "role", "show") and v}
    return render_template(
        "studio/directory.html",
        rows=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(rows),
        page=page,
        pages=pages,
        filters=filters,
        query=query,
        role=role,
        role_labels=ROLE_LABELS,
    )


def _plain(form, field):
    """As campaign text: nothing invisible, no control character (a NUL in a salutation was
    shown raw in letters and .eml files). First, so the reason given is this one."""
    if field.data and (CONTROL.search(field.data) or UNSTORABLE.search(field.data)):
        raise StopValidation(UNSTORABLE_MESSAGE)


def _email(form, field):
    if field.data and email_problem(field.data):
        raise ValidationError(email_problem(field.data))


def _url(form, field):
    if field.data and not is_web_url(field.data):
        raise ValidationError("Enter a full web address starting with https://")


def _one_line(form, field):
    """A postal address is one line on the page and in the API: parts separated by commas."""
    if field.data and (CONTROL.search(field.data) or UNSTORABLE.search(field.data)):
        raise ValidationError(
            "Use commas between the parts of the address, with no line breaks or other "
            "control characters: “1 Pacific Quay, Glasgow G51 1DZ”."
        )


def _strip(value: str | None) -> str:
    return (value or "").strip()


def _dear(value: str | None) -> str:
    """Staff may type the whole greeting ("Dear Chair,"): letters add "Dear" and the comma."""
    return dear(value or "")


def _annwyl(value: str | None) -> str:
    """The same in Welsh: "Annwyl Gadeirydd," is kept as "Gadeirydd"."""
    text = (value or "").strip().rstrip(",").strip()
    return text[7:].strip() if text.casefold().startswith("annwyl ") else text


class OverrideForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[_plain, Length(max=200)])
    salutation = StringField(
        "Salutation (after “Dear”)",
        filters=[_dear],
        validators=[_plain, Optional(), Length(max=200)],
    )
    salutation_cy = StringField(
        "Welsh salutation (after “Annwyl”)",
        filters=[_annwyl],
        validators=[_plain, Optional(), Length(max=200)],
    )
    email = StringField(
        "Email address",
        filters=[_strip],
        validators=[_plain, Optional(), Length(max=254), _email],
    )
    contact_url = StringField(
        "Contact page", filters=[_strip], validators=[_plain, Optional(), Length(max=500), _url]
    )
    website = StringField(
        "Website", filters=[_strip], validators=[_plain, Optional(), Length(max=500), _url]
    )
    postal_address = StringField(
        "Postal address", filters=[_strip], validators=[Optional(), Length(max=300), _one_line]
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        routes = (self.email, self.contact_url, self.website, self.postal_address)
        if ok and not any(route.data for route in routes):
            self.email.errors = [
                "Give an email address, a contact page, a website or a postal address."
            ]
            return False
        return ok


def _salutation(role: str, name: str, entry: overrides.Entry) -> str:
    """Left blank: an MP is greeted by their name without its honorific, others as bundled."""
    return mp_salutation(name) if role == "mp" else entry.bundled.salutation


def _salutation_cy(role: str, name: str, entry: overrides.Entry) -> str | None:
    """The same in Welsh (an MP by name, a title softened after Annwyl, as bundled)."""
    return mp_salutation_cy(name) if role == "mp" else entry.bundled.salutation_cy


def _entry(role: str, code: str) -> overrides.Entry:
    if role not in ROLES:
        abort(404)
    try:
        return overrides.entry(role, code)
    except KeyError:
        abort(404, "There is no such recipient in the directory.")


@bp.route("/directory/<role>/<code>", methods=["GET", "POST"])
@staff_required
def edit(role: str, code: str):
    entry = _entry(role, code)
    form = OverrideForm(obj=entry.current)
    if form.validate_on_submit():
        name = form.name.data or entry.bundled.name
        values = {
            "name": name,
            "salutation": form.salutation.data or _salutation(role, name, entry),
            "salutation_cy": form.salutation_cy.data or _salutation_cy(role, name, entry),
            "email": form.email.data or None,
            "contact_url": form.contact_url.data or None,
            "website": form.website.data or None,
            "postal_address": form.postal_address.data or None,
        }
        overrides.save(role, code, values, current_user.email)
        flash("Saved. New letters use these details now.")
        return redirect(url_for("directory_admin.edit", role=role, code=code))
    status = 400 if form.errors else 200
    return render_template(
        "studio/directory_edit.html", entry=entry, form=form, role_labels=ROLE_LABELS
    ), status


@bp.post("/directory/<role>/<code>/revert")
@staff_required
def revert(role: str, code: str):
    _entry(role, code)
    overrides.revert(role, code)
    flash("Back to the bundled details.")
    return redirect(url_for("directory_admin.edit", role=role, code=code))


@bp.cli.command("refresh-mps")
@click.option("--code", "codes", multiple=True, help="Only this constituency (GSS code).")
@click.option("--dry-run", is_flag=True, help="Report changes without storing them.")
def refresh_mps(codes: tuple[str, ...], dry_run: bool) -> None:
    """Update MPs from the UK Parliament Members API and report what changed."""
    client = members.MembersClient(current_app.config["MEMBERS_API_URL"])
    changes = members.refresh(overrides.current(), client, codes or None)
    stored = 0
    for change in changes:
        click.echo(
            f"{change.code} {change.constituency}: {change.status}. {change.message}".rstrip()
        )
        for field, (old, new) in change.fields.items():
            click.echo(f"    {field}: {old or '–'} → {new or '–'}")
        values = members.override_fields(change)
        if values and not dry_run:
            mp_id = change.fields.get("member_id", (None, None))[1]
            if mp_id:
                values["member_id"] = int(mp_id)
            overrides.save(
                "mp",
                change.code,
                values,
                "refresh-mps",
                source="members-api",
                reviewed=bool(values.get("email", overrides.current().mps[change.code].email)),
            )
            stored += 1
    errors = sum(c.status == "error" for c in changes)
    click.echo(
        f"{len(changes)} seats need attention: {stored} updated"
        + (" (dry run: nothing stored)" if dry_run else "")
        + f", {sum(c.status == 'vacant' for c in changes)} vacant, {errors} could not be checked."
    )
