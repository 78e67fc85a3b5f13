"""Results: honest counts (a POST for "I've sent my letters"), letters per recipient, anonymous
replies, the staff results page with its chart and tables, the CSV exports and the public
counter. Every count is aggregate: nothing kept can tell one supporter from another."""

import csv
import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from html import unescape

import pytest
from app_config import settings_for
from staff_helpers import add_staff
from staff_helpers import csrf_token
from staff_helpers import sign_in
from threads import in_threads

from advocacy import create_app
from advocacy.letters.campaigns import MAX_FIXED_RECIPIENTS
from advocacy.places import overrides
from advocacy.places import replies
from advocacy.platform import models
from advocacy.platform import receipts
from advocacy.platform import tally
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import PublicCounter
from advocacy.platform.models import RecipientTally
from advocacy.platform.models import Tally
from advocacy.platform.models import db
from advocacy.studio import results

SLUG = "stop-facial-recognition"
RESULTS = "/admin/campaigns/1/results"
CHOICES = {
    "constituency_code": "E14001172",
    "pfa_code": "E23000001",
    "name": "Ann Example",
    "address": "1 Any Street",
    "talking_points": ["accuracy"],
}
MP = ("mp", "E14001172")
FORCE = ("police_force", "E23000001")
OVERSIGHT = ("police_oversight", "E23000001")
HOME_SECRETARY = {
    "name": "Home Secretary",
    "email": "home.secretary@example.org",
    "contact_url": None,
    "salutation": "Home Secretary",
    "nations": [],
}


def by_recipient(app) -> set[tuple]:
    """Every per-recipient row, as (role, code, event, total)."""
    with app.app_context():
        rows = db.session.execute(db.select(RecipientTally)).scalars()
        return {(r.role, r.code, r.event, r.total) for r in rows}


def by_event(app) -> set[tuple]:
    with app.app_context():
        rows = db.session.execute(db.select(Tally)).scalars()
        return {(r.event, r.channel, r.ref, r.total) for r in rows}


def set_row(app, **values) -> None:
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def today() -> date:
    return datetime.now(UTC).date()


def seed(app, rows) -> None:
    """Counts as workers would have written them: (day, event, channel, ref, total)."""
    with app.app_context():
        for day, event, channel, ref, total in rows:
            db.session.add(
                Tally(campaign_id=1, day=day, event=event, channel=channel, ref=ref, total=total)
            )
        db.session.commit()


def seed_recipients(app, rows) -> None:
    """(day, event, role, code, total)."""
    with app.app_context():
        for day, event, role, code, total in rows:
            db.session.add(
                RecipientTally(
                    campaign_id=1, day=day, event=event, role=role, code=code, total=total
                )
            )
        db.session.commit()


def receipt(app, *keys: str, channel: str = "page", ref: str = "") -> str:
    """A receipt as the letters step hands it out, for letters to ``keys`` ("role:code")."""
    with app.app_context():
        pairs = [tuple(key.split(":", 1)) for key in keys]
        return receipts.issue(SLUG, pairs, channel=channel, ref=ref)


def receipt_on(html: str) -> str:
    return unescape(re.search(r'<input type="hidden" name="t" value="([^"]+)">', html)[1])


def page_text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


# --- 1. Honest events -----------------------------------------------------------------------------


def test_opening_the_thank_you_page_counts_nothing_and_pressing_the_button_counts_once(app, client):
    for _ in range(3):
        assert client.get(f"/c/{SLUG}/thanks").status_code == 200
    assert by_event(app) == set()
    token = receipt(app, "mp:E14001172")
    response = client.post(f"/c/{SLUG}/thanks", data={"r": ["mp:E14001172"], "t": token})
    assert response.status_code == 303  # on to the page, so a reload asks for it again
    assert response.location == f"/c/{SLUG}/thanks?r=mp:E14001172&t={token}"
    page = client.get(response.location)
    assert "Thank you" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    client.get(response.location)  # a reload of the page afterwards: still one
    assert by_event(app) == {("sent", "page", "", 1)}
    assert by_recipient(app) == set()  # "sent" is counted per campaign, not per recipient


def test_pressing_the_button_then_reloading_counts_once(app, client):
    token = receipt(app, "mp:E14001172")
    page = client.post(
        f"/c/{SLUG}/thanks", data={"r": ["mp:E14001172"], "t": token}, follow_redirects=True
    )
    assert page.request.method == "GET"
    assert reply_link(page) == f"http://localhost/c/{SLUG}/reply?r=mp:E14001172&t={token}"
    for _ in range(3):  # what the browser does on reload: the page it was sent to, again
        assert client.get(page.request.full_path).status_code == 200
    assert by_event(app) == {("sent", "page", "", 1)}


