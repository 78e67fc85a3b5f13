"""No input, however malformed, produces a 500: random garbage at every supporter endpoint."""

import json
import random
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import responses
from app_config import POSTCODES_URL
from app_config import settings_for
from staff_helpers import add_staff
from staff_helpers import csrf_token
from staff_helpers import sign_in
from werkzeug.routing import BuildError

from advocacy import create_app

SLUG = "stop-facial-recognition"
ALPHABET = "aZ09 \t\n\r\x00\x01\x7f\u2028é£✓😀%&+#=?/\\\"'<>{}[]"
VALUES = [None, True, 0, -1, 1.5, 10**30, "", "x" * 5000, [], {}, ["accuracy"], {"why": 1}]


def garbage(rng: random.Random):
    kind = rng.randrange(4)
    if kind == 0:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 40)))
    if kind == 1:
        return rng.choice(VALUES)
    if kind == 2:
        return [garbage(rng) for _ in range(rng.randrange(3))]
    return {str(garbage(rng))[:10]: garbage(rng) for _ in range(rng.randrange(3))}


FIELDS = (
    "postcode",
    "constituency_code",
    "pfa_code",
    "name",
    "talking_points",
    "answers",
    "address",
)


@pytest.mark.parametrize("seed", range(40))
def test_random_input_never_gives_a_server_error(client, postcodes_io, seed):
    rng = random.Random(seed)
    for _ in range(10):
        body = {f: garbage(rng) for f in FIELDS if rng.random() < 0.7}
        text = str(garbage(rng))
        responses = [
            client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body),
            client.post(
                f"/api/v1/campaigns/{SLUG}/letters",
                data=json.dumps(body)[:-1],
                content_type="application/json",
            ),
            client.post(
                f"/c/{SLUG}/letters", data={k: str(v) for k, v in body.items()} | {"eml": text}
            ),
            client.get(f"/c/{SLUG}", query_string={"postcode": text}),
            client.get(f"/c/{SLUG}", query_string={"constituency": text, "pfa": text}),
            client.get(f"/api/v1/postcodes/{text or 'x'}"),
        ]
        for response in responses:
            assert response.status_code < 500, (response.request.path, body, text)


# The security review's hostile inputs, in every field of every supporter form and the API.
HOSTILE = [
    "\ud800",
    "Ann \udfff Example",
    "\x00",
    "a\x00b",
    "=?utf-8?q?now=0ABcc:_spy@evil.example?=",
    "x\r\nBcc: spy@evil.example",
    "SW1A\u00a02AA",
    "SW1A\u20282AA",
    "BF1 4FB",
    "BFPO 1234",
    "a" * 40 + "\n",
    "https://a.example; report-uri https://evil.example",
    "../../etc/passwd",
    "%00%0d%0a",
    "\u202eevil",
    "x" * 3000,
]
FORM_FIELDS = (*FIELDS, "subject-0", "body-0", "eml", "ref", "theme", "answer-why")


