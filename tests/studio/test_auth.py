"""Staff sign-in, sessions, CSRF, login rate limits, roles and the ``flask staff`` commands."""

import html
import re
import time
import warnings
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import quote
from urllib.parse import urlsplit

import pytest
from app_config import settings_for
from flask import Flask
from flask import Response
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from staff_helpers import CSRF_FIELD
from staff_helpers import STAFF_PASSWORD
from staff_helpers import add_staff
from staff_helpers import csrf_token
from staff_helpers import sign_in
from test_editor_form import form_for
from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_cookie
from werkzeug.test import TestResponse

from advocacy import create_app
from advocacy.platform import models
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import StaffUser
from advocacy.platform.models import db
from advocacy.platform.schema import example_campaign
from advocacy.studio import auth

SLUG = "stop-facial-recognition"
NEW_PASSWORD = "purple elephants juggle quietly"
BAD_LOGIN = "That email address and password don't match an account."
EXPIRED = "That one-time password has expired. Ask an admin for a new one."
CSRF_MESSAGE = "This form had expired or was sent from somewhere else, so it wasn't saved."
ONE_TIME = re.compile(r'<code data-copy-text="password">([^<]+)</code>')
STUDIO_PAGES = (
    "/admin/",
    "/admin/campaigns/new",
    "/admin/campaigns/import",
    "/admin/directory",
    "/admin/staff",
    "/admin/account",
)


# --- Helpers -----------------------------------------------------------------------------------


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    """An app like the ``app`` fixture's, with some settings changed."""
    return create_app(settings_for(tmp_path / "custom.sqlite", **overrides))


def text(response: TestResponse) -> str:
    """The page with HTML entities decoded, so messages can be compared as written."""
    return html.unescape(response.get_data(as_text=True))


def staff(app: Flask, email: str) -> StaffUser | None:
    """The account as stored now (detached, with its columns loaded)."""
    with app.app_context():
        user = db.session.execute(db.select(StaffUser).filter_by(email=email)).scalar_one_or_none()
        if user is not None:
            db.session.expunge(user)
        return user


def staff_id(app: Flask, email: str) -> int:
    user = staff(app, email)
    assert user is not None, email
    return user.id


def set_active(app: Flask, email: str, active: bool) -> None:
    with app.app_context():
        user = db.session.execute(db.select(StaffUser).filter_by(email=email)).scalar_one()
        user.active = active
        db.session.commit()


def campaign_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(CampaignRow))