def test_the_button_in_an_embed_counts_for_the_embed_and_its_partner(app, client):
    token = receipt(app, channel="embed", ref="partner-a")
    response = client.post(
        f"/embed/{SLUG}/thanks?ref=partner-a&theme=red", data={"r": "x", "t": token}
    )
    assert response.status_code == 303
    assert response.location == f"/embed/{SLUG}/thanks?ref=partner-a&theme=red&t={token}"
    assert client.get(response.location).status_code == 200
    assert by_event(app) == {("sent", "embed", "partner-a", 1)}


def test_the_thank_you_page_is_not_rate_limited_but_the_button_is(limited):
    for _ in range(5):
        assert limited.get(f"/c/{SLUG}/thanks").status_code == 200
    assert [limited.post(f"/c/{SLUG}/thanks").status_code for _ in range(4)] == [303] * 3 + [429]


# --- 2. Per-recipient counts ----------------------------------------------------------------------


def test_drafting_letters_counts_one_for_each_recipient(app, client):
    assert client.post(f"/c/{SLUG}/letters", data=CHOICES).status_code == 200
    assert client.post(f"/embed/{SLUG}/letters", data={**CHOICES, "ref": "p"}).status_code == 200
    assert by_recipient(app) == {
        (*MP, "letters", 2),
        (*FORCE, "letters", 2),
        (*OVERSIGHT, "letters", 2),
    }
    with app.app_context():
        row = db.session.execute(db.select(RecipientTally)).scalars().first()
        assert row.day == today() and row.campaign_id == 1


def test_relinking_and_downloading_never_count_a_recipient_again(app, client):
    client.post(f"/c/{SLUG}/letters", data=CHOICES)
    edited = {**CHOICES, "subject-0": "Mine", "body-0": "My own words."}
    client.post(f"/c/{SLUG}/letters", data=edited)
    assert client.post(f"/c/{SLUG}/letters", data={**edited, "eml": "1"}).status_code == 200
    assert by_recipient(app) == {
        (*MP, "letters", 1),
        (*FORCE, "letters", 1),
        (*OVERSIGHT, "letters", 1),
    }


def test_letters_not_drafted_count_no_recipient(app, client):
    assert client.post(f"/c/{SLUG}/letters", data={**CHOICES, "name": ""}).status_code == 400
    assert by_recipient(app) == set()


def test_the_api_counts_each_recipient_too(app, client):
    body = {k: v for k, v in CHOICES.items() if k != "address"}
    assert client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body).status_code == 200
    assert by_recipient(app) == {
        (*MP, "letters", 1),
        (*FORCE, "letters", 1),
        (*OVERSIGHT, "letters", 1),
    }


def test_a_fixed_recipient_is_counted_under_a_slug_of_their_name(app, client):
    set_row(app, fixed_recipients=[HOME_SECRETARY])
    client.post(f"/c/{SLUG}/letters", data=CHOICES)
    assert ("fixed", "home-secretary", "letters", 1) in by_recipient(app)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Home Secretary", "home-secretary"),
        ("The Rt Hon. Shabana Mahmood MP", "the-rt-hon-shabana-mahmood-mp"),
        ("Comisiynydd Heddlu – Môn", "comisiynydd-heddlu-mon"),
        ("内政大臣", "fixed"),
        ("x" * 100, "x" * 60),
    ],
)
def test_fixed_keys(name, key):
    assert replies.fixed_key(name) == key


def test_only_plain_roles_and_codes_are_counted(app):
    with app.app_context():
        tally.count(SLUG, "letters", channel="page", recipients=[("mp", "E1"), ("x", "E1")])
        tally.count(SLUG, "letters", channel="page", recipients=[("mp", "<b>"), ("mp", "a" * 61)])
    assert by_recipient(app) == {("mp", "E1", "letters", 1)}


def test_per_recipient_counts_wait_for_the_same_batch(tmp_path):
    buffered = create_app(settings_for(tmp_path / "buffered.sqlite", TALLY_FLUSH_SECONDS=60))
    client = buffered.test_client()
    token = receipt_on(client.post(f"/c/{SLUG}/letters", data=CHOICES).get_data(as_text=True))
    answer = {"role": "mp", "code": "E14001172", "replied": "yes", "t": token}
    client.post(f"/c/{SLUG}/replies", data=answer)
    assert by_recipient(buffered) == set()
    with buffered.app_context():
        tally.flush()
        tally.flush()
    assert by_recipient(buffered) == {
        (*MP, "letters", 1),
        (*FORCE, "letters", 1),
        (*OVERSIGHT, "letters", 1),
        (*MP, "replied", 1),
    }