def _hostile_json(value):
    return [
        {f: value for f in FIELDS},
        {**{f: value for f in FIELDS}, "answers": {"why": value}, "talking_points": [value]},
        {"answers": {value: value}},
        [value],
        value,
    ]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_gives_a_server_error(client, postcodes_io, raw):
    """JSON carries the text as it is (lone surrogates as \\ud800 escapes); URLs and forms
    carry its UTF-8 bytes, surrogates included, as a hostile client would send them."""
    value = raw
    form_value = raw.encode("utf-8", "surrogatepass")
    url_value = quote(form_value, safe="")
    form = {f: form_value for f in FORM_FIELDS}
    requests = [
        *(
            client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body)
            for body in _hostile_json(value)
        ),
        client.post(
            f"/api/v1/campaigns/{SLUG}/letters",
            data="[" * 30_000,
            content_type="application/json",
        ),
        client.get(f"/api/v1/postcodes/{url_value}"),
        client.get(f"/api/v1/campaigns/{SLUG}?ref={url_value}"),
        client.get(f"/api/v1/campaigns/{url_value}"),
    ]
    for prefix in ("/c", "/embed"):
        requests += [
            client.get(f"{prefix}/{SLUG}?postcode={url_value}&ref={url_value}"),
            client.get(f"{prefix}/{SLUG}?constituency={url_value}&pfa={url_value}"),
            client.post(f"{prefix}/{SLUG}/letters", data=form),
            client.post(f"{prefix}/{SLUG}/letters", data={**form, "postcode": "SE1 2DL"}),
            client.post(
                f"{prefix}/{SLUG}/letters",
                data={
                    **form,
                    "postcode": "",
                    "constituency_code": "E14001172",
                    "pfa_code": "E23000001",
                    "name": "Ann",
                    "talking_points": "accuracy",
                    "eml": "0",
                },
            ),
            client.get(f"{prefix}/{SLUG}/thanks?ref={url_value}"),
            client.get(f"{prefix}/{url_value}"),
        ]
    for response in requests:
        # 503 is the documented answer when postcodes.io can't be reached (here: any postcode
        # that isn't recorded); anything else 5xx is a bug.
        assert response.status_code < 500 or response.status_code == 503, (
            response.request.path,
            raw,
        )


# Ids in studio addresses: any integer the URL can carry, a key's column can't (SQLite's
# driver raises OverflowError past 2**63 - 1; PostgreSQL's INTEGER ends at 2**31 - 1).
HUGE = [str(2**31), str(2**63), "9999999999999999999999999"]
STUDIO_GETS = [
    "/admin/campaigns/{n}",
    "/admin/campaigns/{n}/results",
    "/admin/campaigns/{n}/results.csv",
    "/admin/campaigns/{n}/recipients.csv",
    "/admin/campaigns/{n}/revisions",
    "/admin/campaigns/{n}/revisions/1",
    "/admin/campaigns/1/revisions/{n}",
    "/admin/campaigns/{n}/export",
    "/admin/campaigns/{n}/preview",
    "/admin/campaigns/{n}/share",
]
STUDIO_POSTS = [
    "/admin/campaigns/{n}",
    "/admin/campaigns/{n}/results/counter",
    "/admin/campaigns/{n}/revisions/1/restore",
    "/admin/campaigns/1/revisions/{n}/restore",
    "/admin/staff/{n}",
]


@pytest.mark.parametrize("n", HUGE)
def test_a_huge_id_in_a_studio_address_is_a_404(admin, n):
    from staff_helpers import csrf_token

    token = csrf_token(admin, "/admin/campaigns/1")
    for path in STUDIO_GETS:
        assert admin.get(path.format(n=n)).status_code == 404, path
    for path in STUDIO_POSTS:
        response = admin.post(path.format(n=n), data={"csrf_token": token, "shown": "1"})
        assert response.status_code == 404, path


# --- On PostgreSQL, every route in the URL map ---------------------------------------------------
#
# PostgreSQL refuses text holding NUL, where SQLite stores it: a NUL that reached a query was a
# 500 there only. These sweeps take their routes from the app's URL map, so a route added
# later is covered by the same tests.

NUL_TEXT = "a\x00"
# A real value for each argument name in the routes (the example campaign, the first staff
# account, a bundled MP); any other name gets "x".
SAMPLES = {
    "slug": SLUG,
    "campaign_id": "1",
    "version": "1",
    "user_id": "1",
    "role": "mp",
    "code": "E14001172",
    "postcode": "SE1 2DL",
    "filename": "site.css",
}
GENEROUS = "1000 per minute"


def _postcodes_stand_in(rsps) -> None:
    """postcodes.io as it answers: the recorded postcodes, and 404 for every other one (so a
    503 in these tests is a bug, not a postcode the recordings lack)."""
    from conftest import RECORDED
    from conftest import recorded

    for postcode, (name, status) in RECORDED.items():
        rsps.get(f"{POSTCODES_URL}/postcodes/{postcode}", json=recorded(name), status=status)
    rsps.get(
        re.compile(re.escape(POSTCODES_URL) + r"/postcodes/.*"),
        json=recorded("postcode_404_not_found.json"),
        status=404,
    )


