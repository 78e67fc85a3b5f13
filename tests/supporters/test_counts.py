"""Counts only real letters make (issue 22): "I've sent my letters" and reply answers count once
per receipt from the letters step, never from another site, never for a closed campaign; and no
client can invent enough partner labels to push a real partner's letters into "other"."""

import json
import re
from html import unescape

import itsdangerous
import pytest
from app_config import settings_for

from advocacy import create_app
from advocacy.platform import receipts
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import RecipientTally
from advocacy.platform.models import Tally
from advocacy.platform.models import db

SLUG = "stop-facial-recognition"
CHOICES = {
    "constituency_code": "E14001172",
    "pfa_code": "E23000001",
    "name": "Ann Example",
    "address": "1 Any Street",
    "talking_points": ["accuracy"],
}
API_CHOICES = {k: v for k, v in CHOICES.items() if k != "address"}
MP = "mp:E14001172"
KEYS = [MP, "police_force:E23000001", "police_oversight:E23000001"]
CROSS_SITE = [
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"},
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "not a url"},
]
SAME_SITE = [
    {},  # older browsers, scripts: no header at all
    {"Origin": "null"},  # our pages send no referrer, so browsers send this with our forms
    {"Sec-Fetch-Site": "same-origin", "Origin": "null"},
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    {"Origin": "https://localhost"},  # TLS ended by a proxy the app wasn't told about
    {"Sec-Fetch-Site": "none"},
]


def counts(app) -> set[tuple]:
    with app.app_context():
        return {(r.event, r.channel, r.ref, r.total) for r in db.session.scalars(db.select(Tally))}


def by_recipient(app) -> set[tuple]:
    with app.app_context():
        rows = db.session.scalars(db.select(RecipientTally))
        return {(r.role, r.code, r.event, r.total) for r in rows}


def sent_form(html: str) -> dict:
    """What the "I've sent my letters" form posts, read from the letters page."""
    form = re.search(
        r'<form method="post" action="([^"]+)" class="done"[^>]*>(.*?)</form>', html, re.S
    )
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form[2])
    data: dict = {"r": []}
    for name, value in fields:
        if name == "r":
            data["r"].append(unescape(value))
        else:
            data[name] = unescape(value)
    return {"action": unescape(form[1]), "data": data}


def draft(client, path=f"/c/{SLUG}/letters", **kwargs) -> dict:
    response = client.post(path, data=CHOICES, **kwargs)
    assert response.status_code == 200
    return sent_form(response.get_data(as_text=True))


def close(app) -> None:
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        row.status = "closed"
        db.session.commit()


def reply_link(html: str) -> str:
    return unescape(re.search(r'id="reply-url" value="([^"]+)"', html)[1])


# --- "I've sent my letters" -----------------------------------------------------------------------


def test_sent_counts_once_per_receipt_however_often_it_is_pressed(app, client):
    form = draft(client)
    assert form["data"]["t"]
    for _ in range(20):  # within the 30 a minute a client may post
        response = client.post(form["action"], data=form["data"])
        assert response.status_code == 303
    assert counts(app) == {("letters", "page", "", 1), ("sent", "page", "", 1)}


def test_sent_without_a_receipt_counts_nothing_but_the_supporter_goes_on(app, client):
    for data in ({"r": [MP]}, {"r": [MP], "t": "forged"}, {}):
        response = client.post(f"/c/{SLUG}/thanks", data=data, follow_redirects=True)
        assert response.status_code == 200
        assert "Thank you" in response.get_data(as_text=True)
    assert counts(app) == set()


def test_a_receipt_changed_by_hand_counts_nothing(app, client):
    form = draft(client)
    token = form["data"]["t"]
    i = len(token) // 2  # in the signed payload
    forged = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    client.post(form["action"], data={**form["data"], "t": forged})
    client.post(form["action"], data={**form["data"], "t": token + "x"})
    assert counts(app) == {("letters", "page", "", 1)}


def test_sent_counts_under_the_channel_and_label_of_the_letters(app, client):
    form = draft(client, f"/embed/{SLUG}/letters?ref=partner-a&theme=red")
    assert form["action"] == f"/embed/{SLUG}/thanks?ref=partner-a&theme=red"
    # The label in the address is the page's to carry; the count goes by the receipt.
    response = client.post(f"/embed/{SLUG}/thanks?ref=someone-else", data=form["data"])
    assert response.status_code == 303
    assert counts(app) == {("letters", "embed", "partner-a", 1), ("sent", "embed", "partner-a", 1)}