def signed_in(client: FlaskClient) -> bool:
    """Whether the studio home opens (True) or sends the client to sign in (False)."""
    response = client.get("/admin/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/admin/login"
    return False


def session_user(client: FlaskClient) -> str | None:
    """The session token Flask-Login keeps in the client's session cookie, if any."""
    with client.session_transaction("/admin/") as session:
        return session.get("_user_id")


def post_form(
    client: FlaskClient, path: str, data: dict | MultiDict, *, token_from: str = "/admin/"
) -> TestResponse:
    """POST a staff form with the CSRF token a page of this client's session carries."""
    data = MultiDict(data)
    data["csrf_token"] = csrf_token(client, token_from)
    return client.post(path, data=data)


def login(
    client: FlaskClient, email: str, password: str = STAFF_PASSWORD, ip: str = "127.0.0.1"
) -> TestResponse:
    """A sign-in attempt from the given client address."""
    token = csrf_token(client, "/admin/login")
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def campaign_form(slug: str) -> MultiDict:
    """What the editor posts to save a valid new campaign (the example, under a new slug)."""
    doc = example_campaign().to_dict()
    doc.update(slug=slug, status="draft", title="A campaign made in the auth tests")
    return form_for(doc)


def cookie_attributes(response: TestResponse, name: str = "advocacy_staff") -> dict[str, str]:
    """The attributes of the named Set-Cookie header, keys lower-cased (flags map to "")."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        if first.split("=", 1)[0] == name:
            pairs = (attr.partition("=") for attr in attributes)
            return {key.lower(): value for key, _, value in pairs}
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def add_through_page(admin: FlaskClient, email: str, role: str = "editor") -> str:
    """Add a colleague on the staff page; returns the one-time password it shows."""
    response = post_form(admin, "/admin/staff", {"email": email, "role": role})
    assert response.status_code == 200
    match = ONE_TIME.search(response.get_data(as_text=True))
    assert match, "no one-time password on the page"
    return html.unescape(match.group(1))


# --- Redirects to sign in, and ?next= ----------------------------------------------------------


@pytest.mark.parametrize("path", STUDIO_PAGES)
def test_anonymous_studio_pages_redirect_to_login_with_next(client, path):
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/admin/login"
    assert not location.netloc
    assert parse_qs(location.query) == {"next": [path]}


def test_after_signing_in_you_land_on_the_next_page(app, client):
    add_staff(app, "editor@example.org")
    login_url = client.get("/admin/campaigns/new").headers["Location"]
    assert login_url == "/admin/login?next=" + quote("/admin/campaigns/new", safe="")
    token = csrf_token(client, login_url)
    response = client.post(
        login_url,
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/campaigns/new"
    assert client.get("/admin/campaigns/new").status_code == 200


def test_next_keeps_its_query_string(app, client):
    add_staff(app, "editor@example.org")
    target = "/admin/directory?role=mp"
    token = csrf_token(client)
    response = client.post(
        "/admin/login?next=" + quote(target, safe=""),
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    (
        "https://evil.example/",
        "//evil.example",
        "//evil.example/admin/",
        "https://evil.example/admin/",
        "http:/admin/",
        "///evil.example",
        "/\\evil.example",
        " //evil.example",
        "\t//evil.example/admin",
        "javascript:alert(1)",
        "/c/stop-facial-recognition",
        "",
        # Header injection: a CR or LF in Location was a 500.
        "/admin/\r\nSet-Cookie:x",
        "/admin\r\nX: y",
        "/admin/\nLocation: https://evil.example/",
        "/admin/\x00",
        # Backslashes, which browsers read as slashes.
        "/\\evil.example",
        "/admin\\..\\..\\c",
        # Dot segments a browser resolves to outside the studio, percent-encoded or not.
        "/admin/../..",
        "/admin/..",
        "/admin/../c/stop-facial-recognition",
        "/admin/%2e%2e/c/stop-facial-recognition",
        "/admin/.%2E/",
        "/admin/./",
        # Not the studio, only a name that starts like it.
        "/administrator",
        "/admin.evil.example",
        "/admin/ x",
    ),
)
def test_a_next_outside_the_studio_is_ignored(app, client, target):
    add_staff(app, "editor@example.org")
    token = csrf_token(client)
    response = client.post(
        "/admin/login?next=" + quote(target, safe=""),
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize(
    "login_url",
    (
        "/admin/login?next=/admin/%0d%0aSet-Cookie:x",
        "/admin/login?next=/admin%0D%0AX:%20y",
        "/admin/login?next=/%5C%5Cevil.example",
        "/admin/login?next=/admin/../..",
    ),
)
def test_a_next_with_line_breaks_or_dot_segments_goes_to_the_studio_home(app, client, login_url):
    """As the issue reported them: the line breaks were a 500, not a redirect home."""
    add_staff(app, "editor@example.org")
    assert client.get(login_url).status_code == 200
    token = csrf_token(client)
    response = client.post(
        login_url,
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert "Set-Cookie: x" not in str(response.headers)
    assert signed_in(client)


@pytest.mark.parametrize(
    "target", ("/admin", "/admin/", "/admin/campaigns/a..b/edit", "/admin/directory?q=a/../b#x")
)
def test_a_clean_studio_next_is_followed(app, client, target):
    add_staff(app, "editor@example.org")
    token = csrf_token(client)
    response = client.post(
        "/admin/login?next=" + quote(target, safe=""),
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == target


# --- Wrong credentials -------------------------------------------------------------------------


def test_wrong_password_and_unknown_email_look_the_same(app, client):
    add_staff(app, "editor@example.org")
    wrong_password = sign_in(client, "editor@example.org", "not the right password")
    unknown_email = sign_in(client, "nobody@example.org", STAFF_PASSWORD)
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert BAD_LOGIN in text(response)
        assert "Location" not in response.headers
    # The pages differ only in the email typed back into the form (and the CSRF token's timestamp).
    pages = [CSRF_FIELD.sub("", text(r)) for r in (wrong_password, unknown_email)]
    assert pages[0].replace("editor@", "nobody@") == pages[1]
    assert session_user(client) is None
    assert not signed_in(client)
    assert staff(app, "editor@example.org").last_login_at is None


def test_a_deactivated_account_cannot_sign_in(app, client):
    add_staff(app, "gone@example.org")
    set_active(app, "gone@example.org", False)
    response = sign_in(client, "gone@example.org")
    assert response.status_code == 401
    assert BAD_LOGIN in text(response)
    assert session_user(client) is None
    assert not signed_in(client)


def test_sign_in_ignores_case_and_spaces_in_the_email(app, client):
    add_staff(app, "editor@example.org")
    response = sign_in(client, "  Editor@Example.ORG ")
    assert response.status_code == 302
    assert signed_in(client)
    assert session_user(client) == staff(app, "editor@example.org").session_token
    assert staff(app, "editor@example.org").last_login_at is not None


def test_empty_login_form_is_a_400_with_field_errors(client):
    response = post_form(
        client, "/admin/login", {"email": "", "password": ""}, token_from="/admin/login"
    )
    assert response.status_code == 400
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert not signed_in(client)


# --- Login rate limits -------------------------------------------------------------------------


def assert_rate_limited(response: TestResponse) -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.mimetype == "text/html"
    assert "<h1>Too Many Requests</h1>" in response.get_data(as_text=True)


def test_the_eleventh_login_post_a_minute_from_one_address_is_refused(app, client):
    add_staff(app, "editor@example.org")
    # Different emails each time, so only the per-address limit (10 a minute) applies.
    for i in range(10):
        assert login(client, f"guess{i}@example.org", "wrong", ip="198.51.100.7").status_code == 401
    assert_rate_limited(login(client, "guess10@example.org", "wrong", ip="198.51.100.7"))
    # Even the right password is refused from that address for now...
    assert_rate_limited(login(client, "editor@example.org", ip="198.51.100.7"))
    assert session_user(client) is None
    # ...but another address is counted separately.
    assert login(client, "editor@example.org", ip="198.51.100.8").status_code == 302


def test_the_login_page_itself_is_not_rate_limited(client):
    for i in range(11):
        login(client, f"guess{i}@example.org", "wrong")
    assert login(client, "guess@example.org", "wrong").status_code == 429
    for _ in range(25):
        response = client.get("/admin/login")
        assert response.status_code == 200
        assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_one_account_is_limited_to_five_tries_a_minute_from_one_address(app, client):
    add_staff(app, "editor@example.org")
    for _ in range(5):
        assert login(client, "editor@example.org", "wrong", ip="203.0.113.1").status_code == 401
    # A sixth try from that address, with the email written differently, is refused: the count
    # is per account (and address), not per spelling. So is the right password, for now.
    assert_rate_limited(login(client, "  EDITOR@example.org", "wrong", ip="203.0.113.1"))
    assert_rate_limited(login(client, "editor@example.org", ip="203.0.113.1"))
    assert session_user(client) is None
    # Other accounts are unaffected from that address.
    add_staff(app, "other@example.org")
    assert login(client, "other@example.org", "wrong", ip="203.0.113.1").status_code == 401
    assert login(client, "other@example.org", ip="203.0.113.1").status_code == 302


def test_failures_from_elsewhere_cannot_lock_a_colleague_out(app):
    """The lockout: five wrong passwords a minute for someone's email, from anywhere, used to
    refuse their right password from everywhere."""
    add_staff(app, "editor@example.org")
    attacker = app.test_client()
    answers = [
        login(attacker, "editor@example.org", "wrong", ip=f"198.51.100.{i}").status_code
        for i in range(1, 11)
        for _ in range(6)
    ]
    assert set(answers) == {401, 429}
    assert answers[-1] == 429  # the attacker's addresses are stopped...
    # ...but the owner, from an address that has not failed, signs in with the right password.
    owner = app.test_client()
    assert login(owner, "editor@example.org", ip="192.0.2.10").status_code == 302
    assert signed_in(owner)
    assert session_user(attacker) is None


def test_the_account_wide_limit_counts_only_addresses_that_already_failed(tmp_path):
    app = make_app(tmp_path, LOGIN_ACCOUNT_WIDE_RATE_LIMIT="3 per minute")
    add_staff(app, "editor@example.org")
    client = app.test_client()
    guessers = [f"198.51.100.{i}" for i in range(1, 5)]
    # An address's first failure is not checked against the account-wide count, nor counted.
    for ip in guessers:
        assert login(client, "editor@example.org", "wrong", ip=ip).status_code == 401
    # Later failures from those addresses are: three a minute between them.
    for ip in guessers[:3]:
        assert login(client, "editor@example.org", "wrong", ip=ip).status_code == 401
    assert_rate_limited(login(client, "editor@example.org", "wrong", ip=guessers[3]))
    assert_rate_limited(login(client, "editor@example.org", ip=guessers[3]))
    # A fresh address is never refused by it: a wrong password is just wrong, the right one works.
    assert login(client, "editor@example.org", "wrong", ip="192.0.2.1").status_code == 401
    assert login(client, "editor@example.org", ip="192.0.2.2").status_code == 302
    # It is per account.
    add_staff(app, "other@example.org")
    assert login(client, "other@example.org", "wrong", ip=guessers[3]).status_code == 401
    assert login(client, "other@example.org", ip=guessers[3]).status_code == 302


def test_login_limits_come_from_the_app_config(tmp_path):
    app = make_app(
        tmp_path,
        LOGIN_RATE_LIMIT="3 per minute",
        LOGIN_ACCOUNT_RATE_LIMIT="2 per minute",
        LOGIN_ACCOUNT_WIDE_RATE_LIMIT="1 per minute",
    )
    add_staff(app, "editor@example.org")
    client = app.test_client()
    # Per account and address: 2 a minute.
    assert login(client, "editor@example.org", "wrong", ip="192.0.2.1").status_code == 401
    assert login(client, "editor@example.org", "wrong", ip="192.0.2.1").status_code == 401
    assert_rate_limited(login(client, "editor@example.org", ip="192.0.2.1"))
    # Per account, from addresses that already failed it: 1 a minute (used above).
    assert login(client, "editor@example.org", "wrong", ip="192.0.2.2").status_code == 401
    assert_rate_limited(login(client, "editor@example.org", "wrong", ip="192.0.2.2"))
    assert login(client, "editor@example.org", ip="192.0.2.3").status_code == 302
    # Per address: 3 a minute.
    for i in range(3):
        assert login(client, f"x{i}@example.org", "wrong", ip="192.0.2.50").status_code == 401
    assert_rate_limited(login(client, "y@example.org", "wrong", ip="192.0.2.50"))


# --- Device cookies: a browser that signed in before is not locked out by strangers ----------

DEVICE = "advocacy_device"
OWNER_IP = "192.0.2.10"


def spend_the_account_wide_limit(app: Flask, email: str) -> None:
    """What the attack review sent: 48 wrong passwords from 8 addresses, in a few seconds."""
    stranger = app.test_client()
    answers = [
        login(stranger, email, "wrong", ip=f"198.51.100.{i}").status_code
        for i in range(1, 9)
        for _ in range(6)
    ]
    assert answers.count(429) >= 8
    # Spent: the right password from an address that has failed the account is refused.
    assert login(stranger, email, ip="198.51.100.1").status_code == 429


def device_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(DEVICE, path="/admin")
    assert cookie is not None, "no device cookie"
    return cookie.value


def with_device_cookie(app: Flask, value: str) -> FlaskClient:
    """A browser holding this device cookie and nothing else."""
    client = app.test_client()
    client.set_cookie(DEVICE, value, path="/admin")
    return client


def test_strangers_cannot_lock_out_a_browser_that_signed_in_before(app):
    add_staff(app, "editor@example.org")
    owner = app.test_client()
    assert login(owner, "editor@example.org", ip=OWNER_IP).status_code == 302
    assert post_form(owner, "/admin/logout", {}).status_code == 302
    spend_the_account_wide_limit(app, "editor@example.org")
    # The owner mistypes, from an address that has now failed the account, then gets it right.
    assert login(owner, "editor@example.org", "wrong", ip=OWNER_IP).status_code == 401
    assert login(owner, "editor@example.org", ip=OWNER_IP).status_code == 302
    assert signed_in(owner)
    # Another browser at that address, without the cookie, is held by the account-wide limit.
    assert login(app.test_client(), "editor@example.org", ip=OWNER_IP).status_code == 429


def issued_days_ago(app: Flask, email: str, days: float, monkeypatch) -> str:
    """A device cookie the app gave ``email``'s browser ``days`` ago."""
    issued = time.time() - days * 86400
    with monkeypatch.context() as patch, app.test_request_context("/admin/login"):
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(issued))
        user = db.session.execute(db.select(StaffUser).filter_by(email=email)).scalar_one()
        response = Response()
        auth.remember_device(response, user)
    return parse_cookie(response.headers["Set-Cookie"])[DEVICE]