def test_a_recipient_row_the_database_refuses_is_dropped_and_the_rest_land(app, monkeypatch):
    from sqlalchemy.exc import DataError

    upsert = tally._upsert_recipient

    def refuse_bad(values, n):
        if values["code"] == "BAD":
            raise DataError("INSERT", {}, Exception("value too long"))
        upsert(values, n)

    monkeypatch.setattr(tally, "_upsert_recipient", refuse_bad)
    with app.app_context():
        pending = app.extensions[tally.EXTENSION]
        with pending.lock:
            pending.counts[(SLUG, today(), "letters", "page", "")] += 1
        tally.count(SLUG, "letters", channel="page", recipients=[("mp", "BAD"), ("mp", "E1")])
        assert not pending.recipients
    assert by_recipient(app) == {("mp", "E1", "letters", 1)}
    assert by_event(app) == {("letters", "page", "", 2)}


# --- 3. Replies -----------------------------------------------------------------------------------


def reply_link(response) -> str:
    html = response.get_data(as_text=True)
    return unescape(re.search(r'id="reply-url" value="([^"]+)"', html)[1])


def test_the_thank_you_page_offers_a_reply_link_with_roles_and_codes_only(client):
    values = ["mp:E14001172", "police_force:E23000001", "mp:E14000001", "nonsense", "fixed:x"]
    response = client.post(
        f"/c/{SLUG}/thanks?ref=partner-a", data={"r": values, **CHOICES}, follow_redirects=True
    )
    link = reply_link(response)
    assert link == (f"http://localhost/c/{SLUG}/reply?r=mp:E14001172&r=police_force:E23000001")
    for private in ("Ann", "Any", "ref", "partner", "postcode"):
        assert private not in link
    assert client.get(f"/c/{SLUG}/thanks").get_data(as_text=True).count("reply-url") == 0


def test_the_letters_page_sends_its_recipients_on_with_ive_sent_my_letters(app, client):
    set_row(app, fixed_recipients=[HOME_SECRETARY])
    html = client.post(f"/embed/{SLUG}/letters?ref=p", data=CHOICES).get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="([^"]+)" class="done" id="sent-form">(.*?)</form>', html, re.S
    )
    assert unescape(form[1]) == f"/embed/{SLUG}/thanks?ref=p"
    keys = re.findall(r'<input type="hidden" name="r" value="([^"]+)">', form[2])
    token = receipt_on(form[2])
    assert sorted(keys) == [  # in the order of the letters on the page
        "fixed:home-secretary",
        "mp:E14001172",
        "police_force:E23000001",
        "police_oversight:E23000001",
    ]
    assert '<button type="submit" class="button" data-thanks>' in form[2]
    thanks = client.post(unescape(form[1]), data={"r": keys, "t": token}, follow_redirects=True)
    assert thanks.request.path == f"/embed/{SLUG}/thanks"
    reply = f"http://localhost/c/{SLUG}/reply?r=" + "&r=".join(keys) + f"&t={token}"
    assert reply_link(thanks) == reply
    assert by_event(app) == {("letters", "embed", "p", 1), ("sent", "embed", "p", 1)}


def test_in_an_embed_the_reply_link_is_the_full_page_in_a_new_tab(client):
    response = client.post(
        f"/embed/{SLUG}/thanks?theme=red", data={"r": ["mp:E14001172"]}, follow_redirects=True
    )
    assert response.request.path == f"/embed/{SLUG}/thanks"
    assert reply_link(response) == f"http://localhost/c/{SLUG}/reply?r=mp:E14001172"
    assert re.search(
        r'<a href="[^"]*/reply\?[^"]*" data-reply-link target="_blank"',
        unescape(response.get_data(as_text=True)),
    )


