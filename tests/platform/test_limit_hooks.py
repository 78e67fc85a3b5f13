"""Flask-Limiter's per-request hooks run for the studio alone (limits._check_in_views_only): staff
and supporter limits still hold side by side, and app-wide limits, when set, keep every hook.

The limits one by one are tested where they live: sign-in in test_auth, the markdown preview in
test_markdown_preview, lookups and letters in test_hardening, test_pages and test_partner_api.
"""

import functools

import pytest
from app_config import settings_for
from flask import Flask
from flask_limiter import Limiter
from places import BY_AREA
from staff_helpers import add_staff
from staff_helpers import csrf_token

from advocacy import create_app
from advocacy.platform import limits

SLUG = "stop-facial-recognition"
PAGE = f"/c/{SLUG}"
API_LETTERS = f"/api/v1/campaigns/{SLUG}/letters"
IP = "198.51.100.23"


@pytest.fixture
def tight(tmp_path):
    """An app where every limit is spent in a few requests."""
    return create_app(
        settings_for(
            tmp_path / "tight.sqlite",
            LOGIN_RATE_LIMIT="3 per minute",
            API_LETTERS_RATE_LIMIT="2 per minute",
            API_LOOKUP_RATE_LIMIT="2 per minute",
        )
    )


def login(client, email: str, password: str = "wrong"):
    token = csrf_token(client, "/admin/login")
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": IP},
    )


def test_staff_and_supporter_limits_hold_side_by_side(tight, postcodes_io) -> None:
    """Requests of both kinds in turn from one address: each limit counts its own, and each
    refusal says when to come back."""
    add_staff(tight, "editor@example.org")
    client = tight.test_client()
    here = {"REMOTE_ADDR": IP}

    def letters():
        return client.post(API_LETTERS, json=BY_AREA, environ_base=here)

    def lookup():
        return client.get(PAGE, query_string={"postcode": "SE1 2DL"}, environ_base=here)

    for i in range(2):
        assert login(client, f"guess{i}@example.org").status_code == 401
        assert letters().status_code == 200
        assert lookup().status_code == 200
    # The sign-in limit (3) is not spent by the supporter requests between its tries.
    assert login(client, "guess2@example.org").status_code == 401
    refused = letters()
    assert refused.status_code == 429
    assert refused.mimetype == "application/json"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    refused = lookup()
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    refused = login(client, "editor@example.org", "correct horse battery staple")
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # The supporter pages that cost nothing still open, and the login page itself.
    assert client.get(PAGE, environ_base=here).status_code == 200
    assert client.get("/admin/login", environ_base=here).status_code == 200


def test_supporter_traffic_does_not_count_towards_a_staff_limit(tight, postcodes_io) -> None:
    """Only failed sign-ins count (Flask-Limiter's after-request hook settles that, for the
    studio): many supporter requests in between leave the allowance as it was."""
    add_staff(tight, "editor@example.org")
    client = tight.test_client()
    for _ in range(2):
        assert login(client, "nobody@example.org").status_code == 401
        for _ in range(5):
            client.get(PAGE, environ_base={"REMOTE_ADDR": IP})
            client.post(API_LETTERS, json=BY_AREA, environ_base={"REMOTE_ADDR": IP})
    assert login(client, "editor@example.org", "correct horse battery staple").status_code == 302


def test_flask_limiters_teardown_runs_for_the_studio_alone(tight, monkeypatch) -> None:
    with tight.test_request_context("/admin/login"):
        state = type(limits.limiter.context)  # the per-request state its teardown empties
    resets: list[int] = []
    real = state.reset

    def counting(self) -> None:
        resets.append(1)
        real(self)

    monkeypatch.setattr(state, "reset", counting)
    client = tight.test_client()
    for path in (PAGE, "/", f"/api/v1/campaigns/{SLUG}", "/static/site.css"):
        client.get(path).close()
    assert resets == []
    assert client.get("/admin/login").status_code == 200
    assert len(resets) == 1
    login(client, "nobody@example.org")  # a limited view: its state is released after it
    assert len(resets) == 3  # the form fetched for its token, then the post


@pytest.fixture
def forget_default_limits():
    """Flask-Limiter keeps the first default limits it is given on the one module-level
    limiter, for every app made later in this process: without this, each later test's app
    answered GETs of limited views (the sign-in page) with 429 after two a minute."""
    yield
    limits.limiter.limit_manager.set_default_limits([])


def test_app_wide_limits_keep_flask_limiters_own_check(tmp_path, forget_default_limits) -> None:
    app = create_app(settings_for(tmp_path / "wide.sqlite", RATELIMIT_DEFAULT="2 per minute"))
    assert limits.limiter._check_request_limit in app.before_request_funcs[None]
    client = app.test_client()
    assert [client.get(PAGE).status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get(PAGE)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_flask_limiters_hooks_are_where_limits_py_finds_them() -> None:
    """limits._check_in_views_only finds Flask-Limiter's hooks by names that are its own, not
    public: this fails when an upgrade moves them (pyproject.toml bounds the version)."""
    bare = Flask("bare")
    limiter = Limiter(key_func=lambda: "key", storage_uri="memory://")
    limiter.init_app(bare)
    assert bare.before_request_funcs[None] == [limiter._check_request_limit]
    (after,) = bare.after_request_funcs[None]
    assert isinstance(after, functools.partial)
    assert after.args == (limiter,) and after.func.__name__ == "__inject_headers"
    (teardown,) = bare.teardown_request_funcs[None]
    assert teardown.__self__ is limiter and teardown.__name__ == "__release_context"


def test_the_app_leaves_out_the_check_and_keeps_the_rest_for_the_studio(tmp_path) -> None:
    app = create_app(settings_for(tmp_path / "hooks.sqlite"))
    assert limits.limiter._check_request_limit not in app.before_request_funcs[None]
    wrapped = [
        getattr(hook, "__wrapped__", None)
        for hooks in (app.after_request_funcs[None], app.teardown_request_funcs[None])
        for hook in hooks
    ]
    assert any(isinstance(h, functools.partial) and h.args == (limits.limiter,) for h in wrapped)
    assert any(getattr(h, "__self__", None) is limits.limiter for h in wrapped)
