"""Regressions from the security review (issue "Hardening"): each hole stays closed.

Items with a home of their own are tested there: the .eml headers in test_delivery, origins and
hostile campaign documents in test_campaigns, the CSP in test_embed, counts in test_tally and
test_postgres, log scrubbing in test_logs and test_server_logs, staff sign-in in test_auth.
"""

import io
import json
import stat

import pytest
from app_config import settings_for
from places import BY_AREA
from staff_helpers import csrf_token

from advocacy import create_app

SLUG = "stop-facial-recognition"
PAGE = f"/c/{SLUG}"
LETTERS = f"/c/{SLUG}/letters"
API_LETTERS = f"/api/v1/campaigns/{SLUG}/letters"


# --- 5. Rate limits on supporter pages -----------------------------------------------------------


def test_postcodes_on_the_campaign_page_share_the_apis_lookup_limit(limited, postcodes_io):
    assert limited.get("/api/v1/postcodes/SE12DL").status_code == 200
    assert limited.get(PAGE, query_string={"postcode": "SE1 2DL"}).status_code == 200
    refused = limited.get(PAGE, query_string={"postcode": "M1 1AD"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "from the lists below" in page
    assert 'name="constituency"' in page and 'name="pfa"' in page  # never a dead end
    assert 'value="M1 1AD"' in page  # what they typed is kept
    assert limited.get("/api/v1/postcodes/SE12DL").status_code == 429  # one count, both ways
    # The page itself and the lists cost no lookup, so they still work.
    assert limited.get(PAGE).status_code == 200
    chosen = limited.get(PAGE, query_string={"constituency": "E14001172", "pfa": "E23000001"})
    assert chosen.status_code == 200
    assert "Choose" in chosen.get_data(as_text=True)


def test_the_embed_is_limited_too(limited, postcodes_io):
    for _ in range(2):
        limited.get(f"/embed/{SLUG}", query_string={"postcode": "SE1 2DL"})
    refused = limited.get(f"/embed/{SLUG}", query_string={"postcode": "SE1 2DL"})
    assert refused.status_code == 429
    assert 'name="constituency"' in refused.get_data(as_text=True)


def test_letters_from_the_page_and_the_api_share_one_limit(limited):
    assert limited.post(API_LETTERS, json=BY_AREA).status_code == 200
    assert limited.post(LETTERS, data=BY_AREA).status_code == 200
    assert limited.post(f"/c/{SLUG}/thanks").status_code == 303
    for refused in (
        limited.post(LETTERS, data=BY_AREA),
        limited.post(f"/c/{SLUG}/thanks"),
        limited.post(API_LETTERS, json=BY_AREA),
    ):
        assert refused.status_code == 429
        assert "Retry-After" in refused.headers
    assert "try again" in limited.post(LETTERS, data=BY_AREA).get_data(as_text=True)
    other = limited.post(LETTERS, data=BY_AREA, environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


# --- 6. No 500s on hostile input ------------------------------------------------------------------

DEEP = "[" * 30_000


def test_deeply_nested_json_is_an_invalid_body(client):
    response = client.post(API_LETTERS, data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("field", ["name", "address", "answers"])
def test_lone_surrogates_are_refused_next_to_their_field(client, field):
    body = dict(BY_AREA)
    if field == "answers":
        body["answers"] = {"why": "I care \ud800"}
    else:
        body[field] = "Ann \udfff"
    # json.dumps escapes the surrogate as \udfff, as a hostile client would send it.
    response = client.post(API_LETTERS, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert ("answers.why" if field == "answers" else field) in fields


def upload(client, content: bytes):
    token = csrf_token(client, "/admin/campaigns/import")
    return client.post(
        "/admin/campaigns/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "campaign.json")},
        content_type="multipart/form-data",
    )


def exported(admin) -> dict:
    return json.loads(admin.get("/admin/campaigns/1/export").data)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["talking_points"][0].update(source_url=123), "source_url"),
        (lambda d: d.update(allowed_origins=[None]), "Sites allowed"),
        (lambda d: d["talking_points"][0].update(default_selected="yes"), "true or false"),
        (lambda d: d["prompts"][0].update(hint=[1]), "Must be text"),
        (lambda d: d["talking_points"][0].update(phrasings=[["a"]]), "Must be a list of texts"),
        (lambda d: d.update(title="Stop \ud800"), "invisible or control characters"),
        (lambda d: d.update(subject_lines=["=?utf-8?q?x=0ABcc:_a@b.c?="]), "=?…?="),
    ],
)
def test_an_import_with_wrong_types_is_refused_with_reasons(app, admin, change, field):
    data = exported(admin)
    change(data)
    response = upload(admin, json.dumps(data).encode())
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)


def test_an_import_nested_too_deeply_is_refused(admin):
    response = upload(admin, DEEP.encode())
    assert response.status_code == 400
    assert "nested too deeply" in response.get_data(as_text=True)


def test_a_big_import_within_the_limit_is_read_not_refused_by_size(admin):
    data = exported(admin)
    data["slug"] = "big-copy"
    data["talking_points"][0]["phrasings"] = ["A long but reasonable phrasing. " * 100] * 50
    raw = json.dumps(data).encode()
    assert 100 * 1024 < len(raw) < 256 * 1024  # over the supporters' limit, under the import's
    assert upload(admin, raw).status_code == 302  # imported as a draft
    too_big = upload(admin, raw + b" " * 256 * 1024)
    assert too_big.status_code == 400
    assert "too big" in too_big.get_data(as_text=True)


def test_supporter_requests_keep_their_small_limit(client):
    response = client.post(LETTERS, data={**BY_AREA, "address": "x" * 70_000})
    assert response.status_code == 413


# --- 7. Headers -----------------------------------------------------------------------------------


def test_answers_holding_a_supporters_words_are_never_stored(client, postcodes_io):
    for response in (
        client.post(LETTERS, data=BY_AREA),
        client.post(LETTERS, data={**BY_AREA, "subject-0": "S", "body-0": "B", "eml": "0"}),
        client.post(API_LETTERS, json=BY_AREA),
        client.get("/api/v1/postcodes/SE12DL"),
        client.get(PAGE, query_string={"postcode": "SE1 2DL"}),
        client.post(LETTERS, data={**BY_AREA, "name": ""}),  # the form again, with their input
    ):
        assert response.headers["Cache-Control"] == "no-store", response.request.path
    assert "no-store" not in client.get(PAGE).headers.get("Cache-Control", "")


def test_https_answers_carry_hsts(client):
    secure = client.get(PAGE, base_url="https://campaigns.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get(PAGE).headers


def test_trusted_hosts_keep_a_forged_host_out_of_links(tmp_path):
    app = create_app(settings_for(tmp_path / "t.sqlite", TRUSTED_HOSTS=["campaigns.example.org"]))
    client = app.test_client()
    good = client.get("/api/v1/openapi.json", base_url="https://campaigns.example.org")
    assert good.status_code == 200
    assert good.get_json()["servers"][0]["url"].startswith("https://campaigns.example.org")
    forged = client.get("/api/v1/openapi.json", base_url="https://evil.example")
    assert forged.status_code == 400
    assert b"evil.example" not in forged.data
    thanks = client.get(f"/c/{SLUG}/thanks", base_url="https://evil.example")
    assert thanks.status_code == 400 and b"evil.example" not in thanks.data


def test_the_sqlite_file_is_private_to_its_owner(tmp_path):
    path = tmp_path / "new.sqlite"
    create_app(settings_for(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- Issue 22, item 8: staff-only 500s ------------------------------------------------------------

FIVE_THOUSAND_DIGITS = "9" * 5000


def _raw_import(admin, text: str):
    return upload(admin, text.encode())


@pytest.mark.parametrize(
    "change",
    [
        # Past Python's 4,300 digits, int() refuses to read a number.
        lambda d: d.__setitem__("talking_points", FIVE_THOUSAND_DIGITS),
        lambda d: d["talking_points"][0].__setitem__("default_selected", FIVE_THOUSAND_DIGITS),
        lambda d: d.__setitem__("variants", {"\ud800": {"opening": "x"}}),
        lambda d: d.__setitem__("variants", {"wales": {"\ud800": "x"}}),
        lambda d: d.__setitem__("asks", {"\ud800": "x"}),
        lambda d: d.__setitem__(
            "fixed_recipients",
            [
                {"name": "Home \ud800 Secretary", "email": "hs@example.org"},
                {"name": "Home Secretary", "email": "hs2@example.org"},
            ],
        ),
        lambda d: d.__setitem__("\ud800", 1),
        lambda d: d["talking_points"][0].__setitem__("\ud800", 1),
    ],
    ids=[
        "huge-list",
        "huge-flag",
        "variant-nation",
        "variant-field",
        "ask-role",
        "fixed-alike",
        "top-key",
        "point-key",
    ],
)
def test_an_import_of_unreadable_values_is_refused_not_a_500(app, admin, change):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    data = exported(admin)
    data["slug"] = "imported"
    change(data)
    text = json.dumps(data).replace(f'"{FIVE_THOUSAND_DIGITS}"', FIVE_THOUSAND_DIGITS)
    response = _raw_import(admin, text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "too long" in page or "invisible or control characters" in page


@pytest.mark.parametrize(
    "change",
    [
        {"op": "remove-talking_points-" + FIVE_THOUSAND_DIGITS},
        {"op": "up-prompts-" + FIVE_THOUSAND_DIGITS},
        {f"talking_points.{FIVE_THOUSAND_DIGITS}.label": "A point"},
        {f"fixed_recipients.{FIVE_THOUSAND_DIGITS}.name": "A name"},
        {"talking_points.².label": "A point"},  # a digit to isdigit(), not to int()
        # A summary from before Markdown is shown converted; its list numbers too.
        {"summary": "x", "summary_html": '<ol start="x"><li>a</li></ol>'},
        {"summary": "x", "summary_html": f'<ol start="{FIVE_THOUSAND_DIGITS}"><li>a</li></ol>'},
    ],
    ids=["op-remove", "op-up", "point-field", "fixed-field", "superscript", "start", "start-5000"],
)
def test_an_editor_form_with_a_huge_index_is_answered_not_a_500(app, admin, change):
    """Numbers int() can't read (over 4,300 digits, or not digits to it) in item indexes,
    buttons and a pre-Markdown summary's list: the form comes back, or saves, never a 500."""
    from test_editor_form import form_for

    from advocacy.platform.schema import example_campaign

    app.config["PROPAGATE_EXCEPTIONS"] = False
    data = form_for(example_campaign().to_dict())
    data["csrf_token"] = csrf_token(admin, "/admin/campaigns/1")
    data["version"] = "1"
    for name, value in change.items():
        data.setlist(name, [value])
    response = admin.post("/admin/campaigns/1", data=data)
    assert response.status_code in (200, 302, 400)
    assert admin.get("/admin/campaigns/1").status_code == 200


@pytest.mark.parametrize("field", ["name", "salutation", "email", "contact_url", "website"])
@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\x7f", "\u202e", "a\nb", "\x85"])
def test_a_directory_correction_refuses_control_characters(app, admin, field, bad):
    from test_directory_admin import post_edit
    from test_directory_admin import stored

    value = {"name": "Ann Example", "salutation": "Ms Example"}.get(field, "https://x.org/")
    value = "a@example.org" if field == "email" else value
    response = post_edit(admin, "mp", "E14001172", **{field: value[:2] + bad + value[2:]})
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)
    assert stored(app, "mp", "E14001172") is None


# --- Issue 22, item 9: conformance ---------------------------------------------------------------

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE")


def test_every_405_carries_an_allow_header_naming_the_methods_allowed(app, client):
    """Every route in the URL map (so any added later too), with each method it refuses."""
    from test_no_500 import SAMPLES

    adapter = app.url_map.bind("localhost")
    seen = 0
    for rule in app.url_map.iter_rules():
        values = {name: SAMPLES.get(name, "x") for name in rule.arguments}
        path = adapter.build(rule.endpoint, values)
        allowed = adapter.allowed_methods(path)
        for method in METHODS:
            if method in allowed:
                continue
            response = client.open(path, method=method)
            assert response.status_code == 405, (method, path)
            allow = {m.strip() for m in response.headers.get("Allow", "").split(",")}
            assert allow == set(allowed), (method, path, response.headers.get("Allow"))
            seen += 1
    assert seen > 100