def test_a_receipt_is_good_for_sent_for_a_day(app, client, monkeypatch):
    now = itsdangerous.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.TimestampSigner, "get_timestamp", lambda self: now(self) - 25 * 3600
    )
    old = draft(client)
    monkeypatch.undo()
    thanks = client.post(old["action"], data=old["data"], follow_redirects=True)
    assert counts(app) == {("letters", "page", "", 1)}  # too late to count as sent...
    assert "t=" in reply_link(thanks.get_data(as_text=True))  # ...but replies still count


def test_relinking_an_edited_letter_keeps_the_receipt_and_makes_no_new_one(app, client):
    first = draft(client)
    edited = {**CHOICES, "subject-0": "Mine", "body-0": "My own words.", "t": first["data"]["t"]}
    again = sent_form(client.post(f"/c/{SLUG}/letters", data=edited).get_data(as_text=True))
    assert again["data"]["t"] == first["data"]["t"]
    without = {k: v for k, v in edited.items() if k != "t"}
    bare = sent_form(client.post(f"/c/{SLUG}/letters", data=without).get_data(as_text=True))
    assert "t" not in bare["data"]  # no receipt without letters counted
    assert counts(app) == {("letters", "page", "", 1)}


def test_a_receipt_holds_nothing_about_the_supporter(client):
    token = draft(client, f"/c/{SLUG}/letters?ref=partner-a")["data"]["t"]
    # Signed, not secret: anyone holding it can read it, so it must hold nothing private.
    data = itsdangerous.URLSafeTimedSerializer("test", salt=receipts.SALT).loads(token)
    assert set(data) == {"c", "r", "ch", "ref", "n"}
    assert data["c"] == SLUG and data["ch"] == "page" and data["ref"] == "partner-a"
    assert sorted(data["r"]) == sorted(KEYS)
    assert len(data["n"]) <= 16
    for private in ("Ann", "Example", "Any Street", "SE1", "accuracy"):
        assert private not in json.dumps(data)


def test_pages_that_carry_a_receipt_are_never_stored(client):
    form = draft(client)
    thanks = client.post(form["action"], data=form["data"], follow_redirects=True)
    assert "t=" in thanks.request.full_path
    assert thanks.headers["Cache-Control"] == "no-store"
    reply = client.get(reply_link(thanks.get_data(as_text=True)))
    assert reply.headers["Cache-Control"] == "no-store"


# --- Cross-site -----------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_post_from_another_site_is_refused_and_counts_nothing(app, client, headers):
    form = draft(client)
    reply = reply_link(
        client.post(form["action"], data=form["data"], follow_redirects=True).get_data(as_text=True)
    )
    before = counts(app), by_recipient(app)
    token = form["data"]["t"]
    for path, data, way_on in [
        (f"/c/{SLUG}/letters", CHOICES, f'href="/c/{SLUG}"'),
        (f"/embed/{SLUG}/letters", CHOICES, f'href="/embed/{SLUG}"'),
        (form["action"], form["data"], f"/c/{SLUG}/thanks?r="),
        (f"/embed/{SLUG}/thanks", form["data"], f"/embed/{SLUG}/thanks?r="),
        (
            f"/c/{SLUG}/replies",
            {"role": "mp", "code": "E14001172", "replied": "yes", "r": [MP], "t": token},
            f"/c/{SLUG}/reply?r=",
        ),
    ]:
        response = client.post(path, data=data, headers=headers)
        assert response.status_code == 403, path
        html = response.get_data(as_text=True)
        assert "sent to us from another website" in html
        assert way_on in unescape(html), path  # never a dead end
        assert "Ann Example" not in html
    assert (counts(app), by_recipient(app)) == before
    assert "t=" in reply  # and the real reply link still works afterwards
    ok = client.post(
        f"/c/{SLUG}/replies",
        data={"role": "mp", "code": "E14001172", "replied": "yes", "r": [MP], "t": token},
    )
    assert ok.status_code == 200


def test_a_refused_post_in_an_embed_shows_in_the_partners_frame(app, client):
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        row.allowed_origins = ["https://partner.example"]
        db.session.commit()
    headers = {"Sec-Fetch-Site": "cross-site"}
    response = client.post(f"/embed/{SLUG}/thanks?theme=red", headers=headers)
    assert response.status_code == 403
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://partner.example" in policy
    assert f'href="/embed/{SLUG}/thanks?theme=red"' in response.get_data(as_text=True)