def test_a_forged_or_foreign_device_cookie_exempts_nobody(tmp_path, monkeypatch):
    # Room at the owner's address for all the tries below (refused tries count there too).
    app = make_app(tmp_path, LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="50/hour")
    add_staff(app, "editor@example.org")
    add_staff(app, "other@example.org")
    owner, colleague = app.test_client(), app.test_client()
    assert login(owner, "editor@example.org", ip=OWNER_IP).status_code == 302
    assert login(colleague, "other@example.org", ip=OWNER_IP).status_code == 302
    genuine, foreign = device_cookie(owner), device_cookie(colleague)
    payload, _, signature = genuine.rpartition(".")
    tampered = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    other_key = URLSafeTimedSerializer("not the app's key", salt="advocacy.device")
    forged = other_key.dumps({"account": "editor@example.org", "device": "x" * 22})
    lifetime = app.config["LOGIN_DEVICE_COOKIE_DAYS"]
    expired = issued_days_ago(app, "editor@example.org", lifetime + 1, monkeypatch)
    old = issued_days_ago(app, "editor@example.org", lifetime - 1, monkeypatch)
    spend_the_account_wide_limit(app, "editor@example.org")
    assert login(owner, "editor@example.org", "wrong", ip=OWNER_IP).status_code == 401
    cookies = (foreign, tampered, forged, expired, "", "not a cookie", genuine.replace(".", "", 1))
    for value in cookies:
        client = with_device_cookie(app, value)
        assert login(client, "editor@example.org", ip=OWNER_IP).status_code == 429, value
    for value in (genuine, old):
        client = with_device_cookie(app, value)
        assert login(client, "editor@example.org", ip=OWNER_IP).status_code == 302, value


def test_a_device_cookie_keeps_the_per_address_limits(app):
    add_staff(app, "editor@example.org")
    owner = app.test_client()
    assert login(owner, "editor@example.org", ip=OWNER_IP).status_code == 302
    for _ in range(5):
        assert login(owner, "editor@example.org", "wrong", ip=OWNER_IP).status_code == 401
    assert_rate_limited(login(owner, "editor@example.org", ip=OWNER_IP))
    assert login(owner, "editor@example.org", ip="192.0.2.11").status_code == 302
    for i in range(10):  # the address's own limit, whatever the accounts
        assert login(owner, f"x{i}@example.org", "wrong", ip="192.0.2.12").status_code == 401
    assert_rate_limited(login(owner, "editor@example.org", ip="192.0.2.12"))


