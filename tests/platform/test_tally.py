"""Aggregate counts: letters drafted and sent, per campaign, day, channel and partner ref."""

import logging
import os
import re
import subprocess
import sys
import threading
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from app_config import settings_for
from sqlalchemy.exc import DataError
from sqlalchemy.exc import OperationalError

from advocacy import create_app
from advocacy.platform import tally
from advocacy.platform.models import CampaignRow
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


def counts(app) -> set[tuple]:
    """Every tally row, as (event, channel, ref, total); the day is checked once, below."""
    with app.app_context():
        rows = db.session.execute(db.select(Tally)).scalars()
        return {(r.event, r.channel, r.ref, r.total) for r in rows}


def test_a_fresh_database_has_no_counts(app):
    assert counts(app) == set()


def test_drafting_letters_on_the_campaign_page_counts_once(app, client):
    assert client.post(f"/c/{SLUG}/letters", data=CHOICES).status_code == 200
    assert client.post(f"/c/{SLUG}/letters", data=CHOICES).status_code == 200
    assert counts(app) == {("letters", "page", "", 2)}
    with app.app_context():
        row = db.session.execute(db.select(Tally)).scalar_one()
        assert row.day == datetime.now(UTC).date()
        campaign_id = db.session.scalar(db.select(CampaignRow.id).filter_by(slug=SLUG))
        assert row.campaign_id == campaign_id


def test_the_ref_and_channel_are_counted_apart(app, client):
    client.post(f"/embed/{SLUG}/letters", data={**CHOICES, "ref": "partner-a"})
    client.post(f"/embed/{SLUG}/letters", data={**CHOICES, "ref": "partner-a"})
    client.post(f"/embed/{SLUG}/letters", data={**CHOICES, "ref": "partner-b"})
    client.post(f"/c/{SLUG}/letters?ref=newsletter", data=CHOICES)
    assert counts(app) == {
        ("letters", "embed", "partner-a", 2),
        ("letters", "embed", "partner-b", 1),
        ("letters", "page", "newsletter", 1),
    }


@pytest.mark.parametrize("ref", ["<script>", "a" * 41, "ann@example.org", "SE1 2DL"])
def test_a_ref_that_is_not_a_plain_label_is_not_stored(app, client, ref):
    client.post(f"/c/{SLUG}/letters", data={**CHOICES, "ref": ref})
    assert counts(app) == {("letters", "page", "", 1)}


POSTCODE_LABELS = [
    "SE12DL",
    "sw1a-2dd",
    "Sw1A_2dD",
    "se1.2dl",
    "SE1ODL",  # an O for the zero, as the lookup reads it
    "s-e-1-2-d-l",
    "GIR0AA",
    "from-SE12DL",  # a postcode inside a label is still a postcode kept with its day
    "SE12DL-2026",
]


@pytest.mark.parametrize("ref", POSTCODE_LABELS)
def test_a_label_shaped_like_a_postcode_is_not_stored_and_the_flow_goes_on(app, client, ref):
    page = client.post(f"/embed/{SLUG}/letters?ref={ref}", data=CHOICES)
    assert page.status_code == 200
    assert ref not in page.get_data(as_text=True)  # not carried on to the next step either
    body = {k: v for k, v in CHOICES.items() if k != "address"}
    assert client.post(f"/api/v1/campaigns/{SLUG}/letters?ref={ref}", json=body).is_json
    assert counts(app) == {("letters", "embed", "", 1), ("letters", "api", "", 1)}


@pytest.mark.parametrize("ref", ["newsletter-2026", "ab12", "group-e1", "se1", "partner-a"])
def test_labels_that_only_look_a_little_like_postcodes_are_kept(ref):
    assert tally.clean_ref(ref) == ref


def test_relinking_edited_letters_and_downloading_them_do_not_count_again(app, client):
    client.post(f"/c/{SLUG}/letters", data=CHOICES)
    edited = {**CHOICES, "subject-0": "Mine", "body-0": "My own words."}
    assert client.post(f"/c/{SLUG}/letters", data=edited).status_code == 200
    eml = client.post(f"/c/{SLUG}/letters", data={**edited, "eml": "0"})
    assert eml.mimetype == "message/rfc822"
    assert counts(app) == {("letters", "page", "", 1)}


