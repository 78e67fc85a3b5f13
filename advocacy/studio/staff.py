"""Staff accounts: the ``flask staff`` commands, the admin's staff page and each user's account.

Admins add staff with a one-time password that must be changed at first sign-in, so no admin
ever knows a colleague's real password. It stops working after ``ONE_TIME_PASSWORD_HOURS``.
"""

import secrets

import click
from flask import Blueprint
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_login import login_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import ValidationError

from advocacy.letters.validation import email_problem
from advocacy.platform import config
from advocacy.platform.limits import limiter
from advocacy.platform.models import ROLES
from advocacy.platform.models import StaffUser
from advocacy.platform.models import db
from advocacy.studio.auth import admin_required
from advocacy.studio.auth import find_staff
from advocacy.studio.auth import password_problem
from advocacy.studio.auth import staff_required

bp = Blueprint("staff", __name__, url_prefix="/admin", cli_group="staff")
ROLE_CHOICES = [
    SelectChoice("editor", "Editor: writes and publishes campaigns"),
    SelectChoice("admin", "Admin: also manages staff"),
]


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def create_staff(email: str, role: str, password: str, *, must_change: bool = False) -> StaffUser:
    """:raise ValueError: a bad role, a weak password or an email already in use."""
    if role not in ROLES:
        raise ValueError(f"Role must be one of {', '.join(ROLES)}.")
    if email_problem(email.strip()):
        raise ValueError(email_problem(email.strip()))
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    user = StaffUser(email=email.strip().lower(), role=role, must_change_password=must_change)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ValueError(f"There is already an account for {user.email}.") from None
    return user


def _new_password(ctx, param, value):
    problem = password_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return value


@bp.cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
@click.password_option(callback=_new_password, help="Prompted for (twice) when not given.")
def create_command(email: str, role: str, password: str) -> None:
    """Create a staff account that signs in at /admin/login."""
    try:
        user = create_staff(email, role, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.role} {user.email}. Sign in at /admin/login.")
    _say_where()


@bp.cli.command("password")
@click.argument("email")
@click.password_option(callback=_new_password)
def password_command(email: str, password: str) -> None:
    """Set a new password for a staff account (signs out its sessions)."""
    user = find_staff(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    user.set_password(password)
    user.must_change_password = False
    db.session.commit()
    click.echo(f"Password changed for {user.email}.")
    _say_where()


def _say_where() -> None:
    """Name the database a command wrote to. Without ``DATABASE_URL`` that is the instance
    folder's SQLite file, which a server on PostgreSQL never reads: a deployment's shell that
    lacks the setting would otherwise make an account nobody can sign in with, silently."""
    where = config.describe_database(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if current_app.config["DATABASE_URL"]:
        click.echo(f"Database: {where}.")
    else:
        click.echo(
            f"Note: DATABASE_URL is not set (ADVOCACY_DATABASE_URL, or instance/config.py), so "
            f"this is in {where}. A server using PostgreSQL will not see it.",
            err=True,
        )


@bp.cli.command("list")
def list_command() -> None:
    """List staff accounts."""
    for user in db.session.execute(db.select(StaffUser).order_by(StaffUser.email)).scalars():
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.role}\t{state}")


class StaffForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default="editor")

    def validate_email(self, field):
        if find_staff(field.data):
            raise ValidationError("There is already an account for this email address.")


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired()])
    confirm = PasswordField(
        "New password again", validators=[DataRequired(), EqualTo("new", "The passwords differ.")]
    )

    def validate_current(self, field):
        if not current_user.check_password(field.data):
            g.wrong_current_password = True  # counted by ACCOUNT_PASSWORD_RATE_LIMIT
            raise ValidationError("That isn't your current password.")

    def validate_new(self, field):
        problem = password_problem(field.data)
        if problem:
            raise ValidationError(problem)


@bp.route("/staff", methods=["GET", "POST"])
@admin_required
def staff():
    form = StaffForm()
    if form.validate_on_submit():
        password = one_time_password()
        user = create_staff(form.email.data, form.role.data, password, must_change=True)
        return _staff_page(StaffForm(formdata=None), created=(user, password))
    return _staff_page(form)


@bp.post("/staff/<id:user_id>")
@admin_required
def change_staff(user_id: int):
    user = db.get_or_404(StaffUser, user_id)
    action = request.form.get("action")
    if user.id == current_user.id:
        flash("You can't change your own role or deactivate yourself here.", "error")
    elif action == "role" and request.form.get("role") in ROLES:
        user.role = request.form["role"]
        flash(f"{user.email} is now an {user.role}.")
    elif action in ("deactivate", "reactivate"):
        user.active = action == "reactivate"
        user.sign_out_everywhere()
        flash(f"{user.email} is {'active' if user.active else 'deactivated'}.")
    elif action == "reset":
        password = one_time_password()
        user.set_password(password)
        user.must_change_password = True
        db.session.commit()
        # Shown in this response only: a flashed message would sit in the session cookie.
        return _staff_page(StaffForm(formdata=None), created=(user, password))
    db.session.commit()
    return redirect(url_for("staff.staff"))


def _staff_page(form: StaffForm, created: tuple[StaffUser, str] | None = None):
    """The staff page; with ``created``, also that account's new one-time password.

    A page showing a password is ``no-store``: no cache, and no back button, may keep it.
    """
    users = db.session.execute(db.select(StaffUser).order_by(StaffUser.email)).scalars().all()
    status = 400 if form.errors else 200
    page = render_template("studio/staff.html", form=form, users=users, created=created)
    headers = {"Cache-Control": "no-store"} if created else {}
    return page, status, headers


def _signed_in_account() -> str:
    """Per account, not per address: a stolen session gets no more guesses by moving, and only
    that account's own session can use its allowance up."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return "account-anonymous:" + get_remote_address()  # sent on to sign in; never counted


def _wrong_current_password(response: Response) -> bool:
    return bool(g.get("wrong_current_password"))


@bp.route("/account", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["ACCOUNT_PASSWORD_RATE_LIMIT"],
    methods=["POST"],
    key_func=_signed_in_account,
    deduct_when=_wrong_current_password,
)
@staff_required
def account():
    form = PasswordForm()
    if current_user.must_change_password:
        form.current.label.text = "The one-time password you were given"
    if form.validate_on_submit():
        current_user.set_password(form.new.data)
        current_user.must_change_password = False
        db.session.commit()
        login_user(current_user)  # the session token changed: keep this session signed in
        flash("Your password has been changed. Other sessions have been signed out.")
        return redirect(url_for("studio.home"))
    return render_template("studio/account.html", form=form), 400 if form.errors else 200