def test_a_device_that_keeps_failing_loses_its_exemption(tmp_path):
    app = make_app(
        tmp_path,
        LOGIN_ACCOUNT_RATE_LIMIT="20 per hour",
        LOGIN_ACCOUNT_WIDE_RATE_LIMIT="3 per hour",
        LOGIN_DEVICE_RATE_LIMIT="3 per hour",
    )
    add_staff(app, "editor@example.org")
    owner, owners_laptop = app.test_client(), app.test_client()
    assert login(owner, "editor@example.org", ip=OWNER_IP).status_code == 302
    assert login(owners_laptop, "editor@example.org", ip=OWNER_IP).status_code == 302
    stranger = app.test_client()
    for i in range(1, 5):  # each address's first failure is free, its second counts
        for _ in range(2):
            login(stranger, "editor@example.org", "wrong", ip=f"198.51.100.{i}")
    assert login(stranger, "editor@example.org", ip="198.51.100.1").status_code == 429
    # Three failures with the cookie count against the device (not the account-wide limit)...
    for _ in range(3):
        assert login(owner, "editor@example.org", "wrong", ip=OWNER_IP).status_code == 401
    # ...and then the cookie is spent: the browser is a stranger like any other.
    assert login(owner, "editor@example.org", ip=OWNER_IP).status_code == 429
    # Another of the owner's browsers, whose cookie has not failed, still signs in.
    assert login(owners_laptop, "editor@example.org", ip=OWNER_IP).status_code == 302


def test_the_device_cookie_is_secure_httponly_strict_and_only_for_the_studio(app, client):
    add_staff(app, "editor@example.org")
    assert "Set-Cookie" not in login(client, "editor@example.org", "wrong").headers
    response = sign_in(client, "editor@example.org")
    attributes = cookie_attributes(response, DEVICE)
    assert {"secure", "httponly"} <= attributes.keys()
    assert attributes["samesite"] == "Strict"
    assert attributes["path"] == "/admin"
    assert "domain" not in attributes
    assert 30 * 86400 <= int(attributes["max-age"]) <= 400 * 86400  # long, but bounded
    first = device_cookie(client)
    # Signing out keeps it (that is the point); signing in again gives a new one.
    assert post_form(client, "/admin/logout", {}).status_code == 302
    assert device_cookie(client) == first
    sign_in(client, "editor@example.org")
    assert device_cookie(client) != first


# --- CSRF --------------------------------------------------------------------------------------


def assert_csrf_refused(response: TestResponse) -> None:
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)


def test_login_without_a_csrf_token_is_refused(app, client):
    add_staff(app, "editor@example.org")
    client.get("/admin/login")  # a session with a token exists; the form just doesn't send it
    response = client.post(
        "/admin/login", data={"email": "editor@example.org", "password": STAFF_PASSWORD}
    )
    assert_csrf_refused(response)
    assert session_user(client) is None
    assert not signed_in(client)
    assert staff(app, "editor@example.org").last_login_at is None


def test_every_studio_post_without_a_token_is_refused(app, admin):
    """The check runs before every studio view (WTF_CSRF_CHECK_DEFAULT is off: auth.py calls
    it for /admin): each POST route there refuses a signed-in form that has no token."""
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    studio = [r for r in posts if r.rule.startswith("/admin")]
    assert len(studio) >= 15  # the walk found the studio's forms
    for rule in studio:
        path = re.sub(
            r"<(?:([a-z]+):)?[a-z_]+>", lambda m: "1" if m[1] in ("id", "int") else "x", rule.rule
        )
        response = admin.post(path, data={"email": "editor@example.org"})
        assert response.status_code == 400, rule.rule
        assert CSRF_MESSAGE in text(response), rule.rule
    # Outside the studio nothing is asked of a form: supporters and partners have no session.
    assert {r.endpoint.partition(".")[0] for r in posts if r not in studio} == {"public", "api"}


def test_login_with_another_sessions_token_is_refused(app, client):
    add_staff(app, "editor@example.org")
    foreign = csrf_token(app.test_client())
    csrf_token(client)  # this client's own session has a different token
    response = client.post(
        "/admin/login",
        data={"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": foreign},
    )
    assert_csrf_refused(response)
    assert not signed_in(client)


def test_creating_a_campaign_needs_the_token(app, editor):
    before = campaign_count(app)
    data = campaign_form("made-without-a-token")
    assert_csrf_refused(editor.post("/admin/campaigns/new", data=data))
    assert campaign_count(app) == before
    # The same form with the token does create it, so the 400 above was the missing token.
    response = post_form(editor, "/admin/campaigns/new", data)
    assert response.status_code == 302, text(response)
    assert campaign_count(app) == before + 1


def test_logout_needs_the_token(editor):
    assert_csrf_refused(editor.post("/admin/logout"))
    assert signed_in(editor)


def test_adding_staff_needs_the_token(app, admin):
    response = admin.post("/admin/staff", data={"email": "new@example.org", "role": "admin"})
    assert_csrf_refused(response)
    assert ONE_TIME.search(response.get_data(as_text=True)) is None
    assert staff(app, "new@example.org") is None


def test_changing_staff_needs_the_token(app, admin, editor):
    editor_id = staff_id(app, "editor@example.org")
    for action in ("deactivate", "role", "reset"):
        response = admin.post(f"/admin/staff/{editor_id}", data={"action": action, "role": "admin"})
        assert_csrf_refused(response)
    user = staff(app, "editor@example.org")
    assert (user.active, user.role, user.must_change_password) == (True, "editor", False)
    assert signed_in(editor)


