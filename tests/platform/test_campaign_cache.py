"""Each worker parses a campaign (and builds the directory) once per version, and compares with
the database at most every CACHE_CHECK_SECONDS; its own saves show at once."""

import dataclasses

import pytest
from app_config import settings_for
from fake_clock import FakeClock
from sqlalchemy import event

from advocacy import create_app
from advocacy.places import overrides
from advocacy.platform import models
from advocacy.platform import store
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import db

SLUG = "stop-facial-recognition"


def statements(app, path: str) -> list[str]:
    """The SQL a GET of ``path`` runs."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert app.test_client().get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_a_known_campaign_costs_one_small_query(app):
    first = statements(app, f"/c/{SLUG}")
    again = statements(app, f"/c/{SLUG}")
    campaign_queries = [s for s in again if "campaign" in s or "talking_point" in s]
    assert len(campaign_queries) == 1, again
    assert "talking_point" not in " ".join(again)
    assert any("talking_point" in s for s in first)  # the first request did load it


def test_a_save_on_one_worker_shows_on_another_at_once(tmp_path):
    settings = settings_for(tmp_path / "shared.sqlite")
    worker_a, worker_b = create_app(settings), create_app(settings)
    assert "Stop police live" in worker_a.test_client().get(f"/c/{SLUG}").get_data(as_text=True)
    with worker_b.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        campaign = row.to_campaign()
        point = dataclasses.replace(campaign.talking_points[0], label="A brand new first point")
        new = dataclasses.replace(campaign, talking_points=(point, *campaign.talking_points[1:]))
        assert store.save(row, new, "editor@example.org", row.version)
    html = worker_a.test_client().get(f"/c/{SLUG}?constituency=E14001172&pfa=E23000001")
    assert "A brand new first point" in html.get_data(as_text=True)


def test_a_status_changed_by_hand_in_sql_is_seen(app, client):
    assert client.get(f"/c/{SLUG}").status_code == 200
    with app.app_context():
        db.session.execute(db.update(CampaignRow).values(status="closed"))
        db.session.commit()
    assert client.get(f"/c/{SLUG}").status_code == 410
    assert client.get(f"/api/v1/campaigns/{SLUG}").status_code == 404


@pytest.fixture
def workers(tmp_path, monkeypatch):
    """Two workers on one database that compare with it every 60 s, and their clock."""
    clock = FakeClock(1000.0)
    monkeypatch.setattr(models, "clock", clock)
    settings = settings_for(tmp_path / "shared.sqlite", CACHE_CHECK_SECONDS=60)
    return create_app(settings), create_app(settings), clock


def retitle(app, title: str) -> None:
    with app.app_context():
        row = db.session.execute(db.select(CampaignRow).filter_by(slug=SLUG)).scalar_one()
        assert store.save(
            row, dataclasses.replace(row.to_campaign(), title=title), "e", row.version
        )


def title_on(app) -> str:
    html = app.test_client().get(f"/c/{SLUG}").get_data(as_text=True)
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_between_checks_a_supporter_page_touches_no_database(workers):
    worker, _, _ = workers
    statements(worker, f"/c/{SLUG}?constituency=E14001172&pfa=E23000001")
    assert statements(worker, f"/c/{SLUG}?constituency=E14001172&pfa=E23000001") == []


def test_another_workers_save_shows_once_the_check_is_due(workers):
    worker, other, clock = workers
    assert title_on(worker) == "Stop police live facial recognition"
    retitle(other, "A new title")
    assert title_on(other) == "A new title"  # its own save: at once
    clock.now += 59
    assert title_on(worker) == "Stop police live facial recognition"
    clock.now += 1
    assert title_on(worker) == "A new title"


def test_a_directory_correction_on_another_worker_shows_once_the_check_is_due(workers):
    worker, other, clock = workers
    path = f"/c/{SLUG}?constituency=E14001172&pfa=E23000001"
    assert "Rachel Blake" in worker.test_client().get(path).get_data(as_text=True)
    with other.app_context():
        overrides.save("mp", "E14001172", {"name": "Corrected Name"}, "e")
    assert "Corrected Name" in other.test_client().get(path).get_data(as_text=True)
    assert "Rachel Blake" in worker.test_client().get(path).get_data(as_text=True)
    clock.now += 60
    assert "Corrected Name" in worker.test_client().get(path).get_data(as_text=True)