def test_the_reply_page_asks_about_each_recipient_and_is_never_stored(app, client):
    keys = ["mp:E14001172", "police_oversight:E23000001"]
    response = client.get(f"/c/{SLUG}/reply", query_string={"r": keys, "t": receipt(app, *keys)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    legends = re.findall(
        r"<legend><strong>(.*?)</strong></legend>", response.get_data(as_text=True)
    )
    assert legends == [
        "Did Rachel Blake MP reply?",
        "Did the Mayor&#39;s Office for Policing and Crime (Mayor of London) reply?",
    ]
    html = response.get_data(as_text=True)
    assert html.count('name="replied" value="yes"') == 2
    assert html.count('name="replied" value="no"') == 2
    assert f'action="/c/{SLUG}/replies"' in html


def test_a_reply_link_asks_about_every_recipient_a_campaign_can_have(app, client):
    fixed = [
        {"name": f"Minister {i}", "email": f"m{i}@example.org", "nations": []}
        for i in range(MAX_FIXED_RECIPIENTS)
    ]
    set_row(app, fixed_recipients=fixed)
    keys = ["mp:E14001172", "police_force:E23000001", "police_oversight:E23000001"]
    keys += [f"fixed:minister-{i}" for i in range(MAX_FIXED_RECIPIENTS)]
    link = {"r": keys, "t": receipt(app, *keys)}
    html = client.get(f"/c/{SLUG}/reply", query_string=link).get_data(as_text=True)
    assert html.count('name="replied" value="yes"') == len(keys)
    assert f"Did Minister {MAX_FIXED_RECIPIENTS - 1} reply?" in html


def test_a_reply_link_that_names_nobody_of_the_campaigns_is_a_400(client):
    response = client.get(f"/c/{SLUG}/reply", query_string={"r": ["mp:E99999999", "fixed:nobody"]})
    assert response.status_code == 400
    assert "doesn't name anyone this campaign wrote to" in unescape(response.get_data(as_text=True))


def test_a_reply_is_counted_for_that_recipient(app, client):
    keys = ["mp:E14001172", "police_force:E23000001"]
    data = {"role": "mp", "code": "E14001172", "r": keys, "t": receipt(app, *keys)}
    yes = client.post(f"/c/{SLUG}/replies", data={**data, "replied": "yes"})
    assert yes.status_code == 200
    assert yes.headers["Cache-Control"] == "no-store"
    assert "we've counted that Rachel Blake MP replied" in unescape(yes.get_data(as_text=True))
    assert yes.get_data(as_text=True).count('name="replied" value="yes"') == 1  # the other one
    client.post(f"/c/{SLUG}/replies", data={**data, "replied": "no"})
    client.post(
        f"/c/{SLUG}/replies",
        data={**data, "role": "police_force", "code": "E23000001", "replied": "no"},
    )
    assert by_recipient(app) == {(*MP, "replied", 1), (*MP, "no_reply", 1), (*FORCE, "no_reply", 1)}
    assert by_event(app) == set()


def test_a_fixed_recipients_reply_is_counted_under_their_key(app, client):
    set_row(app, fixed_recipients=[HOME_SECRETARY])
    token = receipt(app, "fixed:home-secretary")
    page = client.get(f"/c/{SLUG}/reply?r=fixed:home-secretary&t={token}")
    assert "Did Home Secretary reply?" in page.get_data(as_text=True)
    data = {"role": "fixed", "code": "home-secretary", "replied": "yes", "t": token}
    assert client.post(f"/c/{SLUG}/replies", data=data).status_code == 200
    assert by_recipient(app) == {("fixed", "home-secretary", "replied", 1)}


@pytest.mark.parametrize(
    "data",
    [
        {"role": "mp", "code": "E99999999", "replied": "yes"},  # no such constituency
        {"role": "mp", "code": "E23000001", "replied": "yes"},  # a force area's code
        {"role": "fixed", "code": "home-secretary", "replied": "yes"},  # not this campaign's
        {"role": "police_force", "code": "", "replied": "no"},
        {"role": "judge", "code": "E14001172", "replied": "yes"},
        {"role": "mp", "code": "E14001172", "replied": "maybe"},
        {"role": "mp", "code": "E14001172"},
        {},
    ],
)
def test_a_reply_about_anyone_else_is_a_400_and_counts_nothing(app, client, data):
    assert client.post(f"/c/{SLUG}/replies", data=data).status_code == 400
    assert by_recipient(app) == set()


def test_a_role_the_campaign_does_not_target_is_a_400(app, client):
    set_row(app, targets=["mp"])
    data = {"role": "police_force", "code": "E23000001", "replied": "yes"}
    assert client.post(f"/c/{SLUG}/replies", data=data).status_code == 400
    assert by_recipient(app) == set()


@pytest.mark.parametrize(
    ("role", "code", "asked"),
    [
        ("police_force", "W15000001", "North Wales Police"),  # North Wales
        ("police_oversight", "W15000001", "North Wales Police and Crime Commissioner"),
        ("mp", "W07000089", "MP"),  # a Welsh seat
    ],
)
def test_a_reply_about_a_nation_the_campaign_does_not_write_for_is_a_400(
    app, client, role, code, asked
):
    assert asked in client.get(f"/c/{SLUG}/reply?r={role}:{code}").get_data(as_text=True)
    set_row(app, nations=["england"])
    assert client.get(f"/c/{SLUG}/reply?r={role}:{code}").status_code == 400
    data = {"role": role, "code": code, "replied": "yes"}
    assert client.post(f"/c/{SLUG}/replies", data=data).status_code == 400
    assert by_recipient(app) == set()


def test_a_reply_about_a_vacant_seat_is_a_400(app, client):
    with app.app_context():
        overrides.save("mp", "E14001172", {"name": ""}, "test")
    assert client.get(f"/c/{SLUG}/reply?r=mp:E14001172").status_code == 400
    data = {"role": "mp", "code": "E14001172", "replied": "yes"}
    assert client.post(f"/c/{SLUG}/replies", data=data).status_code == 400
    assert by_recipient(app) == set()


def test_replies_are_rate_limited_like_letters(limited):
    token = receipt(limited.application, "mp:E14001172")
    data = {"role": "mp", "code": "E14001172", "replied": "yes", "t": token}
    statuses = [limited.post(f"/c/{SLUG}/replies", data=data).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_replies_count_nothing_once_a_campaign_closes_and_a_draft_is_not_found(app, client):
    data = {"role": "mp", "code": "E14001172", "replied": "yes", "t": receipt(app, "mp:E14001172")}
    set_row(app, status="closed")
    closed = client.post(f"/c/{SLUG}/replies", data=data)
    assert closed.status_code == 410
    assert "This campaign has closed" in unescape(closed.get_data(as_text=True))
    set_row(app, status="draft")
    assert client.post(f"/c/{SLUG}/replies", data=data).status_code == 404
    assert client.get(f"/c/{SLUG}/reply?r=mp:E14001172").status_code == 404
    assert by_recipient(app) == set()


# --- Concurrency ----------------------------------------------------------------------------------


def test_workers_counting_at_once_lose_no_count_on_sqlite(tmp_path):
    path = tmp_path / "shared.sqlite"
    workers = [create_app(settings_for(path)) for _ in range(4)]

    def work(i: int) -> None:
        app = workers[i % len(workers)]
        with app.app_context():
            for _ in range(10):
                tally.count(SLUG, "letters", channel="page", recipients=[MP, FORCE])
                tally.count(SLUG, "sent", channel="page")
                tally.count_reply(SLUG, *MP, replied=True)
            db.session.remove()

    assert in_threads(8, work) == [None] * 8
    assert by_event(workers[0]) == {("letters", "page", "", 80), ("sent", "page", "", 80)}
    assert by_recipient(workers[0]) == {
        (*MP, "letters", 80),
        (*FORCE, "letters", 80),
        (*MP, "replied", 80),
    }


# --- 4. The results page --------------------------------------------------------------------------


def test_results_are_for_staff_only(app, client):
    for path in (RESULTS, f"{RESULTS}.csv", "/admin/campaigns/1/recipients.csv"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/admin/login"), path
    token = csrf_token(client, "/admin/login")
    # The example shows its count from the start: signed out, switching it off does nothing.
    response = client.post(f"{RESULTS}/counter", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")
    with app.app_context():
        setting = db.session.get(PublicCounter, 1)
        assert setting.shown and setting.updated_by == "example campaign"


def test_editors_see_results_too(editor):
    assert editor.get(RESULTS).status_code == 200


def test_an_unknown_campaign_has_no_results(admin):
    assert admin.get("/admin/campaigns/99/results").status_code == 404
    assert admin.get("/admin/campaigns/99/results.csv").status_code == 404


SEEDED = [
    (date(2026, 5, 1), "letters", "page", "", 3),
    (date(2026, 5, 1), "letters", "embed", "local-group", 4),
    (date(2026, 5, 1), "sent", "embed", "local-group", 2),
    (date(2026, 5, 3), "letters", "api", "app-1", 12),
    (date(2026, 5, 3), "sent", "page", "", 5),
    (date(2026, 5, 4), "letters", "page", "", 1),
    (date(2026, 4, 30), "letters", "page", "", 100),  # outside the range asked for
    (date(2026, 5, 5), "letters", "page", "", 100),
]
EXPECTED_DAYS = {
    "2026-05-01": (7, 2),
    "2026-05-02": (0, 0),
    "2026-05-03": (12, 5),
    "2026-05-04": (1, 0),
}


def table_days(html: str) -> dict[str, tuple[int, int]]:
    rows = re.findall(
        r'<tr data-day="([\d-]+)"><th scope="row">[^<]*</th><td>(\d+)</td><td>(\d+)</td></tr>', html
    )
    return {day: (int(a), int(b)) for day, a, b in rows}


def svg_of(html: str) -> str:
    return re.search(r"<svg role=\"img\".*?</svg>", html, re.S)[0]


def svg_days(svg: str) -> dict[str, tuple[int, int]]:
    bars = re.findall(r'<rect [^>]*data-day="([\d-]+)" data-event="(\w+)" data-value="(\d+)"', svg)
    out: dict[str, dict[str, int]] = {}
    for day, event, value in bars:
        out.setdefault(day, {})[event] = int(value)
    return {day: (v["letters"], v["sent"]) for day, v in out.items()}


def test_the_chart_the_table_and_the_counts_agree(app, admin):
    seed(app, SEEDED)
    # The 20 supporters in the range wrote 3 letters each (and 220 in all, 660 letters).
    seed_recipients(app, [(date(2026, 5, 2), "letters", "mp", "E14001085", 60)])
    seed_recipients(app, [(date(2026, 4, 30), "letters", "mp", "E14001085", 600)])
    response = admin.get(RESULTS, query_string={"from": "2026-05-01", "to": "2026-05-04"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert table_days(html) == EXPECTED_DAYS
    svg = svg_of(html)
    assert svg_days(svg) == EXPECTED_DAYS
    assert re.search(r'<svg role="img" aria-labelledby="chart-title chart-desc"', svg)
    title = re.search(r'<title id="chart-title">(.*?)</title>', svg)[1]
    assert title == "Supporters who wrote, and sends, per day, 1 May 2026 to 4 May 2026"
    assert "20 supporters wrote 60 letters and 7 said they sent them" in svg
    # The bars' heights are the figures on the axis's scale.
    ticks = [int(t) for t in re.findall(r'text-anchor="end"[^>]*>(\d+)</text>', svg)]
    top, bottom = max(ticks), min(ticks)
    assert bottom == 0 and top >= 12
    plot = re.findall(r'<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)"', svg)
    plot_height = float(plot[0]) - float(plot[-1])
    for height, value in re.findall(
        r'height="([\d.]+)" fill="#[0-9a-f]+" data-day="[^"]+" data-event="\w+" data-value="(\d+)"',
        svg,
    ):
        assert float(height) == pytest.approx(plot_height * int(value) / top, abs=0.01)
    text = page_text(response)
    assert "20 supporters wrote 60 letters, and 7 said they sent them" in text
    assert "Since the campaign began: 220 supporters wrote 660 letters, and 7 said" in text


def test_totals_by_channel_and_partner_label_in_the_range(app, admin):
    seed(app, SEEDED)
    html = admin.get(RESULTS, query_string={"from": "2026-05-01", "to": "2026-05-04"}).get_data(
        as_text=True
    )
    channels = re.search(r"<table class=\"table\" data-channels>.*?</table>", html, re.S)[0]
    assert re.findall(
        r"<tr><th scope=\"row\">(.*?)</th><td>(\d+)</td><td>(\d+)</td></tr>", channels
    ) == [
        ("Campaign page", "4", "5"),
        ("Partner embeds", "4", "2"),
        ("Partner apps (API)", "12", "0"),
    ]
    refs = re.search(r"<table class=\"table\" data-refs>.*?</table>", html, re.S)[0]
    assert re.findall(
        r"<tr><th scope=\"row\">(.*?)</th><td>(\d+)</td><td>(\d+)</td></tr>", refs
    ) == [
        ("<code>app-1</code>", "12", "0"),
        ("No label", "4", "5"),
        ("<code>local-group</code>", "4", "2"),
    ]


def test_top_constituencies_force_areas_and_replies(app, admin):
    day = today()
    seed_recipients(
        app,
        [
            (day, "letters", "mp", "E14001172", 5),
            (day, "letters", "mp", "W07000089", 9),
            (day, "letters", "police_force", "E23000001", 5),
            (day, "letters", "police_oversight", "E23000001", 4),
            (day, "letters", "police_force", "W15000003", 3),
            (day, "replied", "mp", "W07000089", 2),
            (day, "no_reply", "mp", "W07000089", 1),
            (day, "no_reply", "police_force", "E23000001", 3),
        ],
    )
    html = admin.get(RESULTS).get_data(as_text=True)

    def rows(name):
        table = re.search(rf'<table class="table" data-{name}>.*?</table>', html, re.S)[0]
        return [
            [
                re.sub(r"<[^>]+>", "", unescape(c)).strip()
                for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)
            ]
            for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
        ]

    assert rows("constituencies") == [
        ["Cardiff East", "Jo Stevens", "9"],
        ["Cities of London and Westminster", "Rachel Blake", "5"],
    ]
    assert rows("force-areas") == [
        ["Metropolitan Police", "5", "4"],
        ["South Wales", "3", "0"],
    ]
    assert rows("replies") == [
        ["Jo Stevens (Cardiff East)", "MP", "9", "2", "1"],
        ["Metropolitan Police Service (Metropolitan Police)", "Police force", "5", "0", "3"],
    ]


def test_the_range_is_the_last_30_days_by_default(app, admin):
    seed(
        app,
        [
            (today(), "letters", "page", "", 2),
            (today() - timedelta(days=30), "letters", "page", "", 9),
        ],
    )
    html = admin.get(RESULTS).get_data(as_text=True)
    days = table_days(html)
    assert len(days) == 30
    assert min(days) == (today() - timedelta(days=29)).isoformat()
    assert days[today().isoformat()] == (2, 0)
    assert sum(letters for letters, _ in days.values()) == 2
    assert f'value="{(today() - timedelta(days=29)).isoformat()}"' in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"from": "2026-13-01", "to": "2026-05-01"}, "Enter dates like 2026-05-31."),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "The end date is before the start date."),
        ({"from": "2024-01-01", "to": "2026-05-01"}, "Choose at most 366 days here"),
        ({"to": "0001-01-01"}, "The end date is too early."),
        ({"to": "0001-01-20"}, "The end date is too early."),
    ],
)
def test_a_range_that_is_not_one_says_why(admin, args, message):
    response = admin.get(RESULTS, query_string=args)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert len(table_days(html)) == 30  # the last 30 days meanwhile


@pytest.mark.parametrize("export", ["results.csv", "recipients.csv"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"from": "2026-13-01", "to": "2026-05-01"}, "Enter dates like 2026-05-31."),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "The end date is before the start date."),
        ({"to": "0001-01-01"}, "The end date is too early."),
        ({"to": "0001-01-20"}, "The end date is too early."),
    ],
)
def test_an_export_range_that_is_not_one_says_why(admin, export, args, message):
    response = admin.get(f"/admin/campaigns/1/{export}", query_string=args)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == message


