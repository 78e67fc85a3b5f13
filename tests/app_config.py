"""Settings every test app starts from (not in conftest: two conftests share that name)."""

from pathlib import Path
from typing import Any

POSTCODES_URL = "https://postcodes.test"


def settings_for(db_path: Path, **overrides: Any) -> dict[str, Any]:
    """A fresh SQLite file, postcodes.io at a fake host, and a short lookup timeout."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "POSTCODES_IO_URL": POSTCODES_URL,
        "POSTCODES_TIMEOUT": 0.5,
        "TALLY_FLUSH_SECONDS": 0,  # counts written at once, so tests can read them
        "CACHE_CHECK_SECONDS": 0,  # apps sharing a database see each other's saves at once
        **overrides,
    }
