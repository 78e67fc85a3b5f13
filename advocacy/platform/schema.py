"""Bring the database up to date at start-up, once, however many workers start together.

Migrations (Alembic, through Flask-Migrate) run under a lock: an exclusive file lock in the
instance folder for SQLite, a PostgreSQL advisory lock otherwise (works across hosts). The
example campaign is added only to an empty database, inside the same lock.
"""

import fcntl
import json
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import text

from advocacy.letters import campaign_json
from advocacy.letters import campaigns
from advocacy.platform import store
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import PublicCounter
from advocacy.platform.models import db

MIGRATIONS = str(Path(__file__).parent.parent / "migrations")
EXAMPLE = Path(__file__).parent.parent / "example_campaign.json"
ADVISORY_LOCK_ID = 0x61647663  # "advc"
EXAMPLE_BY = "example campaign"


@contextmanager
def _startup_lock(app: Flask):
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": ADVISORY_LOCK_ID})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": ADVISORY_LOCK_ID})
                conn.commit()
        return
    lock_path = Path(app.instance_path) / "startup.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def example_campaign() -> campaigns.Campaign:
    return campaign_json.from_dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def upgrade(app: Flask) -> None:
    """Migrate to the newest schema and, on an empty database, publish the example campaign
    with its letter counter shown."""
    with app.app_context(), _startup_lock(app):
        flask_migrate.upgrade(directory=MIGRATIONS)
        if app.config["SEED_EXAMPLE_CAMPAIGN"] and not db.session.scalar(
            db.select(db.func.count()).select_from(CampaignRow)
        ):
            row = store.create(example_campaign(), author=EXAMPLE_BY)
            # The example shows its letter count on its page, as a campaign would once it
            # has some (staff switch it off on its results page).
            db.session.add(PublicCounter(campaign_id=row.id, shown=True, updated_by=EXAMPLE_BY))
            db.session.commit()