def test_the_campaign_list_shows_each_campaigns_letters_and_sends(app, admin, client):
    seed(app, [(date(2025, 1, 1), "letters", "page", "", 40), (today(), "sent", "api", "", 3)])
    client.post(f"/c/{SLUG}/letters", data=CHOICES)
    html = admin.get("/admin/").get_data(as_text=True)
    letters = re.search(r"<td data-letters><a href=\"([^\"]+)\">(\d+)<", html)
    assert letters.groups() == (RESULTS, "41")
    assert re.search(r"<td data-sent>(\d+)</td>", html)[1] == "3"


def test_the_share_panel_links_to_the_results(app, admin):
    seed(app, [(today(), "letters", "page", "", 1)])
    assert f'href="{RESULTS}"' in admin.get("/admin/campaigns/1/share").get_data(as_text=True)


# --- 5. Exports -----------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_results_csv_has_a_row_per_day_event_channel_and_label_in_the_range(app, admin):
    seed(app, SEEDED)
    response = admin.get(f"{RESULTS}.csv?from=2026-05-01&to=2026-05-04")
    assert (
        'filename="stop-facial-recognition-results-2026-05-01-to-2026-05-04.csv"'
        in (response.headers["Content-Disposition"])
    )
    assert read_csv(response) == [
        ["day", "event", "channel", "ref", "count"],
        ["2026-05-01", "letters", "embed", "local-group", "4"],
        ["2026-05-01", "letters", "page", "", "3"],
        ["2026-05-01", "sent", "embed", "local-group", "2"],
        ["2026-05-03", "letters", "api", "app-1", "12"],
        ["2026-05-03", "sent", "page", "", "5"],
        ["2026-05-04", "letters", "page", "", "1"],
    ]