def test_changing_ones_password_needs_the_token(app, editor):
    data = {"current": STAFF_PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert_csrf_refused(editor.post("/admin/account", data=data))
    assert staff(app, "editor@example.org").check_password(STAFF_PASSWORD)


def test_a_token_from_another_session_is_refused(app, admin):
    other = app.test_client()
    add_staff(app, "other@example.org", "admin")
    assert sign_in(other, "other@example.org").status_code == 302
    foreign = csrf_token(other, "/admin/staff")
    assert foreign != csrf_token(admin, "/admin/staff")
    response = admin.post(
        "/admin/staff", data={"email": "new@example.org", "role": "editor", "csrf_token": foreign}
    )
    assert_csrf_refused(response)
    assert staff(app, "new@example.org") is None
    assert_csrf_refused(admin.post("/admin/logout", data={"csrf_token": foreign}))
    assert signed_in(admin)


def test_a_token_from_before_sign_in_is_not_reused_after_it(app, client):
    add_staff(app, "editor@example.org")
    before = csrf_token(client)
    assert sign_in(client, "editor@example.org").status_code == 302
    assert_csrf_refused(client.post("/admin/logout", data={"csrf_token": before}))
    assert signed_in(client)


@pytest.mark.parametrize("signed_in_as_staff", (False, True))
def test_supporter_letters_need_no_token(app, client, signed_in_as_staff):
    if signed_in_as_staff:
        add_staff(app, "editor@example.org")
        assert sign_in(client, "editor@example.org").status_code == 302
    response = client.post(
        f"/c/{SLUG}/letters", data={"postcode": "not a postcode", "name": "Ann Example"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Enter a full UK postcode, like SW1A 2DD." in page
    assert CSRF_MESSAGE not in page


def test_supporter_letters_are_made_without_a_token(client, postcodes_io):
    response = client.post(
        f"/c/{SLUG}/letters",
        data={
            "postcode": "SE1 2DL",
            "name": "Ann Example",
            "talking_points": ["accuracy", "bridges-ruling"],
            "answer-why": "My daughter protests and I worry.",
        },
    )
    assert response.status_code == 200
    assert "Neil Coyle" in text(response)


def test_the_api_needs_no_token(client, postcodes_io):
    body = {"postcode": "not a postcode", "name": "Ann", "talking_points": ["accuracy"]}
    response = client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_postcode"
    body["postcode"] = "SE1 2DL"
    response = client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body)
    assert response.status_code == 200
    assert response.get_json()["letters"]


# --- The session cookie ------------------------------------------------------------------------


def test_the_session_cookie_is_secure_httponly_lax_and_only_for_the_studio(app, client):
    add_staff(app, "editor@example.org")
    response = sign_in(client, "editor@example.org")
    assert response.status_code == 302
    attributes = cookie_attributes(response)
    assert "secure" in attributes
    assert "httponly" in attributes
    assert attributes["samesite"] == "Lax"
    assert attributes["path"] == "/admin"
    assert "domain" not in attributes
    # No "remember me" cookie for the whole site: besides the session, only the device cookie
    # (also for /admin alone, see test_the_device_cookie_is_secure_httponly_strict_…).
    names = [h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")]
    assert sorted(names) == ["advocacy_device", "advocacy_staff"]


@pytest.mark.parametrize("signed_in_as_staff", (False, True))
def test_supporter_pages_set_no_cookie(app, client, signed_in_as_staff):
    if signed_in_as_staff:
        add_staff(app, "editor@example.org")
        assert sign_in(client, "editor@example.org").status_code == 302
        assert client.get_cookie("advocacy_staff", path="/admin") is not None
    for path in ("/", f"/c/{SLUG}", f"/c/{SLUG}?manual=1", "/api/v1/campaigns/" + SLUG):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
    response = client.post(f"/c/{SLUG}/letters", data={"postcode": "nope"})
    assert "Set-Cookie" not in response.headers


# --- Logout ------------------------------------------------------------------------------------


def test_logout_ends_the_session(editor):
    assert signed_in(editor)
    response = post_form(editor, "/admin/logout", {})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login"
    assert session_user(editor) is None
    assert not signed_in(editor)
    assert "You have signed out." in text(editor.get("/admin/login"))


def test_a_session_cookie_copied_before_logout_no_longer_signs_in(app, editor):
    copied = editor.get_cookie("advocacy_staff", path="/admin").value
    assert post_form(editor, "/admin/logout", {}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("advocacy_staff", copied, path="/admin")
    response = thief.get("/admin/")
    assert response.status_code == 302
    assert response.location.startswith("/admin/login")


def test_signing_in_successfully_does_not_use_up_the_allowance(app):
    add_staff(app, "often@example.org")
    for _ in range(12):
        client = app.test_client()
        assert sign_in(client, "often@example.org").status_code == 302


def test_logout_by_get_is_not_allowed(editor):
    assert editor.get("/admin/logout").status_code == 405
    assert signed_in(editor)


# --- Roles and the staff page ------------------------------------------------------------------


def test_editors_cannot_manage_staff(app, admin, editor):
    admin_id = staff_id(app, "admin@example.org")
    editor_id = staff_id(app, "editor@example.org")
    assert editor.get("/admin/staff").status_code == 403
    assert 'href="/admin/staff"' not in editor.get("/admin/").get_data(as_text=True)
    response = post_form(editor, "/admin/staff", {"email": "new@example.org", "role": "admin"})
    assert response.status_code == 403
    assert staff(app, "new@example.org") is None
    for user_id, action in ((admin_id, "deactivate"), (admin_id, "reset"), (editor_id, "role")):
        response = post_form(editor, f"/admin/staff/{user_id}", {"action": action, "role": "admin"})
        assert response.status_code == 403, action
    admin_user, editor_user = staff(app, "admin@example.org"), staff(app, "editor@example.org")
    assert (admin_user.active, admin_user.must_change_password) == (True, False)
    assert admin_user.check_password(STAFF_PASSWORD)
    assert editor_user.role == "editor"
    assert signed_in(admin)


def test_admin_sees_the_staff_page(admin):
    assert 'href="/admin/staff"' in admin.get("/admin/").get_data(as_text=True)
    response = admin.get("/admin/staff")
    assert response.status_code == 200
    page = text(response)
    assert "admin@example.org" in page
    assert "(you)" in page


def test_an_admin_adds_someone_who_must_choose_a_password(app, admin):
    password = add_through_page(admin, "New.Person@Example.org")
    assert len(password) >= 12
    user = staff(app, "new.person@example.org")
    assert user is not None
    assert (user.role, user.must_change_password, user.active) == ("editor", True, True)
    assert user.password_hash != password
    assert user.check_password(password)
    # Shown once: the page doesn't show it again.
    again = admin.get("/admin/staff").get_data(as_text=True)
    assert password not in again
    assert ONE_TIME.search(again) is None
    assert "(one-time password)" in again

    newcomer = app.test_client()
    response = sign_in(newcomer, "new.person@example.org", password)
    assert response.status_code == 302
    # Every studio page sends them to their account until they choose a password.
    for path in ("/admin/", "/admin/campaigns/new", "/admin/directory"):
        response = newcomer.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/admin/account"
    assert "Choose a new password before you carry on." in text(newcomer.get("/admin/account"))
    response = post_form(
        newcomer,
        "/admin/campaigns/new",
        campaign_form("by-a-newcomer"),
        token_from="/admin/account",
    )
    assert response.headers["Location"] == "/admin/account"
    assert staff(app, "new.person@example.org").must_change_password
    assert "The one-time password you were given" in text(newcomer.get("/admin/account"))

    response = post_form(
        newcomer,
        "/admin/account",
        {"current": password, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        token_from="/admin/account",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert newcomer.get("/admin/").status_code == 200
    assert not staff(app, "new.person@example.org").must_change_password
    # The one-time password is gone; the new one works.
    assert sign_in(app.test_client(), "new.person@example.org", password).status_code == 401
    assert sign_in(app.test_client(), "new.person@example.org", NEW_PASSWORD).status_code == 302


def test_an_admin_can_add_an_admin(app, admin):
    password = add_through_page(admin, "second@example.org", role="admin")
    assert staff(app, "second@example.org").role == "admin"
    assert sign_in(app.test_client(), "second@example.org", password).status_code == 302


@pytest.mark.parametrize(
    ("email", "message"),
    (
        ("admin@example.org", "There is already an account for this email address."),
        ("ADMIN@example.org", "There is already an account for this email address."),
        ("not an email", "Invalid email address."),
    ),
)
def test_adding_staff_shows_email_errors_next_to_the_field(app, admin, email, message):
    response = post_form(admin, "/admin/staff", {"email": email, "role": "editor"})
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="email-error">.*' + re.escape(message), page)
    assert ONE_TIME.search(page) is None
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(StaffUser)) == 1


@pytest.mark.parametrize(
    ("form", "field", "message"),
    (
        (
            {"current": STAFF_PASSWORD, "new": "too short", "confirm": "too short"},
            "new",
            "Use at least 12 characters.",
        ),
        (
            {"current": STAFF_PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"},
            "confirm",
            "The passwords differ.",
        ),
        (
            {"current": "not my password", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "current",
            "That isn't your current password.",
        ),
    ),
)
def test_password_change_errors_show_next_to_the_fields(app, editor, form, field, message):
    response = post_form(editor, "/admin/account", form, token_from="/admin/account")
    assert response.status_code == 400
    page = text(response)
    error = rf'id="{field}-error">[^<]*<span[^>]*>Error:</span> [^<]*{re.escape(message)}'
    assert re.search(error, page)
    assert re.search(rf'<input[^>]*aria-describedby="[^"]*{field}-error"[^>]*id="{field}"', page)
    assert staff(app, "editor@example.org").check_password(STAFF_PASSWORD)
    assert signed_in(editor)


def test_changing_your_password_signs_out_your_other_sessions(app, editor):
    laptop = app.test_client()
    assert sign_in(laptop, "editor@example.org").status_code == 302
    assert signed_in(laptop)
    response = post_form(
        editor,
        "/admin/account",
        {"current": STAFF_PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        token_from="/admin/account",
    )
    assert response.status_code == 302
    assert "Other sessions have been signed out." in text(editor.get("/admin/"))
    assert signed_in(editor)
    assert not signed_in(laptop)
    assert sign_in(app.test_client(), "editor@example.org").status_code == 401
    assert sign_in(app.test_client(), "editor@example.org", NEW_PASSWORD).status_code == 302


def test_deactivating_someone_signs_out_their_live_session(app, admin, editor):
    editor_id = staff_id(app, "editor@example.org")
    assert signed_in(editor)
    response = post_form(admin, f"/admin/staff/{editor_id}", {"action": "deactivate"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/staff"
    assert "editor@example.org is deactivated." in text(admin.get("/admin/staff"))
    assert not staff(app, "editor@example.org").active
    assert not signed_in(editor)
    assert sign_in(editor, "editor@example.org").status_code == 401

    post_form(admin, f"/admin/staff/{editor_id}", {"action": "reactivate"})
    assert staff(app, "editor@example.org").active
    assert not signed_in(editor)  # the session from before stays ended: it must sign in again
    assert sign_in(editor, "editor@example.org").status_code == 302
    assert signed_in(editor)


def test_an_admin_cannot_deactivate_or_demote_themselves(app, admin):
    own_id = staff_id(app, "admin@example.org")
    for data in ({"action": "deactivate"}, {"action": "role", "role": "editor"}):
        response = post_form(admin, f"/admin/staff/{own_id}", data)
        assert response.status_code == 302
        page = text(admin.get("/admin/staff"))
        assert "You can't change your own role or deactivate yourself here." in page
    user = staff(app, "admin@example.org")
    assert (user.active, user.role) == (True, "admin")
    assert signed_in(admin)


def test_an_admin_changes_roles_both_ways(app, admin, editor):
    editor_id = staff_id(app, "editor@example.org")
    response = post_form(admin, f"/admin/staff/{editor_id}", {"action": "role", "role": "admin"})
    assert response.status_code == 302
    assert "editor@example.org is now an admin." in text(admin.get("/admin/staff"))
    assert staff(app, "editor@example.org").role == "admin"
    assert editor.get("/admin/staff").status_code == 200  # takes effect in the live session

    post_form(admin, f"/admin/staff/{editor_id}", {"action": "role", "role": "editor"})
    assert "editor@example.org is now an editor." in text(admin.get("/admin/staff"))
    assert staff(app, "editor@example.org").role == "editor"
    assert editor.get("/admin/staff").status_code == 403

    post_form(admin, f"/admin/staff/{editor_id}", {"action": "role", "role": "owner"})
    assert staff(app, "editor@example.org").role == "editor"


def test_changing_an_unknown_account_is_a_404(admin):
    assert post_form(admin, "/admin/staff/9999", {"action": "deactivate"}).status_code == 404


def test_a_new_one_time_password_signs_the_person_out(app, admin, editor):
    editor_id = staff_id(app, "editor@example.org")
    response = post_form(admin, f"/admin/staff/{editor_id}", {"action": "reset"})
    assert response.status_code == 200
    match = ONE_TIME.search(response.get_data(as_text=True))
    assert match
    password = html.unescape(match.group(1))
    assert not signed_in(editor)
    assert sign_in(editor, "editor@example.org").status_code == 401
    assert sign_in(editor, "editor@example.org", password).status_code == 302
    assert editor.get("/admin/").headers["Location"] == "/admin/account"
    assert password not in admin.get("/admin/staff").get_data(as_text=True)


def test_pages_showing_a_one_time_password_are_never_stored(app, admin, editor):
    response = post_form(admin, "/admin/staff", {"email": "new@example.org", "role": "editor"})
    assert ONE_TIME.search(response.get_data(as_text=True))
    assert response.headers["Cache-Control"] == "no-store"
    editor_id = staff_id(app, "editor@example.org")
    response = post_form(admin, f"/admin/staff/{editor_id}", {"action": "reset"})
    assert ONE_TIME.search(response.get_data(as_text=True))
    assert response.headers["Cache-Control"] == "no-store"


# --- One-time passwords expire -----------------------------------------------------------------


def hours_pass(monkeypatch: pytest.MonkeyPatch, hours: float) -> None:
    """From now on, the account clock reads this many hours later than the real one."""
    monkeypatch.setattr(models, "_now", lambda: datetime.now(UTC) + timedelta(hours=hours))


@pytest.mark.parametrize(("hours", "expired"), ((23.9, False), (24, True), (24 * 30, True)))
def test_a_one_time_password_expires_after_a_day(app, admin, monkeypatch, hours, expired):
    password = add_through_page(admin, "new@example.org")
    hours_pass(monkeypatch, hours)
    response = sign_in(app.test_client(), "new@example.org", password)
    if not expired:
        assert response.status_code == 302
        return
    assert response.status_code == 401
    assert EXPIRED in text(response)
    assert BAD_LOGIN not in text(response)
    assert staff(app, "new@example.org").last_login_at is None
    assert "(one-time password, expired)" in text(admin.get("/admin/staff"))


def test_an_expired_one_time_password_tells_nobody_else_anything(app, admin, monkeypatch):
    password = add_through_page(admin, "new@example.org")
    hours_pass(monkeypatch, 25)
    client = app.test_client()
    # Only the right (expired) password says it has expired; a wrong one, or an unknown or
    # deactivated account, gets the usual answer.
    assert EXPIRED in text(sign_in(client, "new@example.org", password))
    for email, attempt in (
        ("new@example.org", "not the password"),
        ("nobody@example.org", password),
    ):
        response = sign_in(client, email, attempt)
        assert response.status_code == 401
        assert BAD_LOGIN in text(response)
        assert EXPIRED not in text(response)
    set_active(app, "new@example.org", False)
    assert BAD_LOGIN in text(sign_in(client, "new@example.org", password))


def test_a_new_one_time_password_replaces_an_expired_one(app, admin, monkeypatch):
    expired = add_through_page(admin, "new@example.org")
    hours_pass(monkeypatch, 48)
    assert EXPIRED in text(sign_in(app.test_client(), "new@example.org", expired))
    user_id = staff_id(app, "new@example.org")
    response = post_form(admin, f"/admin/staff/{user_id}", {"action": "reset"})
    fresh = html.unescape(ONE_TIME.search(response.get_data(as_text=True)).group(1))
    assert "stops working after 24 hours" in text(response)
    assert "(one-time password, expired)" not in text(admin.get("/admin/staff"))
    assert BAD_LOGIN in text(sign_in(app.test_client(), "new@example.org", expired))
    newcomer = app.test_client()
    assert sign_in(newcomer, "new@example.org", fresh).status_code == 302
    assert newcomer.get("/admin/").headers["Location"] == "/admin/account"


def test_only_one_time_passwords_expire(app, monkeypatch):
    add_staff(app, "editor@example.org")
    hours_pass(monkeypatch, 24 * 365)
    assert sign_in(app.test_client(), "editor@example.org").status_code == 302


def test_a_one_time_password_of_unknown_age_has_expired(app):
    """Accounts from before ages were kept: a pending one-time password could be any age."""
    add_staff(app, "old@example.org", must_change=True)
    with app.app_context():
        db.session.execute(db.update(StaffUser).values(password_set_at=None))
        db.session.commit()
    assert EXPIRED in text(sign_in(app.test_client(), "old@example.org"))


def test_how_long_a_one_time_password_lasts_comes_from_the_app_config(tmp_path, monkeypatch):
    app = make_app(tmp_path, ONE_TIME_PASSWORD_HOURS=2)
    add_staff(app, "new@example.org", must_change=True)
    hours_pass(monkeypatch, 1.9)
    assert sign_in(app.test_client(), "new@example.org").status_code == 302
    hours_pass(monkeypatch, 2)
    assert EXPIRED in text(sign_in(app.test_client(), "new@example.org"))


# --- The current-password check on the account page --------------------------------------------


def change_password(client: FlaskClient, current: str, new: str = NEW_PASSWORD, confirm=None):
    data = {"current": current, "new": new, "confirm": new if confirm is None else confirm}
    return post_form(client, "/admin/account", data, token_from="/admin/account")


def test_wrong_current_passwords_on_the_account_page_are_rate_limited(app, admin, editor):
    # Other mistakes don't count...
    for _ in range(6):
        assert change_password(editor, STAFF_PASSWORD, confirm="something else").status_code == 400
    # ...five wrong current passwords a minute do, and then even the right one is refused.
    for _ in range(5):
        assert change_password(editor, "not my password").status_code == 400
    assert_rate_limited(change_password(editor, STAFF_PASSWORD))
    assert staff(app, "editor@example.org").check_password(STAFF_PASSWORD)
    # The count is the account's: from another browser too, but no one else's.
    laptop = app.test_client()
    assert sign_in(laptop, "editor@example.org").status_code == 302
    assert_rate_limited(change_password(laptop, STAFF_PASSWORD))
    assert change_password(admin, STAFF_PASSWORD).status_code == 302
    assert editor.get("/admin/account").status_code == 200  # the page itself still opens


def test_the_account_page_limit_comes_from_the_app_config(tmp_path):
    app = make_app(tmp_path, ACCOUNT_PASSWORD_RATE_LIMIT="1 per minute")
    add_staff(app, "editor@example.org")
    client = app.test_client()
    assert sign_in(client, "editor@example.org").status_code == 302
    assert change_password(client, "not my password").status_code == 400
    assert_rate_limited(change_password(client, STAFF_PASSWORD))


# --- Password storage --------------------------------------------------------------------------


def test_passwords_are_stored_hashed(app, admin):
    add_through_page(admin, "web@example.org")
    add_staff(app, "direct@example.org")
    for email in ("admin@example.org", "direct@example.org", "web@example.org"):
        stored = staff(app, email).password_hash
        assert stored.startswith(("scrypt:", "pbkdf2:")), stored
        assert STAFF_PASSWORD not in stored
    # Two accounts with the same password get different (salted) hashes.
    assert staff(app, "admin@example.org").password_hash != (
        staff(app, "direct@example.org").password_hash
    )


# --- The flask staff commands ------------------------------------------------------------------


def test_cli_creates_an_admin_who_can_sign_in(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["staff", "create", "New@Example.org", "--role", "admin"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin new@example.org." in result.output
    assert result.output.count("Password") + result.output.count("Repeat") == 2
    user = staff(app, "new@example.org")
    assert (user.role, user.active, user.must_change_password) == ("admin", True, False)
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    client = app.test_client()
    assert sign_in(client, "new@example.org", NEW_PASSWORD).status_code == 302
    assert client.get("/admin/staff").status_code == 200


def test_cli_says_which_database_it_wrote_to(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "ed@example.org", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert f"Database: the SQLite file {tmp_path / 'test.sqlite'}." in result.stdout
    assert result.stderr == ""


def test_cli_warns_when_no_database_is_set(tmp_path, monkeypatch):
    """A deployment's shell without ADVOCACY_DATABASE_URL once wrote the first admin to an
    SQLite file that the server, on PostgreSQL, never read: now the command says so."""
    monkeypatch.setenv("ADVOCACY_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "x", "TESTING": True})
    for args in (["create", "ed@example.org"], ["password", "ed@example.org"]):
        result = app.test_cli_runner().invoke(args=["staff", *args, "--password", NEW_PASSWORD])
        assert result.exit_code == 0, result.output
        assert "DATABASE_URL is not set" in result.stderr
        assert f"in the SQLite file {tmp_path / 'advocacy.sqlite'}." in result.stderr
        assert "will not see it" in result.stderr


def test_the_database_is_described_without_its_password():
    from advocacy.platform.config import describe_database

    described = describe_database("postgresql+psycopg://advocacy:s3cret@db.internal/advocacy")
    assert described == "postgresql+psycopg://advocacy:***@db.internal/advocacy"
    socket = describe_database("postgresql+psycopg://advocacy@/advocacy?host=/run/postgresql")
    assert socket.startswith("postgresql+psycopg://advocacy@/advocacy?host=")


def test_cli_creates_editors_by_default(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "ed@example.org", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert staff(app, "ed@example.org").role == "editor"


def test_cli_refuses_a_short_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "create", "new@example.org"], input="short\n")
    assert result.exit_code != 0
    assert "Use at least 12 characters." in result.output
    assert staff(app, "new@example.org") is None
    result = runner.invoke(args=["staff", "create", "new@example.org", "--password", "short"])
    assert result.exit_code != 0
    assert "Use at least 12 characters." in result.output
    assert staff(app, "new@example.org") is None


def test_cli_refuses_an_invalid_email(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "not-an-email", "--password", NEW_PASSWORD]
    )
    assert result.exit_code != 0
    assert "doesn't look right" in result.output
    assert staff(app, "not-an-email") is None


def test_cli_refuses_differing_passwords(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "new@example.org"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}x\n",
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert staff(app, "new@example.org") is None


@pytest.mark.parametrize("again", ("editor@example.org", "EDITOR@example.org "))
def test_cli_refuses_a_duplicate_email(app, again):
    add_staff(app, "editor@example.org")
    result = app.test_cli_runner().invoke(
        args=["staff", "create", again, "--role", "admin"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code != 0
    assert "There is already an account for editor@example.org." in result.output
    assert "Traceback" not in result.output
    user = staff(app, "editor@example.org")
    assert user.role == "editor"
    assert user.check_password(STAFF_PASSWORD)


def test_cli_lists_accounts(app):
    add_staff(app, "zed@example.org", "editor")
    add_staff(app, "amy@example.org", "admin")
    add_staff(app, "gone@example.org", "editor")
    set_active(app, "gone@example.org", False)
    result = app.test_cli_runner().invoke(args=["staff", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "amy@example.org\tadmin\tactive",
        "gone@example.org\teditor\tdeactivated",
        "zed@example.org\teditor\tactive",
    ]


def test_cli_changes_a_password_and_signs_out_sessions(app, editor):
    add_staff(app, "other@example.org")
    result = app.test_cli_runner().invoke(
        args=["staff", "password", "Editor@example.org"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password changed for editor@example.org." in result.output
    assert staff(app, "editor@example.org").check_password(NEW_PASSWORD)
    assert staff(app, "other@example.org").check_password(STAFF_PASSWORD)
    assert not signed_in(editor)
    assert sign_in(app.test_client(), "editor@example.org").status_code == 401
    assert sign_in(app.test_client(), "editor@example.org", NEW_PASSWORD).status_code == 302


def test_cli_password_clears_a_pending_one_time_password(app):
    add_staff(app, "new@example.org", must_change=True)
    result = app.test_cli_runner().invoke(
        args=["staff", "password", "new@example.org", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert not staff(app, "new@example.org").must_change_password


def test_cli_password_refuses_unknown_accounts_and_short_passwords(app):
    add_staff(app, "editor@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["staff", "password", "nobody@example.org"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert result.exit_code != 0
    assert "No account for nobody@example.org." in result.output
    result = runner.invoke(args=["staff", "password", "editor@example.org", "--password", "short"])
    assert result.exit_code != 0
    assert "Use at least 12 characters." in result.output
    assert staff(app, "editor@example.org").check_password(STAFF_PASSWORD)


# --- Behind a TLS-terminating proxy -------------------------------------------------------------


def test_sign_in_over_https_sends_and_needs_a_same_origin_referer(tmp_path):
    """Flask-WTF's strict check wants a same-origin Referer over https; staff pages allow one."""
    app = make_app(tmp_path, PROXY_FIX_X_PROTO=1)
    add_staff(app, "editor@example.org")
    client = app.test_client()
    https = {"X-Forwarded-Proto": "https"}
    page = client.get("/admin/login", headers=https)
    assert page.headers["Referrer-Policy"] == "same-origin"  # a browser sends it, to us only
    assert client.get(f"/c/{SLUG}", headers=https).headers["Referrer-Policy"] == "no-referrer"
    token = csrf_token(client)
    data = {"email": "editor@example.org", "password": STAFF_PASSWORD, "csrf_token": token}
    refused = client.post("/admin/login", data=data, headers=https)
    assert refused.status_code == 400  # no Referer at all: still refused
    forged = client.post(
        "/admin/login", data=data, headers={**https, "Referer": "https://evil.example/"}
    )
    assert forged.status_code == 400
    response = client.post(
        "/admin/login", data=data, headers={**https, "Referer": "https://localhost/admin/login"}
    )
    assert response.status_code == 302


# --- Library deprecations ----------------------------------------------------------------------


def test_the_staff_page_uses_no_deprecated_wtforms_api(admin):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=DeprecationWarning)
        assert admin.get("/admin/staff").status_code == 200