def test_letters_that_were_not_drafted_are_not_counted(app, client):
    missing_name = {**CHOICES, "name": ""}
    assert client.post(f"/c/{SLUG}/letters", data=missing_name).status_code == 400
    no_place = {**CHOICES, "constituency_code": "E99999999"}
    assert client.post(f"/c/{SLUG}/letters", data=no_place).status_code == 400
    assert counts(app) == set()


def receipt_on(response) -> str:
    """The receipt on a letters page, which "I've sent my letters" posts (receipts.py)."""
    html = response.get_data(as_text=True)
    return re.search(r'<input type="hidden" name="t" value="([^"]+)">', html)[1]


def test_ive_sent_my_letters_counts_letters_sent(app, client):
    page = receipt_on(client.post(f"/c/{SLUG}/letters", data=CHOICES))
    embed = receipt_on(client.post(f"/embed/{SLUG}/letters?ref=partner-a", data=CHOICES))
    # Then on to the thank-you page, which counts nothing.
    assert client.post(f"/c/{SLUG}/thanks", data={"t": page}).status_code == 303
    assert client.post(f"/embed/{SLUG}/thanks?ref=partner-a", data={"t": embed}).status_code == 303
    assert counts(app) == {
        ("letters", "page", "", 1),
        ("letters", "embed", "partner-a", 1),
        ("sent", "page", "", 1),
        ("sent", "embed", "partner-a", 1),
    }


def test_opening_the_thank_you_page_counts_nothing(app, client):
    assert client.get(f"/c/{SLUG}/thanks").status_code == 200
    assert client.get(f"/embed/{SLUG}/thanks?ref=partner-a").status_code == 200
    assert counts(app) == set()


def test_the_api_counts_letters_with_the_ref_in_the_query(app, client):
    body = {k: v for k, v in CHOICES.items() if k != "address"}
    assert client.post(f"/api/v1/campaigns/{SLUG}/letters?ref=partner-a", json=body).is_json
    client.post(f"/api/v1/campaigns/{SLUG}/letters", json=body)
    client.post(f"/api/v1/campaigns/{SLUG}/letters", json={"name": "No place"})  # 400
    assert counts(app) == {("letters", "api", "partner-a", 1), ("letters", "api", "", 1)}


def test_campaigns_are_counted_apart_and_unknown_ones_not_at_all(app):
    with app.app_context():
        tally.count(SLUG, "letters", channel="page")
        tally.count("no-such-campaign", "letters", channel="page")
        assert db.session.scalar(db.select(db.func.count()).select_from(Tally)) == 1


