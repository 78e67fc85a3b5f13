"""Settings, the secret key, and a schema that several workers can bring up at once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from advocacy import create_app
from advocacy.platform import config
from advocacy.platform.models import CampaignRow
from advocacy.platform.models import PublicCounter
from advocacy.platform.models import db

ROOT = Path(__file__).resolve().parents[2]


def test_test_config_is_used(app):
    assert app.testing
    assert app.config["POSTCODES_IO_URL"] == "https://postcodes.test"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("test.sqlite")


def test_environment_settings_use_the_advocacy_prefix(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVOCACY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ADVOCACY_POSTCODES_IO_URL", "http://postcodes.internal:8000")
    monkeypatch.setenv("ADVOCACY_POSTCODES_TIMEOUT", "1.5")
    monkeypatch.setenv("ADVOCACY_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    app = create_app()
    assert app.config["POSTCODES_IO_URL"] == "http://postcodes.internal:8000"
    assert app.config["POSTCODES_TIMEOUT"] == 1.5
    assert (tmp_path / "env.sqlite").exists()
    assert app.extensions["advocacy.places.postcodes"].base_url == "http://postcodes.internal:8000"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    assert config.database_uri(None, str(tmp_path)) == f"sqlite:///{tmp_path}/advocacy.sqlite"


@pytest.mark.parametrize(
    ("url", "expected"),
    (
        ("postgres://u:p@db/advocacy", "postgresql+psycopg://u:p@db/advocacy"),
        ("postgresql://u:p@db/advocacy", "postgresql+psycopg://u:p@db/advocacy"),
        ("postgresql+psycopg://u@db/a", "postgresql+psycopg://u@db/a"),
        ("sqlite:////srv/advocacy.db", "sqlite:////srv/advocacy.db"),
    ),
)
def test_database_url(url, expected):
    assert config.database_uri(url, "/unused") == expected


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = config.secret_key(str(tmp_path))
    assert len(first) == 64
    assert config.secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert config.secret_key(str(tmp_path / "..") + "/" + tmp_path.name) == first
    other = tmp_path / "other"
    other.mkdir()
    assert config.secret_key(str(other)) != first


def test_example_campaign_is_published_on_an_empty_database(app):
    with app.app_context():
        rows = db.session.execute(db.select(CampaignRow)).scalars().all()
        assert [(r.slug, r.status) for r in rows] == [("stop-facial-recognition", "live")]
        # It shows its letter counter (issue 26), once there are letters to count.
        assert db.session.get(PublicCounter, rows[0].id).shown


def test_restart_does_not_publish_the_example_again(tmp_path):
    settings = {"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite'}"}
    create_app(settings)
    app = create_app(settings)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CampaignRow)) == 1


STARTER = """
import sys
from advocacy import create_app
from advocacy.platform.models import CampaignRow, db
app = create_app()
with app.app_context():
    print(db.session.scalar(db.select(db.func.count()).select_from(CampaignRow)), app.secret_key)
"""


def test_several_workers_starting_at_once_agree(tmp_path):
    env = {
        **os.environ,
        "ADVOCACY_INSTANCE_PATH": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("ADVOCACY_DATABASE_URL", None)
    env.pop("ADVOCACY_SECRET_KEY", None)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    results = [w.communicate(timeout=60) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], [r[1][-500:] for r in results]
    lines = {r[0].decode().strip() for r in results}
    assert len(lines) == 1  # same campaign count and the same secret key everywhere
    count, key = lines.pop().split()
    assert count == "1"
    assert key == (tmp_path / "secret_key").read_text()
