"""Staff sign-in: Flask-Login sessions, Flask-WTF CSRF on every staff form, rate-limited login.

Supporters never sign in and never get a cookie; everything here lives under ``/admin``.

Failed sign-ins are limited four ways, none of which lets a stranger lock a colleague out:

- per client address (``LOGIN_RATE_LIMIT``), whatever accounts it tries;
- per account *and* address (``LOGIN_ACCOUNT_RATE_LIMIT``): guessing one account from one
  address, without touching that account's sign-in from anywhere else;
- per account from every address (``LOGIN_ACCOUNT_WIDE_RATE_LIMIT``), which bounds guessing
  spread over many addresses. It is not checked for an address with no failure for that account
  in its ``LOGIN_ACCOUNT_RATE_LIMIT`` windows, so however much of it others have used up, the
  right password from such an address still signs in. (A plain account-wide count would let
  anyone lock the account by failing it on purpose.) Nor is it checked for a browser that has
  signed in to the account before (below), from any address;
- per device cookie (``LOGIN_DEVICE_RATE_LIMIT``), following OWASP's "Slow Down Online Guessing
  Attacks with Device Cookies": a good sign-in gives the browser a signed cookie naming the
  account and a random device id. A sign-in to that account presenting it is exempt from the
  account-wide limit (not from the two per-address ones), and its failures count against that
  device instead; once the device has spent its limit, the cookie exempts nothing and the browser
  is counted like any other. So strangers who spend the account-wide limit, even from the
  owner's own address, never lock out a browser the owner has used before.
"""

import secrets
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from functools import wraps
from urllib.parse import unquote
from urllib.parse import urlsplit

from flask import Blueprint
from flask import Flask
from flask import Request
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask.sessions import SecureCookieSessionInterface
from flask.sessions import SessionMixin
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadData
from itsdangerous import URLSafeTimedSerializer
from limits import parse_many
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash
from werkzeug.wrappers import Response
from wtforms import EmailField
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from advocacy.platform.limits import limiter
from advocacy.platform.models import StaffUser
from advocacy.platform.models import db

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


class OneTimePasswordExpired(Exception):
    """The right one-time password, too old to use.

    Said plainly, since only someone who knows that password ever sees it; a wrong password for
    the same account gets the usual answer, so nobody learns whether an account exists.
    """


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account with this email and password, or None (same work either way).

    :raise OneTimePasswordExpired: the password is an expired one-time password.
    """
    user = find_staff(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    if user.one_time_password_expired:
        raise OneTimePasswordExpired
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


def _submitted_account() -> str:
    """The account a sign-in names, written as stored, so case and spaces don't dodge a limit."""
    return request.form.get("email", "").strip().lower()[:254]


def _account_and_address() -> str:
    """Key of the per-account limit: one address's failures never lock out another address."""
    return f"login:{_submitted_account()}|{get_remote_address()}"


def _whole_account() -> str:
    return "login-account:" + _submitted_account()


def _no_failure_from_here() -> bool:
    """Whether this address has no failed sign-in for this account in any of the windows of
    ``LOGIN_ACCOUNT_RATE_LIMIT``: such an address is exempt from the account-wide limit."""
    return all(
        remaining >= amount
        for remaining, amount in _remaining("LOGIN_ACCOUNT_RATE_LIMIT", _account_and_address())
    )


def _spared_account_wide_limit() -> bool:
    return _no_failure_from_here() or _trusted_device()


DEVICE_COOKIE = "advocacy_device"
_DEVICE_SALT = "advocacy.device"


def _devices() -> URLSafeTimedSerializer:
    """Signs device cookies with the app's secret key (salted, so no other signed value of
    the app's can pass for one)."""
    return URLSafeTimedSerializer(current_app.secret_key, salt=_DEVICE_SALT)


def _device_lifetime() -> int:
    """Seconds a device cookie is good for, from its own signed time (not only the browser's
    say-so)."""
    return round(float(current_app.config["LOGIN_DEVICE_COOKIE_DAYS"]) * 86400)