def test_a_count_that_fails_never_costs_the_supporter_their_letters(
    app, client, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(tally, "_INSERTS", {"sqlite": broken, "postgresql": broken})
    with caplog.at_level(logging.ERROR, logger="advocacy.platform.tally"):
        response = client.post(f"/c/{SLUG}/letters", data=CHOICES)
    assert response.status_code == 200
    assert "Dear" in response.get_data(as_text=True)
    assert "could not write 1 counts" in caplog.text
    assert "Ann Example" not in caplog.text
    monkeypatch.undo()
    assert client.post(f"/c/{SLUG}/letters", data=CHOICES).status_code == 200  # session usable
    assert counts(app) == {("letters", "page", "", 2)}  # the count that failed was kept


def test_counts_from_many_threads_at_once_all_land(app):
    def work():
        with app.app_context():
            for _ in range(10):
                tally.count(SLUG, "letters", channel="embed", ref="surge")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counts(app) == {("letters", "embed", "surge", 80)}


def test_totals_by_ref_put_the_busiest_partner_first(app):
    with app.app_context():
        for ref, event, n in [("b", "letters", 2), ("a", "letters", 3), ("a", "sent", 1)]:
            for _ in range(n):
                tally.count(SLUG, event, channel="embed", ref=ref)
        tally.count(SLUG, "letters", channel="page")
        tally.count(SLUG, "letters", channel="api", ref="b")  # same ref, other channel: summed
        campaign_id = db.session.scalar(db.select(CampaignRow.id).filter_by(slug=SLUG))
        assert tally.by_ref(campaign_id) == [
            tally.RefTotals("a", 3, 1),
            tally.RefTotals("b", 3, 0),
            tally.RefTotals("", 1, 0),
        ]


def test_sqlite_writes_ahead_so_counting_never_blocks_readers(app):
    with app.app_context():
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(db.text("PRAGMA synchronous")).scalar() == 1  # NORMAL


@pytest.fixture
def buffered(tmp_path):
    """An app that adds counts up for a minute before writing them, as in production."""
    return create_app(settings_for(tmp_path / "buffered.sqlite", TALLY_FLUSH_SECONDS=60))


def test_a_worker_adds_counts_up_and_writes_them_in_one_go(buffered):
    client = buffered.test_client()
    for _ in range(3):
        client.post(f"/embed/{SLUG}/letters", data={**CHOICES, "ref": "partner-a"})
    token = receipt_on(client.post(f"/c/{SLUG}/letters", data=CHOICES))
    client.post(f"/c/{SLUG}/thanks", data={"t": token})
    assert counts(buffered) == set()  # nothing written yet: no database write per letter
    with buffered.app_context():
        tally.flush()
        tally.flush()  # nothing left to write: no double counting
    assert counts(buffered) == {
        ("letters", "embed", "partner-a", 3),
        ("letters", "page", "", 1),
        ("sent", "page", "", 1),
    }


def test_the_studio_sees_this_workers_counts_at_once(buffered):
    buffered.test_client().post(f"/c/{SLUG}/letters", data=CHOICES)
    with buffered.app_context():
        campaign_id = db.session.scalar(db.select(CampaignRow.id).filter_by(slug=SLUG))
        assert tally.by_ref(campaign_id) == [tally.RefTotals("", 1, 0)]


WORKER = """
import sys
from advocacy import create_app, tally
app = create_app()
with app.app_context():
    for _ in range(4):
        tally.count("stop-facial-recognition", "letters", channel="api", ref="exit")
sys.exit(0)  # as a worker does when gunicorn stops it
"""


def test_a_worker_writes_its_counts_when_it_exits(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "ADVOCACY_INSTANCE_PATH": str(tmp_path),
        "ADVOCACY_SECRET_KEY": "x",
        "ADVOCACY_TALLY_FLUSH_SECONDS": "60",
    }
    done = subprocess.run([sys.executable, "-c", WORKER], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-800:]
    app = create_app(settings_for(tmp_path / "advocacy.sqlite"))
    assert counts(app) == {("letters", "api", "exit", 4)}


@pytest.mark.parametrize("ref", ["a" * 40 + "\n", "partner\n", "\npartner"])
def test_a_ref_with_a_line_break_is_not_a_label(ref):
    assert tally.clean_ref(ref) == ""


def test_a_row_the_database_refuses_is_dropped_and_the_rest_land(app, monkeypatch, caplog):
    upsert = tally._upsert

    def refuse_bad(values, n):
        if values["ref"] == "bad":
            raise DataError("INSERT", {}, Exception("value too long for type varchar(40)"))
        upsert(values, n)

    monkeypatch.setattr(tally, "_upsert", refuse_bad)
    with app.app_context(), caplog.at_level(logging.WARNING, logger="advocacy.platform.tally"):
        tally.count(SLUG, "letters", channel="page", ref="bad")
        tally.count(SLUG, "letters", channel="page", ref="good")
        tally.flush()
        assert not app.extensions[tally.EXTENSION].counts  # nothing left to retry forever
        tally.count(SLUG, "letters", channel="page", ref="later")
        tally.flush()
    assert counts(app) == {("letters", "page", "good", 1), ("letters", "page", "later", 1)}
    assert "dropped a count of 1" in caplog.text
    assert "bad" not in caplog.text.replace("dropped", "")


def test_labels_past_the_daily_limit_are_counted_as_other(app):
    app.config["MAX_REFS_PER_DAY"] = 3
    with app.app_context():
        for i in range(5):
            tally.count(SLUG, "letters", channel="page", ref=f"p{i}")
        tally.count(SLUG, "letters", channel="page")
        tally.flush()
        tally.count(SLUG, "letters", channel="page", ref="p1")  # a known label keeps counting
        tally.count(SLUG, "letters", channel="page", ref="p9")
        tally.flush()
    rows = counts(app)
    assert len({ref for _, _, ref, _ in rows}) == 5  # three labels, "other" and no label
    assert ("letters", "page", tally.OTHER_REF, 3) in rows
    assert ("letters", "page", "", 1) in rows
    assert sum(total for *_, total in rows) == 8
