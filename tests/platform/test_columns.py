"""Text columns refuse NUL the same way on SQLite and PostgreSQL (issue 22, item 1)."""

import pytest
import sqlalchemy as sa
from app_config import settings_for

from advocacy import create_app
from advocacy.platform import columns
from advocacy.platform.models import DirectoryOverride
from advocacy.platform.models import StaffUser
from advocacy.platform.models import db


def test_every_text_column_is_one_that_refuses_nul(app):
    """A column added later with SQLAlchemy's own String would let NUL through again."""
    text_columns = [
        column
        for table in db.metadata.tables.values()
        for column in table.columns
        # Text, Unicode, Enum…, and any decorated type that stores one of those
        if isinstance(getattr(column.type, "impl_instance", column.type), sa.String)
    ]
    assert len(text_columns) > 20
    loose = [c for c in text_columns if not isinstance(c.type, columns.String | columns.Text)]
    assert loose == []


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request, tmp_path):
    if request.param == "sqlite":
        yield create_app(settings_for(tmp_path / "t.sqlite"))
        return
    from postgres_server import fresh_database

    with fresh_database() as url:
        app = create_app(settings_for(tmp_path / "unused", DATABASE_URL=url))
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_lookup_by_text_holding_nul_finds_nothing(any_database):
    with any_database.app_context():
        db.session.add(StaffUser(email="a@example.org", password_hash="x"))
        db.session.commit()
        emails = db.select(StaffUser.email)
        assert db.session.scalars(emails.filter_by(email="a@example.org\x00")).all() == []
        assert db.session.scalars(emails.where(StaffUser.email != "\x00")).all() == [
            "a@example.org"
        ]
        found = emails.where(StaffUser.email.in_(["a@example.org", "a\x00"]))
        assert db.session.scalars(found).all() == ["a@example.org"]
        assert db.session.scalars(emails.where(StaffUser.email.in_(["a\x00"]))).all() == []
        assert db.session.scalars(emails.where(StaffUser.email.not_in(["\x00"]))).all() == [
            "a@example.org"
        ]


def test_writing_text_holding_nul_is_refused_on_any_route(any_database):
    """Were a check missed, the database's type refuses it: 400, not a 500, on a route the
    app never had (added here, as one might be later)."""
    app = any_database
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def write():
        db.session.add(DirectoryOverride(role="mp", code="E1", fields={}, updated_by="a\x00"))
        db.session.commit()
        return "stored"

    app.add_url_rule("/api/v1/later", "later", write, methods=["POST"])
    app.add_url_rule("/later", "later_page", write, methods=["POST"])
    client = app.test_client()
    api = client.post("/api/v1/later")
    assert api.status_code == 400
    assert api.get_json()["error"]["code"] == "bad_request"
    assert client.post("/later").status_code == 400
    with app.app_context():
        assert db.session.scalars(db.select(DirectoryOverride)).all() == []
        with pytest.raises(sa.exc.StatementError) as raised:
            db.session.add(DirectoryOverride(role="mp\x00", code="E1", fields={}))
            db.session.flush()
        assert columns.is_text_with_nul(raised.value)