def remember_device(response: Response, user: StaffUser) -> None:
    """Give the browser that just signed in a device cookie for ``user``.

    A fresh random id each time, so the new cookie starts with no failures. ``HttpOnly``,
    ``Secure`` as the session cookie is, ``SameSite=Strict``, and sent only under the session
    cookie's path (/admin): no supporter page or other site's request ever carries it.
    """
    token = _devices().dumps({"account": user.email, "device": secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=_device_lifetime(),
        path=current_app.session_interface.get_cookie_path(current_app),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )


def _device() -> str | None:
    """The device id of this browser's device cookie, when the cookie is genuine, within its
    lifetime and names the account this sign-in is for; else None."""
    token = request.cookies.get(DEVICE_COOKIE)
    if not token:
        return None
    try:
        data = _devices().loads(token, max_age=_device_lifetime())
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("account") != _submitted_account():
        return None
    device = data.get("device")
    return device if isinstance(device, str) and device else None


def _device_key() -> str:
    return f"login-device:{_device()}"


def _remaining(setting: str, key: str) -> list[tuple[int, int]]:
    """(remaining, amount) of each window of the sign-in limit ``setting`` for ``key``.

    Reads the counts Flask-Limiter keeps for the login view's limits (same key and scope: the
    endpoint), rather than keeping a second record of failures.
    """
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    args = [*([prefix] if prefix else []), key, request.endpoint]
    return [
        (limiter.limiter.get_window_stats(item, *args).remaining, item.amount)
        for item in parse_many(current_app.config[setting])
    ]


def _trusted_device() -> bool:
    """Whether this browser holds a valid device cookie for the account whose failures have
    not spent ``LOGIN_DEVICE_RATE_LIMIT``: exempt from the account-wide limit."""
    if "advocacy_trusted_device" not in g:
        g.advocacy_trusted_device = _device() is not None and all(
            remaining > 0 for remaining, _ in _remaining("LOGIN_DEVICE_RATE_LIMIT", _device_key())
        )
    return g.advocacy_trusted_device


def _failed(response: Response) -> bool:
    """Only failed sign-ins use up the allowance; signing in does not."""
    return response.status_code != 302


# Control characters (which would be a 500 in the Location header), spaces and backslashes
# (which browsers read as "/") are never in a path the studio itself sends to the sign-in page.
_UNSAFE_IN_NEXT = frozenset(map(chr, range(0x21))) | {"\\", "\x7f"}


def _safe_next(target: str | None) -> str:
    """A clean path inside the studio, else the studio home: never another site, never a header
    injection, and no ``..`` that would climb out of ``/admin``."""
    home = url_for("studio.home")
    if not target or not target.isascii() or not _UNSAFE_IN_NEXT.isdisjoint(target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not (parts.path + "/").startswith("/admin/"):
        return home
    # Browsers resolve "." and ".." segments, percent-encoded ones too, before they ask.
    if any(unquote(segment) in (".", "..") for segment in parts.path.split("/")):
        return home
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    methods=["POST"],
    key_func=_account_and_address,
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_WIDE_RATE_LIMIT"],
    methods=["POST"],
    key_func=_whole_account,
    exempt_when=_spared_account_wide_limit,
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_DEVICE_RATE_LIMIT"],
    methods=["POST"],
    key_func=_device_key,
    exempt_when=lambda: not _trusted_device(),
    deduct_when=_failed,
)
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except OneTimePasswordExpired:
            user = None
            error = "That one-time password has expired. Ask an admin for a new one."
        if user is not None:
            session.clear()  # a fresh session (and CSRF token) for the signed-in user
            session.permanent = True
            login_user(user)
            user.last_login_at = datetime.now(UTC)
            db.session.commit()
            response = redirect(_safe_next(request.args.get("next")))
            remember_device(response, user)
            return response
        error = error or "That email address and password don't match an account."
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


def _in_studio() -> bool:
    return request.path.startswith(bp.url_prefix)


class StudioSessions(SecureCookieSessionInterface):
    """Sessions exist only where the cookie is sent (``SESSION_COOKIE_PATH``, /admin): a
    supporter's request opens none (no cookie to read, no serializer to build) and can never be
    given one, so no supporter page carries a cookie or ``Vary: Cookie``."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if not request.path.startswith(self.get_cookie_path(app)):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    """Sign-in for the studio only. Flask-Login's hooks read the session on every request, and
    reading it adds ``Vary: Cookie``: supporters have no session, and their pages must stay
    cacheable (pages.py), so the session is read only under /admin and by studio templates."""
    app.session_interface = StudioSessions()
    login_manager.init_app(app, add_context_processor=False)
    app.after_request_funcs[None].remove(login_manager._update_remember_cookie)

    @app.after_request
    def remember_cookie(response):
        return login_manager._update_remember_cookie(response) if _in_studio() else response

    # A lazy proxy: only the studio templates that name it read the session.
    app.jinja_env.globals["current_user"] = current_user

    csrf.init_app(app)

    @app.before_request
    def staff_forms_carry_a_token() -> None:
        """Flask-WTF's check, on every request to the studio, the only place with a session
        (``StudioSessions``) for a forged form to ride on: ``WTF_CSRF_CHECK_DEFAULT`` is off,
        as Flask-WTF documents for checking selectively, so supporters' and partners' requests
        don't pay for it. A path with no view is a 404, as before, not a CSRF error."""
        if _in_studio() and request.endpoint is not None:
            csrf.protect()
