"""Staff sign-in: Flask-Login sessions, Flask-WTF CSRF on every staff form, rate-limited login.

Supporters never sign in and never get a cookie; everything here lives under ``/admin``.
"""

from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import LoginManager
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash
from wtforms import EmailField
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from advocacy.limits import limiter
from advocacy.models import StaffUser
from advocacy.models import db

bp = Blueprint("auth", __name__, url_prefix="/admin")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
csrf = CSRFProtect()
MIN_PASSWORD = 12
# Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password")


@login_manager.user_loader
def _load(token: str) -> StaffUser | None:
    return db.session.execute(
        db.select(StaffUser).filter_by(session_token=token)
    ).scalar_one_or_none()


def find_staff(email: str) -> StaffUser | None:
    return db.session.execute(
        db.select(StaffUser).filter_by(email=email.strip().lower())
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account with this email and password, or None (same work either way)."""
    user = find_staff(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def password_problem(password: str) -> str | None:
    """Length is what matters (NIST SP 800-63B); no composition rules."""
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters. A few unrelated words work well."
    if len(password) > 1024:
        return "Use 1,024 characters or fewer."
    return None


def staff_required(view: Callable) -> Callable:
    """Signed in, and past the first-login password change."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.must_change_password and request.endpoint != "staff.account":
            flash("Choose a new password before you carry on.")
            return redirect(url_for("staff.account"))
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable) -> Callable:
    @wraps(view)
    @staff_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, "Only an admin can manage staff accounts.")
        return view(*args, **kwargs)

    return wrapped


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


def _submitted_email() -> str:
    return "login:" + request.form.get("email", "").strip().lower()[:254]


def _failed(response) -> bool:
    """Only failed sign-ins use up the allowance; signing in does not."""
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    """Only a path inside the studio: never an open redirect to another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/admin"):
            return target
    return url_for("studio.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    methods=["POST"],
    key_func=_submitted_email,
    deduct_when=_failed,
)
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session (and CSRF token) for the signed-in user
            session.permanent = True
            login_user(user)
            user.last_login_at = datetime.now(UTC)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        error = "That email address and password don't match an account."
    elif request.method == "POST" and not form.errors:
        error = "Enter your email address and password."
    status = 401 if error else 400 if form.errors else 200
    return render_template("studio/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    # Flask's session lives in the cookie: a copy taken earlier would still be signed in unless
    # the token it names is replaced. This also signs out the user's other browsers.
    if current_user.is_authenticated:
        current_user.sign_out_everywhere()
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    csrf.init_app(app)
