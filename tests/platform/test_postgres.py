"""The same app on a real PostgreSQL server (scripts/postgres-for-tests starts one).

Skipped when ADVOCACY_TEST_POSTGRES_URL is unset, except in CI, where that is a failure.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from postgres_server import fresh_database

from advocacy import create_app
from advocacy.platform import tally
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import Tally
from advocacy.platform.models import db

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("ADVOCACY_TEST_POSTGRES_URL")

if not SERVER:
    if os.environ.get("CI"):
        pytest.fail("CI must run the PostgreSQL tests: set ADVOCACY_TEST_POSTGRES_URL")
    pytest.skip("ADVOCACY_TEST_POSTGRES_URL is not set", allow_module_level=True)


@pytest.fixture
def database_url():
    """A fresh, empty database on the test server, dropped afterwards."""
    with fresh_database() as url:
        yield url


def test_schema_example_and_letters_on_postgresql(database_url, tmp_path):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        row = db.session.execute(db.select(CampaignRow)).scalar_one()
        campaign = row.to_campaign()
        assert campaign.slug == "stop-facial-recognition"
        assert len(campaign.talking_points) >= 6
        assert campaign.asks["mp"]
    response = app.test_client().post(
        "/api/v1/campaigns/stop-facial-recognition/letters",
        json={
            "constituency_code": "W07000089",
            "pfa_code": "W15000003",
            "name": "Siân Example",
            "talking_points": ["accuracy"],
            "answers": {"why": "Café owner, Cardiff."},
        },
    )
    assert response.status_code == 200
    letters = response.get_json()["letters"]
    assert letters[0]["recipient"]["name"] == "Jo Stevens"
    assert "Café owner, Cardiff." in letters[0]["body"]
    with app.app_context():
        # The counter's upsert in PostgreSQL's dialect: a second letter adds to the same row.
        tally.count("stop-facial-recognition", "letters", channel="api")
        tally.flush()  # this app adds counts up for 5 s before writing them
        rows = db.session.execute(db.select(Tally.channel, Tally.ref, Tally.total)).all()
        assert rows == [("api", "", 2)]
        db.session.remove()
        db.engine.dispose()


STARTER = """
from advocacy import create_app
from advocacy.platform.models import CampaignRow, db
app = create_app()
with app.app_context():
    print(db.session.scalar(db.select(db.func.count()).select_from(CampaignRow)))
    db.engine.dispose()
"""


def test_several_workers_starting_at_once_on_postgresql(database_url, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ADVOCACY_DATABASE_URL": database_url,
        "ADVOCACY_SECRET_KEY": "x",
        "ADVOCACY_INSTANCE_PATH": str(tmp_path),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    results = [w.communicate(timeout=60) for w in workers]
    assert [w.returncode for w in workers] == [0] * 4, [r[1][-800:] for r in results]
    assert {r[0].decode().strip() for r in results} == {"1"}


def test_an_overlong_ref_never_stops_the_counts_on_postgresql(database_url):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "TESTING": True})
    client = app.test_client()
    slug = "stop-facial-recognition"
    # A 40-character label and a line break once passed the check and overflowed String(40).
    response = client.get(f"/api/v1/campaigns/{slug}", query_string={"ref": "a" * 40 + "\n"})
    assert response.status_code == 200
    with app.app_context():
        pending = app.extensions[tally.EXTENSION]
        tally.count(slug, "letters", channel="api", ref="a" * 40 + "\n")
        # Written past the check, as an older worker would have: the database refuses it.
        pending.counts[(slug, *next(iter(pending.counts))[1:4], "b" * 41)] += 1
        tally.flush()
        tally.count(slug, "letters", channel="api", ref="partner")
        tally.flush()
        rows = set(db.session.execute(db.select(Tally.ref, Tally.total)).all())
        assert rows == {("", 1), ("partner", 1)}
        assert not pending.counts
        db.session.remove()
        db.engine.dispose()


def test_cors_reads_the_live_campaigns_sites_on_postgresql(database_url):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "TESTING": True})
    with app.app_context():
        db.session.execute(sa.update(CampaignRow).values(allowed_origins=["https://a.example"]))
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    for origin, allowed in (("https://a.example", True), ("https://b.example", False)):
        response = client.get("/api/v1/openapi.json", headers={"Origin": origin})
        assert response.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("field", ["title", "opening", "talking_points.0.label"])
def test_a_nul_in_an_editor_field_is_an_error_on_postgresql(database_url, field):
    from staff_helpers import add_staff
    from staff_helpers import csrf_token
    from staff_helpers import sign_in
    from test_editor_form import form_for

    from advocacy.platform.schema import example_campaign

    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url, "TESTING": True})
    client = app.test_client()
    add_staff(app, "admin@example.org", "admin")
    assert sign_in(client, "admin@example.org").status_code == 302
    data = form_for(example_campaign().to_dict())
    data["csrf_token"] = csrf_token(client, "/admin/campaigns/1")
    data["version"] = "1"
    data[field] = "Stop\x00 now"
    response = client.post("/admin/campaigns/1", data=data)
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)
    assert client.get("/admin/campaigns/1").status_code == 200  # the session is still usable
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_workers_counting_at_once_lose_no_count_on_postgresql(database_url):
    """Letters per recipient, sends and replies from four workers' worth of apps in eight
    threads, every count its own upsert: the same rows, written at once, lose nothing."""
    from threads import in_threads

    from advocacy.platform.models import RecipientTally

    settings = {"SECRET_KEY": "x", "DATABASE_URL": database_url, "TESTING": True}
    workers = [create_app({**settings, "TALLY_FLUSH_SECONDS": 0}) for _ in range(4)]
    slug = "stop-facial-recognition"
    mp, force = ("mp", "E14001172"), ("police_force", "E23000001")

    def work(i: int) -> None:
        app = workers[i % len(workers)]
        with app.app_context():
            for _ in range(10):
                tally.count(slug, "letters", channel="page", recipients=[mp, force])
                tally.count(slug, "sent", channel="page")
                tally.count_reply(slug, *mp, replied=False)
            db.session.remove()

    assert in_threads(8, work) == [None] * 8
    with workers[0].app_context():
        events = set(db.session.execute(db.select(Tally.event, Tally.total)).all())
        assert events == {("letters", 80), ("sent", 80)}
        per_recipient = set(
            db.session.execute(
                db.select(RecipientTally.role, RecipientTally.event, RecipientTally.total)
            ).all()
        )
        assert per_recipient == {
            ("mp", "letters", 80),
            ("police_force", "letters", 80),
            ("mp", "no_reply", 80),
        }
        db.session.remove()
    for app in workers:
        with app.app_context():
            db.engine.dispose()