@pytest.fixture(scope="module")
def on_postgres():
    """An app on a fresh PostgreSQL database, with limits high enough for a sweep, its
    unhandled errors answered as 500s (not raised), and postcodes.io stood in for."""
    from postgres_server import fresh_database

    from advocacy.platform.models import db

    with fresh_database() as url:
        app = create_app(
            settings_for(
                Path("unused"),
                DATABASE_URL=url,
                PROPAGATE_EXCEPTIONS=False,
                LOGIN_RATE_LIMIT=GENEROUS,
                LOGIN_ACCOUNT_RATE_LIMIT=GENEROUS,
                LOGIN_ACCOUNT_WIDE_RATE_LIMIT=GENEROUS,
                ACCOUNT_PASSWORD_RATE_LIMIT=GENEROUS,
                LOGIN_DEVICE_RATE_LIMIT=GENEROUS,
                NEW_REF_RATE_LIMIT=GENEROUS,
                API_LOOKUP_RATE_LIMIT=GENEROUS,
                API_LETTERS_RATE_LIMIT=GENEROUS,
            )
        )
        add_staff(app, "admin@example.org", "admin")
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            _postcodes_stand_in(rsps)
            yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class Staff:
    """A client that is signed in as an admin before every request it makes (a request to
    the sweep may sign it out)."""

    def __init__(self, app):
        self.client = app.test_client()

    def signed_in(self):
        with self.client.session_transaction(path="/admin/") as session:
            if "_user_id" in session:
                return self.client
        assert sign_in(self.client, "admin@example.org").status_code == 302
        return self.client

    def token(self) -> str:
        return csrf_token(self.signed_in(), "/admin/")


def _paths(app, rule) -> list[tuple[str, str | None]]:
    """The rule's address with real values, then with NUL in each argument and with an integer
    no key can hold in each: (path, the argument holding NUL or None). A value the converter
    cannot build is left out (an integer argument never carries text)."""
    adapter = app.url_map.bind("localhost")
    real = {name: SAMPLES.get(name, "x") for name in rule.arguments}
    variants = [(real, None)]
    for name in sorted(rule.arguments):
        variants.append(({**real, name: real[name] + "\x00"}, name))
        variants.append(({**real, name: "9" * 30}, None))
    paths = []
    for values, nul in variants:
        try:
            path = adapter.build(rule.endpoint, values, method=next(iter(rule.methods)))
        except (ValueError, BuildError):
            continue
        if (path, nul) not in paths:
            paths.append((path, nul))
    return paths


def _field_names(app, staff) -> list[str]:
    """Every field of every form the app shows (its pages as staff), and the supporter ones."""
    names = set(FORM_FIELDS)
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            real = {name: SAMPLES.get(name, "x") for name in rule.arguments}
            with staff.signed_in().get(adapter.build(rule.endpoint, real)) as page:
                names |= set(re.findall(r'name="([^"]+)"', page.get_data(as_text=True)))
    return sorted(names - {"csrf_token"})


def test_every_route_with_every_method_answers_nul_without_a_server_error(on_postgres):
    """NUL in each part of each address, in every query and form field, by JSON too, with
    each method the rule allows, signed out and signed in: never a 5xx, and NUL in an
    campaign's address is a 404."""
    app = on_postgres
    staff = Staff(app)
    anonymous = app.test_client()
    names = _field_names(app, staff)
    query = {name: NUL_TEXT for name in names}
    failures, slugs = [], []
    for rule in app.url_map.iter_rules():
        for path, nul in _paths(app, rule):
            for method in sorted(rule.methods):
                for who in ("anonymous", "staff"):
                    client = staff.signed_in() if who == "staff" else anonymous
                    # A partner's Origin where CORS answers it (the API); elsewhere a form
                    # posted from this site, so the sweep gets past the cross-site refusal.
                    api = path.startswith("/api/")
                    headers = {"Origin": "https://partner.example"} if api else {}
                    bodies = [None]
                    if method == "POST":
                        form = {**query, "csrf_token": staff.token()}
                        bodies = [{"data": form}, {"json": form}]
                    for body in bodies:
                        response = client.open(
                            path,
                            method=method,
                            query_string=query,
                            headers=headers,
                            **(body or {}),
                        )
                        response.close()
                        if response.status_code >= 500:
                            failures.append((who, method, path, response.status_code))
                        if nul == "slug" and method in ("GET", "HEAD", "POST"):
                            slugs.append((method, path, response.status_code))
    assert failures == []
    # "Not found", as for any address that names no campaign.
    assert len(slugs) > 20
    assert [r for r in slugs if r[2] != 404] == []


