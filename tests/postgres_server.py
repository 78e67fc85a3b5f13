"""A fresh database on the suite's throwaway PostgreSQL server (scripts/postgres-for-tests).

Tests that use it are skipped when ADVOCACY_TEST_POSTGRES_URL is unset, except in CI, where
that is a failure (as in test_postgres).
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa


def server() -> str:
    url = os.environ.get("ADVOCACY_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: set ADVOCACY_TEST_POSTGRES_URL")
        pytest.skip("ADVOCACY_TEST_POSTGRES_URL is not set")
    return url


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards."""
    url = server()
    name = f"advocacy_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