def test_a_refused_post_costs_the_client_none_of_its_limit(limited):
    for _ in range(5):
        response = limited.post(f"/c/{SLUG}/thanks", headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403
    assert limited.post(f"/c/{SLUG}/letters", data=CHOICES).status_code == 200


@pytest.mark.parametrize("headers", SAME_SITE)
def test_our_own_pages_and_clients_without_the_headers_are_let_through(app, client, headers):
    form = draft(client, headers=headers)
    assert client.post(form["action"], data=form["data"], headers=headers).status_code == 303
    data = {"role": "mp", "code": "E14001172", "replied": "no", "r": [MP], "t": form["data"]["t"]}
    assert client.post(f"/c/{SLUG}/replies", data=data, headers=headers).status_code == 200
    assert counts(app) == {("letters", "page", "", 1), ("sent", "page", "", 1)}
    assert ("mp", "E14001172", "no_reply", 1) in by_recipient(app)


def test_the_api_is_left_to_cors(app, client):
    """Partners' sites call the API cross-site on purpose; browsers ask first (CORS), and only
    the campaign's sites get a yes."""
    headers = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    answer = client.post(f"/api/v1/campaigns/{SLUG}/letters", json=API_CHOICES, headers=headers)
    assert answer.status_code == 200
    assert "Access-Control-Allow-Origin" not in answer.headers


# --- Closed campaigns -----------------------------------------------------------------------------


def test_a_closed_campaign_counts_nothing(app, client):
    form = draft(client)
    api_token = client.post(f"/api/v1/campaigns/{SLUG}/letters", json=API_CHOICES).get_json()[
        "token"
    ]
    before = counts(app)
    close(app)
    thanks = client.post(form["action"], data=form["data"], follow_redirects=True)
    assert thanks.status_code == 200  # the supporter is still thanked
    data = {"role": "mp", "code": "E14001172", "replied": "yes", "r": [MP], "t": form["data"]["t"]}
    answer = client.post(f"/c/{SLUG}/replies", data=data)
    assert answer.status_code == 410
    assert "closed" in answer.get_data(as_text=True)
    page = client.get(f"/c/{SLUG}/reply", query_string={"r": MP, "t": form["data"]["t"]})
    assert 'name="replied"' not in page.get_data(as_text=True)
    api = client.post(f"/api/v1/campaigns/{SLUG}/sent", json={"token": api_token})
    assert api.status_code == 404
    assert counts(app) == before
    assert all(event == "letters" for _, _, event, _ in by_recipient(app))


# --- Replies --------------------------------------------------------------------------------------


def test_replies_need_a_receipt_naming_the_recipient(app, client):
    answer = {"role": "mp", "code": "E14001172", "replied": "yes", "r": [MP]}
    for _ in range(25):  # the review's 30 replies with no letter for one MP (within the limit)
        assert client.post(f"/c/{SLUG}/replies", data=answer).status_code == 400
    assert by_recipient(app) == set()
    page = client.get(f"/c/{SLUG}/reply", query_string={"r": MP})
    assert page.status_code == 200
    assert "can't count answers from this link" in unescape(page.get_data(as_text=True))
    assert 'name="replied"' not in page.get_data(as_text=True)
    # A receipt for letters to somebody else doesn't count answers about this MP.
    with_mps_of_others = dict(CHOICES, constituency_code="E14001465", pfa_code="E23000032")
    other = sent_form(
        client.post(f"/c/{SLUG}/letters", data=with_mps_of_others).get_data(as_text=True)
    )
    refused = client.post(f"/c/{SLUG}/replies", data={**answer, "t": other["data"]["t"]})
    assert refused.status_code == 400
    assert ("mp", "E14001172", "replied", 1) not in by_recipient(app)


def test_each_answer_counts_once_per_receipt_and_recipient(app, client):
    form = draft(client)
    thanks = client.post(form["action"], data=form["data"], follow_redirects=True)
    link = reply_link(thanks.get_data(as_text=True))
    page = client.get(link).get_data(as_text=True)
    assert page.count('name="replied" value="yes"') == 3
    token = form["data"]["t"]
    assert f'name="t" value="{token}"' in page
    yes = {"role": "mp", "code": "E14001172", "replied": "yes", "r": KEYS, "t": token}
    no = {**yes, "replied": "no"}
    for _ in range(10):
        assert client.post(f"/c/{SLUG}/replies", data=no).status_code == 200
        assert client.post(f"/c/{SLUG}/replies", data=yes).status_code == 200
    force = {**no, "role": "police_force", "code": "E23000001"}
    assert client.post(f"/c/{SLUG}/replies", data=force).status_code == 200
    replies = {row for row in by_recipient(app) if row[2] != "letters"}
    assert replies == {
        ("mp", "E14001172", "no_reply", 1),  # "no reply yet", then later "yes": both once
        ("mp", "E14001172", "replied", 1),
        ("police_force", "E23000001", "no_reply", 1),
    }


def test_a_reply_link_counts_for_90_days(app, client, monkeypatch):
    now = itsdangerous.TimestampSigner.get_timestamp
    ages = {"89 days": 89 * 86400, "91 days": 91 * 86400}
    tokens = {}
    for name, age in ages.items():
        monkeypatch.setattr(
            itsdangerous.TimestampSigner, "get_timestamp", lambda self, age=age: now(self) - age
        )
        tokens[name] = draft(client)["data"]["t"]
    monkeypatch.undo()
    answer = {"role": "mp", "code": "E14001172", "replied": "yes", "r": [MP]}
    assert (
        client.post(f"/c/{SLUG}/replies", data={**answer, "t": tokens["89 days"]}).status_code
        == 200
    )
    assert (
        client.post(f"/c/{SLUG}/replies", data={**answer, "t": tokens["91 days"]}).status_code
        == 400
    )
    assert ("mp", "E14001172", "replied", 1) in by_recipient(app)
    assert receipts.REPLY_SECONDS == 90 * 86400 and receipts.SENT_SECONDS == 86400


# --- The API --------------------------------------------------------------------------------------


def test_the_api_hands_partners_a_receipt_to_count_sent(app, client):
    letters = client.post(f"/api/v1/campaigns/{SLUG}/letters?ref=app-1", json=API_CHOICES)
    token = letters.get_json()["token"]
    sent = f"/api/v1/campaigns/{SLUG}/sent"
    assert client.post(sent, json={"token": token}).get_json() == {"counted": True}
    assert client.post(sent, json={"token": token}).get_json() == {"counted": False}
    assert counts(app) == {("letters", "api", "app-1", 1), ("sent", "api", "app-1", 1)}
    bad = client.post(sent, json={"token": token[:-3] + "abc"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_token"
    for body in ({}, {"token": 5}, []):
        missing = client.post(sent, json=body)
        assert missing.status_code == 400 and missing.get_json()["error"]["code"] == "invalid_input"
    assert client.post(sent, data="token").status_code == 400
    # A page's receipt counts on the page, not through the API twice.
    form = draft(client)
    assert client.post(sent, json={"token": form["data"]["t"]}).get_json() == {"counted": True}
    client.post(form["action"], data=form["data"])
    assert ("sent", "page", "", 1) in counts(app)


# --- Partner labels -------------------------------------------------------------------------------


def test_one_client_cannot_push_a_real_partners_letters_into_other(tmp_path):
    app = create_app(
        settings_for(tmp_path / "labels.sqlite", API_LETTERS_RATE_LIMIT="1000 per minute")
    )
    client = app.test_client()
    api = f"/api/v1/campaigns/{SLUG}/letters"
    for i in range(200):  # the review's 200 new labels from 8 addresses
        address = f"192.0.2.{i % 8 + 1}"
        client.post(
            f"{api}?ref=fake-{i}", json=API_CHOICES, environ_overrides={"REMOTE_ADDR": address}
        )
    kept = {ref for _, _, ref, _ in counts(app) if ref.startswith("fake-")}
    assert len(kept) == 8 * 10  # ten new labels a day per address (NEW_REF_RATE_LIMIT)
    assert ("letters", "api", "~other", 200 - 80) in counts(app)
    real = {"REMOTE_ADDR": "198.51.100.7"}
    client.post(f"/embed/{SLUG}/letters?ref=real-partner", data=CHOICES, environ_overrides=real)
    assert ("letters", "embed", "real-partner", 1) in counts(app)


def test_a_label_already_counted_today_costs_a_client_nothing(tmp_path):
    app = create_app(settings_for(tmp_path / "labels.sqlite", NEW_REF_RATE_LIMIT="1 per day"))
    client = app.test_client()
    for i, address in enumerate(["192.0.2.1", "192.0.2.2"]):
        client.post(
            f"/embed/{SLUG}/letters?ref=partner-{i}",
            data=CHOICES,
            environ_overrides={"REMOTE_ADDR": address},
        )
    for ref in ("partner-0", "partner-1", "partner-1"):  # known today: free for anyone
        client.post(
            f"/embed/{SLUG}/letters?ref={ref}",
            data=CHOICES,
            environ_overrides={"REMOTE_ADDR": "192.0.2.1"},
        )
    client.post(
        f"/embed/{SLUG}/letters?ref=partner-2",
        data=CHOICES,
        environ_overrides={"REMOTE_ADDR": "192.0.2.1"},
    )
    assert counts(app) == {
        ("letters", "embed", "partner-0", 2),
        ("letters", "embed", "partner-1", 3),
        ("letters", "embed", "~other", 1),  # 192.0.2.1's second new label today
    }