SPECIAL = [b"\x00", b"%00", b"%", b"&", b"=", b"\xff", b"\xed\xa0\x80", b"\r\n", b"[", b"{"]
SPECIAL += [b'"', b"\\u0000", b"\\ud800", b"--x\r\n", b"9" * 30, b"+", b";", b"\xc3"]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/json",
    "multipart/form-data; boundary=x",
    "text/plain",
    None,
]


def random_bytes(rng: random.Random, size: int = 200) -> bytes:
    """Random bytes, salted with the ones parsers and databases trip on."""
    parts, length = [], rng.randrange(size)
    while sum(map(len, parts)) < length:
        if rng.random() < 0.5:
            parts.append(rng.randbytes(rng.randrange(1, 8)))
        else:
            parts.append(rng.choice(SPECIAL))
    return b"".join(parts)


def test_random_bytes_at_every_post_give_no_server_error(on_postgres):
    """A bounded, seeded fuzz (24 cases per rule, ~450 in all) of every POST in the URL map,
    signed out as the public is: bodies of random bytes under each content type, forms and JSON
    of the app's own field names holding random bytes, and random bytes in the address."""
    app = on_postgres
    rng = random.Random(22)
    client = app.test_client()
    token = csrf_token(client, "/admin/login")
    names = _field_names(app, Staff(app))
    adapter = app.url_map.bind("localhost")
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) > 10
    failures = []
    for rule in posts:
        real = {name: SAMPLES.get(name, "x") for name in rule.arguments}
        path = adapter.build(rule.endpoint, real, method="POST")
        for case in range(24):
            kind = case % 4
            fields = rng.sample(names, rng.randrange(1, 8))
            if kind == 0:
                body = {"data": random_bytes(rng), "content_type": rng.choice(CONTENT_TYPES)}
            elif kind == 1:
                form = {f: random_bytes(rng, 60) for f in fields}
                body = {"data": {**form, "csrf_token": token}}
            elif kind == 2:
                body = {"json": {f: garbage(rng) for f in fields} | {"csrf_token": token}}
            else:
                name = rng.choice(sorted(rule.arguments) or [""])
                raw = quote(random_bytes(rng, 30), safe="") or "x"
                target = path.replace(quote(real[name], safe="/"), raw, 1) if name else path
                body = {"data": {f: random_bytes(rng, 20) for f in fields}}
            response = client.post(target if kind == 3 else path, **body)
            response.close()
            if response.status_code >= 500:
                failures.append((path, case, body, response.status_code))
    assert failures == []


def test_nul_in_a_staff_email_is_a_form_error_on_postgresql(on_postgres):
    """The review's two forms: signing in as ``admin\\0@…`` is a wrong email, like any other,
    and an account for ``\\0`` is refused next to its field."""
    client = on_postgres.test_client()
    response = client.post(
        "/admin/login",
        data={
            "email": "admin\x00@example.org",
            "password": "correct horse battery staple",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 401
    assert "match an account" in response.get_data(as_text=True)
    staff = Staff(on_postgres)
    response = staff.signed_in().post(
        "/admin/staff", data={"email": "\x00", "role": "editor", "csrf_token": staff.token()}
    )
    assert response.status_code == 400
    assert "email address" in response.get_data(as_text=True).lower()
    assert staff.signed_in().get("/admin/staff").status_code == 200  # the session still works