def test_results_csv_takes_the_last_30_days_by_default_and_any_longer_range(app, admin):
    seed(app, [(today(), "letters", "page", "", 2), (date(2020, 1, 1), "letters", "page", "", 9)])
    assert [r[4] for r in read_csv(admin.get(f"{RESULTS}.csv"))[1:]] == ["2"]
    all_time = admin.get(f"{RESULTS}.csv?from=2000-01-01&to={today().isoformat()}")
    assert [r[4] for r in read_csv(all_time)[1:]] == ["9", "2"]
    assert admin.get(f"{RESULTS}.csv?from=nope").status_code == 400


def test_recipients_csv_names_each_recipient_from_the_corrected_directory(app, admin, client):
    set_row(app, fixed_recipients=[HOME_SECRETARY])
    client.post(f"/c/{SLUG}/letters", data=CHOICES)
    token = receipt_on(client.post(f"/c/{SLUG}/letters", data=CHOICES).get_data(as_text=True))
    answer = {"role": "mp", "code": "E14001172", "t": token}
    client.post(f"/c/{SLUG}/replies", data={**answer, "replied": "yes"})
    client.post(f"/c/{SLUG}/replies", data={**answer, "replied": "no"})
    with app.app_context():
        overrides.save("mp", "E14001172", {"name": "Rachel Blake-Corrected"}, "test")
    rows = read_csv(admin.get("/admin/campaigns/1/recipients.csv"))
    assert rows[0] == ["role", "code", "name", "letters", "replies"]
    assert sorted(rows[1:]) == [
        ["fixed", "home-secretary", "Home Secretary", "2", "0"],
        ["mp", "E14001172", "Rachel Blake-Corrected", "2", "1"],
        ["police_force", "E23000001", "Metropolitan Police Service", "2", "0"],
        [
            "police_oversight",
            "E23000001",
            "Mayor's Office for Policing and Crime (Mayor of London)",
            "2",
            "0",
        ],
    ]
    old = read_csv(admin.get("/admin/campaigns/1/recipients.csv?from=2020-01-01&to=2020-01-31"))
    assert old == [["role", "code", "name", "letters", "replies"]]


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=cmd", "'=cmd"),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Jo Stevens", "Jo Stevens"),
        ("", ""),
        (12, 12),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_neutralised(value, safe):
    assert results.safe_cell(value) == safe


def test_exports_never_hand_a_spreadsheet_a_formula(app, admin, client):
    fixed = {**HOME_SECRETARY, "name": "@SUM(1+1)*cmd|' /C calc'!A0"}
    set_row(app, fixed_recipients=[fixed])
    client.post(f"/c/{SLUG}/letters?ref=-cmd", data=CHOICES)
    with app.app_context():
        overrides.save("mp", "E14001172", {"name": "=cmd"}, "test")
        overrides.save("police_force", "E23000001", {"name": '+HYPERLINK("http://x")'}, "test")
    names = {r[0]: r[2] for r in read_csv(admin.get("/admin/campaigns/1/recipients.csv"))[1:]}
    assert names["mp"] == "'=cmd"
    assert names["police_force"] == '\'+HYPERLINK("http://x")'
    assert names["fixed"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    refs = [r[3] for r in read_csv(admin.get(f"{RESULTS}.csv"))[1:]]
    assert refs == ["'-cmd"]
    raw = admin.get("/admin/campaigns/1/recipients.csv").get_data(as_text=True)
    assert not re.search(r"(^|,)[=+\-@]", raw, re.M)


# --- 6. The public counter ------------------------------------------------------------------------


def count_on_page(client) -> str | None:
    match = re.search(
        r"<p class=\"letter-count\"[^>]*>(.*?)</p>", client.get(f"/c/{SLUG}").get_data(as_text=True)
    )
    return re.sub(r"<[^>]+>", "", match[1]) if match else None


def switch_counter(admin, shown: bool):
    data = {"csrf_token": csrf_token(admin, RESULTS)}
    if shown:
        data["shown"] = "1"
    return admin.post(f"{RESULTS}/counter", data=data)


def test_the_count_shows_on_the_campaign_page_only_when_staff_choose(app, admin, client):
    seed(app, [(today(), "letters", "page", "", 1233), (today(), "sent", "page", "", 50)])
    # The example campaign shows its count from the start (issue 26); staff switch it off.
    assert count_on_page(client) == "1,233 people have written so far"
    switch_counter(admin, False)
    client.post(f"/c/{SLUG}/letters", data=CHOICES)
    assert count_on_page(client) is None
    response = switch_counter(admin, True)
    assert response.status_code == 302 and response.headers["Location"].endswith("/results#counter")
    assert count_on_page(client) == "1,234 people have written so far"
    assert 'id="shown" name="shown" value="1" checked' in admin.get(RESULTS).get_data(as_text=True)
    with app.app_context():
        setting = db.session.get(PublicCounter, 1)
        assert setting.shown and setting.updated_by == "admin@example.org"
    switch_counter(admin, False)
    assert count_on_page(client) is None


def test_the_switch_shows_at_once_on_a_campaign_page_kept_in_memory(tmp_path):
    """Pages are kept per worker and checked against the database every CACHE_CHECK_SECONDS:
    the worker that saved the switch drops its kept pages, as after a campaign save."""
    app = create_app(settings_for(tmp_path / "kept.sqlite", CACHE_CHECK_SECONDS=60))
    seed(app, [(today(), "letters", "page", "", 7)])
    add_staff(app, "admin@example.org", "admin")
    admin = app.test_client()
    assert sign_in(admin, "admin@example.org").status_code == 302
    client = app.test_client()
    switch_counter(admin, False)  # the example campaign shows its count from the start
    assert count_on_page(client) is None  # and the page is kept
    switch_counter(admin, True)
    assert count_on_page(client) == "7 people have written so far"
    switch_counter(admin, False)
    assert count_on_page(client) is None


def test_one_letter_reads_as_one(app, admin, client):
    switch_counter(admin, True)
    assert count_on_page(client) is None  # nothing until the first letter
    client.post(f"/c/{SLUG}/letters", data=CHOICES)
    with app.app_context():
        app.extensions.pop(tally.COUNTER)
    assert count_on_page(client) == "1 person has written so far"


def test_the_count_is_cached_for_a_minute_per_worker(app, admin, client, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(models, "clock", lambda: now[0])
    seed(app, [(today(), "letters", "page", "", 10)])
    switch_counter(admin, True)
    assert count_on_page(client) == "10 people have written so far"
    seed(app, [(today() - timedelta(days=1), "letters", "page", "", 5)])
    now[0] += 59
    assert count_on_page(client) == "10 people have written so far"
    now[0] += 2
    assert count_on_page(client) == "15 people have written so far"


def test_the_counter_is_per_campaign(app, admin):
    switch_counter(admin, True)
    seed(app, [(today(), "letters", "page", "", 3)])
    with app.app_context():
        assert tally.public_count(SLUG) == 3
        assert tally.public_count("no-such-campaign") is None


def test_supporters_and_their_letters_are_counted_apart(app, client, admin):
    """Two supporters each writing to their three recipients: 2 wrote, 6 letters."""
    for _ in range(2):
        assert client.post(f"/c/{SLUG}/letters", data=CHOICES).status_code == 200
    text = page_text(admin.get(RESULTS))
    assert "2 supporters wrote 6 letters, and 0 said they sent them" in text
    assert "Since the campaign began: 2 supporters wrote 6 letters" in text
